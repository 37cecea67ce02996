"""Page score (0-1) from the page's claims: asserted claims drive it, everything else adjusts it.

Why this shape (all weights in weights.py):
- per category, the strongest asserted claim counts fully and repeats add a little, so fifty
  mentions of one hedged benefit do not outweigh one plain cure claim;
- across core categories the strongest counts fully and others add part of theirs; cure plus
  unapproved indication together, and many distinct conditions (breadth), add more;
- commercial pressure, hype, borrowed legitimacy and a named product only amplify core claims:
  a price list or "breakthrough" alone never flags a page;
- mitigating sentences discount the score a little and never below what the claims warrant
  (a disclaimer does not cancel an asserted claim);
- a page whose core claims are mostly negated or attributed, and which does not ask the reader
  to buy (no call to action), is discounted again (news, regulator warnings).
"""
from __future__ import annotations

from typing import Iterable

from crawler.classify.model import Claim
from crawler.classify.rules import BARE_TESTIMONIAL, CALL_TO_ACTION_CUE
from crawler.classify.weights import (
    BREADTH_CAP, BREADTH_STEP, COMBO_GAIN, CORE_CATEGORIES, CROSS_GAIN, DEBUNK_FACTOR, MITIGATION_MAX,
    MITIGATION_STEP, PRODUCT_CONTEXT_SUPPORT, REPEAT_GAIN, SUPPORT_CATEGORIES, SUPPORT_SCALE,
)


def noisy_or(values: Iterable[float]) -> float:
    """Probability-style 'any of these': 1 - prod(1 - v)."""
    result = 1.0
    for value in values:
        result *= 1.0 - max(0.0, min(1.0, value))
    return 1.0 - result


def _lead_plus(values: list[float], gain: float) -> float:
    """The largest value, plus `gain` of the noisy-or of the rest (of what is left to 1)."""
    if not values:
        return 0.0
    ordered = sorted(values, reverse=True)
    lead = ordered[0]
    return lead + (1.0 - lead) * gain * noisy_or(ordered[1:])


def _aggregation_key(claim: Claim) -> str:
    """The category a claim is aggregated under: a bare "Testimonials" heading only supports."""
    if claim.category == "testimonial" and not any(
            c.startswith(("testimonial=", "testimonial_subject=")) for c in claim.cues):
        return BARE_TESTIMONIAL
    return claim.category


def category_scores(claims: list[Claim]) -> dict[str, float]:
    """Score per category, from asserted claims only."""
    per_category: dict[str, list[float]] = {}
    for claim in claims:
        if claim.stance == "asserts":
            per_category.setdefault(_aggregation_key(claim), []).append(claim.score)
    return {cat: _lead_plus(scores, REPEAT_GAIN) for cat, scores in per_category.items()}


def page_score(claims: list[Claim], *, n_mitigations: int, has_product: bool) -> float:
    """The page's 0-1 score (see module docstring)."""
    cats = category_scores(claims)
    core = _lead_plus([s for c, s in cats.items() if c in CORE_CATEGORIES], CROSS_GAIN)
    if core <= 0.0:
        return 0.0
    if "cure" in cats and "unapproved_indication" in cats:
        core += (1.0 - core) * COMBO_GAIN * min(cats["cure"], cats["unapproved_indication"])
    conditions = {c.condition for c in claims
                  if c.stance == "asserts" and c.condition and c.category in CORE_CATEGORIES}
    if len(conditions) > 1:
        core += (1.0 - core) * min(BREADTH_CAP, BREADTH_STEP * (len(conditions) - 1))
    support = noisy_or([s for c, s in cats.items() if c in SUPPORT_CATEGORIES or c == BARE_TESTIMONIAL]
                       + ([PRODUCT_CONTEXT_SUPPORT] if has_product else []))
    total = core + (1.0 - core) * SUPPORT_SCALE * support
    total *= 1.0 - min(MITIGATION_MAX, MITIGATION_STEP * n_mitigations)
    core_claims = [c for c in claims if c.category in CORE_CATEGORIES]
    distanced = sum(c.stance != "asserts" for c in core_claims)
    asserted = len(core_claims) - distanced
    sells = any(c.stance == "asserts" and any(cue.startswith(CALL_TO_ACTION_CUE) for cue in c.cues)
                for c in claims if c.category == "commercial_pressure")
    if distanced > asserted and not sells:
        total *= DEBUNK_FACTOR
    return max(0.0, min(1.0, total))
