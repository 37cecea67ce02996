"""Read-only reporting on a ClinicWatch DB: report files (HTML, Markdown, CSV, JSON) and datasette.

Everything here only reads the DB; it imports `crawler.store.schema` for its constants and
nothing else from the crawler, so reports can run while a crawl writes (WAL).
"""
from __future__ import annotations

from reports.data import Report, ReportError, build_report, iter_claims
from reports.datasette_meta import metadata, write_metadata
from reports.render import write_report
from reports.serve import datasette_command, serve

__all__ = [
    "Report",
    "ReportError",
    "build_report",
    "datasette_command",
    "iter_claims",
    "metadata",
    "serve",
    "write_metadata",
    "write_report",
]
