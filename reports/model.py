"""The plain report model: dataclasses every renderer (HTML, Markdown, CSV, JSON) shares.

Every claim carries its evidence (sentence, URL, capture time, classifier version): we report
"claims detected", never a verdict about a business.
"""
from __future__ import annotations

import operator
import re
import shlex
import unicodedata
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

CATEGORIES = (
    "unapproved_indication", "cure", "risk_minimisation", "efficacy_statistics",
    "regulatory_misrepresentation", "testimonial", "borrowed_legitimacy", "hype",
    "commercial_pressure",
)
ASSERTS = "asserts"  # the only stance that counts toward a clinic's findings
NOTICE = "a detected claim is evidence for review, not a finding about the clinic"
CLAIM_EVENTS = ("added", "removed")
CLINIC_EVENTS = ("newly_flagged", "stopped_claiming", "unreachable", "gone", "moved")
SCORE_BINS = 10  # the score histogram: [0, .1), [.1, .2) ... [.9, 1.0]
SLUG_MAX_CHARS = 60  # of the name part; "-<clinic id>" follows
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def clinic_slug(name: str | None, clinic_id: int) -> str:
    """File-name slug of a clinic: ASCII lower-case words joined by hyphens, then `-<clinic id>`.

    Stable across runs (name and id do not change with crawls), unique (the id), and safe in
    a path or URL whatever the crawled or imported name contains.
    """
    folded = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii")
    base = _SLUG_JUNK.sub("-", folded.lower()).strip("-")[:SLUG_MAX_CHARS].rstrip("-")
    return f"{base or 'clinic'}-{int(clinic_id)}"


@dataclass(slots=True)
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
_CLAIM_VALUES = operator.attrgetter(*EVIDENCE_COLUMNS)


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
    asserted_claims: int = 0  # occurrences: a claim repeated on several pages counts on each
    asserted_claims_distinct: int = 0  # one per clinic and claim identity (claim_events' key)
    other_claims: int = 0  # negated or attributed ("reports") sentences: shown, not counted
    distinct_conditions: int = 0
    # pages in a language outside the supported ones: not read, so neither scored nor clean
    not_scored_pages: int = 0
    not_scored_languages: dict[str, int] = field(default_factory=dict)  # {"pl": 3, "ko": 1}
    first_capture: str | None = None
    last_capture: str | None = None

    @property
    def not_scored_line(self) -> str:
        """One wording everywhere: "3 pages not scored: language outside the 8 supported (pl 2, ko 1)"."""
        if not self.not_scored_pages:
            return ""
        langs = ", ".join(f"{lang} {n}" for lang, n in self.not_scored_languages.items())
        noun = "page" if self.not_scored_pages == 1 else "pages"
        return (f"{self.not_scored_pages} {noun} not scored: language outside the 8 supported"
                + (f" ({langs})" if langs else ""))


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
    not_scored_pages: int = 0  # pages in a language outside the supported ones: not read
    conditions: list[str] = field(default_factory=list)  # distinct asserted conditions
    top_claim: ClaimRow | None = None  # highest-scoring asserted claim
    slug: str = ""  # dossiers/<slug>.html

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
    voice: str = "unknown"  # who speaks on the page (seller, news, academic, ...)


@dataclass
class NotScoredPage:
    """A page the classifier did not read (e.g. reason "language pl"): shown apart, never as clean."""

    clinic: str
    url: str
    title: str | None
    captured_at: str | None
    reason: str
    classifier_version: str


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
class HealthCheckRow:
    """A crawl health check (crawl_health table) that did not pass."""

    clinic: str | None  # None for run-level checks
    check_name: str
    status: str  # warn | fail
    value: str | None
    threshold: str | None
    detail: str | None


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
    checks: list[HealthCheckRow] = field(default_factory=list)  # stored health checks not "ok"


@dataclass
class ClinicRef:
    """A registered clinic with no page in the reported state (it still has a dossier)."""

    clinic_id: int
    name: str
    country: str
    active: bool
    slug: str


@dataclass
class CountryRow:
    country: str  # "" = not given in the seeds
    clinics: int  # registered
    clinics_with_pages: int
    clinics_with_asserted_claims: int
    asserted_claims: int
    flagged_pages: int
    conditions: list[str] = field(default_factory=list)  # distinct asserted conditions


@dataclass
class ScoreBin:
    low: float
    high: float
    pages: int


@dataclass
class RunChange:
    """Claim events of one run: the 'claims over time' series."""

    run_id: int
    started_at: str | None
    status: str | None
    added: int
    removed: int
    tracked: int  # asserted claims tracked after this run: all added minus all removed so far


@dataclass(slots=True)
class ClaimChange:
    """A claim_events row: an asserted claim that appeared or disappeared in a run."""

    run_id: int
    at: str | None  # when the change was recorded (end of the run)
    clinic_id: int
    clinic: str
    slug: str
    event: str  # added | removed
    sentence: str
    category: str
    condition: str | None
    url: str


