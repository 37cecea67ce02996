"""Train the learned stance model on the corpus's train split (`clinicwatch train`).

Reproducible: same corpus + same code = byte-identical artifact (deterministic solver, sorted
keys, rounded weights), so the artifact in the repo can be checked against a fresh training run.
scikit-learn is needed here only; scoring reads the JSON artifact in pure Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crawler.classify.labelled_corpus import CORPUS_DIR, CorpusPage, load_corpus
from crawler.classify.features import N_FEATURES, Features, vectorise
from crawler.classify.learned import CLASSES, MODEL_PATH, StanceModel
from crawler.classify.model import Claim
from crawler.classify.page import RuleAnalysis, analyse

REGULARISATION_C = 4.0  # inverse L2 strength, chosen by grouped cross-validation on train pages
MAX_ITER = 2000
WEIGHT_DIGITS = 4  # rounding keeps the artifact small and byte-stable


@dataclass
class SentenceRow:
    page_id: str
    language: str
    text: str
    gold_stance: str
    rule_claims: list[Claim]


def rule_claims_per_gold_sentence(page: CorpusPage, analysis: RuleAnalysis) -> list[list[Claim]]:
    """Map the rules' claims (by character offset) onto the page's gold sentences."""
    offsets = page.offsets()
    per_gold: list[list[Claim]] = [[] for _ in offsets]
    for claims in analysis.sentence_claims:
        for claim in claims:
            for i, (start, end) in enumerate(offsets):
                if start <= claim.start < end + 1:
                    per_gold[i].append(claim)
                    break
    return per_gold


def sentence_rows(pages: list[CorpusPage]) -> list[SentenceRow]:
    rows = []
    for page in pages:
        analysis = analyse(page.text, title=page.title)
        for gold, claims in zip(page.sentences, rule_claims_per_gold_sentence(page, analysis)):
            rows.append(SentenceRow(page.id, analysis.language, gold.text, gold.stance, claims))
    return rows


def fit(vectors: list[Features], labels: list[str], *, use_rules: bool, c: float = REGULARISATION_C) -> StanceModel:
    """Multinomial logistic regression on hashed features (deterministic lbfgs)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    used = sorted({index for vector in vectors for index in vector})
    column = {index: i for i, index in enumerate(used)}  # fit only on columns that occur: much faster
    indptr, indices, data = [0], [], []
    for vector in vectors:
        for index in sorted(vector):
            indices.append(column[index])
            data.append(vector[index])
        indptr.append(len(indices))
    matrix = csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)),
                        shape=(len(vectors), len(used)))
    present = [cls for cls in CLASSES if cls in set(labels)]
    model = LogisticRegression(C=c, max_iter=MAX_ITER, solver="lbfgs")
    model.fit(matrix, labels)
    order = [list(model.classes_).index(cls) if cls in present else None for cls in CLASSES]
    weights = {}
    for index in used:
        j = column[index]
        row = [round(float(model.coef_[k, j]), WEIGHT_DIGITS) if k is not None else 0.0 for k in order]
        if any(row):
            weights[index] = tuple(row)
    intercept = tuple(round(float(model.intercept_[k]), WEIGHT_DIGITS) if k is not None else -30.0
                      for k in order)
    return StanceModel(CLASSES, intercept, weights, use_rules, "")


def fit_rows(rows: list[SentenceRow], *, use_rules: bool) -> StanceModel:
    vectors = [vectorise(r.text, r.rule_claims, r.language, use_rules=use_rules) for r in rows]
    return fit(vectors, [r.gold_stance for r in rows], use_rules=use_rules)


def to_json(model: StanceModel, n_sentences: int) -> str:
    payload = {
        "format": "clinicwatch-stance-model/1",
        "classes": list(model.classes),
        "use_rules": model.use_rules,
        "hash_bits": N_FEATURES.bit_length() - 1,
        "trained_on_sentences": n_sentences,
        "intercept": list(model.intercept),
        "weights": {str(k): list(v) for k, v in sorted(model.weights.items())},
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n"


def train(out: Path = MODEL_PATH, corpus_dir: Path = CORPUS_DIR) -> tuple[Path, int]:
    """Train the shipped (rules + n-grams) model on the train split; returns (path, sentences)."""
    pages = load_corpus(corpus_dir, split="train")
    rows = sentence_rows(pages)
    model = fit_rows(rows, use_rules=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_json(model, len(rows)), encoding="utf-8")
    return out, len(rows)
