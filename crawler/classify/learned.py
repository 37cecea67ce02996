"""The learned stance model at run time: pure Python, weights from a small JSON artifact.

Why pure Python at run time: scoring must work wherever the crawler runs without loading
scikit-learn; training (train.py) needs scikit-learn, scoring does not. The model only sees
sentences in which the rules found a claim: it decides the sentence's stance (asserts / negates
/ reports, or "none": not a claim after all), and every claim it keeps still carries the rule
cues that found it plus a `model=` cue saying what the model concluded.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from crawler.classify.features import Features, vectorise
from crawler.classify.model import Claim
from crawler.classify.weights import STANCE_FACTORS

MODEL_PATH = Path(__file__).resolve().parent / "artifacts" / "stance-model.json"
CLASSES = ("none", "asserts", "negates", "reports")


@dataclass(frozen=True)
class StanceModel:
    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[int, tuple[float, ...]]
    use_rules: bool
    digest: str  # short hash of the artifact: part of the classifier version

    @classmethod
    def from_json(cls, data: dict, digest: str = "") -> "StanceModel":
        return cls(tuple(data["classes"]), tuple(data["intercept"]),
                   {int(k): tuple(v) for k, v in data["weights"].items()}, bool(data.get("use_rules", True)),
                   digest)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "StanceModel":
        raw = path.read_bytes()
        return cls.from_json(json.loads(raw), hashlib.sha256(raw).hexdigest()[:8])

    def probabilities(self, vector: Features) -> dict[str, float]:
        """Softmax over the classes for one feature vector."""
        logits = list(self.intercept)
        for index, value in vector.items():
            row = self.weights.get(index)
            if row is not None:
                for k, w in enumerate(row):
                    logits[k] += w * value
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}

    def predict(self, sentence: str, claims: list[Claim], language: str) -> dict[str, float]:
        return self.probabilities(vectorise(sentence, claims, language, use_rules=self.use_rules))

    def adjust(self, sentence: str, claims: list[Claim], language: str) -> list[Claim]:
        """The rules' claims for one sentence with the model's stance (dropped when "none")."""
        if not claims:
            return claims
        probs = self.predict(sentence, claims, language)
        stance = max(probs, key=probs.get)
        if stance == "none":
            return []
        cue = f"model={stance}:{probs[stance]:.2f}"
        adjusted = []
        for claim in claims:
            base = claim.score / STANCE_FACTORS[claim.stance] if STANCE_FACTORS[claim.stance] else claim.score
            adjusted.append(replace(claim, stance=stance, score=min(1.0, base * STANCE_FACTORS[stance]),
                                    cues=claim.cues + (cue,)))
        return adjusted


@lru_cache(maxsize=1)
def default_model() -> StanceModel | None:
    """The shipped model, or None when the artifact is absent (rules alone then)."""
    return StanceModel.load() if MODEL_PATH.exists() else None
