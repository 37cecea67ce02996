"""Features for the learned stance model: character n-grams plus what the rules found.

Why character n-grams: they work the same for English, Russian, Chinese and Japanese (no word
segmentation needed) and catch negation and attribution phrasing the lexicons miss. Why the rule
features too: the rules know categories, conditions and cues; the model learns when to trust them.
Features are hashed (crc32, stable across runs and machines) so the artifact needs no vocabulary.
"""
from __future__ import annotations

import math
import re
import zlib
from typing import Iterable

from crawler.classify.model import Claim

HASH_BITS = 18
N_FEATURES = 1 << HASH_BITS
NGRAM_SIZES = (2, 3, 4)
RULE_FEATURE_VALUE = 1.0
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d")

Features = dict[int, float]


def _hash(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) & (N_FEATURES - 1)


def ngram_names(sentence: str) -> list[str]:
    """Character n-grams of the lower-cased sentence (digits folded to 0, spaces collapsed)."""
    text = " " + _DIGITS.sub("0", _SPACES.sub(" ", sentence.lower()).strip()) + " "
    return [text[i:i + n] for n in NGRAM_SIZES for i in range(len(text) - n + 1)]


def rule_names(claims: Iterable[Claim], language: str) -> list[str]:
    """What the rules said about the sentence, as feature names."""
    names = [f"lang={language}"]
    claims = list(claims)
    if not claims:
        return names + ["rules=none"]
    for claim in claims:
        names += [f"rc={claim.category}", f"rs={claim.stance}", f"rcs={claim.category}|{claim.stance}"]
        if claim.condition:
            names.append("rcond")
        names += [f"cue={cue.split('=', 1)[0]}" for cue in claim.cues]
    return names


def vectorise(sentence: str, claims: Iterable[Claim], language: str, *, use_rules: bool = True,
              use_ngrams: bool = True) -> Features:
    """Hashed, length-normalised feature vector of one sentence (sparse dict index -> value)."""
    vector: Features = {}
    if use_ngrams:
        grams = ngram_names(sentence)
        if grams:
            weight = 1.0 / math.sqrt(len(grams))
            for gram in grams:
                index = _hash("g:" + gram)
                vector[index] = vector.get(index, 0.0) + weight
    names = rule_names(claims, language) if use_rules else [f"lang={language}"]
    for name in names:
        vector[_hash("r:" + name)] = RULE_FEATURE_VALUE
    return vector
