"""Per-sentence rules: which claims a sentence carries, about which condition, with what stance.

Why rules: every flag must be explainable to a researcher ("these words fired"), and the
labelled data to train a model does not exist yet. The rules, in short:
- cure cues ("cures", "reverses", "no longer need insulin") make a `cure` claim about the
  sentence's unapproved conditions, or about the page's main condition when none is named;
- an unapproved condition plus a cell product, or plus a benefit cue on a page that names a
  product, makes an `unapproved_indication` claim ("stem cell therapy for autism", "patients
  see reduced insulin needs");
- approved contexts (bone-marrow/haematopoietic transplant, blood cancers) make no cure or
  indication claims; other categories fire on their own cues;
- every claim gets the stance of its cue (stance.py) and a score from weights.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crawler.classify.lexicon import APPROVED_CONDITIONS, condition_name, is_condition
from crawler.classify.matcher import Hit
from crawler.classify.model import Claim
from crawler.classify.stance import ASSERTS, NEGATES, REPORTS, build_context
from crawler.classify.weights import (
    BARE_TESTIMONIAL_FACTOR, CATEGORY_WEIGHTS, HEDGE_FACTOR, INFERRED_CONDITION_FACTOR, NO_CONDITION_FACTOR,
    NO_PRODUCT_FACTOR,
    PRODUCT_ELSEWHERE_FACTOR, QUESTION_FACTOR, RESEARCH_FACTOR, STANCE_FACTORS,
)

# Cue kinds that are claims by themselves, in output order (cure / indication are built below).
STANDALONE_KINDS = ("risk_minimisation", "efficacy_statistics", "regulatory_misrepresentation", "testimonial",
                    "testimonial_heading", "borrowed_legitimacy", "hype", "commercial_pressure", "call_to_action")
# Cue kinds reported under another category ("book a free consultation" is commercial pressure;
# the separate kind tells a selling page from a news story that mentions prices).
KIND_CATEGORY = {"call_to_action": "commercial_pressure", "testimonial_heading": "testimonial"}
CALL_TO_ACTION_CUE = "call_to_action="
BARE_TESTIMONIAL = "testimonial_heading"  # aggregation key: supports a page's score, never drives it
# Cue kinds that make no claim in an approved context (transplants, blood cancers).
_APPROVED_SUPPRESSED_KINDS = frozenset({"risk_minimisation", "efficacy_statistics", "regulatory_misrepresentation",
                                        "testimonial", "testimonial_heading"})
# Hits that are part of a claim (a local negator inside one belongs to it).
CLAIM_CUE_KINDS = frozenset({"cure", "benefit", *STANDALONE_KINDS})
_STANCE_ORDER = {ASSERTS: 0, NEGATES: 1, REPORTS: 2}
# A sentence with none of these cannot carry a claim or a mitigation (a benefit word needs a
# condition or a treated patient, a product needs a condition): skipping it keeps scoring fast.
_TRIGGER_KINDS = (CLAIM_CUE_KINDS - {"benefit"}) | {"mitigation", "negation_evidence"}
_PAIRED_KINDS = frozenset({"product_type", "approved_product", "benefit"})
_OUTCOME_SUBJECTS = frozenset({"patient_outcome", "testimonial_subject"})
# Negated claims of these categories are disclaimers ("not a proven cure", "not FDA approved").
_MITIGATING_NEGATIONS = frozenset({"cure", "unapproved_indication", "regulatory_misrepresentation",
                                   "risk_minimisation", "commercial_pressure", "efficacy_statistics"})


def may_carry_claims(hits: list[Hit]) -> bool:
    """Cheap pre-check: can this sentence's hits produce any claim or mitigation?"""
    labels = {h.label for h in hits}
    if not labels.isdisjoint(_TRIGGER_KINDS):
        return True
    if labels.isdisjoint(_PAIRED_KINDS):
        return False
    return any(is_condition(label) for label in labels) or (
        "benefit" in labels and not labels.isdisjoint(_OUTCOME_SUBJECTS))