@dataclass
class ClinicChange:
    """A clinic_events row: newly_flagged, stopped_claiming, unreachable, gone or moved."""

    run_id: int
    at: str | None
    clinic_id: int
    clinic: str
    slug: str
    event: str
    detail: str


@dataclass
class Changes:
    """What changed in the reported period: one run, or every run started since a date.

    Lists are capped at `limit` rows each (newest run first); `counts` holds the full totals
    and changes.csv every row.
    """

    since: str | None
    run_ids: list[int]
    limit: int
    counts: dict[str, int] = field(default_factory=dict)  # event -> rows in the period
    added: list[ClaimChange] = field(default_factory=list)
    removed: list[ClaimChange] = field(default_factory=list)
    newly_flagged: list[ClinicChange] = field(default_factory=list)
    stopped_claiming: list[ClinicChange] = field(default_factory=list)
    unreachable: list[ClinicChange] = field(default_factory=list)
    gone: list[ClinicChange] = field(default_factory=list)
    moved: list[ClinicChange] = field(default_factory=list)
    other: list[ClinicChange] = field(default_factory=list)  # event kinds unknown to this version

    @property
    def description(self) -> str:
        runs = ", ".join(str(r) for r in sorted(self.run_ids))
        if self.since is not None:
            if not self.run_ids:
                return f"no runs started on or after {self.since}"
            plural = "s" if len(self.run_ids) > 1 else ""
            return f"runs started on or after {self.since} (run{plural} {runs})"
        return f"run {runs}" if self.run_ids else "no runs recorded"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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
    changes: Changes = field(default_factory=lambda: Changes(None, [], 0))
    countries: list[CountryRow] = field(default_factory=list)
    score_bins: list[ScoreBin] = field(default_factory=list)
    timeline: list[RunChange] = field(default_factory=list)
    unranked_clinics: list[ClinicRef] = field(default_factory=list)  # no pages: dossier only
    not_scored_pages: list[NotScoredPage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (report.json); derived properties are added."""
        data = plain(self)
        for clinic, summary in zip(data["clinics"], self.clinics):
            clinic["breadth"] = summary.breadth
            clinic["dossier"] = f"dossiers/{summary.slug}.html"
        for clinic in data["unranked_clinics"]:
            clinic["dossier"] = f"dossiers/{clinic['slug']}.html"
        data["changes"]["description"] = self.changes.description
        return data


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """dataclasses.asdict without its deep copies: a large report converts several times faster."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        if kind is ClaimRow:  # the bulk of a report: flat, no recursion needed
            return dict(zip(names, _CLAIM_VALUES(value)))
        return {name: plain(getattr(value, name)) for name in names}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is dict:
        return {k: plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
        return plain(value)
    return value


# --- dossiers ----------------------------------------------------------------------------------

@dataclass
class EvidencePage:
    """A page (in the reported state) carrying detected claims, with its evidence trail."""

    url: str
    title: str | None
    captured_at: str | None
    score: float | None
    flagged: bool
    classifier_version: str
    language: str | None
    warc_file: str | None  # the archived response (WARC file relative to the archive dir)
    warc_offset: int | None
    mitigations: list[str] = field(default_factory=list)  # mitigating sentences on this page
    asserted: list[ClaimRow] = field(default_factory=list)
    context: list[ClaimRow] = field(default_factory=list)  # negates/reports: not counted
    voice: str = "unknown"  # who speaks on the page (seller, news, academic, ...)

    @property
    def snapshot_command(self) -> str:
        """The command printing the archived copy (arguments shell-quoted: URLs are hostile)."""
        command = f"clinicwatch snapshot {shlex.quote(self.url)}"
        return command + (f" --at {shlex.quote(self.captured_at)}" if self.captured_at else "")


@dataclass(slots=True)
class HistoryEntry:
    """One claim_events or clinic_events row of a clinic."""

    run_id: int | None
    at: str | None
    event: str
    sentence: str | None = None  # claim events
    category: str | None = None
    condition: str | None = None
    url: str | None = None
    detail: str | None = None  # clinic events


@dataclass
class Dossier:
    """Everything reported about one clinic: identity, current claims with evidence, history."""

    clinic_id: int
    slug: str
    name: str
    country: str
    active: bool
    seed_urls: list[str]
    domains: list[str]
    tags: list[str]
    summary: ClinicSummary | None  # None: no page in the reported state
    pages: list[EvidencePage] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)  # newest first

    @property
    def asserted_claims(self) -> int:
        return sum(len(p.asserted) for p in self.pages)

    @property
    def asserted_pages(self) -> list[EvidencePage]:
        return [p for p in self.pages if p.asserted]

    @property
    def context_pages(self) -> list[EvidencePage]:
        return [p for p in self.pages if not p.asserted]
