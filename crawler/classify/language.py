"""Language identification: script first, then stopword counts, then a bundled model for the rest.

Why stopwords first: we need to pick a lexicon (en/es/pt/de/fr/ru/zh/ja) and to label pages for
per-language reporting; counting a few hundred very frequent words is fast, deterministic and
good enough on whole pages. Returns an ISO 639-1 code or "und".

Why a model as well: stopwords only know the 8 supported languages, so a Polish, Italian or
Indonesian page used to be guessed as one of them (or "und"), scored with the wrong lexicon and
came out 0, which reads as clean. py3langid (97 languages, its model ships inside the wheel, no
download; numpy only) reads the first LID_SAMPLE_CHARS of every page not already settled by its
script (Han/kana, Hangul); when it is sure the page is in none of the supported languages, that
language is returned and the page is "not scored" (crawler.classify.page). It never overrides the
stopwords' choice among the supported languages, so their scores stay as they were.

Scripts: Cyrillic is Russian; Han and kana text is Japanese as soon as kana make up a tenth of
it (Japanese always mixes kana into its kanji; Chinese uses none), otherwise Chinese.
`detect_sentence_language` labels one sentence of a page, falling back to the page's language
when the sentence is too short or too mixed to tell, so mixed pages get the right lexicon per
sentence.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache

UNDETERMINED = "und"
SUPPORTED = ("en", "es", "pt", "de", "fr", "ru", "zh", "ja")
# Characters inspected: a page's first few KB decide its language.
SAMPLE_CHARS = 4000
# Share of letters in a script needed to call the page (or sentence) that script's language.
SCRIPT_SHARE = 0.3
# Share of kana among Han + kana characters that makes the text Japanese.
KANA_SHARE = 0.1
# Stopword hits below which longer texts stay undetermined (short texts need only one).
MIN_HITS = 2
SHORT_TEXT_TOKENS = 12
# The bundled model: characters it reads (~0.4 ms per page), letters a page needs before it may be
# called unsupported (menus and headings alone are too short to tell), and how sure it must be
# (probability mass outside the supported languages: Indonesian and Malay split theirs).
LID_SAMPLE_CHARS = 1000
LID_MIN_LETTERS = 30
LID_MIN_CONFIDENCE = 0.9
# Share of a page's tokens that are one Latin-script language's stopwords above which the page is
# that language without asking the model (most en/de/fr pages; Italian or Turkish pages reach
# about 0.1 through shared words like "la", "con", "il").
STOPWORD_SHARE = 0.2

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
        usted ustedes tratamiento pacientes entre ser han fue según algunas algunos estos estas porque
        donde mismo ni hasta nuestro""".split()),
    "pt": frozenset("""os do da dos das e é não com uma um em ao pelo pela mais também seu sua são
        está nosso nossa nossos nossas pode você vocês foi ser tratamento pacientes sobre quando
        já ou isso esse essa o às nas nos na seus suas muito têm ainda segundo alguns algumas essas
        esses nem há porque pelos pelas onde""".split()),
    "de": frozenset("""der die das und ist nicht mit ein eine einen für von zu den dem auch sich
        sind wird bei oder auf kann werden wir ihre unsere ihr es im nach wie aus noch nur diese
        dieser durch über dass gibt hat haben sein kein keine einige manche zum zur vom beim""".split()),
    "fr": frozenset("""le les et est des une pour dans pas avec du au sur ce qui sont nous vous
        votre vos aux ne plus par cette ces leur leurs été être mais ou où elle il traitement patients
        peut l d qu n certaines certains selon aucune aucun sans""".split()),
}

# word -> languages it is a stopword of (one dict lookup per token)
_STOPWORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _word in _words:
        _STOPWORD_LANGS[_word] = _STOPWORD_LANGS.get(_word, ()) + (_lang,)

