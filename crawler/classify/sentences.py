"""Sentence splitting with character spans, for page text that arrives as lines.

Why not a library: claims are reported per sentence with their exact span in the page text, so
the splitter must never rewrite text, must be fast, and must handle the languages clinics write
in (en/es/de/fr/pt/ru, Chinese and Japanese). Rules: every line break ends a sentence (extracted
page text is one block per line), list bullets are not part of a sentence, `.`/`!`/`?` end a
sentence only before whitespace and a non-lowercase character (or between two Chinese/Japanese
characters: "真的吗?是的"), and never after a known abbreviation or a single-letter initial;
"。！？；．" (and their ASCII or half-width forms inside CJK text) always end one, except "．"
between digits ("３．５％").
"""
from __future__ import annotations

import re

Span = tuple[int, int, str]

# Longer "sentences" (flattened tables, text without punctuation) are cut at a space or comma
# before this many characters: a claim lives in a few hundred characters, and it bounds the work
# the per-sentence rules do.
MAX_SENTENCE_CHARS = 600
_SOFT_BREAK = re.compile(r"[,;:]?\s+|[，、：]")  # Chinese/Japanese commas need no space after them
_SOFT_PUNCT = ",;:，、："

# Lowercased tokens (without their final dot) after which a "." does not end a sentence.
ABBREVIATIONS = frozenset({
    # English
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "approx", "e.g", "i.e", "al", "fig",
    "vol", "dept", "u.s", "u.k", "ph.d", "m.d", "mt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    # Spanish / Portuguese
    "dra", "sra", "srta", "ud", "uds", "núm", "nº", "p.ej", "ej", "pág", "av", "avda", "lic", "ing",
    "aprox", "profa", "dña", "sto", "sta",
    # German
    "z.b", "u.a", "d.h", "bzw", "usw", "evtl", "ggf", "inkl", "ca", "nr", "s.o", "u.u", "v.a", "z.t",
    "dipl", "med",
    # French
    "mme", "mlle", "env", "p.ex", "cf",
    # Russian ("г." year, "т.е." that is, "проф." professor; single letters are initials anyway)
    "т.е", "т.к", "т.н", "т.ч", "проф", "акад", "доц", "д-р", "гг", "вв", "ул", "им", "напр", "см", "рис",
    "стр", "тыс", "млн", "млрд", "руб", "коп", "мед", "к.м.н", "д.м.н", "к.б.н", "д.б.н", "каф", "отд", "пр-т",
    "др",
})
# Abbreviations that close a list ("и т.д.", "и др."): a capital after them starts a new sentence.
LIST_END_ABBREVIATIONS = frozenset({"т.д", "т.п"})
# Abbreviations that only hold before a number ("No. 1", "Nr. 5"); "the answer is no." ends.
NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "nr", "núm", "nº", "art", "abs"})

_BULLET = re.compile(
    r"[ \t\u00a0]*(?:[-–—•·▪◦‣●○■□►▸✓✔→*>]+|\(?\d{1,2}[.)](?=\s)|\(?[a-zA-Z]\)(?=\s))[ \t\u00a0]*"
)
_NEWLINES = "\n\r\u2028\u2029"
# Candidate sentence ends: line breaks, Latin terminators (checked by _ends_here), CJK full stops.
# (One leading character class, so `re` can skip ahead quickly; the kind is decided in Python.)
_BOUNDARY = re.compile(r"[\n\r\u2028\u2029.!?…。！？；．｡][.!?…。！？；．｡\"'”’»)\]」』）】》〉]*")
_CJK_STOPS = "。！？；．｡"
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_NEXT_CHAR = re.compile(r"[^\S\n\r]*(\S)")
_ALNUM = re.compile(r"[^\W_]")
_OPENERS = "\"'“‘«([¿¡"


def _is_abbreviation(text: str, dot: int, next_char: str) -> bool:
    """True when the '.' at `text[dot]` closes an abbreviation or an initial, not a sentence."""
    m = _TOKEN_BEFORE.search(text, max(0, dot - 24), dot)
    if not m:
        return False
    token = m.group(1).lstrip(_OPENERS).lower()
    if token in LIST_END_ABBREVIATIONS or (token in ("д", "п") and text[max(0, m.start() - 3):m.start()]
                                           .replace(" ", "").endswith("т.")):
        return False  # "... и т.д. Запишитесь": the list and the sentence end here
    if token == "др" and text[max(0, m.start() - 2):m.start()] == "и ":
        return False  # "и др." (and others) closes a list; "Др. Петров" is a title
    if len(token) == 1 and token.isalpha():
        return True  # "J. Smith", "vitamin B. complex" reads the same way
    if token in NUMBER_ABBREVIATIONS:
        return next_char.isdigit()
    return token in ABBREVIATIONS


def _ends_here(text: str, m: re.Match[str]) -> bool:
    """Decide whether a Latin terminator match really ends a sentence."""
    punct = m.group()
    if punct[0] in _CJK_STOPS:
        return not (punct[0] == "．" and _between_digits(text, m.start()))
    nxt = _NEXT_CHAR.match(text, m.end())
    if not nxt:
        return True
    next_char = nxt.group(1)
    if next_char.islower():
        return False
    if punct.rstrip("\"'”’»)]") == "." and _is_abbreviation(text, m.start(), next_char):
        return False
    return True


def _between_digits(text: str, pos: int) -> bool:
    return 0 < pos < len(text) - 1 and text[pos - 1].isdigit() and text[pos + 1].isdigit()


def _cjk_around(text: str, m: re.Match[str]) -> bool:
    """A Latin terminator squeezed between Chinese/Japanese characters ("真的吗?是的")."""
    return (m.start() > 0 and m.end() < len(text) and bool(_CJK_CHAR.match(text, m.start() - 1))
            and bool(_CJK_CHAR.match(text, m.end())))


def _skip_bullet(text: str, pos: int) -> int:
    """Position after a list bullet ("-", "•", "1.", "a)") starting at `pos`, else `pos`."""
    m = _BULLET.match(text, pos)
    return m.end() if m else pos


def _emit(spans: list[Span], text: str, start: int, end: int) -> None:
    """Append the trimmed span if it holds at least one letter or digit (cut if too long)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = None
        for m in _SOFT_BREAK.finditer(text, start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS):
            cut = m
        if cut is None:
            break
        _emit(spans, text, start, cut.start() + (1 if text[cut.start()] in _SOFT_PUNCT else 0))
        start = cut.end()
    if start < end and _ALNUM.search(text, start, end):
        spans.append((start, end, text[start:end]))


def split_sentences(text: str) -> list[Span]:
    """Split `text` into (start, end, sentence) spans, with `text[start:end] == sentence`."""
    spans: list[Span] = []
    seg_start = _skip_bullet(text, 0)
    for m in _BOUNDARY.finditer(text):
        first = m.group()[0]
        if first in _NEWLINES:
            _emit(spans, text, seg_start, m.start())
            seg_start = _skip_bullet(text, m.end())
        elif (first not in _CJK_STOPS and m.end() < len(text) and not text[m.end()].isspace()
              and not _cjk_around(text, m)):
            continue  # "85.5%", "e.g.PRP", "www.site.com": not followed by a space
        elif m.start() >= seg_start and _ends_here(text, m):
            _emit(spans, text, seg_start, m.end())
            seg_start = m.end()
    _emit(spans, text, seg_start, len(text))
    return spans
