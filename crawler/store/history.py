"""Reading and trimming history: the version of a page at a date, and version retention.

Retention keeps the newest N versions of every page, the current one, and every version that
carried a claim (of any stance): evidence behind a reported claim is never deleted.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils


def version_at(db: sqlite_utils.Database, url: str, at: str | None = None) -> dict[str, Any] | None:
    """The stored version of `url` that was current at `at` (ISO date or time, UTC), or the newest."""
    if at is None:
        rows = db.query("SELECT * FROM page_versions WHERE url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1", [url])
    else:
        bound = at if "T" in at else at + "T23:59:59Z"  # a bare date means "by the end of that day"
        rows = db.query("SELECT * FROM page_versions WHERE url = ? AND fetched_at <= ?"
                        " ORDER BY fetched_at DESC, id DESC LIMIT 1", [url, bound])
    return next(iter(rows), None)


def prunable_versions(db: sqlite_utils.Database, keep: int) -> list[int]:
    """Versions beyond the newest `keep` of their page that are not current and carry no claim."""
    return [row[0] for row in db.execute(
        """SELECT v.id FROM (
             SELECT id, page_id, ROW_NUMBER() OVER (PARTITION BY page_id ORDER BY fetched_at DESC, id DESC) AS rn
             FROM page_versions) v
           JOIN pages p ON p.id = v.page_id
           WHERE v.rn > ? AND v.id != COALESCE(p.current_version_id, -1)
             AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.version_id = v.id)""", [keep])]


def prune_versions(db: sqlite_utils.Database, keep: int) -> int:
    """Delete prunable versions and their scores in one transaction; returns how many went."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    ids = prunable_versions(db, keep)
    with db.atomic():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM page_scores WHERE version_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM page_versions WHERE id IN ({marks})", chunk)
    return len(ids)


def archive_dir_for(db_path: str | Path, configured: str = "") -> Path:
    """Where the WARC evidence archive of a DB lives: CLINICWATCH_ARCHIVE_DIR or "archive/" beside it."""
    return Path(configured) if configured else Path(db_path).resolve().parent / "archive"
