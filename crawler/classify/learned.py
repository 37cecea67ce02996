"""The learned model at run time: weights from a small JSON artifact, numpy for the sums.

Why no scikit-learn here: scoring runs inside every crawl; training (train.py) needs
scikit-learn, scoring only needs the weights. The model works next to the rules: it decides the
stance of each sentence in which the rules found claims (or drops them as "not a claim"), and
it proposes asserted claims in sentences the rules found relevant but could not read (unknown
phrasing, thin lexicons). Every claim keeps the rule cues that found it plus `model=` cues
saying what the model concluded, so a flag stays explained.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from crawler.classify.features import N_BUCKETS, gram_sums, ngram_hashes, rule_names
from crawler.classify.model import Claim
from crawler.classify.weights import CATEGORY_WEIGHTS, STANCE_FACTORS

MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "stance-model.json"
MODEL_FORMAT = "clinicwatch-learned-model/4"
STANCE_CLASSES = ("none", "asserts", "negates", "reports")
# Every number in the artifact is stored rounded to this many decimals (documented in README).
WEIGHT_DIGITS = 4
# A sentence the rules could not read becomes an asserted claim only above this probability.
RESCUE_THRESHOLD = 0.5
CATEGORY_THRESHOLD = 0.5
# Categories whose claims name the condition they are about.
CONDITION_CATEGORIES = frozenset({"cure", "unapproved_indication", "efficacy_statistics", "testimonial"})


def _rounded(value: object) -> object:
    """The artifact's content at its stored precision: floats rounded, containers walked."""
    if isinstance(value, float):
        rounded = round(value, WEIGHT_DIGITS)
        return 0.0 if rounded == 0 else rounded  # -0.0 and 0.0 are the same weight
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def content_digest(data: dict) -> str:
    """Short hash of the artifact's content at WEIGHT_DIGITS, part of the classifier version.

    Why not the file's bytes: the same weights can be written differently (key order, spacing,
    `1e-04` or `0.0001`, noise below the stored precision), and the version must name the weights,
    not their spelling, or every machine would see a new classifier and rescore everything.
    Parsing JSON decimals and rounding are exact IEEE operations, so every machine gets this digest.
    """
    canonical = json.dumps(_rounded(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Prediction:
    stance: dict[str, float]
    categories: dict[str, float]

    @property
    def best_stance(self) -> str:
        return max(self.stance, key=self.stance.get)


@dataclass(frozen=True)
class LearnedModel:
    gram_weights: np.ndarray  # one row per n-gram bucket; columns: stance classes, then categories
    rule_index: dict[str, int]
    rule_weights: np.ndarray
    bias: np.ndarray
    categories: tuple[str, ...]
    use_rules: bool
    digest: str = ""  # short hash of the artifact: part of the classifier version

    @classmethod
    def from_json(cls, data: dict, digest: str = "") -> "LearnedModel":
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"model artifact format {data.get('format')!r}, expected {MODEL_FORMAT!r}: "
                             "run `clinicwatch train`")
        weights = np.zeros((N_BUCKETS, len(data["bias"])), dtype=np.float32)
        weights[np.array(data["gram_buckets"], dtype=np.int64)] = np.array(data["gram_weights"], dtype=np.float32)
        return cls(weights, {name: i for i, name in enumerate(data["rule_features"])},
                   np.array(data["rule_weights"], dtype=np.float64), np.array(data["bias"], dtype=np.float64),
                   tuple(data["categories"]), bool(data["use_rules"]), digest)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "LearnedModel":
        data = json.loads(path.read_bytes())
        return cls.from_json(data, content_digest(data))

    def predict_many(self, sentences: list[str], claims: list[list[Claim]], language: str) -> list[Prediction]:
        """Predictions for several sentences of one page in one vectorised pass."""
        if not sentences:
            return []
        owner, hashes = ngram_hashes(sentences)
        logits = gram_sums(owner, hashes, len(sentences), self.gram_weights) + self.bias
        rows, columns = [], []  # rule features, added in one call (in the same order as one by one)
        names_of: dict[tuple, list[int]] = {}  # sentences often share what the rules said
        for i, sentence_claims in enumerate(claims):
            key = tuple((c.category, c.stance, bool(c.condition), c.cues) for c in sentence_claims)
            indices = names_of.get(key)
            if indices is None:
                indices = names_of[key] = [j for name in rule_names(sentence_claims, language,
                                                                    use_rules=self.use_rules)
                                           if (j := self.rule_index.get(name)) is not None]
            rows += [i] * len(indices)
            columns += indices
        if rows:
            np.add.at(logits, np.array(rows), self.rule_weights[np.array(columns)])
        k = len(STANCE_CLASSES)
        stance = np.exp(logits[:, :k] - logits[:, :k].max(axis=1, keepdims=True))
        stance /= stance.sum(axis=1, keepdims=True)
        categories = 1.0 / (1.0 + np.exp(-logits[:, k:]))
        return [Prediction(dict(zip(STANCE_CLASSES, s)), dict(zip(self.categories, c)))
                for s, c in zip(stance.tolist(), categories.tolist())]

    def predict(self, sentence: str, claims: list[Claim], language: str) -> Prediction:
        return self.predict_many([sentence], [claims], language)[0]


ALL_STANCES = frozenset(STANCE_CLASSES)


def allowed_stances(*, negation_cue: bool, own_voice: bool) -> frozenset[str]:
    """What the model may decide for a sentence: "negates" only with a negation cue in it (a
    model of character n-grams must not read a name as a denial), "asserts" only in the page's
    own voice (not a question, heading or someone else's words)."""
    allowed = set(ALL_STANCES)
    if not negation_cue:
        allowed.discard("negates")
    if not own_voice:
        allowed.discard("asserts")
    return frozenset(allowed)


def adjust(claims: list[Claim], prediction: Prediction, allowed: frozenset[str] = ALL_STANCES) -> list[Claim]:
    """The rules' claims for one sentence with the model's stance among `allowed` (dropped when "none")."""
    probability = dict(prediction.stance)
    if "asserts" not in allowed and "reports" in allowed:
        # a claim the page does not make in its own voice is still a claim: someone else's
        probability["reports"] += probability["asserts"]
    stance = max(allowed, key=lambda s: (probability[s], s)) if allowed else prediction.best_stance
    if stance == "none":
        return []
    cue = f"model={stance}:{probability.get(stance, prediction.stance[stance]):.2f}"
    adjusted = []
    for claim in claims:
        factor = STANCE_FACTORS[claim.stance]
        base = claim.score / factor if factor else claim.score
        adjusted.append(replace(claim, stance=stance, score=min(1.0, base * STANCE_FACTORS[stance]),
                                cues=claim.cues + (cue,)))
    return adjusted


def rescue(span: tuple[int, int, str], prediction: Prediction, condition: str | None) -> list[Claim]:
    """Asserted claims for a relevant sentence the rules found none in (usually none)."""
    p_asserts = prediction.stance["asserts"]
    if p_asserts < RESCUE_THRESHOLD or prediction.best_stance != "asserts":
        return []
    start, end, sentence = span
    ranked = sorted(prediction.categories.items(), key=lambda kv: -kv[1])
    chosen = [c for c, p in ranked if p >= CATEGORY_THRESHOLD] or [ranked[0][0]]
    return [Claim(sentence=sentence, category=category,
                  condition=condition if category in CONDITION_CATEGORIES else None, stance="asserts",
                  score=CATEGORY_WEIGHTS[category] * p_asserts, start=start, end=end,
                  cues=(f"model=asserts:{p_asserts:.2f}",
                        f"model_category={category}:{prediction.categories[category]:.2f}"))
            for category in chosen]


@lru_cache(maxsize=1)
def default_model() -> LearnedModel | None:
    """The shipped model, or None when the artifact is absent (rules alone then)."""
    return LearnedModel.load() if MODEL_PATH.exists() else None
