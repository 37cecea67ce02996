"""The crawl-health section of a report: per run, what was fetched, reached, missed and failed.

It does not depend on the reported page state (reports/data.py), only on runs, the fetch log,
versions and the health checks stored after each run.
"""
from __future__ import annotations

import sqlite3

from crawler.store.schema import CLINIC_NAME_SEPARATOR
from reports.db_read import _rows
from reports.model import ErrorSample, HealthCheckRow, RunHealth, RunInfo

REACHED_OUTCOMES = ("stored", "unchanged")  # fetch_log outcomes meaning "we got the page"
ERROR_OUTCOME = "error"
MAX_HEALTH_RUNS = 20  # runs shown in crawl health (newest first, up to the selected run)
MAX_ERROR_SAMPLES = 5  # example failed fetches kept per run


def crawl_health(conn: sqlite3.Connection, run: RunInfo | None) -> list[RunHealth]:
    if run is None:
        return []
    runs = _rows(conn, "SELECT * FROM runs WHERE id <= ? ORDER BY id DESC LIMIT ?",
                 (run.id, MAX_HEALTH_RUNS))
    ids = [r["id"] for r in runs]
    marks = ",".join("?" * len(ids))
    outcomes: dict[int, dict[str, int]] = {i: {} for i in ids}
    for run_id, outcome, n in conn.execute(
            f"SELECT run_id, outcome, COUNT(*) FROM fetch_log WHERE run_id IN ({marks}) "
            "GROUP BY run_id, outcome", ids):
        outcomes[run_id][outcome or "unknown"] = n
    reached: dict[int, set[int]] = {i: set() for i in ids}
    for run_id, clinic_id in conn.execute(
            f"""SELECT run_id, clinic_id FROM fetch_log WHERE run_id IN ({marks})
                  AND outcome IN ({",".join("?" * len(REACHED_OUTCOMES))})
                UNION SELECT run_id, clinic_id FROM page_versions WHERE run_id IN ({marks})
                UNION SELECT last_run_id, clinic_id FROM pages WHERE last_run_id IN ({marks})""",
            [*ids, *REACHED_OUTCOMES, *ids, *ids]):
        if clinic_id is not None:
            reached[run_id].add(clinic_id)
    samples: dict[int, list[ErrorSample]] = {i: [] for i in ids}
    for r in _rows(conn, f"""SELECT * FROM (SELECT run_id, url, status, error, ROW_NUMBER()
            OVER (PARTITION BY run_id ORDER BY id) rn FROM fetch_log
            WHERE outcome = ? AND run_id IN ({marks})) WHERE rn <= ?""",
                   [ERROR_OUTCOME, *ids, MAX_ERROR_SAMPLES]):
        samples[r["run_id"]].append(ErrorSample(r["url"], r["status"], r["error"]))
    checks: dict[int, list[HealthCheckRow]] = {i: [] for i in ids}
    for r in _rows(conn, f"""SELECT h.run_id, c.name, h.check_name, h.status, h.value, h.threshold, h.detail
            FROM crawl_health h LEFT JOIN clinics c ON c.id = h.clinic_id
            WHERE h.run_id IN ({marks}) AND h.status != 'ok' ORDER BY h.status = 'warn', h.id""", ids):
        checks[r["run_id"]].append(HealthCheckRow(r["name"], r["check_name"], r["status"], r["value"],
                                                  r["threshold"], r["detail"]))
    clinics = _rows(conn, "SELECT id, name, active FROM clinics")
    health = []
    for r in runs:
        wanted = {n.strip().casefold() for n in (r["clinic_filter"] or "").split(CLINIC_NAME_SEPARATOR) if n.strip()}
        expected = [c for c in clinics if (c["name"].casefold() in wanted if wanted else c["active"])]
        missing = sorted((c["name"] for c in expected if c["id"] not in reached[r["id"]]),
                         key=str.casefold)
        health.append(RunHealth(
            run_id=r["id"], started_at=r["started_at"], finished_at=r["finished_at"],
            status=r["status"], pages_fetched=r["pages_fetched"] or 0,
            pages_stored=r["pages_stored"] or 0, new_versions=r["new_versions"] or 0,
            outcomes=outcomes[r["id"]],
            # fetch_log is the evidence; the run's own counter only when it logged nothing
            errors=outcomes[r["id"]].get(ERROR_OUTCOME, 0) if outcomes[r["id"]]
            else r["errors"] or 0,
            clinics_reached=len(reached[r["id"]]), clinics_expected=len(expected),
            clinics_not_reached=missing,
            error_samples=samples[r["id"]], checks=checks[r["id"]]))
    return health
