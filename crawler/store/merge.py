"""One writer for many crawls: a clinic crawl runs against a scratch DB, the coordinator merges it in.

Why: parallel crawls (local processes or Dask workers on other machines) must not each write the
real DB. A crawl task gets a *slice* of what the DB knows about its clinics (pages with their
validators and links, the content hashes of their versions: enough for conditional requests and
"already classified" checks), crawls into a scratch DB built from it, and ships that DB back.
`merge_scratch` then writes the crawl into the real DB on natural keys (page URL; page + content
hash for versions; version + classifier version for scores; run + clinic for the fetch log and
the task's outcome), in one transaction, so merging the same task result twice, or a result of a
task that Dask re-ran after a worker died, changes nothing the second time.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.store.schema import open_db
from crawler.store.writer import utc_now

PAGE_SLICE_COLUMNS = ("id", "clinic_id", "url", "first_seen", "last_seen", "last_status", "etag", "last_modified",
                      "links", "current_version_id")
VERSION_SLICE_COLUMNS = ("id", "page_id", "clinic_id", "url", "content_hash", "fetched_at", "last_seen")
VERSION_COPY_COLUMNS = ("clinic_id", "url", "fetched_at", "last_seen", "http_status", "content_hash", "title",
                        "language", "published", "description", "text", "structured", "extractor", "body_bytes",
                        "warc_offset")
SCORE_COPY_COLUMNS = ("clinic_id", "score", "flagged", "language", "n_claims", "n_asserted", "conditions",
                      "mitigations", "classifier_version", "scored_at", "voice", "not_scored")
CLAIM_COPY_COLUMNS = ("clinic_id", "url", "captured_at", "sentence", "category", "condition", "stance", "score",
                      "cues", "span_start", "span_end", "classifier_version")


@dataclass(frozen=True)
class ClinicSlice:
    """What a crawl task needs to know about its clinics (picklable: it travels to Dask workers)."""

    clinics: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    versions: list[dict[str, Any]]


@dataclass(frozen=True)
class MergeCounts:
    pages_fetched: int  # fetch_log rows of the task
    pages_stored: int  # stored + unchanged
    new_versions: int  # versions the real DB did not have
    errors: int


def clinic_slice(db: sqlite_utils.Database, clinic_ids: list[int]) -> ClinicSlice:
    marks = ",".join("?" * len(clinic_ids))

    def rows(sql: str) -> list[dict[str, Any]]:
        cursor = db.execute(sql, clinic_ids)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    return ClinicSlice(
        clinics=rows(f"SELECT * FROM clinics WHERE id IN ({marks}) ORDER BY id"),
        pages=rows(f"SELECT {', '.join(PAGE_SLICE_COLUMNS)} FROM pages WHERE clinic_id IN ({marks})"),
        versions=rows(f"SELECT {', '.join(VERSION_SLICE_COLUMNS)} FROM page_versions WHERE clinic_id IN ({marks})"),
    )


def build_scratch_db(path: Path, piece: ClinicSlice) -> None:
    """A fresh DB holding the slice: the crawl sees its clinics' history, nothing else."""
    db = open_db(path)
    try:
        with db.atomic():
            for table, rows in (("clinics", piece.clinics), ("pages", piece.pages), ("page_versions", piece.versions)):
                if rows:
                    current = [dict(r, current_version_id=None) for r in rows] if table == "pages" else rows
                    db[table].insert_all(current)
            for page in piece.pages:  # after the versions exist (foreign key)
                if page.get("current_version_id") is not None:
                    db.execute("UPDATE pages SET current_version_id=? WHERE id=?",
                               [page["current_version_id"], page["id"]])
    finally:
        db.close()


