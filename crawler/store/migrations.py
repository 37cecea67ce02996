"""The numbered schema migrations: migration N brings a DB from `user_version` N-1 to N.

Kept apart from opening (crawler/store/schema.py) so each stays small; a migration only ever
adds, never rewrites what an older ClinicWatch wrote.
"""
from __future__ import annotations

from typing import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    db["clinics"].create(
        {
            "id": int,
            "name": str,
            "country": str,
            "seed_urls": str,  # space-separated start URLs
            "domains": str,  # space-separated registrable domains (subdomains count)
            "tags": str,  # space-separated
            "active": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"name"},
        defaults={"active": 1, "country": "", "tags": ""},
    )
    db["clinics"].create_index(["name"], unique=True)

    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | finished | failed | interrupted
            "clinic_filter": str,  # clinic names joined by ";", "" = all active
            "pages_fetched": int,
            "pages_stored": int,
            "new_versions": int,
            "errors": int,
            "finish_reason": str,
            "stats": str,  # JSON: Scrapy stats subset and per-clinic counts
        },
        pk="id",
        defaults={"status": "running", "pages_fetched": 0, "pages_stored": 0,
                  "new_versions": 0, "errors": 0},
    )

    db["pages"].create(
        {
            "id": int,
            "clinic_id": int,
            "url": str,
            "first_seen": str,
            "last_seen": str,
            "last_status": int,
            "last_run_id": int,
            "current_version_id": int,
        },
        pk="id",
        foreign_keys=[("clinic_id", "clinics", "id")],
        not_null={"url", "clinic_id"},
    )
    db["pages"].create_index(["url"], unique=True)
    db["pages"].create_index(["clinic_id"])
    db["pages"].create_index(["last_run_id"])

    db["page_versions"].create(
        {
            "id": int,
            "page_id": int,
            "clinic_id": int,
            "run_id": int,
            "url": str,
            "fetched_at": str,  # capture time of this content
            "last_seen": str,  # last time a fetch returned exactly this content
            "http_status": int,
            "content_hash": str,  # sha256 of the extracted main text + title
            "title": str,
            "language": str,
            "published": str,  # publication/update date found on the page (htmldate)
            "description": str,
            "text": str,  # extracted main text
            "structured": str,  # JSON-LD / microdata / OpenGraph (JSON)
            "extractor": str,  # trafilatura | fallback
            "body_bytes": int,
        },
        pk="id",
        foreign_keys=[("page_id", "pages", "id"), ("clinic_id", "clinics", "id"),
                      ("run_id", "runs", "id")],
    )
    db["page_versions"].create_index(["page_id", "content_hash"], unique=True)
    db["page_versions"].create_index(["clinic_id"])
    db["page_versions"].create_index(["run_id"])

    db["page_scores"].create(
        {
            "version_id": int,
            "clinic_id": int,
            "score": float,
            "flagged": int,
            "language": str,
            "n_claims": int,
            "n_asserted": int,
            "conditions": str,  # space-separated asserted conditions
            "mitigations": str,  # mitigating sentences (disclaimers, risks, "experimental"), one per line
            "classifier_version": str,
            "scored_at": str,
        },
        pk=("version_id", "classifier_version"),
        foreign_keys=[("version_id", "page_versions", "id"), ("clinic_id", "clinics", "id")],
    )
    db["page_scores"].create_index(["clinic_id"])

    db["claims"].create(
        {
            "id": int,
            "version_id": int,
            "clinic_id": int,
            "url": str,  # evidence: where
            "captured_at": str,  # evidence: when
            "sentence": str,  # evidence: what, verbatim from the extracted text
            "category": str,
            "condition": str,
            "stance": str,  # asserts | negates | reports
            "score": float,
            "cues": str,  # why it was flagged (rules that fired)
            "span_start": int,
            "span_end": int,
            "classifier_version": str,
        },
        pk="id",
        foreign_keys=[("version_id", "page_versions", "id"), ("clinic_id", "clinics", "id")],
    )
    db["claims"].create_index(["version_id", "classifier_version"])
    db["claims"].create_index(["clinic_id"])
    db["claims"].create_index(["condition"])
    db["claims"].create_index(["category"])

    db["fetch_log"].create(
        {
            "id": int,
            "run_id": int,
            "clinic_id": int,
            "url": str,
            "status": int,
            "outcome": str,  # stored | unchanged | error | skipped
            "error": str,
            "fetched_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("clinic_id", "clinics", "id")],
    )
    db["fetch_log"].create_index(["run_id", "outcome"])

    db["page_versions"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")
    db["claims"].enable_fts(["sentence"], create_triggers=True, tokenize="unicode61")


def _v2(db: sqlite_utils.Database) -> None:
    """History: conditional re-crawl state, the evidence archive, claim and clinic events."""
    db["pages"].add_column("etag", str)  # validators for conditional requests (If-None-Match ...)
    db["pages"].add_column("last_modified", str)  # ... and If-Modified-Since
    db["pages"].add_column("links", str)  # JSON list of in-scope links, followed again on a 304
    db["page_versions"].add_column("warc_file", str)  # archived response of this content:
    db["page_versions"].add_column("warc_offset", int)  # file (relative to the archive dir) + offset
    db["clinic_claims"].create(
        {
            "clinic_id": int,
            "claim_key": str,  # stable identity: normalised sentence + category + condition
            "sentence": str,
            "category": str,
            "condition": str,
            "url": str,
            "first_run_id": int,
            "last_run_id": int,
        },
        pk=("clinic_id", "claim_key"),
        foreign_keys=[("clinic_id", "clinics", "id")],
    )
    db["claim_events"].create(
        {
            "id": int,
            "run_id": int,
            "clinic_id": int,
            "event": str,  # added | removed
            "claim_key": str,
            "sentence": str,
            "category": str,
            "condition": str,
            "url": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("clinic_id", "clinics", "id")],
    )
    db["claim_events"].create_index(["clinic_id", "run_id"])
    db["claim_events"].create_index(["run_id"])
    db["clinic_events"].create(
        {
            "id": int,
            "run_id": int,
            "clinic_id": int,
            "event": str,  # newly_flagged | stopped_claiming | unreachable | gone | moved
            "detail": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("clinic_id", "clinics", "id")],
    )
    db["clinic_events"].create_index(["clinic_id", "run_id"])
    db["clinic_events"].create_index(["run_id"])
    db["fetch_log"].create_index(["clinic_id", "run_id"])


def _v3(db: sqlite_utils.Database) -> None:
    """Indexes for the datasette canned queries on large DBs (100,000 pages: each under 200 ms).

    Measured with benchmarks/report_100k.py. Three v1 indexes become prefixes of wider ones
    and are dropped, so page and claim writes maintain no more indexes than needed.
    """
    for sql in (
        # newest score of a version: an index-only probe instead of a window over every score
        "CREATE INDEX idx_page_scores_newest ON page_scores (version_id, scored_at DESC, classifier_version DESC)",
        # flagged pages, highest score first, read in index order
        "CREATE INDEX idx_page_scores_flagged_score ON page_scores (flagged, score)",
        # a clinic's current pages without touching the table (replaces idx_pages_clinic_id)
        "CREATE INDEX idx_pages_clinic_id_current_version_id ON pages (clinic_id, current_version_id)",
        # a score's asserted claims and their conditions, index-only (replaces the v1 pair index)
        "CREATE INDEX idx_claims_version_id_classifier_version_stance_condition"
        " ON claims (version_id, classifier_version, stance, condition)",
        # a clinic's strongest claim first (replaces idx_claims_clinic_id)
        "CREATE INDEX idx_claims_clinic_id_stance_score ON claims (clinic_id, stance, score)",
        # clinic_dossier looks clinics up by name, case-insensitively
        "CREATE INDEX idx_clinics_name_nocase ON clinics (name COLLATE NOCASE)",
        # "what changed since": one kind of event, newest runs first
        "CREATE INDEX idx_claim_events_event_run_id ON claim_events (event, run_id)",
        "CREATE INDEX idx_clinic_events_event_run_id ON clinic_events (event, run_id)",
        "DROP INDEX IF EXISTS idx_pages_clinic_id",
        "DROP INDEX IF EXISTS idx_claims_version_id_classifier_version",
        "DROP INDEX IF EXISTS idx_claims_clinic_id",
    ):
        db.execute(sql)


def _v4(db: sqlite_utils.Database) -> None:
    """Unattended monitoring: who runs a crawl, crawl health checks, alerts already sent."""
    db["runs"].add_column("pid", int)  # crawl process, so a restarted scheduler can tell dead runs
    db["runs"].add_column("trigger", str)  # manual | schedule:<job id> | demo
    db["crawl_health"].create(
        {
            "id": int,
            "run_id": int,
            "clinic_id": int,  # NULL for run-level checks
            "check_name": str,  # min_pages | error_rate | finish_reason | days_since_success
            "status": str,  # ok | warn | fail
            "value": str,
            "threshold": str,
            "detail": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("clinic_id", "clinics", "id")],
    )
    db["crawl_health"].create_index(["run_id"])
    db["alerts_sent"].create(
        {
            "id": int,
            "run_id": int,
            "channel": str,  # webhook | email | apprise
            "alert_key": str,  # what was alerted (claim key or clinic event), so nothing is sent twice
            "sent_at": str,
            "status": str,  # sent | failed
            "detail": str,  # error on failure (never the secret URL or password)
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["alerts_sent"].create_index(["channel", "alert_key"], unique=True)


def _v5(db: sqlite_utils.Database) -> None:
    """Past one machine: per-clinic crawl tasks of a run, and scores of WARC collections."""
    db["run_clinics"].create(
        {
            "run_id": int,
            "clinic_id": int,
            "status": str,  # finished | failed | interrupted
            "error": str,  # why a task failed (one line), "" otherwise
            "worker": str,  # where the task ran: "local" or the Dask worker's address
            "pages_fetched": int,
            "pages_stored": int,
            "new_versions": int,
            "errors": int,
            "started_at": str,
            "finished_at": str,
        },
        pk=("run_id", "clinic_id"),
        foreign_keys=[("run_id", "runs", "id"), ("clinic_id", "clinics", "id")],
    )
    db["warc_pages"].create(
        {
            "warc_file": str,  # the WARC file as given (path), with ...
            "warc_offset": int,  # ... the record's offset: the natural key, with the classifier version
            "classifier_version": str,
            "url": str,
            "captured_at": str,  # WARC-Date
            "http_status": int,
            "content_hash": str,
            "title": str,
            "language": str,
            "score": float,
            "flagged": int,
            "n_claims": int,
            "n_asserted": int,
            "conditions": str,
            "scored_at": str,
        },
        pk=("warc_file", "warc_offset", "classifier_version"),
    )
    db["warc_pages"].create_index(["flagged", "score"])
    db["warc_claims"].create(
        {
            "id": int,
            "warc_file": str,
            "warc_offset": int,
            "classifier_version": str,
            "url": str,
            "captured_at": str,
            "sentence": str,
            "category": str,
            "condition": str,
            "stance": str,
            "score": float,
            "cues": str,
            "span_start": int,
            "span_end": int,
        },
        pk="id",
    )
    db["warc_claims"].create_index(["warc_file", "warc_offset", "classifier_version"])


def _v6(db: sqlite_utils.Database) -> None:
    """Who speaks on a page, and pages the classifier could not read (issue 15).

    voice: seller | news | academic | regulator | hospital | patient | directory | legal | unknown
    (rows scored before it existed: unknown). not_scored: "" for a scored page, else why not
    ("language pl"): such a page's score of 0 means "not read", never "clean".
    """
    for table in ("page_scores", "warc_pages"):
        db[table].add_column("voice", str, not_null_default="unknown")
        db[table].add_column("not_scored", str, not_null_default="")


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database], None]] = {
    1: _v1, 2: _v2, 3: _v3, 4: _v4, 5: _v5, 6: _v6}
