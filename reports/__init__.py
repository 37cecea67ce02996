"""Read-only reporting on a ClinicWatch DB: report files (HTML, Markdown, CSV, JSON), one dossier
per clinic, and datasette.

Everything here only reads the DB; it imports `crawler.store.schema` for its constants and
nothing else from the crawler, so reports can run while a crawl writes (WAL).
"""
from __future__ import annotations

from reports.data import build_report, iter_claims, iter_dossiers, open_source
from reports.db_read import ReportError, period_start
from reports.datasette_meta import metadata, write_metadata
from reports.model import Report, clinic_slug
from reports.render import write_report
from reports.serve import datasette_command, serve

__all__ = [
    "Report",
    "ReportError",
    "build_report",
    "clinic_slug",
    "datasette_command",
    "iter_claims",
    "iter_dossiers",
    "metadata",
    "open_source",
    "period_start",
    "serve",
    "write_metadata",
    "write_report",
]