def checkpoint(path: Path) -> bytes:
    """The scratch DB as one self-contained file's bytes (WAL folded in)."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Path(path).read_bytes()


def merge_scratch(db: sqlite_utils.Database, scratch: Path, *, run_id: int, clinic_ids: list[int],
                  warc_names: dict[str, str] | None = None) -> dict[int, MergeCounts]:
    """Write the scratch DB's crawl into the real DB as part of run `run_id`; idempotent.

    Returns what was merged per clinic.

    `warc_names` maps the scratch archive's file names to the names they got in the real
    archive (the caller copied the files there first, so a version never points at a missing file).
    """
    warc_names = warc_names or {}
    db.execute("ATTACH DATABASE ? AS t", [str(scratch)])
    try:
        with db.atomic():
            counts = _merge(db, run_id, clinic_ids, warc_names)
    except BaseException:
        try:  # the merge's own error (disk full) is the one to report, not a DETACH refused after it
            db.execute("DETACH DATABASE t")
        except sqlite3.Error:
            pass
        raise
    db.execute("DETACH DATABASE t")
    return counts


def _merge(db: sqlite_utils.Database, run_id: int, clinic_ids: list[int],
           warc_names: dict[str, str]) -> dict[int, MergeCounts]:
    scratch_runs = [r[0] for r in db.execute("SELECT id FROM t.runs ORDER BY id")]
    if not scratch_runs:
        raise ValueError("the crawl task's database has no run")
    task_run = scratch_runs[-1]
    marks = ",".join("?" * len(clinic_ids))
    db.execute(f"DELETE FROM fetch_log WHERE run_id=? AND clinic_id IN ({marks})", [run_id, *clinic_ids])
    db.execute("INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, fetched_at)"
               " SELECT ?, clinic_id, url, status, outcome, error, fetched_at FROM t.fetch_log WHERE run_id=?"
               " ORDER BY id", [run_id, task_run])
    new_versions: dict[int, int] = {}
    pages = db.execute("SELECT url, clinic_id, first_seen, last_seen, last_status, etag, last_modified, links,"
                       " current_version_id FROM t.pages WHERE last_run_id=? ORDER BY id", [task_run]).fetchall()
    for url, clinic_id, first_seen, last_seen, last_status, etag, last_modified, links, scratch_version in pages:
        row = db.execute("SELECT id FROM pages WHERE url=?", [url]).fetchone()
        if row is None:
            page_id = int(db.execute(
                "INSERT INTO pages (clinic_id, url, first_seen, last_seen, last_status, last_run_id, etag,"
                " last_modified, links) VALUES (?,?,?,?,?,?,?,?,?)",
                [clinic_id, url, first_seen, last_seen, last_status, run_id, etag, last_modified, links]).lastrowid)
        else:
            page_id = row[0]
            db.execute("UPDATE pages SET last_seen=max(coalesce(last_seen, ''), ?), last_status=?, last_run_id=?,"
                       " etag=?, last_modified=?, links=? WHERE id=?",
                       [last_seen, last_status, run_id, etag, last_modified, links, page_id])
        if scratch_version is None:
            continue
        version_id, created = _merge_version(db, scratch_version, page_id, run_id, warc_names)
        if version_id is None:
            continue
        new_versions[clinic_id] = new_versions.get(clinic_id, 0) + created
        db.execute("UPDATE pages SET current_version_id=? WHERE id=?", [version_id, page_id])
    counts = {clinic_id: MergeCounts(0, 0, new_versions.get(clinic_id, 0), 0) for clinic_id in clinic_ids}
    for clinic_id, fetched, stored, errors in db.execute(
            "SELECT clinic_id, COUNT(*), SUM(outcome IN ('stored','unchanged')), SUM(outcome='error')"
            " FROM t.fetch_log WHERE run_id=? GROUP BY clinic_id", [task_run]):
        if clinic_id in counts:
            counts[clinic_id] = MergeCounts(fetched, stored or 0, new_versions.get(clinic_id, 0), errors or 0)
    return counts


def _merge_version(db: sqlite_utils.Database, scratch_id: int, page_id: int, run_id: int,
                   warc_names: dict[str, str]) -> tuple[int | None, bool]:
    """The real version for a scratch version (by page + content hash); (id, created now)."""
    source = db.execute(f"SELECT {', '.join(VERSION_COPY_COLUMNS)}, warc_file FROM t.page_versions WHERE id=?",
                        [scratch_id]).fetchone()
    values = dict(zip((*VERSION_COPY_COLUMNS, "warc_file"), source))
    existing = db.execute("SELECT id FROM page_versions WHERE page_id=? AND content_hash=?",
                          [page_id, values["content_hash"]]).fetchone()
    if existing is not None:
        db.execute("UPDATE page_versions SET last_seen=max(coalesce(last_seen, ''), ?) WHERE id=?",
                   [values["last_seen"] or "", existing[0]])
        return existing[0], False
    if values["text"] is None:  # a slice version the real DB no longer has (pruned meanwhile): nothing to copy
        return None, False
    warc_file = values.pop("warc_file")
    columns = ["page_id", "run_id", *values, "warc_file"]
    version_id = int(db.execute(
        f"INSERT INTO page_versions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [page_id, run_id, *values.values(), warc_names.get(warc_file, warc_file) if warc_file else None]).lastrowid)
    for score in db.execute(f"SELECT {', '.join(SCORE_COPY_COLUMNS)} FROM t.page_scores WHERE version_id=?",
                            [scratch_id]).fetchall():
        db.execute(f"INSERT OR REPLACE INTO page_scores (version_id, {', '.join(SCORE_COPY_COLUMNS)})"
                   f" VALUES (?, {', '.join('?' * len(SCORE_COPY_COLUMNS))})", [version_id, *score])
    db.execute(f"INSERT INTO claims (version_id, {', '.join(CLAIM_COPY_COLUMNS)})"
               f" SELECT ?, {', '.join(CLAIM_COPY_COLUMNS)} FROM t.claims WHERE version_id=? ORDER BY id",
               [version_id, scratch_id])
    return version_id, True


def record_task(db: sqlite_utils.Database, *, run_id: int, clinic_ids: list[int], status: str, error: str = "",
                worker: str = "", counts: dict[int, MergeCounts] | None = None, started_at: str = "",
                finished_at: str = "") -> None:
    """The outcome of one crawl task, per clinic (a re-run task replaces its rows)."""
    with db.atomic():
        for clinic_id in clinic_ids:
            done = (counts or {}).get(clinic_id, MergeCounts(0, 0, 0, 0))
            db.execute(
                "INSERT OR REPLACE INTO run_clinics (run_id, clinic_id, status, error, worker, pages_fetched,"
                " pages_stored, new_versions, errors, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [run_id, clinic_id, status, error[:500], worker, done.pages_fetched, done.pages_stored,
                 done.new_versions, done.errors, started_at, finished_at or utc_now()])


def merged_stats(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """Scrapy stats of several crawl processes as one run's: counts add up, peaks take the maximum."""
    total: dict[str, Any] = {}
    for one in stats:
        for key, value in one.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                total.setdefault(key, value)
            elif "peak" in key or "max" in key or key.startswith("memusage/"):
                total[key] = max(total.get(key, value), value)
            else:
                total[key] = total.get(key, 0) + value
    return total


def scratch_run(scratch: Path) -> tuple[str, dict[str, Any]]:
    """The task crawl's finish reason (why it stopped: "time_limit", "disk full: ...") and its Scrapy stats."""
    conn = sqlite3.connect(f"file:{scratch}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT finish_reason, stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    if row is None:
        return "", {}
    return row[0] or "", json.loads(row[1]) if row[1] else {}