@dataclass(frozen=True)
class PageContext:
    """What the whole page says, used to resolve sentences that rely on it."""

    has_product: bool  # a cell/regenerative product is named somewhere (text or title)
    main_condition: str | None  # most-mentioned unapproved condition, if any
    approved_page: bool  # the page is mainly about approved transplants / blood cancers
    n_conditions: int = 0  # distinct unapproved conditions the page names


@dataclass
class _Draft:
    stance: str
    score: float
    cues: list[str] = field(default_factory=list)


@dataclass
class SentenceResult:
    claims: list[Claim]
    mitigation: bool


def _cue(kind: str, text: str) -> str:
    """A space-free 'why' token, e.g. 'cure=no_longer_need' (stored space-joined)."""
    return f"{kind}={'_'.join(text.split())}"


def _framing(hits: list[Hit], sentence: str) -> tuple[float, list[str]]:
    """The sentence's hedging factor (strongest framing wins) and the cues behind it."""
    factor, cues = 1.0, []
    for hit in hits:
        if hit.label == "hedge":
            factor = min(factor, HEDGE_FACTOR)
            cues.append(_cue("hedge", hit.text))
        elif hit.label == "research":
            factor = min(factor, RESEARCH_FACTOR)
            cues.append(_cue("research", hit.text))
    stripped = sentence.strip()
    if stripped.endswith(("?", "？")) or stripped.startswith("¿"):
        factor = min(factor, QUESTION_FACTOR)
        cues.append("question")
    return factor, cues[:3]


