"""Rescore stored page versions with the current classifier (classifier versions change).

Idempotent: a version already scored by this classifier version is skipped (unless forced), and
rescoring writes scores and claims under the new version, leaving older versions' rows as history.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils

from crawler.classify import CLASSIFIER_VERSION, score
from crawler.store.writer import store_score

BATCH = 200  # versions per transaction: readers (datasette) never wait long


def rescore(db: sqlite_utils.Database, *, force: bool = False,
            on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Score every page version not yet scored by CLASSIFIER_VERSION; returns (scored, skipped)."""
    total = db.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0]
    done = {r[0] for r in db.execute("SELECT version_id FROM page_scores WHERE classifier_version = ?",
                                     [CLASSIFIER_VERSION])} if not force else set()
    scored = skipped = seen = 0
    batch: list[tuple] = []

    def flush() -> None:
        with db.atomic():
            for version_id, clinic_id, url, fetched_at, result in batch:
                store_score(db, version_id, clinic_id, url, fetched_at, result)
        batch.clear()

    for row in db.query("SELECT id, clinic_id, url, fetched_at, title, text FROM page_versions ORDER BY id"):
        seen += 1
        if row["id"] in done:
            skipped += 1
        else:
            batch.append((row["id"], row["clinic_id"], row["url"], row["fetched_at"],
                          score(row["text"] or "", title=row["title"] or "")))
            scored += 1
            if len(batch) >= BATCH:
                flush()
        if on_progress is not None:
            on_progress(seen, total)
    if batch:
        flush()
    return scored, skipped
