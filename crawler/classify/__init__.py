"""ClinicWatch's claim classifier: page text in, detected unproven-therapy claims and a score out.

Why a plain-Python rule classifier: every flag has to be backed by the exact sentence and the
words that fired (researchers audit them), it must run inside the crawler, the CLI and offline
rescoring alike, and there is no labelled corpus to train on yet. So this package imports
nothing from scrapy, the reports or the scheduler, and its behaviour is pinned by
CLASSIFIER_VERSION (stored with every score so old results can be told apart and rescored).

    from crawler.classify import score
    result = score(page_text, title=page_title)   # -> PageScore
    result.flagged, result.score, result.claims    # each Claim: sentence, category, condition, stance

Stance is what matters: claims that a page negates ("there is no evidence that ...") or
attributes to others ("clinics claim ...") are listed but do not raise its score.
"""
from __future__ import annotations

from crawler.classify.lexicon import APPROVED_CONDITIONS, CATEGORIES, CONDITIONS
from crawler.classify.model import STANCES, Claim, PageScore
from crawler.classify.learned import default_model
from crawler.classify.page import classifier_version, score
from crawler.classify.weights import FLAG_THRESHOLD, RULES_VERSION


def __getattr__(name: str) -> str:
    """CLASSIFIER_VERSION (stored with every score): rules version + the shipped model's hash.

    Computed on first use, so importing the package does not load the model.
    """
    if name == "CLASSIFIER_VERSION":
        return classifier_version(default_model())
    raise AttributeError(name)

__all__ = [
    "APPROVED_CONDITIONS", "CATEGORIES", "CLASSIFIER_VERSION", "CONDITIONS", "FLAG_THRESHOLD", "STANCES",
    "RULES_VERSION", "Claim", "PageScore", "classifier_version", "score",
]
