"""Measure the classifier on the labelled corpus (`clinicwatch eval`), like trafilatura measures itself.

Three systems on the same sentences: the rules alone, the learned model alone (character
n-grams, no rules) and the combination the product ships (rules propose, the model decides the
stance). Two protocols: 5-fold cross-validation grouped by page over the train split, and the
held-out split (never used for tuning), with models trained on the whole train split.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from crawler.classify.labelled_corpus import DEBUNK_KINDS, CorpusPage, load_corpus
from crawler.classify.learned import CATEGORY_THRESHOLD, LearnedModel
from crawler.classify.lexicon import CATEGORIES
from crawler.classify.model import Claim
from crawler.classify.page import RuleAnalysis, analyse, combine, finish
from crawler.classify.train import SentenceRow, fit_rows, rule_claims_per_gold_sentence, sentence_rows
from crawler.classify.weights import FLAG_THRESHOLD

SYSTEMS = ("rules", "learned", "combined")
FOLDS = 5
STANCE_ORDER = ("asserts", "negates", "reports")


@dataclass
class SentencePrediction:
    page: CorpusPage
    index: int
    stance: str  # dominant predicted stance, "none" when no claim
    asserted: set[str] = field(default_factory=set)  # asserted categories
    conditions: set[str] = field(default_factory=set)  # conditions of asserted claims


@dataclass
class PagePrediction:
    page: CorpusPage
    score: float

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_THRESHOLD


Predictions = tuple[list[SentencePrediction], list[PagePrediction]]


def _dominant(claims: list[Claim]) -> str:
    stances = {c.stance for c in claims}
    return next((s for s in STANCE_ORDER if s in stances), "none")


def _from_claims(page: CorpusPage, per_gold: list[list[Claim]]) -> list[SentencePrediction]:
    out = []
    for i, claims in enumerate(per_gold):
        asserted = [c for c in claims if c.stance == "asserts"]
        out.append(SentencePrediction(page, i, _dominant(claims), {c.category for c in asserted},
                                      {c.condition for c in asserted if c.condition}))
    return out


def predict(system: str, pages: list[CorpusPage], analyses: dict[str, RuleAnalysis],
            model: LearnedModel | None) -> Predictions:
    """Run one system over pages (rule analyses are computed once and shared)."""
    sentences: list[SentencePrediction] = []
    page_preds: list[PagePrediction] = []
    for page in pages:
        analysis = analyses[page.id]
        if system == "learned":
            predictions = [model.predict(s.text, [], analysis.language) for s in page.sentences]
            for i, p in enumerate(predictions):
                stance = p.best_stance
                asserted = ({c for c, v in p.categories.items() if v >= CATEGORY_THRESHOLD}
                            or {max(p.categories, key=p.categories.get)}) if stance == "asserts" else set()
                sentences.append(SentencePrediction(page, i, stance, asserted, set()))
            page_preds.append(PagePrediction(page, max((p.stance["asserts"] for p in predictions), default=0.0)))
            continue
        claims = analysis.sentence_claims if system == "rules" else combine(analysis, model)
        result = finish(analysis, claims, system)
        adjusted = replace(analysis, sentence_claims=claims)
        sentences.extend(_from_claims(page, rule_claims_per_gold_sentence(page, adjusted)))
        page_preds.append(PagePrediction(page, result.score))
    return sentences, page_preds


def _train_models(rows: list[SentenceRow]) -> dict[str, LearnedModel | None]:
    return {"rules": None, "learned": fit_rows(rows, use_rules=False), "combined": fit_rows(rows, use_rules=True)}


def cross_validate(pages: list[CorpusPage], analyses: dict[str, RuleAnalysis],
                   rows: list[SentenceRow]) -> dict[str, Predictions]:
    """Grouped k-fold: each page is predicted by models that never saw any of its sentences."""
    pooled: dict[str, Predictions] = {s: ([], []) for s in SYSTEMS}
    for fold in range(FOLDS):
        test = [p for i, p in enumerate(pages) if i % FOLDS == fold]
        test_ids = {p.id for p in test}
        models = _train_models([r for r in rows if r.page_id not in test_ids])
        for system in SYSTEMS:
            s, p = predict(system, test, analyses, models[system])
            pooled[system][0].extend(s)
            pooled[system][1].extend(p)
    return pooled


# --- metrics --------------------------------------------------------------------------------

def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def stance_scores(preds: list[SentencePrediction]) -> dict[str, tuple[float, float, float, int]]:
    table = {}
    for stance in STANCE_ORDER:
        gold = [p.page.sentences[p.index].stance == stance for p in preds]
        hat = [p.stance == stance for p in preds]
        tp = sum(g and h for g, h in zip(gold, hat))
        table[stance] = (*prf(tp, sum(hat) - tp, sum(gold) - tp), sum(gold))
    return table


def category_scores(preds: list[SentencePrediction]) -> dict[str, tuple[float, float, float, int]]:
    table = {}
    for category in CATEGORIES:
        gold = [any(c.category == category and c.stance == "asserts" for c in p.page.sentences[p.index].claims)
                for p in preds]
        hat = [category in p.asserted for p in preds]
        tp = sum(g and h for g, h in zip(gold, hat))
        table[category] = (*prf(tp, sum(hat) - tp, sum(gold) - tp), sum(gold))
    return table


def condition_accuracy(preds: list[SentencePrediction]) -> float:
    """Of sentences where both gold and prediction assert a claim with a condition: same condition."""
    pairs = [(p.conditions, {c.condition for c in p.page.sentences[p.index].claims
                             if c.stance == "asserts" and c.condition}) for p in preds]
    both = [(hat, gold) for hat, gold in pairs if hat and gold]
    return sum(bool(hat & gold) for hat, gold in both) / len(both) if both else 0.0


def roc_auc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a flagged-truth page outscores an unflagged one (ties count half)."""
    positives = [s for s, y in zip(scores, labels) if y]
    negatives = [s for s, y in zip(scores, labels) if not y]
    if not positives or not negatives:
        return 0.0
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


