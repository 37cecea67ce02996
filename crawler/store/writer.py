"""Every write a crawl or an import makes, each one a single transaction.

A page version is stored only when the extracted content changes (content hash); an unchanged
page costs a `last_seen` update. Claims are stored with their evidence (sentence, URL, capture
time, classifier version) so every reported claim can be traced back.
"""
from __future__ import annotations

import errno
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import sqlite_utils

from crawler.classify.model import PageScore
from crawler.extract import ExtractedPage
from crawler.seeds import Seed, SeedError, clinic_key
from crawler.store.schema import CLINIC_NAME_SEPARATOR
from crawler.text_safety import redact_urls_in, strip_userinfo


def utc_now() -> str:
    """Timestamps are ISO-8601 UTC to the second, comparable as strings."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Errors that mean "this disk takes no more writes": the crawl must stop, not go on losing pages.
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_CANNOT_WRITE_ERRNOS = (*_DISK_FULL_ERRNOS, errno.EIO, errno.EROFS)


def write_failure(exc: BaseException) -> str:
    """The finish reason for a write error that should stop a crawl ("disk full: ..."), or "" for others.

    SQLite says "database or disk is full" (SQLITE_FULL) or "disk I/O error"; a WARC or scratch
    file write raises OSError(ENOSPC). Either way every later page would fail too.
    """
    text = " ".join(str(exc).split())[:200]
    if isinstance(exc, sqlite3.OperationalError):
        lowered = text.lower()
        if "full" in lowered:
            return f"disk full: {text}"
        if "disk i/o error" in lowered or "readonly" in lowered or "read-only" in lowered:
            return f"write failed: {text}"
        return ""
    if isinstance(exc, OSError) and exc.errno in _CANNOT_WRITE_ERRNOS:
        what = f"{exc.strerror} ({exc.filename})" if exc.filename else (exc.strerror or text)
        return f"{'disk full' if exc.errno in _DISK_FULL_ERRNOS else 'write failed'}: {what}"
    return ""


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


def import_seeds(db: sqlite_utils.Database, seeds: Iterable[Seed]) -> ImportResult:
    """Insert or update clinics by name in one transaction; identical rows are left untouched.

    A clinic is found by `clinic_key` ("clinic a" is "Clinic A"): its name takes the new spelling.
    SeedError when a name matches several clinics of an older DB (they differ only in case).
    """
    added = updated = unchanged = 0
    now = utc_now()
    with db.atomic():
        existing = _clinics_by_key(db.execute("SELECT id, name FROM clinics").fetchall(), lambda r: r[1])
        for seed in seeds:
            values = {
                "country": seed.country,
                "seed_urls": " ".join(seed.urls),
                "domains": " ".join(seed.domains),
                "tags": " ".join(seed.tags),
            }
            matches = _one_clinic(existing.get(clinic_key(seed.name), []), seed.name, lambda r: r[1])
            if len(matches) > 1:
                raise SeedError(f"clinic {seed.name!r} matches {_listed(m[1] for m in matches)} in the database"
                                " (names that differ only in case or spacing): use one of those exact names")
            row = db.execute(
                "SELECT id, country, seed_urls, domains, tags, active, name FROM clinics WHERE id = ?",
                [matches[0][0]],
            ).fetchone() if matches else None
            if row is None:
                db.execute(
                    "INSERT INTO clinics (name, country, seed_urls, domains, tags, active, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                    [seed.name, values["country"], values["seed_urls"], values["domains"], values["tags"], now, now],
                )
                added += 1
            elif tuple(row[1:5]) == tuple(values.values()) and row[5] == 1 and row[6] == seed.name:
                unchanged += 1
            else:
                db.execute(
                    "UPDATE clinics SET name=?, country=?, seed_urls=?, domains=?, tags=?, active=1, updated_at=?"
                    " WHERE id=?",
                    [seed.name, *values.values(), now, row[0]],
                )
                updated += 1
    return ImportResult(added, updated, unchanged)


def clinics_to_crawl(db: sqlite_utils.Database, names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Active clinics, or exactly the named ones; raise LookupError naming unknown clinics."""
    names = list(names)
    rows = [dict(r) for r in db.query("SELECT * FROM clinics ORDER BY name")]
    if not names:
        return [r for r in rows if r["active"]]
    by_key = _clinics_by_key(rows, lambda r: r["name"])
    unknown = [n for n in names if clinic_key(n) not in by_key]
    if unknown:
        raise LookupError(f"unknown clinic {', '.join(map(repr, unknown))} (see `clinicwatch seeds list`)")
    chosen = []
    for name in names:
        matches = _one_clinic(by_key[clinic_key(name)], name, lambda r: r["name"])
        if len(matches) > 1:  # an older DB: imported before names were compared this way
            raise LookupError(f"clinic {name!r} matches {_listed(r['name'] for r in matches)}"
                              " (names that differ only in case or spacing): give one of those exact names")
        chosen.append(matches[0])
    return chosen


def _clinics_by_key(rows: Iterable[Any], name_of: Callable[[Any], str]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(clinic_key(name_of(row)), []).append(row)
    return grouped


def _one_clinic(matches: list[Any], name: str, name_of: Callable[[Any], str]) -> list[Any]:
    """Clinics `name` refers to: all same-key matches, unless one is spelled exactly so (older DBs)."""
    exact = [m for m in matches if name_of(m) == name.strip()]
    return exact if len(matches) > 1 and exact else matches


def _listed(names: Iterable[str]) -> str:
    return ", ".join(map(repr, sorted(names)))


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
    """Log one fetch outcome (stored | unchanged | error | skipped) for crawl-health reporting.

    Never a credential: the URL loses any `user:pass@` (the crawler never requests one, this is
    the last line), the error text has URL secrets redacted (crawler/text_safety.py).
    """
    db.execute(
        "INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, fetched_at) VALUES (?,?,?,?,?,?,?)",
        [run_id, clinic_id, strip_userinfo(url), status, outcome, redact_urls_in(error)[:500],
         fetched_at or utc_now()],
    )


def store_score(db: sqlite_utils.Database, version_id: int, clinic_id: int, url: str, captured_at: str,
                result: PageScore) -> None:
    """(Re)write one version's score and claims for the result's classifier version."""
    version = result.classifier_version
    db.execute("DELETE FROM claims WHERE version_id = ? AND classifier_version = ?", [version_id, version])
    db.execute(
        "INSERT OR REPLACE INTO page_scores (version_id, clinic_id, score, flagged, language, n_claims,"
        " n_asserted, conditions, mitigations, classifier_version, scored_at, voice, not_scored)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [version_id, clinic_id, result.score, int(result.flagged), result.language, len(result.claims),
         sum(c.stance == "asserts" for c in result.claims), " ".join(result.conditions),
         "\n".join(result.mitigations), version, utc_now(), result.voice, result.not_scored],
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
