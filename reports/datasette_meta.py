"""Datasette 0.65 metadata for a ClinicWatch DB: descriptions, facets, search and canned queries.

Datasette is how researchers browse the evidence without SQL; the canned queries use the same
rules as the report (current page versions, newest score per version, claims of that score's
classifier version, only `asserts` counted), so both show the same numbers.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.model import NOTICE

TITLE = "ClinicWatch"
DESCRIPTION = (
    "Unproven-therapy claims detected on regenerative / stem-cell clinic websites, sentence by "
    f"sentence, with their evidence (sentence, URL, capture time, classifier version). Claims "
    f"detected; {NOTICE}."
)
LICENSE = "Code: MIT. Crawled text remains the property of the websites it was captured from."
SOURCE = "ClinicWatch crawls of public clinic websites"

# Current state: each page's current version, its newest score, the claims of that score.
_CURRENT = """WITH cur AS (
  SELECT p.id AS page_id, p.clinic_id, p.current_version_id AS version_id
  FROM pages p WHERE p.current_version_id IS NOT NULL
),
sc AS (
  SELECT version_id, score, flagged, language, classifier_version
  FROM (
    SELECT ps.*, ROW_NUMBER() OVER (
      PARTITION BY ps.version_id ORDER BY ps.scored_at DESC, ps.classifier_version DESC) AS rn
    FROM page_scores ps JOIN cur ON cur.version_id = ps.version_id
  ) WHERE rn = 1
),
ac AS (
  SELECT c.* FROM claims c
  JOIN sc ON sc.version_id = c.version_id AND sc.classifier_version = c.classifier_version
  WHERE c.stance = 'asserts'
)
"""
_EVIDENCE = """k.name AS clinic, ac.sentence, ac.category, ac.condition, ac.stance,
  round(ac.score, 3) AS score, ac.url, ac.captured_at, ac.classifier_version"""

QUERIES: dict[str, dict[str, Any]] = {
    "top_clinics": {
        "title": "Clinics ranked by highest page score",
        "description": "Current pages only. Breadth = distinct conditions in asserted claims.",
        "sql": _CURRENT + """,
pg AS (
  SELECT cur.clinic_id, COUNT(*) AS pages, MAX(sc.score) AS max_score,
         COALESCE(SUM(sc.flagged), 0) AS flagged_pages
  FROM cur LEFT JOIN sc ON sc.version_id = cur.version_id GROUP BY cur.clinic_id
),
agg AS (
  SELECT clinic_id, COUNT(*) AS asserted_claims,
         COUNT(DISTINCT NULLIF(condition, '')) AS breadth
  FROM ac GROUP BY clinic_id
),
conds AS (
  SELECT clinic_id, group_concat(condition, ' ') AS conditions FROM (
    SELECT DISTINCT clinic_id, condition FROM ac WHERE condition <> ''
    ORDER BY clinic_id, condition
  ) GROUP BY clinic_id
)
SELECT k.name AS clinic, k.country, round(pg.max_score, 3) AS max_score,
  COALESCE(agg.breadth, 0) AS breadth, conds.conditions, pg.flagged_pages, pg.pages,
  COALESCE(agg.asserted_claims, 0) AS asserted_claims
FROM pg JOIN clinics k ON k.id = pg.clinic_id
LEFT JOIN agg ON agg.clinic_id = k.id LEFT JOIN conds ON conds.clinic_id = k.id
ORDER BY pg.max_score IS NULL, pg.max_score DESC, breadth DESC, asserted_claims DESC, k.name""",
    },
    "claims_by_condition": {
        "params": ["condition"],
        "title": "Asserted claims for one condition",
        "description": "Condition is the normalised name, e.g. diabetes, autism, multiple_sclerosis.",
        "sql": _CURRENT + f"""SELECT {_EVIDENCE}
FROM ac JOIN clinics k ON k.id = ac.clinic_id
WHERE ac.condition = :condition
ORDER BY k.name, ac.score DESC, ac.id""",
    },
    "clinic_dossier": {
        "params": ["clinic"],
        "title": "Every asserted claim of one clinic",
        "description": "Clinic name as in the clinics table (case-insensitive).",
        "sql": _CURRENT + f"""SELECT {_EVIDENCE}