_WORD = re.compile(r"[a-zà-öø-ÿœß]+")
# Runs of one script's letters (counted as runs: far fewer match objects than characters).
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]+")
CJK_LANGUAGES = ("zh", "ja")
# Letters that only one of the Latin-script languages uses: they break ties between short
# sentences ("As células-tronco não curam ...": "as" is English too, "ã" is not).
_DISTINCTIVE = {"pt": re.compile("[ãõ]"), "es": re.compile("[ñ¿¡]"), "de": re.compile("[ßäöü]"),
                "fr": re.compile("[èëîïûœù]")}
DISTINCTIVE_MAX = 2


def _count(script: re.Pattern[str], text: str) -> int:
    """Letters of `script` in `text`."""
    return sum(map(len, script.findall(text)))


def _script_language(sample: str, default: str | None = None) -> str | None:
    """"ja"/"zh"/"ko"/"ru" when that script holds SCRIPT_SHARE of `sample`'s letters, else None.

    Text in Han characters only is `default` when that is "ja" or "zh" (a kanji-only heading on
    a Japanese page), else Chinese.
    """
    kana, han = _count(_KANA, sample), _count(_HAN, sample)
    hangul, cyrillic = _count(_HANGUL, sample), _count(_CYRILLIC, sample)
    letters = kana + han + hangul + cyrillic + _count(_LATIN, sample)
    if not letters:
        return None
    if kana + han >= SCRIPT_SHARE * letters:
        if kana and kana >= KANA_SHARE * (kana + han):
            return "ja"
        return default if (not kana and default in CJK_LANGUAGES) else "zh"
    if hangul >= SCRIPT_SHARE * letters:
        return "ko"
    if cyrillic >= SCRIPT_SHARE * letters:
        return "ru"
    return None


def _stopword_counts(text: str) -> tuple[dict[str, int], int]:
    """Stopword hits per Latin-script language in `text` (plus up to DISTINCTIVE_MAX for letters
    only that language uses), and its number of word tokens."""
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    counts = dict.fromkeys(STOPWORDS, 0)
    for langs, n in Counter(map(_STOPWORD_LANGS.get, tokens)).items():  # counted in C
        for lang in langs or ():
            counts[lang] += n
    if not lowered.isascii():
        for lang, letters in _DISTINCTIVE.items():
            counts[lang] += min(DISTINCTIVE_MAX, len(letters.findall(lowered)))
    return counts, len(tokens)


def detect_language(text: str) -> str:
    """ISO 639-1 code of `text` or "und": one of SUPPORTED, or another language the bundled model is
    sure of ("pl", "ko", "th", ...; see is_supported)."""
    return _detect_sample(text[:SAMPLE_CHARS])


def is_supported(language: str) -> bool:
    """Whether pages in `language` are scored: the 8 lexicon languages, and "und" (too little text
    to tell, scored with every Latin-script lexicon as before)."""
    return language in SUPPORTED or language == UNDETERMINED


@lru_cache(maxsize=64)
def _detect_sample(sample: str) -> str:
    """detect_language on a page's first SAMPLE_CHARS (cached: score() asks before analyse() does)."""
    fast, share = _fast_language(sample)
    if fast in ("zh", "ja", "ko"):  # settled by script: nothing else is written that way
        return fast
    if fast != "ru" and share >= STOPWORD_SHARE:  # plainly en/es/pt/de/fr: skip the model
        return fast
    other = _unsupported_language(sample[:LID_SAMPLE_CHARS])
    return other or fast


