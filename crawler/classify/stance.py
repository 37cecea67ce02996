"""Stance of one cue inside its sentence: does the page assert it, negate it, or report it?

Why separate: stance is what keyword counting gets wrong (claims.md), so the scoping rules live
in one small module with their own tests:
- a local negator ("not", "no", "kein", "no se", "не", "不能") negates a cue that follows it
  closely in the same clause; German "nicht" may also follow the cue; a Japanese negative
  ending ("治りません", "治るわけではない") negates the cues just before it in its clause;
- an evidence denial ("there is no evidence", "has not been shown", "no se ha demostrado")
  negates any cue in the sentence, unless a contrast ("but", "while") separates a preceding
  denial from the cue;
- an attribution ("clinics claim", "according to", "so-called", quotes) makes it reported;
- otherwise the sentence asserts it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.classify.matcher import Hit
from crawler.classify.weights import LOCAL_NEGATION_WINDOW, REPORTING_PAIR_WINDOW

ASSERTS, NEGATES, REPORTS = "asserts", "negates", "reports"

# Punctuation that closes a clause (local negation does not cross it).
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–|]| - ")
# Punctuation that separates independent statements (sentence-wide scope does not cross it
# backwards: "No evidence for A; B cures C").
_HARD_BREAK = re.compile(r"[;:]")
_OPEN_QUOTES = "\"“«„「『"
_CLOSE_QUOTES = "\"”»“」』"
# Han and kana pack about three times more meaning per character than Latin script: "close"
# spans between Chinese/Japanese words are a third as long (in characters).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_WINDOW_DIVISOR = 3


@dataclass
class StanceContext:
    """The stance-relevant hits of one sentence, positions absolute in the page text."""

    lowered: str  # the whole normalised page text
    local_negations: list[Hit] = field(default_factory=list)
    post_negations: list[Hit] = field(default_factory=list)
    suffix_negations: list[Hit] = field(default_factory=list)  # Japanese "ない"/"ません" after the cue
    evidence_negations: list[Hit] = field(default_factory=list)
    reporting: list[Hit] = field(default_factory=list)
    contrasts: list[Hit] = field(default_factory=list)  # "but", "however"
    subordinate_contrasts: list[Hit] = field(default_factory=list)  # "while", "unlike"

    def near(self, start: int, end: int, window: int = LOCAL_NEGATION_WINDOW) -> bool:
        """Whether the gap `[start, end)` is short: `window` characters, a third of that
        when the gap holds Chinese/Japanese."""
        gap = end - start
        if gap <= window // _CJK_WINDOW_DIVISOR:
            return True
        return gap <= window and not _CJK.search(self.lowered, start, end)

    def _has(self, hits: list[Hit], start: int, end: int) -> bool:
        return any(start <= h.start and h.end <= end for h in hits)

    def clause_break(self, start: int, end: int) -> bool:
        if start >= end:
            return False
        return bool(_CLAUSE_BREAK.search(self.lowered, start, end)) or self._has(
            self.contrasts + self.subordinate_contrasts, start, end)

    def _scopes(self, cue_hit: Hit, start: int, end: int) -> bool:
        """Whether a sentence-wide cue at [start, end) reaches the claim cue."""
        if start < cue_hit.end and cue_hit.start < end:
            return True  # overlapping: "there is no known cure"
        if end <= cue_hit.start:  # before the claim: any contrast or ';' in between blocks it
            return not (_HARD_BREAK.search(self.lowered, end, cue_hit.start)
                        or self._has(self.contrasts + self.subordinate_contrasts, end, cue_hit.start))
        # after the claim ("A cures B, but there is no evidence"): only "while"/";" block it
        return not (_HARD_BREAK.search(self.lowered, cue_hit.end, start)
                    or self._has(self.subordinate_contrasts, cue_hit.end, start))

    def stance(self, cue_hit: Hit) -> tuple[str, str | None]:
        """(stance, deciding cue) for the claim cue `cue_hit`."""
        for neg in self.local_negations:
            if (neg.end <= cue_hit.start and self.near(neg.end, cue_hit.start)
                    and not self.clause_break(neg.end, cue_hit.start)):
                return NEGATES, neg.text
        for neg in self.post_negations:
            before = neg.end <= cue_hit.start and self.near(neg.end, cue_hit.start)
            after = neg.start >= cue_hit.end and self.near(cue_hit.end, neg.start)
            if (before and not self.clause_break(neg.end, cue_hit.start)) or (
                    after and not self.clause_break(cue_hit.end, neg.start)):
                return NEGATES, neg.text
        for neg in self.suffix_negations:
            if (neg.start >= cue_hit.end and self.near(cue_hit.end, neg.start)
                    and not self.clause_break(cue_hit.end, neg.start)):
                return NEGATES, neg.text
        for neg in self.evidence_negations:
            if self._scopes(cue_hit, neg.start, neg.end):
                return NEGATES, neg.text
        for rep in self.reporting:
            if self._scopes(cue_hit, rep.start, rep.end):
                return REPORTS, rep.text
        if self._quoted(cue_hit):
            return REPORTS, "quoted"
        return ASSERTS, None

    def _quoted(self, cue_hit: Hit) -> bool:
        """A cue in quotation marks ("a 'cure'") is someone else's word."""
        text = self.lowered
        before = text[cue_hit.start - 1] if cue_hit.start > 0 else ""
        after = text[cue_hit.end] if cue_hit.end < len(text) else ""
        return bool(before and after and before in _OPEN_QUOTES and after in _CLOSE_QUOTES)


_NEGATION_LISTS = {"negation": "local_negations", "negation_post": "post_negations",
                   "negation_suffix": "suffix_negations"}


def build_context(lowered: str, hits: list[Hit], claim_hits: list[Hit]) -> StanceContext:
    """Sort a sentence's hits into a StanceContext.

    Local negators inside a claim cue are part of it ("no side effects", "no longer need
    insulin") and are dropped. A third-party subject followed closely by a saying verb ("a
    clinic that promises", "the company's website claims") becomes one attribution cue.
    """
    ctx = StanceContext(lowered)
    subjects = [h for h in hits if h.label == "reporting_subject"]
    if subjects:
        verbs = [h for h in hits if h.label == "reporting_verb"]
        for subject in subjects:
            for verb in verbs:
                if (verb.start >= subject.end and ctx.near(subject.end, verb.start, REPORTING_PAIR_WINDOW)
                        and not _HARD_BREAK.search(lowered, subject.end, verb.start)):
                    ctx.reporting.append(Hit(subject.start, verb.end, "reporting",
                                             f"{subject.text}...{verb.text}"))
                    break
    for hit in hits:
        if hit.label in _NEGATION_LISTS:
            if any(c.start <= hit.start < c.end for c in claim_hits):
                continue
            getattr(ctx, _NEGATION_LISTS[hit.label]).append(hit)
        elif hit.label == "negation_evidence":
            ctx.evidence_negations.append(hit)
        elif hit.label == "reporting":
            ctx.reporting.append(hit)
        elif hit.label == "contrast":
            ctx.contrasts.append(hit)
        elif hit.label == "contrast_sub":
            ctx.subordinate_contrasts.append(hit)
    return ctx
