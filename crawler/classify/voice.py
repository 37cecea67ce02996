"""Who is speaking: the page's voice, and which sentences are not the page's own statements.

Why: news, abstracts, regulators, hospitals and privacy policies use the same words as sellers
("stem cells", "regenerate", "FDA approved") without claiming anything (claims.md, "What real
pages taught us"). A sentence counts toward the page score only when the page's voice makes it:
- the page voice (model.VOICES) is decided from the `voice_*` cues of lexicon_voice.py, counted
  once per distinct wording, plus optional HTML hints from the caller (schema.org types, og:type,
  booking forms, tel: links; see `hints_from_structured`);
- on academic, regulator, hospital and legal pages nothing the page says is a selling claim: its
  claims are someone else's findings, warnings or approved uses (`reports`);
- on news pages, reported speech (a saying verb, "according to", quotation marks) is the
  speaker's claim, not the outlet's; the writer's own statements still count (credulous news);
- a question, or a short heading line without a claim verb, asserts nothing on any page.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable

from crawler.classify.matcher import Hit

VOICE_PREFIX = "voice_"
WEAK_PREFIX = "weak_"  # words ordinary pages use too ("results", "regulation"): they count half
WEAK_WEIGHT = 0.5
# Voices whose own statements are never selling claims (everything they state is reported).
DISTANT_VOICES = frozenset({"academic", "regulator", "hospital", "legal"})
# Voices on which reported speech is the speaker's, not the page's.
SPEECH_VOICES = frozenset({"news", "academic", "regulator", "hospital", "legal"})
# Distinct cue wordings needed before a voice is believed; a seller needs less (a booking link).
MIN_EVIDENCE = 2
# A non-seller voice must outweigh the seller's evidence by this factor to win.
SELLER_MARGIN = 1.0
# Legal boilerplate wins only when it dominates (cookie banners are on every page).
LEGAL_DOMINANCE = 2.0
# Evidence an HTML hint is worth (a schema.org type is a strong statement by the site).
HINT_WEIGHT = 3
# Tie order among non-seller voices: the most specific first.
_PRIORITY = ("regulator", "academic", "hospital", "news", "patient", "directory")

# HTML hints (schema.org types, og:type, page features) -> voice.
HINT_VOICES: dict[str, str] = {
    "medicalclinic": "seller", "medicalbusiness": "seller", "physician": "seller", "dentist": "seller",
    "localbusiness": "seller", "product": "seller", "offer": "seller", "booking_form": "seller", "tel": "seller",
    "og:product": "seller", "newsarticle": "news", "reportagenewsarticle": "news", "og:article": "news",
    "scholarlyarticle": "academic", "medicalscholarlyarticle": "academic", "govermentorganization": "regulator",
    "governmentorganization": "regulator", "hospital": "hospital", "blogposting": "patient",
}
_TYPE_KEYS = re.compile(r'"(?:@type|type|og:type)"\s*:\s*(?:"([^"]+)"|\[([^\]]*)\])')


def hints_from_structured(structured: str) -> frozenset[str]:
    """Voice hints from an ExtractedPage.structured JSON string (JSON-LD/microdata/OpenGraph).

    Why here: the crawler keeps the page's structured data as JSON text; the classifier only needs
    the declared types. Unknown or malformed input gives no hints.
    """
    if not structured:
        return frozenset()
    found: set[str] = set()
    for single, many in _TYPE_KEYS.findall(structured):
        values = [single] if single else [v.strip().strip('"') for v in many.split(",")]
        for value in values:
            name = value.rsplit("/", 1)[-1].lower()
            if name in ("article", "product", "website", "profile", "book", "video.other"):
                name = f"og:{name}" if name != "product" else name
            found.add(name)
    try:  # OpenGraph's type, stored as {"opengraph": [{"properties": [["og:type", "article"], ...]}]}
        for graph in json.loads(structured).get("opengraph", []):
            for key, value in graph.get("properties", []):
                if key == "og:type":
                    found.add(f"og:{str(value).lower()}")
    except (ValueError, AttributeError, TypeError):
        pass
    return frozenset(found)


def page_voice(hits: Iterable[Hit], hints: Iterable[str] | None = None) -> tuple[str, dict[str, float]]:
    """(voice, evidence per voice) from a page's voice cues and optional HTML hints."""
    seen: dict[str, set[str]] = {}
    weak: dict[str, set[str]] = {}
    for hit in hits:
        if hit.label.startswith(VOICE_PREFIX):
            seen.setdefault(hit.label[len(VOICE_PREFIX):], set()).add(hit.text)
        elif hit.label == "speech":  # reported speech is the mark of a news story
            seen.setdefault("news", set()).add(hit.text)
        elif hit.label.startswith(WEAK_PREFIX):
            weak.setdefault(hit.label[len(WEAK_PREFIX):], set()).add(hit.text)
    evidence: dict[str, float] = {voice: len(texts) for voice, texts in seen.items()}
    for voice, texts in weak.items():
        evidence[voice] = evidence.get(voice, 0) + WEAK_WEIGHT * len(texts)
    for hint in hints or ():
        voice = HINT_VOICES.get(str(hint).lower())
        if voice:
            evidence[voice] = evidence.get(voice, 0) + HINT_WEIGHT
    seller = evidence.get("seller", 0)
    others = {v: n for v, n in evidence.items() if v not in ("seller", "legal")}
    legal = evidence.get("legal", 0)
    best = max(_PRIORITY, key=lambda v: (others.get(v, 0), -_PRIORITY.index(v)))
    best_n = others.get(best, 0)
    if legal >= MIN_EVIDENCE + 1 and legal >= LEGAL_DOMINANCE * max(seller, best_n, 1):
        return "legal", evidence
    if seller >= MIN_EVIDENCE and seller * SELLER_MARGIN >= best_n:
        return "seller", evidence
    if seller and best in DISTANT_VOICES:  # a page that asks to book is selling, references or not
        return "seller", evidence
    if best_n >= MIN_EVIDENCE or (best_n >= 1 and not seller):  # nothing sells: one clear sign will do
        return best, evidence
    if seller:
        return "seller", evidence
    return "unknown", evidence


