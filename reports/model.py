"""The plain report model: dataclasses every renderer (HTML, Markdown, CSV, JSON) shares.

Every claim carries its evidence (sentence, URL, capture time, classifier version): we report
"claims detected", never a verdict about a business.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CATEGORIES = (
    "unapproved_indication", "cure", "risk_minimisation", "efficacy_statistics",
    "regulatory_misrepresentation", "testimonial", "borrowed_legitimacy", "hype",
    "commercial_pressure",
)
ASSERTS = "asserts"  # the only stance that counts toward a clinic's findings
NOTICE = "a detected claim is evidence for review, not a finding about the clinic"


@dataclass(frozen=True)
class ClaimRow:
    """One detected claim with its evidence (also the row shape of claims.csv)."""

    clinic: str
    url: str
    captured_at: str | None
    sentence: str
    category: str
    condition: str | None
    stance: str
    score: float | None
    classifier_version: str


EVIDENCE_COLUMNS = tuple(ClaimRow.__dataclass_fields__)


@dataclass
class RunInfo:
    id: int
    started_at: str | None
    finished_at: str | None
    status: str | None
    clinic_filter: str


@dataclass
class Headline:
    clinics: int = 0
    clinics_active: int = 0
    clinics_reached: int = 0  # reached in the selected run (or with any page when no runs)
    clinics_with_asserted_claims: int = 0
    pages: int = 0  # pages with a version in the reported state
    page_versions: int = 0
    scored_pages: int = 0
    flagged_pages: int = 0
    asserted_claims: int = 0
    other_claims: int = 0  # negated or attributed ("reports") sentences: shown, not counted
    distinct_conditions: int = 0
    first_capture: str | None = None
    last_capture: str | None = None


@dataclass
class ClinicSummary:
    rank: int
    clinic_id: int
    name: str
    country: str
    active: bool
    pages: int
    scored_pages: int
    flagged_pages: int
    max_score: float | None
    asserted_claims: int
    conditions: list[str] = field(default_factory=list)  # distinct asserted conditions
    top_claim: ClaimRow | None = None  # highest-scoring asserted claim

    @property
    def breadth(self) -> int:
        """Distinct asserted conditions: the 'same cells for everything' signal."""
        return len(self.conditions)


@dataclass
class FlaggedPage:
    clinic: str
    url: str
    title: str | None
    captured_at: str | None
    score: float
    classifier_version: str
    language: str | None
    asserted: list[ClaimRow] = field(default_factory=list)
    context: list[ClaimRow] = field(default_factory=list)  # negates/reports: not counted


@dataclass
class ConditionRow:
    condition: str | None  # None = claim without a specific condition
    clinics: int
    claims: int
    by_category: dict[str, int] = field(default_factory=dict)


@dataclass
class ErrorSample:
    url: str | None
    status: int | None
    error: str | None


@dataclass
class RunHealth:
    run_id: int
    started_at: str | None
    finished_at: str | None
    status: str | None
    pages_fetched: int
    pages_stored: int
    new_versions: int
    outcomes: dict[str, int]  # fetch_log outcome -> count
    errors: int  # fetch_log rows with outcome='error'
    clinics_reached: int  # distinct clinics with a page stored/unchanged in this run
    clinics_expected: int  # active clinics, or the run's clinic_filter when it had one
    clinics_not_reached: list[str]
    error_samples: list[ErrorSample] = field(default_factory=list)


@dataclass
class Report:
    generated_at: str
    schema_version: int
    run: RunInfo | None
    state: str  # "current" or "as of run N"
    headline: Headline
    classifier_versions: list[str]
    categories: list[str]
    clinics: list[ClinicSummary]
    flagged_pages: list[FlaggedPage]
    conditions: list[ConditionRow]
    health: list[RunHealth]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (report.json); breadth is added since it is a derived property."""
        data = asdict(self)
        for clinic, summary in zip(data["clinics"], self.clinics):
            clinic["breadth"] = summary.breadth
        return data
