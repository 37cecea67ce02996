"""Features for the learned model: character n-grams plus what the rules found.

Why character n-grams: they work the same for English, Russian, Chinese and Japanese (no word
segmentation needed) and catch negation and attribution phrasing the lexicons miss. Why the rule
features too: the rules know categories, conditions and cues; the model learns when to trust them.

Why hashed with numpy: the model reads every sentence the rules found relevant, so n-grams of a
whole page are computed in one vectorised pass (a stable 64-bit polynomial hash of code points,
the same at training and scoring time) instead of building thousands of Python strings.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np

from crawler.classify.model import Claim

NGRAM_SIZES = (2, 3, 4)
HASH_BITS = 18
N_BUCKETS = 1 << HASH_BITS
_PRIME = np.uint64(1_000_003)
_SIZE_TAG = np.uint64(31)
_SEPARATOR = "\x01"
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d")


def normalise_sentence(sentence: str) -> str:
    """Lower-cased, digits folded to 0, whitespace collapsed, padded with one space each side."""
    return " " + _DIGITS.sub("0", _SPACES.sub(" ", sentence.lower().replace(_SEPARATOR, " ")).strip()) + " "


def ngram_hashes(sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(sentence index, n-gram hash) for every character n-gram of every sentence."""
    if not sentences:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    texts = [normalise_sentence(s) for s in sentences]
    joined = _SEPARATOR.join(texts)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in texts])[: len(points)]
    separators = np.concatenate(([0], np.cumsum(points == ord(_SEPARATOR))))
    indices, hashes = [], []
    with np.errstate(over="ignore"):
        for n in NGRAM_SIZES:
            count = len(points) - n + 1
            if count <= 0:
                continue
            value = np.zeros(count, dtype=np.uint64)
            for j in range(n):
                value = value * _PRIME + points[j:j + count]
            value = value * _SIZE_TAG + np.uint64(n)
            inside = separators[n:n + count] - separators[:count] == 0
            indices.append(owner[:count][inside])
            hashes.append(value[inside])
    return np.concatenate(indices), np.concatenate(hashes)


def rule_names(claims: Iterable[Claim], language: str, *, use_rules: bool = True) -> list[str]:
    """What the rules said about the sentence, as distinct feature names."""
    names = [f"lang={language}"]
    if not use_rules:
        return names
    claims = list(claims)
    if not claims:
        return names + ["rules=none"]
    for claim in claims:
        names += [f"rc={claim.category}", f"rs={claim.stance}", f"rcs={claim.category}|{claim.stance}"]
        if claim.condition:
            names.append("rcond")
        names += [f"cue={cue.split('=', 1)[0]}" for cue in claim.cues]
    return sorted(set(names))


def buckets_of(hashes: np.ndarray) -> np.ndarray:
    """Hashing trick: n-gram hash -> one of N_BUCKETS weight rows (rare collisions are harmless)."""
    return (hashes >> np.uint64(7) & np.uint64(N_BUCKETS - 1)).astype(np.int64)


def gram_scale(owner: np.ndarray, n_sentences: int) -> np.ndarray:
    """1/sqrt(number of n-grams) per sentence, so a long sentence weighs each n-gram less."""
    totals = np.bincount(owner, minlength=n_sentences).astype(np.float64)
    return np.divide(1.0, np.sqrt(totals), out=np.zeros_like(totals), where=totals > 0)


def gram_matrix(owner: np.ndarray, hashes: np.ndarray, n_sentences: int):
    """Sentences x buckets sparse matrix of scaled n-gram counts (training's view of predict_sums)."""
    from scipy.sparse import csr_matrix

    scale = gram_scale(owner, n_sentences)
    return csr_matrix((scale[owner], (owner, buckets_of(hashes))), shape=(n_sentences, N_BUCKETS))


def gram_sums(owner: np.ndarray, hashes: np.ndarray, n_sentences: int, weights: np.ndarray) -> np.ndarray:
    """Per sentence: scaled sum of the weight rows of its n-grams (= gram_matrix @ weights, faster)."""
    out = np.zeros((n_sentences, weights.shape[1]), dtype=np.float64)
    if len(owner) == 0:
        return out
    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    rows = weights[buckets_of(hashes[order])]
    present = np.flatnonzero(np.bincount(sorted_owner, minlength=n_sentences))
    starts = np.searchsorted(sorted_owner, present)
    out[present] = np.add.reduceat(rows, starts, axis=0)
    return out * gram_scale(owner, n_sentences)[:, None]