_LINE_END = "\n\r\u2028\u2029"
_FINAL_STOP = tuple(".!。！;；:：")
_QUESTION_END = ("?", "？")
# Japanese questions end in か (before the full stop): "...でしょうか", "...ますか".
_JA_QUESTION = re.compile(r"(?:か|のか|ですか|ますか|でしょうか)[。．]?$")
_ZH_QUESTION = re.compile(r"(?:吗|呢)[。．]?$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
# A heading: a line of at most this many words (or CJK characters), without a final stop.
HEADING_MAX_WORDS = 10
HEADING_MAX_CJK_CHARS = 30


def distances_all(voice: str, evidence: dict[str, float]) -> bool:
    """Whether nothing on the page is its own claim: a clearly academic, regulator, hospital or
    legal page. On a page that only leans that way (one sign), only reported speech is distanced."""
    return voice in DISTANT_VOICES and evidence.get(voice, 0) >= MIN_EVIDENCE


def is_question(sentence: str, starts_with_question_word: bool) -> bool:
    """A question asks; it asserts nothing (the answer after it may)."""
    stripped = sentence.strip().rstrip("\"'”»」』)")
    if stripped.endswith(_QUESTION_END) or stripped.startswith(("¿", "?")):
        return True
    if _JA_QUESTION.search(stripped) or _ZH_QUESTION.search(stripped):
        return True
    return starts_with_question_word and not stripped.endswith(_FINAL_STOP)


def is_heading(text: str, start: int, end: int) -> bool:
    """A short line of its own without a final stop: a title, menu label or FAQ heading."""
    sentence = text[start:end].strip()
    if not sentence or sentence.endswith(_FINAL_STOP):
        return False
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    j = end
    while j < len(text) and text[j] in " \t":
        j += 1
    if (i >= 0 and text[i] not in _LINE_END) or (j < len(text) and text[j] not in _LINE_END):
        return False
    if _CJK.search(sentence):
        return len(sentence) <= HEADING_MAX_CJK_CHARS
    return len(sentence.split()) <= HEADING_MAX_WORDS


_QUOTES = re.compile(r"[\"“”«»„「」『』]")


def reported_speech(sentence: str, hits: list[Hit]) -> str | None:
    """The cue that makes the sentence someone else's words ("said", quotation marks), if any."""
    for hit in hits:
        if hit.label == "speech":
            return hit.text
    if len(_QUOTES.findall(sentence)) >= 2 or sentence.lstrip().startswith(("\"", "“", "«", "„", "「")):
        return "quoted"
    return None
