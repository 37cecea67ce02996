"""Every tunable number of the rule classifier, in one place.

Why here: weights are a judgement call that will be re-tuned against hand-coded pages, and a
change to any of them changes what gets flagged, so bump RULES_VERSION with them (the full
classifier version adds the learned model's artifact hash, see page.classifier_version).
"""
from __future__ import annotations

RULES_VERSION = "rules-0.4.0"  # 0.4: page voice, questions/headings, negation guard, per-sentence condition

# A page is flagged when its score reaches this. 0.5 means "at least one clear, asserted
# unproven-therapy claim", or a hedged one on a page that also sells (see scoring.py).
FLAG_THRESHOLD = 0.5

# Strength of one asserted, unhedged claim of each category.
CATEGORY_WEIGHTS: dict[str, float] = {
    "cure": 0.70,
    "unapproved_indication": 0.60,
    "risk_minimisation": 0.55,
    "efficacy_statistics": 0.55,
    "regulatory_misrepresentation": 0.55,
    "testimonial": 0.50,
    "commercial_pressure": 0.40,
    "borrowed_legitimacy": 0.25,
    "hype": 0.20,
}
# Categories that can make a page score on their own; the others only add to those.
CORE_CATEGORIES = frozenset({
    "cure", "unapproved_indication", "risk_minimisation", "efficacy_statistics",
    "regulatory_misrepresentation", "testimonial",
})
SUPPORT_CATEGORIES = frozenset({"commercial_pressure", "borrowed_legitimacy", "hype"})

# How much a claim keeps of its weight, by stance: negated or attributed claims are recorded
# but are not the page's own claims.
STANCE_FACTORS: dict[str, float] = {"asserts": 1.0, "reports": 0.1, "negates": 0.05}

# Sentence framing (the strongest applicable one is used, they do not multiply).
HEDGE_FACTOR = 0.75  # "may", "could", "potential"
RESEARCH_FACTOR = 0.45  # "researchers are studying", "trials", "in the future"
QUESTION_FACTOR = 0.4  # "Can stem cells reverse autism?"

# Cure / indication claims, by where the cell product is mentioned.
PRODUCT_ELSEWHERE_FACTOR = 0.85  # product named elsewhere on the page, not in the sentence
NO_PRODUCT_FACTOR = 0.5  # no cell/regenerative product anywhere: probably not our domain
INFERRED_CONDITION_FACTOR = 0.85  # condition taken from the page, not the sentence
NO_CONDITION_FACTOR = 0.7  # a cure cue with no condition anywhere ("regenerates your body")
BARE_TESTIMONIAL_FACTOR = 0.4  # "read our patient stories" with no condition or outcome

# Page aggregation (scoring.py).
REPEAT_GAIN = 0.3  # extra claims of one category add this share of their noisy-or
CROSS_GAIN = 0.5  # further core categories add this share of theirs
COMBO_GAIN = 0.5  # unapproved indication + cure together: the strongest pattern
BREADTH_STEP = 0.08  # per distinct unapproved condition beyond the first
BREADTH_CAP = 0.4
SUPPORT_SCALE = 0.6  # commercial pressure / hype / borrowed legitimacy, only with core claims
PRODUCT_CONTEXT_SUPPORT = 0.15  # the page names a cell product
MITIGATION_STEP = 0.05  # per mitigating sentence ...
MITIGATION_MAX = 0.2  # ... never more than this discount: disclaimers do not cancel claims
DEBUNK_FACTOR = 0.5  # page mostly negates/reports claims and sells nothing: news, regulators

# Stance scoping (characters).
LOCAL_NEGATION_WINDOW = 60  # "not" must be this close to the cue, in the same clause
REPORTING_PAIR_WINDOW = 60  # "clinics ... claim": subject and saying verb at most this far apart
TITLE_CONDITION_WEIGHT = 3  # a condition in the title counts as this many mentions
