"""Every write a crawl or an import makes, each one a single transaction.

A page version is stored only when the extracted content changes (content hash); an unchanged
page costs a `last_seen` update. Claims are stored with their evidence (sentence, URL, capture
time, classifier version) so every reported claim can be traced back.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

import sqlite_utils

from crawler.classify.model import PageScore
from crawler.extract import ExtractedPage
from crawler.seeds import Seed
from crawler.store.schema import CLINIC_NAME_SEPARATOR


def utc_now() -> str:
    """Timestamps are ISO-8601 UTC to the second, comparable as strings."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def import_seeds(db: sqlite_utils.Database, seeds: Iterable[Seed]) -> ImportResult:
    """Insert or update clinics by name in one transaction; identical rows are left untouched."""
    added = updated = unchanged = 0
    now = utc_now()
    with db.atomic():
        for seed in seeds:
            values = {
                "country": seed.country,
                "seed_urls": " ".join(seed.urls),
                "domains": " ".join(seed.domains),
                "tags": " ".join(seed.tags),
            }
            row = db.execute(
                "SELECT id, country, seed_urls, domains, tags, active FROM clinics WHERE name = ?",
                [seed.name],
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO clinics (name, country, seed_urls, domains, tags, active, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                    [seed.name, values["country"], values["seed_urls"], values["domains"], values["tags"], now, now],
                )
                added += 1
            elif tuple(row[1:5]) == tuple(values.values()) and row[5] == 1:
                unchanged += 1
            else:
                db.execute(
                    "UPDATE clinics SET country=?, seed_urls=?, domains=?, tags=?, active=1, updated_at=? WHERE id=?",
                    [*values.values(), now, row[0]],
                )
                updated += 1
    return ImportResult(added, updated, unchanged)


def clinics_to_crawl(db: sqlite_utils.Database, names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Active clinics, or exactly the named ones; raise LookupError naming unknown clinics."""
    names = list(names)
    rows = [dict(r) for r in db.query("SELECT * FROM clinics ORDER BY name")]
    if not names:
        return [r for r in rows if r["active"]]
    by_name = {r["name"].casefold(): r for r in rows}
    unknown = [n for n in names if n.casefold() not in by_name]
    if unknown:
        raise LookupError(f"unknown clinic {', '.join(map(repr, unknown))} (see `clinicwatch seeds list`)")
    return [by_name[n.casefold()] for n in names]


def start_run(db: sqlite_utils.Database, clinic_names: Iterable[str] = ()) -> int:
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO runs (started_at, status, clinic_filter) VALUES (?, 'running', ?)",
            [utc_now(), CLINIC_NAME_SEPARATOR.join(clinic_names)],
        )
    return int(cursor.lastrowid)


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, finish_reason: str = "",
               stats: dict[str, Any] | None = None) -> None:
    """Close a run with counts taken from what was actually stored (not from crawler memory)."""
    counts = db.execute(
        "SELECT COUNT(*), SUM(outcome IN ('stored','unchanged')), SUM(outcome = 'stored'), SUM(outcome = 'error')"
        " FROM fetch_log WHERE run_id = ?",
        [run_id],
    ).fetchone()
    with db.atomic():
        db.execute(
            "UPDATE runs SET finished_at=?, status=?, finish_reason=?, pages_fetched=?, pages_stored=?,"
            " new_versions=?, errors=?, stats=? WHERE id=?",
            [utc_now(), status, finish_reason, counts[0] or 0, counts[1] or 0, counts[2] or 0,
             counts[3] or 0, json.dumps(stats or {}, sort_keys=True, default=str), run_id],
        )


def record_fetch(db: sqlite_utils.Database, run_id: int, clinic_id: int | None, url: str, status: int | None,
                 outcome: str, error: str = "", fetched_at: str | None = None) -> None:
    """Log one fetch outcome (stored | unchanged | error | skipped) for crawl-health reporting."""
    db.execute(
        "INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, fetched_at) VALUES (?,?,?,?,?,?,?)",
        [run_id, clinic_id, url, status, outcome, error[:500], fetched_at or utc_now()],
    )


def store_score(db: sqlite_utils.Database, version_id: int, clinic_id: int, url: str, captured_at: str,
                result: PageScore) -> None:
    """(Re)write one version's score and claims for the result's classifier version."""
    version = result.classifier_version
    db.execute("DELETE FROM claims WHERE version_id = ? AND classifier_version = ?", [version_id, version])
    db.execute(
        "INSERT OR REPLACE INTO page_scores (version_id, clinic_id, score, flagged, language, n_claims,"
        " n_asserted, conditions, mitigations, classifier_version, scored_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [version_id, clinic_id, result.score, int(result.flagged), result.language, len(result.claims),
         sum(c.stance == "asserts" for c in result.claims), " ".join(result.conditions),
         "\n".join(result.mitigations), version, utc_now()],
    )
    db.conn.executemany(
        "INSERT INTO claims (version_id, clinic_id, url, captured_at, sentence, category, condition, stance,"
        " score, cues, span_start, span_end, classifier_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (version_id, clinic_id, url, captured_at, c.sentence, c.category, c.condition, c.stance,
             c.score, " ".join(c.cues), c.start, c.end, version)
            for c in result.claims
        ],
    )


@dataclass(frozen=True)
class KnownPage:
    """What a re-crawl needs about a stored page: validators for a conditional request, its links."""

    etag: str
    last_modified: str
    links: tuple[str, ...]


def known_pages(db: sqlite_utils.Database, clinic_ids: list[int]) -> dict[str, KnownPage]:
    """Stored pages (with a current version) of these clinics, by URL."""
    if not clinic_ids:
        return {}
    marks = ",".join("?" * len(clinic_ids))
    return {
        row[0]: KnownPage(row[1] or "", row[2] or "", tuple(json.loads(row[3]) if row[3] else ()))
        for row in db.execute(
            f"SELECT url, etag, last_modified, links FROM pages WHERE clinic_id IN ({marks})"
            " AND current_version_id IS NOT NULL", clinic_ids)
    }


def touch_page(db: sqlite_utils.Database, *, run_id: int, clinic_id: int, url: str, http_status: int,
               fetched_at: str) -> None:
    """A 304 answer: the current version is still current; only timestamps move."""
    with db.atomic():
        db.execute("UPDATE pages SET last_seen=?, last_status=?, last_run_id=? WHERE url=?",
                   [fetched_at, http_status, run_id, url])
        db.execute("UPDATE page_versions SET last_seen=? WHERE id=(SELECT current_version_id FROM pages WHERE url=?)",
                   [fetched_at, url])
        record_fetch(db, run_id, clinic_id, url, http_status, "unchanged", fetched_at=fetched_at)


def store_page(db: sqlite_utils.Database, *, run_id: int, clinic_id: int, url: str, http_status: int,
               fetched_at: str, body_bytes: int, page: ExtractedPage, result: PageScore | None,
               etag: str = "", last_modified: str = "", links: list[str] | None = None,
               warc_file: str = "", warc_offset: int | None = None) -> str:
    """Store one fetched page atomically; returns "stored" (new version) or "unchanged".

    `result` may be None only when the content is unchanged (the caller skips classifying
    content it has already scored).
    """
    content_hash = page.content_hash
    with db.atomic():
        row = db.execute("SELECT id FROM pages WHERE url = ?", [url]).fetchone()
        if row is None:
            page_id = int(db.execute(
                "INSERT INTO pages (clinic_id, url, first_seen, last_seen, last_status, last_run_id)"
                " VALUES (?,?,?,?,?,?)",
                [clinic_id, url, fetched_at, fetched_at, http_status, run_id],
            ).lastrowid)
        else:
            page_id = row[0]
            db.execute("UPDATE pages SET last_seen=?, last_status=?, last_run_id=? WHERE id=?",
                       [fetched_at, http_status, run_id, page_id])
        db.execute("UPDATE pages SET etag=?, last_modified=?, links=? WHERE id=?",
                   [etag, last_modified, json.dumps(links or []), page_id])
        existing = db.execute("SELECT id FROM page_versions WHERE page_id = ? AND content_hash = ?",
                              [page_id, content_hash]).fetchone()
        if existing is not None:
            version_id, outcome = existing[0], "unchanged"
            db.execute("UPDATE page_versions SET last_seen=? WHERE id=?", [fetched_at, version_id])
        else:
            if result is None:
                raise ValueError(f"new content for {url} needs a classifier result")
            version_id = int(db.execute(
                "INSERT INTO page_versions (page_id, clinic_id, run_id, url, fetched_at, last_seen, http_status,"
                " content_hash, title, language, published, description, text, structured, extractor, body_bytes,"
                " warc_file, warc_offset) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [page_id, clinic_id, run_id, url, fetched_at, fetched_at, http_status, content_hash, page.title,
                 result.language or page.language, page.published, page.description, page.text,
                 page.structured, page.extractor, body_bytes, warc_file or None, warc_offset],
            ).lastrowid)
            store_score(db, version_id, clinic_id, url, fetched_at, result)
            outcome = "stored"
        db.execute("UPDATE pages SET current_version_id=? WHERE id=?", [version_id, page_id])
        record_fetch(db, run_id, clinic_id, url, http_status, outcome, fetched_at=fetched_at)
    return outcome


def known_hashes(db: sqlite_utils.Database, url: str) -> frozenset[str]:
    """Content hashes already stored for this URL (content with one of them needs no classifying)."""
    return frozenset(r[0] for r in db.execute(
        "SELECT v.content_hash FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.url = ?", [url]))