@cache
def _identifier() -> object:
    """py3langid's bundled model, loaded once per process on first use (~0.5 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _unsupported_language(sample: str) -> str | None:
    """The language of `sample` when the model is sure it is none of SUPPORTED, else None."""
    if len(sample) < LID_SAMPLE_CHARS and sum(map(str.isalpha, sample)) < LID_MIN_LETTERS:
        return None
    ranked = _identifier().rank(sample)  # type: ignore[attr-defined]
    outside = sum(p for lang, p in ranked if lang not in SUPPORTED)
    if outside < LID_MIN_CONFIDENCE:
        return None
    return next(lang for lang, _ in ranked if lang not in SUPPORTED)


def _fast_language(sample: str) -> tuple[str, float]:
    """Script, then stopwords: one of SUPPORTED, "ko" or "und", and how sure (1.0 for a script;
    else the share of tokens that are the chosen language's stopwords)."""
    if not sample.isascii():  # only then can another script dominate
        script = _script_language(sample)
        if script:
            return script, 1.0
    counts, n_tokens = _stopword_counts(sample)
    ranked = sorted(counts.items(), key=lambda kv: kv[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    needed = 1 if n_tokens < SHORT_TEXT_TOKENS else MIN_HITS
    if best_hits < needed or best_hits == second_hits:
        return UNDETERMINED, 0.0
    return best, best_hits / n_tokens if n_tokens else 0.0


def detect_sentence_language(sentence: str, default: str) -> str:
    """Language of one sentence of a page whose language is `default`.

    Another script decides at once; a Latin-script sentence switches away from `default` only
    when another language's stopwords clearly outnumber the default's (short, mixed or
    stopword-free sentences keep the page's language).
    """
    if not sentence.isascii():
        script = _script_language(sentence, default)
        if script:
            return script
    counts, n_tokens = _stopword_counts(sentence)
    best = max(counts, key=counts.__getitem__)
    best_hits = counts[best]
    if best == default or best_hits == 0:
        return default
    others = [hits for lang, hits in counts.items() if lang != best]
    if best_hits <= max(others) or (n_tokens >= SHORT_TEXT_TOKENS and best_hits < MIN_HITS):
        return default
    return best


# Another script anywhere in a Latin-script page; a run of Latin words in a CJK/Cyrillic page.
_NON_LATIN = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_ACCENTED = re.compile(r"[à-öø-ÿœßÀ-ÖØ-Þ]")
_LATIN_PHRASE = re.compile(r"[a-zA-Z\u00c0-\u024f]{2,}(?:[ ,'’-]+[a-zA-Z\u00c0-\u024f]+){3,}")
_OTHER_SCRIPTS = {"zh": re.compile(r"[\u0400-\u04ff\u3040-\u30ff\uac00-\ud7af]"),
                  "ja": re.compile(r"[\u0400-\u04ff\uac00-\ud7af]"),
                  "ru": re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"),
                  "ko": re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")}
# A page is checked sentence by sentence when another Latin-script language has this many
# stopword hits, and this share of the page language's.
MIXED_MIN_HITS = 3
MIXED_MIN_SHARE = 0.1


def _may_mix(text: str, page_language: str, explicit: bool) -> bool:
    """Cheap whole-page test: can any sentence of `text` be in another language than the page's?"""
    other = _OTHER_SCRIPTS.get(page_language)
    if other is not None:  # a CJK/Cyrillic page: another script, or Latin-script sentences
        return bool(other.search(text)) or (not explicit and bool(_LATIN_PHRASE.search(text)))
    if not text.isascii() and _NON_LATIN.search(text):
        return True
    if explicit:
        return False  # Latin-script sentences keep the language the caller gave
    if page_language == "en" and not _ACCENTED.search(text):
        return False  # a Spanish/Portuguese/French/German paragraph without one accented letter: rare
    counts, _ = _stopword_counts(text)
    own = counts.get(page_language, 0)
    return any(hits >= MIXED_MIN_HITS and hits >= MIXED_MIN_SHARE * own
               for lang, hits in counts.items() if lang != page_language)


def language_runs(text: str, spans: list[tuple[int, int, str]], page_language: str,
                  explicit: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, language) runs covering `text`: consecutive sentences in one language.

    One run for most pages. With `explicit` (the caller gave the page's language) only a
    sentence in another script switches language.
    """
    if not spans or not _may_mix(text, page_language, explicit):
        return [(0, len(text), page_language)]
    runs: list[tuple[int, int, str]] = []
    run_start, run_language = 0, page_language
    for start, _, sentence in spans:
        language = detect_sentence_language(sentence, page_language)
        if explicit and language not in ("ru", "zh", "ja", "ko"):
            language = page_language
        if language != run_language:
            if start > run_start:
                runs.append((run_start, start, run_language))
            run_start, run_language = start, language
    runs.append((run_start, len(text), run_language))
    return runs
