"""Datasette 0.65 metadata for a ClinicWatch DB: descriptions, facets, search and canned queries.

Datasette is how researchers browse the evidence without SQL; the canned queries use the same
rules as the report (current page versions, newest score per version, claims of that score's
classifier version, only `asserts` counted), so both show the same numbers.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.datasette_tables import TABLES
from reports.model import NOTICE

TITLE = "ClinicWatch"
DESCRIPTION = (
    "Unproven-therapy claims detected on regenerative / stem-cell clinic websites, sentence by "
    f"sentence, with their evidence (sentence, URL, capture time, classifier version). Claims "
    f"detected; {NOTICE}."
)
LICENSE = "Code: MIT. Crawled text remains the property of the websites it was captured from."
SOURCE = "ClinicWatch crawls of public clinic websites"

# Current state, the same rules as the report: a page's current version, that version's newest
# score (rescoring supersedes; on equal times the higher classifier version wins) and the
# claims of that score's classifier version; only stance `asserts` counts toward a clinic.
#
# Written for large DBs: on 100,000 pages every query answers in under 200 ms (the two
# per-clinic rankings ~150 ms, the rest under 100 ms; benchmarks/report_100k.py). The newest
# score is picked by a correlated probe of idx_page_scores_newest returning the score's rowid
# (one index seek per page instead of a window over every score); queries about one clinic,
# one condition or flagged pages start from the rows they need (schema v3 indexes) instead of
# computing the whole current state first. The fixture tests check the plans stay indexed.


def _newest_score(version: str) -> str:
    """rowid of the newest page_scores row of the version `version` (an SQL expression)."""
    return f"""(SELECT x.rowid FROM page_scores x WHERE x.version_id = {version}
    ORDER BY x.scored_at DESC, x.classifier_version DESC LIMIT 1)"""


_NEWEST_SCORE = _newest_score("p.current_version_id")
# After `pages p`: ps = each current page's newest score, c = the asserted claims of that score.
_CURRENT_CLAIM_JOINS = f"""
  JOIN page_scores ps ON ps.rowid = {_NEWEST_SCORE}
  JOIN claims c ON c.version_id = ps.version_id AND c.classifier_version = ps.classifier_version
    AND c.stance = 'asserts'"""
# A claim row `c` that is part of the current state (for queries that start from claims).
_IS_CURRENT_CLAIM = """c.classifier_version = (SELECT x.classifier_version FROM page_scores x
    WHERE x.version_id = c.version_id ORDER BY x.scored_at DESC, x.classifier_version DESC LIMIT 1)
  AND c.version_id = (SELECT p.current_version_id FROM page_versions v JOIN pages p ON p.id = v.page_id
    WHERE v.id = c.version_id)"""


def _clinic_agg(flagged_pages: bool) -> str:
    """CTE `pc`, one row per clinic with current pages: max page score (of pages read: a page "not
    scored" has no score, its 0 is not clean), asserted claims, the
    distinct conditions of those claims as a JSON array (breadth = its length) and, if asked,
    the number of flagged pages. (Aggregates over 100,000 pages: keep DISTINCTs to a minimum.)"""
    flagged = ("\n    COUNT(DISTINCT CASE WHEN ps.flagged = 1 THEN p.id END) AS flagged_pages,"
               if flagged_pages else "")
    return f"""pc AS (
  SELECT p.clinic_id, MAX(CASE WHEN ps.not_scored = '' THEN ps.score END) AS max_score, COUNT(c.id) AS asserted_claims,{flagged}
    json_group_array(DISTINCT c.condition) FILTER (WHERE c.condition <> '') AS conditions_json
  FROM pages p
  LEFT JOIN page_scores ps ON ps.rowid = {_NEWEST_SCORE}
  LEFT JOIN claims c ON c.version_id = ps.version_id AND c.classifier_version = ps.classifier_version
    AND c.stance = 'asserts'
  WHERE p.current_version_id IS NOT NULL
  GROUP BY p.clinic_id
),
ranked AS (SELECT pc.*, json_array_length(pc.conditions_json) AS breadth FROM pc)"""


# The conditions of a `ranked` row, sorted, space-separated (NULL when none).
_SORTED_CONDITIONS = """(SELECT group_concat(value, ' ') FROM (
    SELECT value FROM json_each(pc.conditions_json) ORDER BY value))"""
_EVIDENCE = """k.name AS clinic, c.sentence, c.category, c.condition, c.stance,
  round(c.score, 3) AS score, c.url, c.captured_at, c.classifier_version"""
# Events of the runs started on or after :since, compared as instants (julianday) as the
# report's --since does; an empty :since means every run.
_RUN_SINCE = """e.run_id IN (
  SELECT id FROM runs WHERE :since = '' OR julianday(started_at) >= julianday(:since))"""

PARAM_HINTS: dict[str, str] = {
    "since": "ISO date or UTC date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z; empty = every run",
    "condition": "normalised condition name, e.g. diabetes, autism, multiple_sclerosis, "
                 "parkinsons (see the claims table's condition facet)",
    "clinic": "clinic name as in the clinics table, case-insensitive, e.g. RenewCell Regenerative Institute",
    "q": "words that occur in this order in a claim sentence, e.g. cure autism",
}


def _doc(text: str, *params: str) -> str:
    """A canned query description ending with one hint per parameter."""
    if not params:
        return text
    return text + " Parameters: " + "; ".join(f"{p}: {PARAM_HINTS[p]}" for p in params) + "."


QUERIES: dict[str, dict[str, Any]] = {
    "top_clinics": {
        "title": "Clinics ranked by highest page score",
        "description": _doc(
            "Every clinic with current pages, highest page score first. Breadth = distinct "
            "conditions in its asserted claims; flagged_pages = pages over the flag threshold."),
        "sql": f"""WITH {_clinic_agg(flagged_pages=True)}
SELECT k.name AS clinic, k.country, round(pc.max_score, 3) AS max_score, pc.breadth,
  {_SORTED_CONDITIONS} AS conditions, pc.flagged_pages,
  (SELECT COUNT(*) FROM pages x WHERE x.clinic_id = pc.clinic_id
     AND x.current_version_id IS NOT NULL) AS pages,
  pc.asserted_claims
FROM ranked pc JOIN clinics k ON k.id = pc.clinic_id
ORDER BY pc.max_score IS NULL, pc.max_score DESC, pc.breadth DESC, pc.asserted_claims DESC, k.name""",
    },
    "top_clinics_by_breadth": {
        "title": "Clinics ranked by how many conditions they claim to treat",
        "description": _doc(
            "Clinics with asserted claims naming at least one condition, most distinct conditions "
            "first (then highest page score). Example = the clinic's highest-scoring asserted "
            "claim, with its URL."),
        "sql": f"""WITH {_clinic_agg(flagged_pages=False)}
SELECT k.name AS clinic, k.country, pc.breadth, {_SORTED_CONDITIONS} AS conditions,
  pc.asserted_claims, round(pc.max_score, 3) AS max_score,
  ex.sentence AS example, ex.url AS example_url, ex.captured_at AS example_captured_at
FROM ranked pc JOIN clinics k ON k.id = pc.clinic_id
LEFT JOIN claims ex ON ex.id = (
  SELECT c.id FROM claims c
  WHERE c.clinic_id = pc.clinic_id AND c.stance = 'asserts' AND {_IS_CURRENT_CLAIM}
  ORDER BY c.score DESC, c.url, c.span_start, c.id LIMIT 1)
WHERE pc.breadth > 0
ORDER BY pc.breadth DESC, pc.max_score DESC, pc.asserted_claims DESC, k.name""",
    },
    "claims_by_condition": {
        "params": ["condition"],
        "title": "Asserted claims for one condition",
        "description": _doc("Every current asserted claim naming the condition, by clinic, with "
                            "its evidence.", "condition"),
        "sql": f"""SELECT {_EVIDENCE}
FROM claims c JOIN clinics k ON k.id = c.clinic_id
WHERE c.condition = :condition AND c.stance = 'asserts' AND {_IS_CURRENT_CLAIM}
ORDER BY k.name, c.score DESC, c.id""",
    },
    "clinic_dossier": {
        "params": ["clinic"],
        "title": "Every asserted claim of one clinic",
        "description": _doc("The clinic's current asserted claims with their evidence, page by "
                            "page.", "clinic"),
        "sql": f"""SELECT {_EVIDENCE}
FROM clinics k JOIN pages p ON p.clinic_id = k.id{_CURRENT_CLAIM_JOINS}
WHERE k.name = :clinic COLLATE NOCASE
ORDER BY c.url, c.score DESC, c.id""",
    },
    "search_claims": {
        "params": ["q"],
        "title": "Search claim sentences",
        "description": _doc(
            "Phrase search over every claim sentence ever detected (all stances, all versions); "
            "current_version = 1 when the sentence is on a page's current version. For "
            "any-order word search use the claims table's search box.", "q"),
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
        "description": _doc("Pages whose newest score is over the classifier's flag threshold, "
                            "highest score first."),
        "sql": f"""SELECT k.name AS clinic, p.url, pv.title, pv.fetched_at AS captured_at,
  round(ps.score, 3) AS score,
  (SELECT COUNT(*) FROM claims c WHERE c.version_id = ps.version_id
     AND c.classifier_version = ps.classifier_version AND c.stance = 'asserts') AS asserted_claims,
  (SELECT group_concat(condition, ' ') FROM (
     SELECT DISTINCT c.condition FROM claims c WHERE c.version_id = ps.version_id
       AND c.classifier_version = ps.classifier_version AND c.stance = 'asserts'
       AND c.condition <> '' ORDER BY c.condition)) AS conditions,
  ps.language, ps.classifier_version, ps.voice
FROM page_scores ps
JOIN page_versions pv ON pv.id = ps.version_id
JOIN pages p ON p.id = pv.page_id AND p.current_version_id = ps.version_id
JOIN clinics k ON k.id = p.clinic_id
WHERE ps.flagged = 1 AND ps.rowid = {_newest_score("ps.version_id")}
ORDER BY ps.score DESC, k.name, p.url""",
    },
    "not_scored_pages": {
        "title": "Pages not scored (current versions)",
        "description": _doc("Pages whose newest score says \"not scored\": written in a language outside "
                            "the 8 supported (en es pt de fr ru zh ja), so not read. Their score 0 means "
                            "not read, never clean."),
        "sql": f"""SELECT k.name AS clinic, p.url, pv.title, pv.fetched_at AS captured_at,
  ps.not_scored, ps.language, ps.classifier_version
FROM pages p
JOIN page_scores ps ON ps.rowid = {_NEWEST_SCORE}
JOIN page_versions pv ON pv.id = ps.version_id
JOIN clinics k ON k.id = p.clinic_id
WHERE ps.not_scored <> ''
ORDER BY ps.language, k.name, p.url""",
    },
    "newly_flagged_since": {
        "params": ["since"],
        "title": "Clinics newly flagged since a date",
        "description": _doc(
            "Clinic events 'newly_flagged' (a clinic with a flagged page that had none when last "
            "reached) of the runs started on or after the date, newest run first. detail = the "
            "flagged URLs.", "since"),
        "sql": f"""SELECT k.name AS clinic, k.country, e.at AS flagged_at, e.run_id,
  r.started_at AS run_started_at, e.detail
FROM clinic_events e JOIN runs r ON r.id = e.run_id
JOIN clinics k ON k.id = e.clinic_id
WHERE e.event = 'newly_flagged' AND {_RUN_SINCE}
ORDER BY e.run_id DESC, k.name, e.clinic_id, e.id""",
    },
    "claims_added_since": {
        "params": ["since"],
        "title": "Claims clinics started making since a date",
        "description": _doc(
            "Claim events 'added' (an asserted claim not seen at the clinic's previous crawl; a "
            "clinic's first crawl adds all its claims) of the runs started on or after the date, "
            "newest run first.", "since"),
        "sql": f"""SELECT k.name AS clinic, e.sentence, e.url, e.category, e.condition, e.run_id,
  e.at AS recorded_at
FROM claim_events e JOIN clinics k ON k.id = e.clinic_id
WHERE e.event = 'added' AND {_RUN_SINCE}
ORDER BY e.run_id DESC, k.name, e.clinic_id, e.url, e.id""",
    },
    "claims_removed_since": {
        "params": ["since"],
        "title": "Claims clinics stopped making since a date",
        "description": _doc(
            "Claim events 'removed' (an asserted claim no longer found when the clinic was "
            "reached again) of the runs started on or after the date, newest run first. The URL "
            "is where the claim was last seen.", "since"),
        "sql": f"""SELECT k.name AS clinic, e.sentence, e.url, e.category, e.condition, e.run_id,
  e.at AS recorded_at
FROM claim_events e JOIN clinics k ON k.id = e.clinic_id
WHERE e.event = 'removed' AND {_RUN_SINCE}
ORDER BY e.run_id DESC, k.name, e.clinic_id, e.url, e.id""",
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
