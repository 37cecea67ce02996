"""Is a retrained model the shipped one? Compared by behaviour, not by bytes.

Why not bytes: a float's last digit depends on the CPU's SIMD kernels and the numeric libraries'
versions, so a retrain on another machine writes a few weights one unit of the last stored digit
apart (issue 13: one digit in 1.6 MB). What users rely on is behaviour: on the whole labelled corpus
every sentence's predicted stance and every page's flag must be the same, and page scores must
agree within SCORE_TOLERANCE (a stance tie at the stored precision may fall either way). `clinicwatch train --check` and tests/test_rescore_train.py use this.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crawler.classify.labelled_corpus import CORPUS_DIR, CorpusPage, load_corpus
from crawler.classify.learned import LearnedModel
from crawler.classify.page import RuleAnalysis, analyse, combine, finish

# Largest page-score difference accepted between two trainings of the same corpus and code.
# Measured 2026-12-05: every weight moved by one unit of the stored precision (1e-4) at random changes
# no stance or flag and page scores by < 0.0001; by ten units, < 0.0005 (tests/test_rescore_train.py
# checks one unit). 0.01 leaves room and is below what a report shows (scores have 2 digits).
SCORE_TOLERANCE = 0.01
# Two stances whose probabilities are closer than this are a tie at the stored precision: either
# answer is the model's, so a tie that falls the other way is counted as a tie, not a difference.
# (Measured 2026-12-05: one sentence of 1,116 has a margin of 0.0002; the next is 0.0028.)
STANCE_TIE = 0.001


@dataclass
class ModelComparison:
    """How two models differ on the corpus; `same_behaviour` is what a check asserts."""

    sentences: int = 0
    pages: int = 0
    stance_differences: list[str] = field(default_factory=list)  # "page-id#sentence: a -> b"
    flag_differences: list[str] = field(default_factory=list)  # page ids
    max_score_delta: float = 0.0
    min_stance_margin: float = 1.0  # smallest gap between best and second stance probability (model a)
    ties: int = 0  # sentences whose top two stances are within STANCE_TIE in model a

    @property
    def same_behaviour(self) -> bool:
        return (not self.stance_differences and not self.flag_differences
                and self.max_score_delta <= SCORE_TOLERANCE)

    def describe(self) -> str:
        verdict = "same behaviour" if self.same_behaviour else "DIFFERENT behaviour"
        lines = [f"{verdict}: {self.pages} pages, {self.sentences} sentences; "
                 f"{len(self.stance_differences)} stance and {len(self.flag_differences)} flag differences; "
                 f"largest page-score difference {self.max_score_delta:.4f} (tolerance {SCORE_TOLERANCE}); "
                 f"smallest stance margin {self.min_stance_margin:.4f} ({self.ties} ties within {STANCE_TIE})"]
        lines += [f"  stance {d}" for d in self.stance_differences[:10]]
        lines += [f"  flag {d}" for d in self.flag_differences[:10]]
        return "\n".join(lines)


def _sentence_stances(model: LearnedModel, page: CorpusPage, analysis: RuleAnalysis) -> list[tuple[str, float]]:
    """(best stance, margin over the runner-up) for each gold sentence, with the rules' claims as features."""
    from crawler.classify.train import rule_claims_per_gold_sentence

    predictions = model.predict_many([s.text for s in page.sentences],
                                     rule_claims_per_gold_sentence(page, analysis), analysis.language)
    out = []
    for p in predictions:
        ranked = sorted(p.stance.values(), reverse=True)
        out.append((p.best_stance, ranked[0] - ranked[1]))
    return out


def compare_models(a: LearnedModel, b: LearnedModel, corpus_dir: Path = CORPUS_DIR) -> ModelComparison:
    """Compare models a and b on every page of the labelled corpus (both splits)."""
    result = ModelComparison()
    for page in load_corpus(corpus_dir):
        analysis = analyse(page.text, title=page.title)
        result.pages += 1
        for i, ((sa, margin), (sb, _)) in enumerate(zip(_sentence_stances(a, page, analysis),
                                                        _sentence_stances(b, page, analysis))):
            result.sentences += 1
            result.min_stance_margin = min(result.min_stance_margin, margin)
            result.ties += margin < STANCE_TIE
            if sa != sb and margin >= STANCE_TIE:
                result.stance_differences.append(f"{page.id}#{i}: {sa} -> {sb}")
        score_a = finish(analysis, combine(analysis, a), "a")
        score_b = finish(analysis, combine(analysis, b), "b")
        result.max_score_delta = max(result.max_score_delta, abs(score_a.score - score_b.score))
        if score_a.flagged != score_b.flagged:
            result.flag_differences.append(page.id)
    return result