FROM ac JOIN clinics k ON k.id = ac.clinic_id
WHERE k.name = :clinic COLLATE NOCASE
ORDER BY ac.url, ac.score DESC, ac.id""",
    },
    "search_claims": {
        "params": ["q"],
        "title": "Search claim sentences",
        "description": (
            "Phrase search over every claim sentence ever detected (all stances, all versions); "
            "current_version = 1 when the sentence is on a page's current version. For "
            "any-order word search use the claims table's search box."
        ),
        "sql": """SELECT k.name AS clinic, c.sentence, c.category, c.condition, c.stance,
  round(c.score, 3) AS score, c.url, c.captured_at, c.classifier_version,
  c.version_id IN (
    SELECT current_version_id FROM pages WHERE current_version_id IS NOT NULL
  ) AS current_version
FROM claims_fts f JOIN claims c ON c.id = f.rowid JOIN clinics k ON k.id = c.clinic_id
WHERE claims_fts MATCH '"' || replace(:q, '"', '""') || '"'
ORDER BY f.rank""",
    },
    "flagged_pages": {
        "title": "Flagged pages (current versions)",
        "description": "Pages whose newest score is over the classifier's flag threshold.",
        "sql": _CURRENT + """,
per_page AS (
  SELECT version_id, COUNT(*) AS asserted_claims,
         replace(group_concat(DISTINCT NULLIF(condition, '')), ',', ' ') AS conditions
  FROM ac GROUP BY version_id
)
SELECT k.name AS clinic, pv.url, pv.title, pv.fetched_at AS captured_at,
  round(sc.score, 3) AS score, COALESCE(per_page.asserted_claims, 0) AS asserted_claims,
  per_page.conditions, sc.language, sc.classifier_version
FROM cur JOIN sc ON sc.version_id = cur.version_id
JOIN page_versions pv ON pv.id = cur.version_id JOIN clinics k ON k.id = cur.clinic_id
LEFT JOIN per_page ON per_page.version_id = cur.version_id
WHERE sc.flagged = 1
ORDER BY sc.score DESC, k.name, pv.url""",
    },
}

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
        "facets": ["flagged", "language", "classifier_version"],
        "columns": {
            "version_id": "Page version", "clinic_id": "Clinic",
            "score": "0-1 page score (claims, lowered by mitigating statements)",
            "flagged": "1 = score over the flag threshold", "language": "Scored language",
            "n_claims": "Claims detected (all stances)", "n_asserted": "Asserted claims",
            "conditions": "Space-separated conditions in asserted claims",
            "mitigations": "Mitigating sentences found (disclaimers, risk statements, \"experimental\"), one per line; they lower the score, never hide a claim",
            "classifier_version": "Classifier that produced this score",
            "scored_at": "When scored (UTC)",
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
        "description": "Claims a clinic added or removed, per run.",
        "sort_desc": "id",
        "facets": ["event", "category", "condition", "run_id"],
        "columns": {
            "id": "Event id", "run_id": "Run", "clinic_id": "Clinic", "event": "added | removed",
            "claim_key": "Claim identity", "sentence": "Evidence: the sentence", "category": "Claim category",
            "condition": "Condition", "url": "Evidence: URL", "at": "When recorded (UTC)",
        },
    },
    "clinic_events": {
        "description": "Clinic-level changes per run: newly flagged, stopped claiming, unreachable, gone, moved.",
        "sort_desc": "id",
        "facets": ["event", "run_id"],
        "columns": {
            "id": "Event id", "run_id": "Run", "clinic_id": "Clinic",
            "event": "newly_flagged | stopped_claiming | unreachable | gone | moved",
            "detail": "What was seen (error, redirect target ...)", "at": "When recorded (UTC)",
        },
    },
}


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata dict for the database served under `db_name` (the file stem)."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": LICENSE,
        "source": SOURCE,
        "databases": {
            db_name: {
                "description": DESCRIPTION,
                "tables": json.loads(json.dumps(TABLES)),  # a fresh copy per call
                "queries": json.loads(json.dumps(QUERIES)),
            }
        },
    }


def write_metadata(path: str | Path, db_name: str) -> Path:
    """Write metadata JSON for `datasette --metadata`."""
    path = Path(path)
    path.write_text(json.dumps(metadata(db_name), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path
