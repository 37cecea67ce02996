"""Train the learned stance model on the corpus's train split (`clinicwatch train`).

Reproducible in behaviour: same corpus + same code + the locked library versions give the same
weights up to the last stored digit (deterministic solver, sorted keys, every number rounded to
WEIGHT_DIGITS). The last digit can still differ between CPUs, so a fresh training run is checked
against the shipped artifact by what it predicts (model_check.py), not byte for byte.
scikit-learn is needed here only; scoring reads the JSON artifact in pure Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from crawler.classify.labelled_corpus import CORPUS_DIR, CorpusPage, load_corpus
from crawler.classify.features import N_BUCKETS, gram_matrix, ngram_hashes, rule_names
from crawler.classify.learned import MODEL_FORMAT, MODEL_PATH, STANCE_CLASSES, WEIGHT_DIGITS, LearnedModel
from crawler.classify.lexicon import CATEGORIES
from crawler.classify.model import Claim
from crawler.classify.page import RuleAnalysis, analyse

REGULARISATION_C = 4.0  # inverse L2 strength, chosen by grouped cross-validation on train pages
MAX_ITER = 2000
MIN_FEATURE_COUNT = 3  # n-grams seen in fewer training sentences are dropped (noise, size)
ABSENT_CLASS_BIAS = -30.0  # a class with no training example is never predicted


@dataclass
class SentenceRow:
    page_id: str
    language: str
    text: str
    gold_stance: str
    gold_asserted: frozenset[str]  # categories the page asserts in this sentence
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
            asserted = frozenset(c.category for c in gold.claims if c.stance == "asserts")
            rows.append(SentenceRow(page.id, analysis.language, gold.text, gold.stance, asserted, claims))
    return rows


def _matrix(rows: list[SentenceRow], use_rules: bool):
    """Design matrix with exactly the values LearnedModel.predict_many computes, and its vocabularies."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    owner, hashes = ngram_hashes([r.text for r in rows])
    grams = gram_matrix(owner, hashes, len(rows))
    used = np.flatnonzero(np.bincount(grams.indices, minlength=grams.shape[1]) >= MIN_FEATURE_COUNT)
    grams = grams[:, used]  # fit only buckets seen in enough sentences: faster, smaller artifact
    names = [rule_names(r.rule_claims, r.language, use_rules=use_rules) for r in rows]
    rule_features = sorted({n for row_names in names for n in row_names})
    column = {n: i for i, n in enumerate(rule_features)}
    cells = [(i, column[n]) for i, row_names in enumerate(names) for n in row_names]
    rules = csr_matrix((np.ones(len(cells)), ([r for r, _ in cells], [c for _, c in cells])),
                       shape=(len(rows), len(rule_features)))
    return hstack([grams, rules]).tocsr(), used, rule_features


def fit_rows(rows: list[SentenceRow], *, use_rules: bool, c: float = REGULARISATION_C) -> LearnedModel:
    """Stance: multinomial logistic regression; categories: one binary regression each."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    matrix, buckets, rule_features = _matrix(rows, use_rules)
    width = matrix.shape[1]
    columns, biases = [], []
    stance = LogisticRegression(C=c, max_iter=MAX_ITER, solver="lbfgs").fit(matrix, [r.gold_stance for r in rows])
    for cls in STANCE_CLASSES:
        if cls in stance.classes_:
            k = list(stance.classes_).index(cls)
            columns.append(stance.coef_[k])
            biases.append(stance.intercept_[k])
        else:
            columns.append(np.zeros(width))
            biases.append(ABSENT_CLASS_BIAS)
    for category in CATEGORIES:
        labels = [category in r.gold_asserted for r in rows]
        if any(labels) and not all(labels):
            binary = LogisticRegression(C=c, max_iter=MAX_ITER, solver="lbfgs").fit(matrix, labels)
            columns.append(binary.coef_[0])
            biases.append(binary.intercept_[0])
        else:
            columns.append(np.zeros(width))
            biases.append(ABSENT_CLASS_BIAS if not any(labels) else -ABSENT_CLASS_BIAS)
    weights = np.round(np.column_stack(columns), WEIGHT_DIGITS)
    n = len(buckets)
    dense = np.zeros((N_BUCKETS, weights.shape[1]), dtype=np.float32)
    dense[buckets] = weights[:n]
    return LearnedModel(dense, {name: i for i, name in enumerate(rule_features)}, weights[n:],
                        np.round(np.array(biases), WEIGHT_DIGITS), tuple(CATEGORIES), use_rules)


def to_json(model: LearnedModel, n_sentences: int) -> str:
    import numpy as np

    payload = {
        "format": MODEL_FORMAT,
        "stance_classes": list(STANCE_CLASSES),
        "categories": list(model.categories),
        "use_rules": model.use_rules,
        "trained_on_sentences": n_sentences,
        "gram_buckets": [int(b) for b in np.flatnonzero(model.gram_weights.any(axis=1))],
        "gram_weights": [[round(float(v), WEIGHT_DIGITS) for v in row]
                         for row in model.gram_weights[model.gram_weights.any(axis=1)]],
        "rule_features": sorted(model.rule_index, key=model.rule_index.get),
        "rule_weights": [[float(v) for v in row] for row in model.rule_weights],
        "bias": [float(v) for v in model.bias],
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def train(out: Path = MODEL_PATH, corpus_dir: Path = CORPUS_DIR) -> tuple[Path, int]:
    """Train the shipped (rules + n-grams) model on the train split; returns (path, sentences)."""
    pages = load_corpus(corpus_dir, split="train")
    rows = sentence_rows(pages)
    model = fit_rows(rows, use_rules=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_json(model, len(rows)), encoding="utf-8")
    return out, len(rows)
