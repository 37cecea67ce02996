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
    etag: str = ""  # validators for the next crawl's conditional request
    last_modified: str = ""
    links: list[str] | None = None  # in-scope links found on the page
    warc_file: str = ""  # where the archived response is (evidence)
    warc_offset: int | None = None


@dataclass
class PageNotModified:
    """A conditional request answered 304: the stored version is still current."""

    clinic_id: int
    url: str
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
