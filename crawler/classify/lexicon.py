"""The classifier's vocabularies: what each cue kind means, and their compiled matchers.

Why data plus one compiler: the words change far more often than the logic (new products,
new languages, new euphemisms), so each language lives in its own data module
(lexicon_en.py, lexicon_es.py, ...) and this module turns them into a few fast matchers.

Pattern conventions (all language modules):
- lowercase regexes, whole words (the matcher adds word boundaries); end stems with `\\w*`;
- Chinese and Japanese (WORD_BOUNDARIES = False in their modules) get no boundaries: start each
  pattern with a literal character, never use `\\w`, and guard short cues with lookarounds
  ("不(?!仅|断)") instead;
- full-width Latin letters, digits and punctuation are folded to ASCII before matching
  ("ＦＤＡ認証" matches "fda", "９０％" matches "90%", "，" is a clause break);
- no capturing groups, use `(?:...)`; a literal space matches any run of spaces/tabs;
- apostrophes are written `'` (curly ones are normalised before matching);
- CASED holds case-sensitive acronyms ("ALS", "PRP"), matched on the original text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from types import ModuleType

from crawler.classify import (
    lexicon_de, lexicon_en, lexicon_es, lexicon_fr, lexicon_ja, lexicon_pt, lexicon_ru, lexicon_voice, lexicon_zh,
)
from crawler.classify.matcher import Hit, Matcher, expand, first_literal, syntax_chars

LANGUAGE_LEXICONS: dict[str, ModuleType] = {
    "en": lexicon_en, "es": lexicon_es, "de": lexicon_de, "fr": lexicon_fr, "pt": lexicon_pt,
    "ru": lexicon_ru, "zh": lexicon_zh, "ja": lexicon_ja,
}
_LANGUAGE_OF = {module.__name__: lang for lang, module in LANGUAGE_LEXICONS.items()}
# Lexicons used when a page's language is undetermined (Latin-script text).
UNDETERMINED_LANGUAGES: tuple[str, ...] = ("en", "es", "de", "fr", "pt")
# English is always added: brand, product and regulator words are English on many foreign pages.
FALLBACK_LANGUAGE = "en"

# Claim categories (claims.md). "product_type" is context only and never a claim by itself.
CATEGORIES: tuple[str, ...] = (
    "unapproved_indication", "cure", "risk_minimisation", "efficacy_statistics",
    "regulatory_misrepresentation", "testimonial", "borrowed_legitimacy", "hype", "commercial_pressure",
)
CONTEXT_KINDS: tuple[str, ...] = ("product_type", "approved_product")

# Established uses of blood-forming stem cells: claims about these are not unproven-therapy claims.
APPROVED_CONDITIONS: frozenset[str] = frozenset(
    {"leukaemia", "lymphoma", "myeloma", "blood_cancer", "blood_disorder"})
# The normalised condition vocabulary (every language maps onto these names).
CONDITIONS: tuple[str, ...] = tuple(lexicon_en.CONDITIONS)

CONDITION_PREFIX = "condition:"

# Kinds scanned together. One scan costs about the same whatever its size, so there are only
# two (plus the case-sensitive acronyms). Claim cues get their own scan because they overlap
# conditions and stance words ("insulin-free" vs "insulin", "no known cure" vs "cure"). Within a
# scan the earlier kind wins where two patterns start at the same place, so longer, more
# specific kinds come first; exact same-text matches get every label.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cure", "benefit", "risk_minimisation", "efficacy_statistics", "regulatory_misrepresentation",
     "borrowed_legitimacy", "hype", "commercial_pressure", "call_to_action"),
    ("approved_product", "product_type", "conditions", "mitigation", "testimonial", "testimonial_heading",
     "testimonial_subject", "patient_outcome",
     "negation_evidence", "reporting", "reporting_subject", "reporting_verb", "negation", "negation_post",
     "negation_suffix", "hedge", "research", "contrast", "contrast_sub"),
    # Who speaks (lexicon_voice.py): page voice, reported speech, question openers, other conditions.
    # Their own scan: "our stem cell therapy" (seller voice) must not swallow the product inside it.
    lexicon_voice.VOICE_LAYER,
)

# Same-length normalisation before matching (spans must stay valid for the original text).
_NORMALISE = (
    ("\t", " "), ("\u00a0", " "), ("\u2007", " "), ("\u2009", " "), ("\u200a", " "), ("\u202f", " "),
    ("\u3000", " "), ("\r", "\n"), ("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2032", "'"),
    ("\u2010", "-"), ("\u2011", "-"),
)
_SPAN = itemgetter(0, 1)  # a Hit's (start, end)
# Full-width ASCII variants (U+FF01-U+FF5E) -> ASCII, as on Chinese and Japanese pages.
_HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
# Stretches of text without Han/kana (Latin words, digits, prices inside Chinese/Japanese text):
# the only places word-bounded lexicons can match on such pages.
# (A stretch needs two letters in a row: "2型", "95%" or "¥3,000" alone are left to the CJK lexicon.)
_NON_CJK_STRETCH = re.compile("[^\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TWO_LETTERS = re.compile("[a-z\u00c0-\u024f\u0400-\u04ff]{2}")


def fold_width(text: str) -> str:
    """`text` with full-width Latin letters, digits and punctuation made ASCII (same length)."""
    if text.isascii():
        return text
    return _HAS_FULL_WIDTH.sub(_fold_char, text)


def _fold_char(m: re.Match[str]) -> str:
    return chr(ord(m.group()) - 0xFEE0)


def normalise(text: str) -> str:
    """Lowercase `text` for matching without changing its length (so spans map back 1:1)."""
    low = text.lower()
    if len(low) != len(text):  # a few characters lowercase to two ("İ"): keep the first
        low = "".join(ch.lower()[0] for ch in text)
    if low.isascii():
        return low.replace("\t", " ").replace("\r", "\n") if ("\t" in low or "\r" in low) else low
    low = fold_width(low)
    for old, new in _NORMALISE:
        if old in low:
            low = low.replace(old, new)
    return low


def _spaces(pattern: str) -> str:
    """Let a literal space in `pattern` (outside character classes) match a run of spaces.

    " " becomes " +", and an optional space " ?" becomes " *".
    """
    spaces = {i for i, ch in syntax_chars(pattern) if ch == " "}
    out = []
    skip_next = False
    for i, ch in enumerate(pattern):
        if skip_next:
            skip_next = False
            continue
        if i in spaces:
            following = pattern[i + 1:i + 2]
            if following == "?" and pattern[i + 2:i + 3] not in ("?", "+"):
                out.append(" *")
                skip_next = True
            elif following in ("*", "+", "{"):
                out.append(" ")
            else:
                out.append(" +")
            continue
        out.append(ch)
    return "".join(out)


def cue_patterns(module: ModuleType, kind: str) -> tuple[str, ...]:
    """A language's patterns of one cue kind: its own module's, then lexicon_voice's."""
    voice = lexicon_voice.CUES.get(_LANGUAGE_OF[module.__name__], {})
    return tuple(module.CUES.get(kind, ())) + voice.get(kind, ())