class _SentenceRules:
    """Applies the rules to one sentence; collects one draft claim per (category, condition)."""

    def __init__(self, hits: list[Hit], sentence: str, lowered: str, page: PageContext) -> None:
        self.page = page
        self.by_kind: dict[str, list[Hit]] = {}
        conditions: list[tuple[str, Hit]] = []
        for hit in hits:
            if is_condition(hit.label):
                conditions.append((condition_name(hit.label), hit))
            else:
                self.by_kind.setdefault(hit.label, []).append(hit)
        by_kind = self.by_kind
        self.unapproved = [(name, hit) for name, hit in conditions if name not in APPROVED_CONDITIONS]
        self.approved_here = (any(name in APPROVED_CONDITIONS for name, _ in conditions)
                              or "approved_product" in by_kind)
        self.approved_context = self.approved_here and not self.unapproved
        self.product_here = "product_type" in by_kind or ("approved_product" in by_kind and bool(self.unapproved))
        self.product_factor = (1.0 if self.product_here
                               else PRODUCT_ELSEWHERE_FACTOR if page.has_product else NO_PRODUCT_FACTOR)
        self.benefit = by_kind.get("benefit", [])
        self.outcome = bool(self.benefit) or "cure" in by_kind
        claim_hits = [h for kind in CLAIM_CUE_KINDS for h in by_kind.get(kind, ())]
        self.stance_context = build_context(lowered, hits, claim_hits)
        self.framing, self.framing_cues = _framing(hits, sentence)
        self.product_cues = [_cue("product", h.text) for h in by_kind.get("product_type", ())[:1]]
        self.drafts: dict[tuple[str, str | None], _Draft] = {}

    def add(self, category: str, condition: str | None, anchor: Hit, extra: float, cues: list[str]) -> None:
        """Record a claim anchored at `anchor`; the same (category, condition) twice keeps the
        strongest stance (asserts > negates > reports) and merges the cues."""
        stance, why = self.stance_context.stance(anchor)
        weight = CATEGORY_WEIGHTS[category] * extra * STANCE_FACTORS[stance]
        if stance == ASSERTS:
            weight *= self.framing
        new_cues = cues + ([_cue(stance, why)] if why else [])
        draft = self.drafts.get((category, condition))
        if draft is None:
            self.drafts[(category, condition)] = _Draft(stance, weight, new_cues)
            return
        if _STANCE_ORDER[stance] < _STANCE_ORDER[draft.stance]:
            draft.stance, draft.score = stance, weight
        elif stance == draft.stance:
            draft.score = max(draft.score, weight)
        draft.cues.extend(c for c in new_cues if c not in draft.cues)

    def _page_condition(self) -> tuple[str | None, float, list[str]]:
        """The page's main condition for a sentence that names none, its factor and cue."""
        inferred = self.page.main_condition
        if inferred is None:
            return None, NO_CONDITION_FACTOR, []
        return inferred, INFERRED_CONDITION_FACTOR, [_cue("page_condition", inferred)]

    def cure_claims(self) -> None:
        if self.approved_context:
            return
        first_mention: dict[str, Hit] = {}
        for name, condition_hit in self.unapproved:
            first_mention.setdefault(name, condition_hit)
        for hit in self.by_kind.get("cure", ()):
            cues = [_cue("cure", hit.text)]
            for name, condition_hit in first_mention.items():
                self.add("cure", name, hit, self.product_factor,
                         cues + [_cue("condition", condition_hit.text)] + self.product_cues)
            if not first_mention and not self.page.approved_page:
                condition, factor, page_cue = self._page_condition()
                self.add("cure", condition, hit, self.product_factor * factor, cues + page_cue + self.product_cues)

    def indication_claims(self) -> None:
        """Unapproved indications; the condition mention anchors the stance."""
        by_kind, page = self.by_kind, self.page
        if self.unapproved and (self.product_here or (page.has_product and self.outcome)):
            why = [_cue("benefit", self.benefit[0].text)] if self.benefit else []
            for name, hit in self.unapproved:
                self.add("unapproved_indication", name, hit, self.product_factor,
                         [_cue("condition", hit.text)] + why + self.product_cues)
        elif ((self.outcome or "hype" in by_kind) and "patient_outcome" in by_kind and page.has_product
              and not page.approved_page and not self.approved_here):
            # "Patients in our programme describe improved stamina": the condition is the page's.
            anchor = by_kind["patient_outcome"][0]
            condition, factor, page_cue = self._page_condition()
            outcome_cues = [_cue(kind, by_kind[kind][0].text)
                            for kind in ("cure", "benefit", "hype") if kind in by_kind]
            self.add("unapproved_indication", condition, anchor, self.product_factor * factor,
                     [_cue("patient_outcome", anchor.text)] + page_cue + outcome_cues)

    def standalone_claims(self) -> None:
        first_condition = self.unapproved[0][0] if self.unapproved else None
        for kind in STANDALONE_KINDS:
            if self.approved_context and kind in _APPROVED_SUPPRESSED_KINDS:
                continue
            for hit in self.by_kind.get(kind, ()):
                extra = BARE_TESTIMONIAL_FACTOR if kind == "testimonial_heading" else 1.0
                condition = first_condition if kind in ("efficacy_statistics", "testimonial") else None
                self.add(KIND_CATEGORY.get(kind, kind), condition, hit, extra, [_cue(kind, hit.text)])
        # A relative or the writer, plus an outcome: "my son talks more since his injections".
        if not self.approved_context and self.outcome and "testimonial_subject" in self.by_kind:
            anchor = self.by_kind["testimonial_subject"][0]
            self.add("testimonial", first_condition, anchor, 1.0, [_cue("testimonial_subject", anchor.text)])


def analyse_sentence(start: int, end: int, sentence: str, hits: list[Hit], lowered: str,
                     page: PageContext) -> SentenceResult:
    """Claims carried by one sentence (`hits` are its lexicon hits, absolute positions)."""
    rules = _SentenceRules(hits, sentence, lowered, page)
    rules.cure_claims()
    rules.indication_claims()
    rules.standalone_claims()
    claims = [
        Claim(sentence=sentence, category=category, condition=condition, stance=d.stance,
              score=min(1.0, d.score), start=start, end=end,
              cues=tuple(dict.fromkeys(d.cues + (rules.framing_cues if d.stance == ASSERTS else []))))
        for (category, condition), d in rules.drafts.items()
    ]
    mitigation = "mitigation" in rules.by_kind or "negation_evidence" in rules.by_kind or any(
        c.category in _MITIGATING_NEGATIONS and c.stance == NEGATES for c in claims)
    return SentenceResult(claims, mitigation)
