"""Rescore stored page versions with the current classifier (classifier versions change).

Idempotent: a version already scored by this classifier version is skipped (unless forced), and
rescoring writes scores and claims under the new version, leaving older versions' rows as history.
The pieces (pending batches, scoring a batch, storing it) are shared with rescoring on a process
pool or a Dask cluster (scheduler/bulk_scoring.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import sqlite_utils

from crawler.classify import CLASSIFIER_VERSION, score
from crawler.classify.model import PageScore
from crawler.store.writer import store_score

BATCH = 200  # versions per transaction (and per task): readers (datasette) never wait long


@dataclass(frozen=True)
class VersionText:
    """A stored version as the classifier needs it (picklable: batches travel to workers)."""

    version_id: int
    clinic_id: int
    url: str
    fetched_at: str
    title: str
    text: str


def already_scored(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM page_versions v WHERE EXISTS (SELECT 1 FROM page_scores s"
                      " WHERE s.version_id = v.id AND s.classifier_version = ?)", [CLASSIFIER_VERSION]).fetchone()[0]


def pending_batches(db: sqlite_utils.Database, *, force: bool = False,
                    size: int = BATCH) -> Iterator[list[VersionText]]:
    """Versions not yet scored by CLASSIFIER_VERSION (all with `force`), read batch by batch.

    Each batch is read whole (no statement left open while the caller writes): a write inside a
    read that a crawl's commit made stale fails at once in WAL mode, whatever the busy timeout.
    """
    done = set() if force else {r[0] for r in db.execute(
        "SELECT version_id FROM page_scores WHERE classifier_version = ?", [CLASSIFIER_VERSION])}
    batch: list[VersionText] = []
    last_id = -1
    while rows := db.execute("SELECT id, clinic_id, url, fetched_at, title, text FROM page_versions"
                             " WHERE id > ? ORDER BY id LIMIT ?", [last_id, size]).fetchall():
        last_id = rows[-1][0]
        for row in rows:
            if row[0] in done:
                continue
            batch.append(VersionText(row[0], row[1], row[2], row[3], row[4] or "", row[5] or ""))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def score_batch(batch: list[VersionText]) -> tuple[str, list[tuple[int, PageScore]]]:
    """(classifier version, scores) of a batch; runs here or on a worker."""
    return CLASSIFIER_VERSION, [(v.version_id, score(v.text, title=v.title)) for v in batch]


def store_batch(db: sqlite_utils.Database, batch: list[VersionText], results: list[tuple[int, PageScore]]) -> None:
    by_id = {v.version_id: v for v in batch}
    with db.atomic():
        for version_id, result in results:
            v = by_id[version_id]
            store_score(db, version_id, v.clinic_id, v.url, v.fetched_at, result)


def rescore(db: sqlite_utils.Database, *, force: bool = False,
            on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Score every page version not yet scored by CLASSIFIER_VERSION; returns (scored, skipped)."""
    total = db.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0]
    skipped = 0 if force else already_scored(db)
    scored = 0
    for batch in pending_batches(db, force=force):
        store_batch(db, batch, score_batch(batch)[1])
        scored += len(batch)
        if on_progress is not None:
            on_progress(skipped + scored, total)
    return scored, skipped
