"""Cheap language identification: script first, then stopword counts for Latin-script text.

Why not a model: we only need to pick a lexicon (en/es/pt/de/fr) and to label pages for
per-language reporting; counting a few hundred very frequent words is fast, deterministic and
good enough on whole pages. Returns an ISO 639-1 code or "und".
"""
from __future__ import annotations

import re

UNDETERMINED = "und"
SUPPORTED = ("en", "es", "pt", "de", "fr")
# Characters inspected: a page's first few KB decide its language.
SAMPLE_CHARS = 4000
# Share of letters in a script needed to call the page that script's language.
SCRIPT_SHARE = 0.3
# Stopword hits below which longer texts stay undetermined (short texts need only one).
MIN_HITS = 2
SHORT_TEXT_TOKENS = 12

# Distinctive, very frequent words per language (words shared by several languages are left
# out or kept only where they are much more frequent in one of them).
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""the and of to is are with for that this it be was were have has our your
        you can not from which by on or as at an will these they their there been what who how
        we its may more about into than also such when only other my his her him she he after again
        all but so if do does did one out up just get had would could should them then very some any
        who why""".split()),
    "es": frozenset("""el los las del y es por una con se su sus al como más pero son está este esta
        puede sin también hay muy nuestro nuestra nuestros nuestras lo le ya desde cuando sobre
        usted ustedes tratamiento pacientes entre ser han fue""".split()),
    "pt": frozenset("""os do da dos das e é não com uma um em ao pelo pela mais também seu sua são
        está nosso nossa nossos nossas pode você vocês foi ser tratamento pacientes sobre quando
        já ou isso esse essa""".split()),
    "de": frozenset("""der die das und ist nicht mit ein eine einen für von zu den dem auch sich
        sind wird bei oder auf kann werden wir ihre unsere ihr es im nach wie aus noch nur diese
        dieser durch über""".split()),
    "fr": frozenset("""le les et est des une pour dans pas avec du au sur ce qui sont nous vous
        votre vos aux ne plus par cette ces leur été être mais ou où elle il traitement patients
        peut""".split()),
}

# word -> languages it is a stopword of (one dict lookup per token)
_STOPWORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _word in _words:
        _STOPWORD_LANGS[_word] = _STOPWORD_LANGS.get(_word, ()) + (_lang,)

_WORD = re.compile(r"[a-zà-öø-ÿœß]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# (first, last) code points of each non-Latin script we recognise.
_SCRIPTS = {
    "kana": ((0x3040, 0x30FF),),
    "han": ((0x4E00, 0x9FFF), (0x3400, 0x4DBF)),
    "hangul": ((0xAC00, 0xD7AF),),
    "cyrillic": ((0x0400, 0x04FF),),
}


def _script_language(sample: str) -> str | None:
    """"ja"/"zh"/"ko"/"ru" when that script dominates `sample`, else None (Latin or mixed)."""
    counts = dict.fromkeys(_SCRIPTS, 0)
    non_ascii = _NON_ASCII.findall(sample)
    latin = (len(sample) - len(non_ascii)) // 2  # ASCII characters, about half of them letters
    for ch in non_ascii:
        code = ord(ch)
        for script, ranges in _SCRIPTS.items():
            if any(lo <= code <= hi for lo, hi in ranges):
                counts[script] += 1
                break
        else:
            latin += ch.isalpha()  # accented Latin letters (other scripts count as Latin too)
    kana, han, hangul, cyrillic = counts["kana"], counts["han"], counts["hangul"], counts["cyrillic"]
    letters = latin + kana + han + hangul + cyrillic
    if not letters:
        return None
    if kana and (kana + han) / letters >= SCRIPT_SHARE:
        return "ja"
    if han / letters >= SCRIPT_SHARE:
        return "zh"
    if hangul / letters >= SCRIPT_SHARE:
        return "ko"
    if cyrillic / letters >= SCRIPT_SHARE:
        return "ru"
    return None


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text` ("en", "es", "pt", "de", "fr", "ru", "ja", "zh", "ko") or "und"."""
    sample = text[:SAMPLE_CHARS]
    if not sample.isascii():  # only then can another script dominate
        script = _script_language(sample)
        if script:
            return script
    tokens = _WORD.findall(sample.lower())
    counts = dict.fromkeys(STOPWORDS, 0)
    for tok in tokens:
        for lang in _STOPWORD_LANGS.get(tok, ()):
            counts[lang] += 1
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    needed = 1 if len(tokens) < SHORT_TEXT_TOKENS else MIN_HITS
    if best_hits < needed or best_hits == second_hits:
        return UNDETERMINED
    return best