def _layer_entries(module: ModuleType, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    entries = []
    for kind in kinds:
        if kind == "conditions":
            for name, patterns in module.CONDITIONS.items():
                entries.extend((CONDITION_PREFIX + name, _spaces(p)) for p in patterns)
        else:
            entries.extend((kind, _spaces(p)) for p in cue_patterns(module, kind))
    return entries


@dataclass(frozen=True)
class CompiledLexicon:
    """Matchers for one set of languages: per layer, one for word-bounded languages and one
    for Chinese/Japanese (no word boundaries), plus the case-sensitive acronyms."""

    languages: tuple[str, ...]
    layers: tuple[Matcher, ...]  # word-bounded ones, then unbounded (Chinese/Japanese) ones
    cased: Matcher
    n_bounded: int  # how many of `layers` are word-bounded

    def scan(self, text: str, lowered: str, start: int = 0, end: int | None = None,
             folded: str | None = None) -> list[Hit]:
        """Every hit of every layer in `[start, end)`, sorted by position. `folded` is
        fold_width(text) when the caller has it already."""
        end = len(text) if end is None else end
        bounded, unbounded = self.layers[:self.n_bounded], self.layers[self.n_bounded:]
        if folded is None:
            folded = fold_width(text)
        if unbounded:
            # Chinese/Japanese text: word-bounded lexicons only need its Latin stretches.
            ranges = [m.span() for m in _NON_CJK_STRETCH.finditer(lowered, start, end)
                      if _TWO_LETTERS.search(lowered, m.start(), m.end())]
        else:
            ranges = [(start, end)]
        hits = [hit for matcher in unbounded for hit in matcher.find(lowered, start, end)]
        cjk = bool(unbounded)
        for range_start, range_end in ranges:
            for matcher in bounded:
                hits.extend(matcher.find(lowered, range_start, range_end, cjk=cjk))
            hits.extend(self.cased.find(folded, range_start, range_end, cjk=cjk))
        hits.sort(key=_SPAN)
        return hits


def lexicon_languages(language: str) -> tuple[str, ...]:
    """Which language lexicons to use for a page in `language`."""
    if language in LANGUAGE_LEXICONS:
        return tuple(dict.fromkeys((language, FALLBACK_LANGUAGE)))
    if language == "und":
        return UNDETERMINED_LANGUAGES
    return (FALLBACK_LANGUAGE,)  # other languages (ko, ...): English brand words only


def _bounded(module: ModuleType) -> bool:
    return getattr(module, "WORD_BOUNDARIES", True)


@lru_cache(maxsize=None)
def compiled(languages: tuple[str, ...]) -> CompiledLexicon:
    """Build (once per language set) the matchers for `languages`."""
    modules = [LANGUAGE_LEXICONS[lang] for lang in languages]
    layers = []
    for bounded in (True, False):
        group = [m for m in modules if _bounded(m) is bounded]
        if group:
            layers.extend(Matcher((entry for m in group for entry in _layer_entries(m, kinds)), bounded=bounded)
                          for kinds in LAYERS)
    n_bounded = len(LAYERS) if any(_bounded(m) for m in modules) else 0
    cased = Matcher(((label, p) for module in modules for label, patterns in module.CASED.items() for p in patterns),
                    sparse=True)
    return CompiledLexicon(languages, tuple(layers), cased, n_bounded)


def is_condition(label: str) -> bool:
    return label.startswith(CONDITION_PREFIX)


def condition_name(label: str) -> str:
    return label[len(CONDITION_PREFIX):]


def check_lexicons() -> list[str]:
    """Problems in the language data (unknown kinds/conditions, capturing groups); empty if fine."""
    known_kinds = {k for layer in LAYERS for k in layer if k != "conditions"}
    problems = []
    for lang, module in LANGUAGE_LEXICONS.items():
        for kind in {**module.CUES, **lexicon_voice.CUES.get(lang, {})}:
            if kind not in known_kinds:
                problems.append(f"{lang}: unknown cue kind {kind!r}")
        for name in module.CONDITIONS:
            if name not in CONDITIONS:
                problems.append(f"{lang}: condition {name!r} not in the normalised vocabulary")
        for label in module.CASED:
            if is_condition(label) and condition_name(label) not in CONDITIONS:
                problems.append(f"{lang}: cased condition {label!r} unknown")
            elif not is_condition(label) and label not in known_kinds:
                problems.append(f"{lang}: cased kind {label!r} unknown")
        all_patterns = [p for kind in {**module.CUES, **lexicon_voice.CUES.get(lang, {})}
                        for p in cue_patterns(module, kind)]
        all_patterns += [p for ps in module.CONDITIONS.values() for p in ps]
        for pattern in all_patterns:
            if re.compile(pattern).groups:
                problems.append(f"{lang}: capturing group in {pattern!r}")
            if pattern != pattern.lower() and not re.search(r"\\[A-Z]", pattern):
                problems.append(f"{lang}: uppercase in case-insensitive pattern {pattern!r}")
            if not _bounded(module) and ("\\w" in pattern or any(
                    first_literal(variant) is None for variant in expand(pattern))):
                problems.append(f"{lang}: unbounded pattern {pattern!r} uses \\w or has no literal first character")
    return problems
