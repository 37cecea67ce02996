"""The classifier's public result types: what every caller (pipeline, CLI, rescoring) relies on."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STANCES = ("asserts", "negates", "reports")
VOICES = ("seller", "news", "academic", "regulator", "hospital", "patient", "directory", "legal", "unknown")


@dataclass(frozen=True)
class Claim:
    """One claim detected in one sentence, with the evidence that made us flag it."""

    sentence: str
    category: str  # e.g. "cure", "unapproved_indication", "risk_minimisation" (see claims.md)
    condition: str | None  # normalised vocabulary: "diabetes", "autism", "ms", ... or None
    stance: str  # one of STANCES
    score: float  # 0-1 strength of this claim as an unproven-therapy claim
    start: int = 0  # character span of the sentence inside the scored text
    end: int = 0
    cues: tuple[str, ...] = ()  # the words/rules that fired: "why was this flagged"

    def to_json(self) -> dict:
        """The public `score --json` shape for one claim (keep these keys stable)."""
        return {
            "sentence": self.sentence,
            "category": self.category,
            "condition": self.condition,
            "stance": self.stance,
            "score": round(self.score, 4),
        }


@dataclass
class PageScore:
    """Result of scoring one page's text."""

    score: float  # 0-1
    flagged: bool  # score >= FLAG_THRESHOLD
    language: str  # ISO 639-1 code, "und" when unknown
    classifier_version: str
    claims: list[Claim] = field(default_factory=list)
    mitigations: list[str] = field(default_factory=list)  # sentences carrying disclaimers etc.
    # Who speaks on the page (VOICES): only the page's own voice makes claims that count.
    voice: str = "unknown"
    # Empty when the page was scored; else why not (e.g. "language pl"): a page we cannot read is
    # "not scored", never a 0 that reads as clean.
    not_scored: str = ""

    @property
    def conditions(self) -> list[str]:
        """Distinct conditions of asserted claims (the clinic-level 'breadth' signal)."""
        return sorted({c.condition for c in self.claims if c.condition and c.stance == "asserts"})

    def to_json(self, path: str | None = None) -> dict:
        """The public `clinicwatch score --json` object (a contract: keep these keys)."""
        return {
            "path": path,
            "score": round(self.score, 4),
            "flagged": self.flagged,
            "language": self.language,
            "classifier_version": self.classifier_version,
            "voice": self.voice,
            "not_scored": self.not_scored or None,
            "claims": [c.to_json() for c in self.claims],
        }

    def as_dict(self) -> dict:
        return asdict(self)