@dataclass
class Summary:
    asserted_sentence: tuple[float, float, float]
    stance_macro_f1: float
    page_auc: float
    page: tuple[float, float, float]
    false_flag_debunk: float  # share of regulator/debunking pages flagged
    false_flag_approved: float  # share of approved-transplant pages flagged


def summarise(preds: Predictions) -> Summary:
    sentences, pages = preds
    stance = stance_scores(sentences)
    gold = [p.page.sentences[p.index].stance == "asserts" for p in sentences]
    hat = [p.stance == "asserts" for p in sentences]
    tp = sum(g and h for g, h in zip(gold, hat))
    page_tp = sum(p.flagged and p.page.page_flagged for p in pages)
    debunk = [p for p in pages if p.page.kind in DEBUNK_KINDS]
    approved = [p for p in pages if p.page.kind == "hospital_approved"]
    return Summary(
        prf(tp, sum(hat) - tp, sum(gold) - tp),
        sum(v[2] for v in stance.values()) / len(stance),
        roc_auc([p.score for p in pages], [p.page.page_flagged for p in pages]),
        prf(page_tp, sum(p.flagged for p in pages) - page_tp, sum(p.page.page_flagged for p in pages) - page_tp),
        sum(p.flagged for p in debunk) / len(debunk) if debunk else 0.0,
        sum(p.flagged for p in approved) / len(approved) if approved else 0.0,
    )


@dataclass
class Evaluation:
    n_pages: dict[str, int]
    n_sentences: dict[str, int]
    cv: dict[str, Predictions]
    heldout: dict[str, Predictions]


def heldout_predictions(pages: list[CorpusPage], analyses: dict[str, RuleAnalysis],
                        rows: list[SentenceRow]) -> dict[str, Predictions]:
    """Models trained on all train pages (rows), each system run on the held-out pages."""
    models = _train_models(rows)
    held = [p for p in pages if p.split == "heldout"]
    return {s: predict(s, held, analyses, models[s]) for s in SYSTEMS}


def prepare() -> tuple[list[CorpusPage], dict[str, RuleAnalysis], list[SentenceRow]]:
    """The corpus, its rule analyses (computed once) and the train split's sentence rows."""
    pages = load_corpus()
    analyses = {p.id: analyse(p.text, title=p.title) for p in pages}
    return pages, analyses, sentence_rows([p for p in pages if p.split == "train"])


def run_evaluation() -> Evaluation:
    """Everything `clinicwatch eval` prints, computed from the corpus in the repo."""
    pages, analyses, rows = prepare()
    train_pages = [p for p in pages if p.split == "train"]
    held_pages = [p for p in pages if p.split == "heldout"]
    return Evaluation({"train": len(train_pages), "heldout": len(held_pages)},
                      {"train": sum(len(p.sentences) for p in train_pages),
                       "heldout": sum(len(p.sentences) for p in held_pages)},
                      cross_validate(train_pages, analyses, rows), heldout_predictions(pages, analyses, rows))
