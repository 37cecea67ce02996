"""Measure the shipped classifier on any labelled texts (`clinicwatch eval --passages FILE`).

The team corpus is written by us, so figures on it say how well the classifier fits our own
writing; users and we need the same figures on text nobody here wrote (real pages, a study's
own hand-coded sample). This module reads such a file, scores every text with the classifier
exactly as a crawl would (`crawler.classify.score`), and summarises: page ROC-AUC, precision,
recall and F1 at the flag threshold, accuracy per language, per genre and on hard cases, and
the false-flag rate per genre.

Input: JSON Lines (one object per line) or CSV with a header. Required fields: `text` and
`label` (1 = the passage makes a claim by the labelling rule, 0 = it does not). Optional:
`id` or `url` (shown in error listings), `title`, `language`, `genre`, `hard` (1/0). Any other
field is ignored, so a manifest joined with its texts can be fed as is.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from crawler.classify.evaluate import prf, roc_auc
from crawler.classify.weights import FLAG_THRESHOLD

TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"0", "false", "no", "n", ""}
# Genres whose pages never sell: a flag there is a false flag by construction of the rule.
NON_SELLING_GENRES = ("news_debunk", "academic", "regulator")


class PassageError(ValueError):
    """A passages file that cannot be read as labelled texts (one line for the user)."""


@dataclass(frozen=True)
class Passage:
    ident: str
    text: str
    label: bool
    title: str = ""
    language: str = ""
    genre: str = ""
    hard: bool = False


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float
    language_detected: str
    top_sentences: tuple[str, ...]  # the asserted claim sentences behind the score (for error study)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_THRESHOLD

    @property
    def correct(self) -> bool:
        return self.flagged == self.passage.label


def _flag(value: object, field: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS and (word or field == "hard"):
        return False
    raise PassageError(f"{where}: {field} must be 1 or 0, got {str(value)[:20]!r}")


def _passage(record: dict, where: str) -> Passage:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PassageError(f"{where}: no text")
    if "label" not in record:
        raise PassageError(f"{where}: no label (1 = makes a claim, 0 = does not)")
    ident = str(record.get("id") or record.get("url") or where)
    return Passage(ident, text, _flag(record["label"], "label", where), str(record.get("title") or ""),
                   str(record.get("language") or "").lower(), str(record.get("genre") or ""),
                   _flag(record.get("hard", ""), "hard", where))


def _records(path: Path) -> Iterable[tuple[dict, str]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PassageError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise PassageError(f"{path}: cannot read ({exc.strerror})") from None
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(10_000_000)  # a passage may be long; bounded by the file itself
        try:
            for number, row in enumerate(csv.DictReader(raw.splitlines(keepends=True)), start=2):
                yield row, f"{path.name} row {number}"
        except csv.Error as exc:
            raise PassageError(f"{path}: not valid CSV ({exc})") from None
        return
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PassageError(f"{path.name} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise PassageError(f"{path.name} line {number}: expected a JSON object")
        yield record, f"{path.name} line {number}"


def load_passages(path: str | Path) -> list[Passage]:
    """Read a labelled JSONL/CSV file; one clear PassageError for the first bad record."""
    path = Path(path)
    passages = [_passage(record, where) for record, where in _records(path)]
    if not passages:
        raise PassageError(f"{path}: no passages")
    return passages


def score_passages(passages: list[Passage]) -> list[ScoredPassage]:
    """Score each passage with the shipped classifier, exactly as a crawled page is scored."""
    from crawler.classify import score

    out = []
    for p in passages:
        result = score(p.text, title=p.title)
        asserted = tuple(c.sentence for c in result.claims if c.stance == "asserts")
        out.append(ScoredPassage(p, result.score, result.language, asserted[:3]))
    return out


@dataclass(frozen=True)
class GroupFigures:
    n: int
    positives: int
    accuracy: float
    flagged: int
    false_flags: int


def group(scored: list[ScoredPassage]) -> GroupFigures:
    return GroupFigures(len(scored), sum(s.passage.label for s in scored),
                        sum(s.correct for s in scored) / len(scored) if scored else 0.0,
                        sum(s.flagged for s in scored), sum(s.flagged and not s.passage.label for s in scored))


@dataclass(frozen=True)
class PassageSummary:
    n: int
    auc: float
    precision: float
    recall: float
    f1: float
    accuracy: float
    hard_accuracy: float
    non_selling_false_flag_rate: float


def summarise_passages(scored: list[ScoredPassage]) -> PassageSummary:
    tp = sum(s.flagged and s.passage.label for s in scored)
    fp = sum(s.flagged and not s.passage.label for s in scored)
    fn = sum(not s.flagged and s.passage.label for s in scored)
    hard = [s for s in scored if s.passage.hard]
    non_selling = [s for s in scored if s.passage.genre in NON_SELLING_GENRES]
    return PassageSummary(len(scored), roc_auc([s.score for s in scored], [s.passage.label for s in scored]),
                          *prf(tp, fp, fn), group(scored).accuracy, group(hard).accuracy,
                          sum(s.flagged for s in non_selling) / len(non_selling) if non_selling else 0.0)


def by(scored: list[ScoredPassage], key: str) -> dict[str, GroupFigures]:
    groups: dict[str, list[ScoredPassage]] = {}
    for s in scored:
        value = getattr(s.passage, key)
        groups.setdefault(str(value) if isinstance(value, bool) else (value or "(none)"), []).append(s)
    return {name: group(members) for name, members in sorted(groups.items())}
