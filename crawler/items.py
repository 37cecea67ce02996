"""What the spider hands to the pipeline: a fetched page or a failed fetch."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PageItem:
    """A fetched HTML page, decoded, not yet extracted."""

    clinic_id: int
    url: str
    status: int
    html: str
    body_bytes: int
    fetched_at: str


@dataclass
class FetchFailure:
    """A fetch that produced no page (HTTP error, DNS, timeout, refused by a guard)."""

    clinic_id: int | None
    url: str
    status: int | None
    error: str
    fetched_at: str
    outcome: str = "error"  # "error", or "skipped" for robots.txt, scope and non-HTML refusals
