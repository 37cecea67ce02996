"""Datasette descriptions of every ClinicWatch table and column, with default sorts and facets.

Kept apart from the canned queries (reports/datasette_meta.py): a test fails when a table or a
column of the schema has no description here.
"""
from __future__ import annotations

from typing import Any

from reports.model import NOTICE

VOICE_HELP = ("Who speaks on the page: seller | news | academic | regulator | hospital | patient | directory | "
              "legal | unknown (scored before voices were told apart). Only the page's own voice makes claims "
              "that count")
NOT_SCORED_HELP = ("Empty when the page was read; else why not, e.g. \"language pl\": a language outside the 8 "
                   "supported (en es pt de fr ru zh ja). Its score 0 then means not read, never clean")

_CLAIM_FIELDS = {
    "version_id": "Page version the sentence was found in (page_versions.id)",
    "clinic_id": "Clinic (clinics.id)",
    "url": "Evidence: URL the sentence was captured from",
    "captured_at": "Evidence: capture time of that page content (UTC)",
    "sentence": "Evidence: the sentence, verbatim from the extracted page text",
}

TABLES: dict[str, dict[str, Any]] = {
    "clinics": {
        "description": "Clinics being watched (from the seed list).",
        "label_column": "name",
        "facets": ["country", "active"],
        "columns": {
            "id": "Clinic id", "name": "Clinic name (unique)", "country": "Country code or name",
            "seed_urls": "Space-separated start URLs",
            "domains": "Space-separated domains crawled (subdomains included)",
            "tags": "Space-separated tags from the seed list",
            "active": "1 = crawled by default runs", "created_at": "Added (UTC)",
            "updated_at": "Last seed update (UTC)",
        },
    },
    "runs": {
        "description": "Crawl runs.",
        "sort_desc": "id",
        "facets": ["status"],
        "columns": {
            "id": "Run id", "started_at": "Start (UTC)", "finished_at": "End (UTC)",
            "status": "running | finished | failed | interrupted",
            "clinic_filter": "Clinic names crawled, separated by \";\"; empty = all active",
            "pages_fetched": "Responses received", "pages_stored": "Pages stored or refreshed",
            "new_versions": "Pages whose content changed (new version rows)",
            "errors": "Fetch errors", "finish_reason": "Why the crawl stopped",
            "stats": "JSON: crawler stats and per-clinic counts",
            "pid": "Process id of the crawl (lets a restarted scheduler mark dead runs interrupted)",
            "trigger": "What started the run: manual, schedule:<job>, demo",
        },
    },
    "pages": {
        "description": "One row per URL ever stored; current_version_id is its present content.",
        "label_column": "url",
        "sort_desc": "last_seen",
        "columns": {
            "id": "Page id", "clinic_id": "Clinic", "url": "Page URL",
            "first_seen": "First capture (UTC)", "last_seen": "Last successful fetch (UTC)",
            "last_status": "HTTP status of the last fetch", "last_run_id": "Last run that fetched it",
            "current_version_id": "Current content (page_versions.id)",
            "etag": "ETag of the last 200 response (sent back as If-None-Match)",
            "last_modified": "Last-Modified of the last 200 response (sent back as If-Modified-Since)",
            "links": "JSON list of in-scope links on the page, followed again when it answers 304",
        },
    },
    "page_versions": {
        "description": "Captured page content; a new row only when the text changes.",
        "label_column": "url",
        "sort_desc": "fetched_at",
        "facets": ["language", "http_status", "extractor"],
        "fts_table": "page_versions_fts",
        "fts_pk": "id",
        "searchmode": "escaped",
        "columns": {
            "id": "Version id", "page_id": "Page", "clinic_id": "Clinic",
            "run_id": "Run that captured this content", "url": "Page URL",
            "fetched_at": "Capture time of this content (UTC)",
            "last_seen": "Last fetch that returned exactly this content (UTC)",
            "http_status": "HTTP status", "content_hash": "sha256 of title + main text",
            "title": "Page title", "language": "Detected language (ISO 639-1)",
            "published": "Publication/update date found on the page",
            "description": "Meta description", "text": "Extracted main text",
            "structured": "JSON-LD / microdata / OpenGraph (JSON)",
            "extractor": "trafilatura | fallback", "body_bytes": "Response body size",
            "warc_file": "Evidence archive: WARC file holding the response that carried this content",
            "warc_offset": "Evidence archive: byte offset of that response record in the WARC file",
        },
    },
    "page_scores": {
        "description": "Classifier score per page version and classifier version.",
        "sort_desc": "score",
        "facets": ["flagged", "language", "classifier_version", "voice", "not_scored"],
        "columns": {
            "version_id": "Page version", "clinic_id": "Clinic",
            "score": "0-1 page score (claims, lowered by mitigating statements)",
            "flagged": "1 = score over the flag threshold", "language": "Scored language",
            "n_claims": "Claims detected (all stances)", "n_asserted": "Asserted claims",
            "conditions": "Space-separated conditions in asserted claims",
            "mitigations": "Mitigating sentences found (disclaimers, risk statements, \"experimental\"), one per line; they lower the score, never hide a claim",
            "classifier_version": "Classifier that produced this score",
            "scored_at": "When scored (UTC)",
            "voice": VOICE_HELP,
            "not_scored": NOT_SCORED_HELP,
        },
    },
    "claims": {
        "description": (
            "Claims detected, one sentence each, with evidence. Only stance = asserts counts "
            f"toward a clinic; negates/reports are context. Claims detected; {NOTICE}."
        ),
        "label_column": "sentence",
        "sort_desc": "score",
        "facets": ["category", "condition", "stance", "classifier_version"],
        "fts_table": "claims_fts",
        "fts_pk": "id",
        "searchmode": "escaped",
        "columns": {
            "id": "Claim id", **_CLAIM_FIELDS,
            "category": "unapproved_indication, cure, risk_minimisation, efficacy_statistics, "
                        "regulatory_misrepresentation, testimonial, borrowed_legitimacy, hype, "
                        "commercial_pressure",
            "condition": "Normalised condition (diabetes, autism, ...) or empty",
            "stance": "asserts | negates | reports (attributed to someone else)",
            "score": "0-1 strength as an unproven-therapy claim",
            "cues": "Rules/words that fired: why it was detected",
            "span_start": "Start offset of the sentence in the page text",
            "span_end": "End offset of the sentence in the page text",
            "classifier_version": "Classifier that detected it",
        },
    },
    "fetch_log": {
        "description": "Every fetch attempt of every run, including errors.",
        "sort_desc": "id",
        "facets": ["outcome", "status", "run_id"],
        "columns": {
            "id": "Log id", "run_id": "Run", "clinic_id": "Clinic", "url": "Requested URL",
            "status": "HTTP status", "outcome": "stored | unchanged | error | skipped",
            "error": "Error message", "fetched_at": "Attempt time (UTC)",
        },
    },
    "clinic_claims": {
        "description": "Each clinic's asserted claims as of its latest run (the state claim events diff against).",
        "sort_desc": "last_run_id",
        "facets": ["category", "condition"],
        "columns": {
            "clinic_id": "Clinic", "claim_key": "Claim identity (normalised sentence + category + condition)",
            "sentence": "Evidence: the sentence", "category": "Claim category", "condition": "Condition",
            "url": "Evidence: URL", "first_run_id": "Run that first saw it", "last_run_id": "Latest run that saw it",
        },
    },
    "claim_events": {
        "description": (
            "Claims a clinic added or removed, per run (newest first). Canned queries "
            "claims_added_since and claims_removed_since list them by date."),
        "sort_desc": "id",
        "facets": ["event", "run_id", "clinic_id", "category", "condition"],
        "columns": {
            "id": "Event id", "run_id": "Run", "clinic_id": "Clinic", "event": "added | removed",
            "claim_key": "Claim identity", "sentence": "Evidence: the sentence", "category": "Claim category",
            "condition": "Condition", "url": "Evidence: URL", "at": "When recorded (UTC)",
        },
    },
    "clinic_events": {
        "description": (
            "Clinic-level changes per run (newest first): newly flagged, stopped claiming, "
            "unreachable, gone, moved. Canned query newly_flagged_since lists them by date."),
        "sort_desc": "id",
        "facets": ["event", "run_id", "clinic_id"],
        "columns": {
            "id": "Event id", "run_id": "Run", "clinic_id": "Clinic",
            "event": "newly_flagged | stopped_claiming | unreachable | gone | moved",
            "detail": "What was seen (error, redirect target ...)", "at": "When recorded (UTC)",
        },
    },
    "crawl_health": {
        "description": "Crawl health checks after each run (settings-driven thresholds).",
        "sort_desc": "id",
        "facets": ["status", "check_name", "run_id"],
        "columns": {
            "id": "Check id", "run_id": "Run", "clinic_id": "Clinic (empty for run-level checks)",
            "check_name": "min_pages | error_rate | finish_reason | days_since_success",
            "status": "ok | warn | fail", "value": "Measured value", "threshold": "Threshold it was compared with",
            "detail": "Explanation", "at": "When checked (UTC)",
        },
    },
    "alerts_sent": {
        "description": "Alerts sent (or failed) per channel; an alert is never sent twice.",
        "sort_desc": "id",
        "facets": ["channel", "status"],
        "columns": {
            "id": "Alert id", "run_id": "Run", "channel": "webhook | email | apprise",
            "alert_key": "What was alerted (claim or clinic event identity)", "sent_at": "When (UTC)",
            "status": "sent | failed", "detail": "Error on failure (secrets are never stored)",
        },
    },
    "run_clinics": {
        "description": ("Parallel and cluster runs: each clinic's crawl task, where it ran and how it ended. "
                        "A failed task is a failed clinic crawl of the run, with its error."),
        "sort_desc": "run_id",
        "facets": ["status", "worker", "run_id"],
        "columns": {
            "run_id": "Run", "clinic_id": "Clinic", "status": "finished | failed | interrupted",
            "error": "Why the task failed (one line)", "worker": "local, or the Dask worker's address",
            "pages_fetched": "Fetch attempts logged", "pages_stored": "Pages stored or unchanged",
            "new_versions": "Page versions this run added", "errors": "Fetches that failed",
            "started_at": "Task start (UTC)", "finished_at": "Task end (UTC)",
        },
    },
    "warc_pages": {
        "description": ("HTML pages of scored WARC collections (`clinicwatch score-warc`): one row per record and "
                        "classifier version. Claims detected, not verdicts."),
        "sort_desc": "score",
        "facets": ["flagged", "language", "classifier_version", "warc_file"],
        "columns": {
            "warc_file": "WARC file as given", "warc_offset": "Offset of the record in the file",
            "classifier_version": "Classifier that scored it", "url": "Target URI of the record",
            "captured_at": "WARC-Date (UTC)", "http_status": "HTTP status (empty for resource records)",
            "content_hash": "sha256 of extracted title + text", "title": "Page title", "language": "Language",
            "score": "Page score 0-1", "flagged": "1 when the score reaches the flag threshold",
            "n_claims": "Claims detected", "n_asserted": "Claims the page asserts",
            "conditions": "Conditions of asserted claims", "scored_at": "When scored (UTC)",
            "voice": VOICE_HELP, "not_scored": NOT_SCORED_HELP,
        },
    },
    "warc_claims": {
        "description": "Claims detected in scored WARC records, each with its sentence, URL and capture time.",
        "sort_desc": "score",
        "facets": ["category", "condition", "stance", "classifier_version"],
        "columns": {
            "id": "Claim id", "warc_file": "WARC file", "warc_offset": "Record offset",
            "classifier_version": "Classifier that found it", "url": "Where", "captured_at": "When (WARC-Date)",
            "sentence": "Evidence: the sentence, verbatim", "category": "Claim category",
            "condition": "Condition named", "stance": "asserts | negates | reports", "score": "Claim score",
            "cues": "Why it was flagged", "span_start": "Start in the extracted text",
            "span_end": "End in the extracted text",
        },
    },
}
