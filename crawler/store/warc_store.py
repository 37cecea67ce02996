"""Scores of WARC collections into the DB: one transaction per file, safe to repeat.

Rows are keyed by (warc_file, warc_offset, classifier_version), so storing a file's result
again (a retried Dask task, a re-run) replaces its rows instead of duplicating them, while a
newer classifier version's rows sit beside the older ones as history.
"""
from __future__ import annotations

import sqlite_utils

from crawler.store.writer import utc_now
from crawler.warc_score import WarcFileResult


def store_warc_result(db: sqlite_utils.Database, result: WarcFileResult) -> int:
    """(Re)write the scores and claims of every page of one file's result; returns pages written."""
    scored_at = utc_now()
    with db.atomic():
        for page in result.pages:
            score = page.result
            key = [page.warc_file, page.warc_offset, score.classifier_version]
            db.execute(
                "INSERT OR REPLACE INTO warc_pages (warc_file, warc_offset, classifier_version, url, captured_at,"
                " http_status, content_hash, title, language, score, flagged, n_claims, n_asserted, conditions,"
                " scored_at, voice, not_scored) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [*key, page.url, page.captured_at, page.http_status, page.content_hash, page.title,
                 page.language, score.score, int(score.flagged), len(score.claims),
                 sum(c.stance == "asserts" for c in score.claims), " ".join(score.conditions), scored_at,
                 score.voice, score.not_scored],
            )
            db.execute("DELETE FROM warc_claims WHERE warc_file = ? AND warc_offset = ? AND classifier_version = ?",
                       key)
            db.conn.executemany(
                "INSERT INTO warc_claims (warc_file, warc_offset, classifier_version, url, captured_at, sentence,"
                " category, condition, stance, score, cues, span_start, span_end) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(*key, page.url, page.captured_at, c.sentence, c.category, c.condition, c.stance, c.score,
                  " ".join(c.cues), c.start, c.end) for c in score.claims],
            )
    return len(result.pages)
