"""The labelled corpus (corpus/*.jsonl, format in corpus/GUIDE.md): loading and validation.

Why a loader with validation: the corpus is the yardstick for every classifier change, so a
typo in a label must fail loudly instead of quietly shifting the figures.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawler.classify.lexicon import CATEGORIES, CONDITIONS
from crawler.classify.model import STANCES

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
LANGUAGES = ("en", "es", "pt", "de", "fr", "ru", "zh", "ja")
SPLITS = ("train", "heldout")
# Page kinds where a flag is a false alarm about an honest source (the "false-flag rate").
DEBUNK_KINDS = frozenset({"regulator", "news_debunk"})
SENTENCE_JOIN = "\n"  # pages are rebuilt one sentence per line, so gold sentences map to offsets


class CorpusError(ValueError):
    """A corpus line that does not follow GUIDE.md; the message names file, line and field."""


@dataclass(frozen=True)
class GoldClaim:
    category: str
    condition: str | None
    stance: str


@dataclass(frozen=True)
class GoldSentence:
    text: str
    claims: tuple[GoldClaim, ...]
    mitigation: bool

    @property
    def stance(self) -> str:
        """The sentence's dominant stance: asserts > negates > reports > none."""
        stances = {c.stance for c in self.claims}
        return next((s for s in ("asserts", "negates", "reports") if s in stances), "none")


@dataclass(frozen=True)
class CorpusPage:
    id: str
    language: str
    kind: str
    hard: bool
    split: str
    page_flagged: bool
    title: str
    sentences: tuple[GoldSentence, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return SENTENCE_JOIN.join(s.text for s in self.sentences)

    def offsets(self) -> list[tuple[int, int]]:
        """(start, end) of each gold sentence inside `text`."""
        spans, position = [], 0
        for sentence in self.sentences:
            spans.append((position, position + len(sentence.text)))
            position += len(sentence.text) + len(SENTENCE_JOIN)
        return spans


def _claim(raw: dict, where: str) -> GoldClaim:
    category, condition, stance = raw.get("category"), raw.get("condition"), raw.get("stance")
    if category not in CATEGORIES:
        raise CorpusError(f"{where}: unknown category {category!r}")
    if condition is not None and condition not in CONDITIONS:
        raise CorpusError(f"{where}: unknown condition {condition!r}")
    if stance not in STANCES:
        raise CorpusError(f"{where}: unknown stance {stance!r}")
    return GoldClaim(category, condition, stance)


def _page(raw: dict, where: str) -> CorpusPage:
    try:
        sentences = tuple(
            GoldSentence(s["text"], tuple(_claim(c, f"{where} sentence {i + 1}") for c in s.get("claims", [])),
                         bool(s.get("mitigation", False)))
            for i, s in enumerate(raw["sentences"])
        )
        page = CorpusPage(raw["id"], raw["language"], raw["kind"], bool(raw["hard"]), raw["split"],
                          bool(raw["page_flagged"]), raw.get("title", ""), sentences)
    except KeyError as exc:
        raise CorpusError(f"{where}: missing field {exc.args[0]!r}") from None
    if page.split not in SPLITS:
        raise CorpusError(f"{where}: split must be one of {SPLITS}, not {page.split!r}")
    if any("\n" in s.text for s in page.sentences):
        raise CorpusError(f"{where}: a sentence contains a newline")
    return page


def load_corpus(directory: Path = CORPUS_DIR, *, split: str | None = None,
                languages: tuple[str, ...] | None = None) -> list[CorpusPage]:
    """All pages (optionally one split / some languages), in a stable order."""
    pages: list[CorpusPage] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: bad JSON ({exc.msg})") from None
            page = _page(raw, where)
            if page.id in seen:
                raise CorpusError(f"{where}: duplicate page id {page.id!r}")
            seen.add(page.id)
            pages.append(page)
    return [p for p in pages
            if (split is None or p.split == split) and (languages is None or p.language in languages)]
