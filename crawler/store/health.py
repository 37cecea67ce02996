"""Crawl health: did a run actually look at the clinics it was meant to watch?

An unattended monitor that silently stops reaching a site would report "no new claims" for
the wrong reason. After each run `check_run_health` computes a few checks from what the run
stored (`fetch_log`, `runs`) and writes them to `crawl_health` (one transaction; checking a run
again replaces that run's rows). Thresholds come from crawler/settings.py (env overrides).

Checks and their statuses (ok | warn | fail):

| check | scope | value | ok | warn | fail |
|---|---|---|---|---|---|
| `finish_reason` | run (clinic_id NULL) | Scrapy finish reason | reason in `CLINICWATCH_HEALTH_FINISH_REASONS` (`finished`) | run still `running` (no reason yet) | any other reason (`shutdown`, `closespider_timeout`, a failed run ...) |
| `min_pages` | each covered clinic | distinct pages fetched OK (stored + unchanged, not 404/410) | >= `CLINICWATCH_HEALTH_MIN_PAGES` (3) | 1 .. threshold-1 | 0 |
| `error_rate` | each covered clinic | errors / attempts (attempts = OK fetches + errors; skipped requests are not attempts; a stored 404/410 counts as an error) | <= `CLINICWATCH_HEALTH_MAX_ERROR_RATE` (0.5) | above it; or nothing attempted (all skipped) | 1.0: every attempt failed |
| `days_since_success` | every active clinic, and every covered one | days from the clinic's last page fetched OK (in this run or before) to `now` | <= `CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS` (14) | never fetched OK, registered at most that many days ago | above it; never fetched OK and registered longer ago |

Covered clinics are those with fetch_log rows in the run. Values and thresholds are stored as
text (the table's columns); rates with two decimals, days with one.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from crawler import settings
from crawler.store.events import GONE_STATUSES, OK_OUTCOMES
from crawler.store.writer import utc_now

STATUSES = ("ok", "warn", "fail")  # in order of severity
CHECKS = ("finish_reason", "min_pages", "error_rate", "days_since_success")

_GONE = ",".join(str(s) for s in GONE_STATUSES)
_OK_OUT = ",".join(f"'{o}'" for o in OK_OUTCOMES)
# A fetch that returned live content (the same rule claim events use).
_OK_SQL = f"outcome IN ({_OK_OUT}) AND COALESCE(status, 0) NOT IN ({_GONE})"
_ERROR_SQL = f"(outcome = 'error' OR (outcome IN ({_OK_OUT}) AND COALESCE(status, 0) IN ({_GONE})))"


@dataclass(frozen=True)
class HealthCheck:
    """One row of `crawl_health`."""

    run_id: int
    clinic_id: int | None  # None for run-level checks
    check_name: str  # finish_reason | min_pages | error_rate | days_since_success
    status: str  # ok | warn | fail
    value: str
    threshold: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HealthThresholds:
    min_pages: int = 3
    max_error_rate: float = 0.5
    max_days_since_success: float = 14.0
    finish_reasons: tuple[str, ...] = ("finished",)

    @classmethod
    def from_settings(cls) -> "HealthThresholds":
        """Read at call time, so env overrides and test monkeypatching of crawler.settings apply."""
        return cls(
            min_pages=int(settings.CLINICWATCH_HEALTH_MIN_PAGES),
            max_error_rate=float(settings.CLINICWATCH_HEALTH_MAX_ERROR_RATE),
            max_days_since_success=float(settings.CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS),
            finish_reasons=tuple(settings.CLINICWATCH_HEALTH_FINISH_REASONS),
        )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _days(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds() / 86400)


def _num(value: float) -> str:
    return f"{value:g}"


def _finish_reason(run: dict[str, Any], limits: HealthThresholds) -> HealthCheck:
    reason = run["finish_reason"] or ""
    accepted = " ".join(limits.finish_reasons)
    if reason in limits.finish_reasons:
        status, detail = "ok", f"run {run['status']}, finish reason {reason!r}"
    elif not reason and run["status"] == "running":
        status, detail = "warn", "run not finished yet"
    else:
        status, detail = "fail", (f"run {run['status'] or 'unknown'}, finish reason {reason or 'none'!r}"
                                  f" (accepted: {accepted}); clinics may be only partly crawled")
    return HealthCheck(run["id"], None, "finish_reason", status, reason, accepted, detail)


def _min_pages(run_id: int, clinic_id: int, ok_pages: int, limits: HealthThresholds) -> HealthCheck:
    if ok_pages == 0:
        status, detail = "fail", "no page fetched OK"
    elif ok_pages < limits.min_pages:
        status, detail = "warn", f"only {ok_pages} page(s) fetched OK, expected at least {limits.min_pages}"
    else:
        status, detail = "ok", f"{ok_pages} pages fetched OK"
    return HealthCheck(run_id, clinic_id, "min_pages", status, str(ok_pages), str(limits.min_pages), detail)


def _error_rate(run_id: int, clinic_id: int, ok: int, errors: int, skipped: int,
                limits: HealthThresholds) -> HealthCheck:
    attempts = ok + errors
    threshold = f"{limits.max_error_rate:.2f}"
    if attempts == 0:
        return HealthCheck(run_id, clinic_id, "error_rate", "warn", "", threshold,
                           f"no fetch attempted: all {skipped} request(s) skipped (robots.txt, off-site, caps)")
    rate = errors / attempts
    detail = f"{errors} error(s) in {attempts} attempt(s)"
    if errors == attempts:
        status, detail = "fail", detail + ": every attempt failed"
    elif rate > limits.max_error_rate:
        status = "warn"
    else:
        status = "ok"
    return HealthCheck(run_id, clinic_id, "error_rate", status, f"{rate:.2f}", threshold, detail)


def _days_since_success(run_id: int, clinic_id: int, last_ok: str | None, created_at: str | None,
                        now: datetime, limits: HealthThresholds) -> HealthCheck:
    limit = limits.max_days_since_success
    threshold = _num(limit)
    last = _parse_time(last_ok)
    if last is not None:
        days = _days(last, now)
        status = "ok" if days <= limit else "fail"
        return HealthCheck(run_id, clinic_id, "days_since_success", status, f"{days:.1f}", threshold,
                           f"last page fetched OK at {last_ok}")
    created = _parse_time(created_at)
    if created is not None and _days(created, now) <= limit:
        days = _days(created, now)
        return HealthCheck(run_id, clinic_id, "days_since_success", "warn", "", threshold,
                           f"never fetched OK (registered {days:.1f} days ago)")
    since = f"registered {created_at}" if created is not None else "registration time unknown"
    return HealthCheck(run_id, clinic_id, "days_since_success", "fail", "", threshold,
                       f"never fetched OK ({since})")


def check_run_health(db: sqlite_utils.Database, run_id: int, now: str | None = None, *,
                     thresholds: HealthThresholds | None = None) -> list[HealthCheck]:
    """Compute and store the health checks of one run; checking a run again replaces its rows.

    `now` (ISO-8601 UTC) is the reference time of `days_since_success` and the rows' `at`;
    by default the run's `finished_at` (so re-checking an old run gives the same answer), or the
    current time for a run that has not finished. Thresholds default to crawler/settings.py.
    Returns the checks: the run-level one first, then per clinic (by id) min_pages,
    error_rate, days_since_success. Raises LookupError for an unknown run.
    """
    limits = thresholds or HealthThresholds.from_settings()
    run = db.execute("SELECT id, status, finish_reason, finished_at FROM runs WHERE id = ?", [run_id]).fetchone()
    if run is None:
        raise LookupError(f"no run {run_id}")
    run = dict(zip(("id", "status", "finish_reason", "finished_at"), run))
    at = now or utc_now()
    reference = _parse_time(now or run["finished_at"] or at)
    if reference is None:
        raise ValueError(f"now: not an ISO-8601 time: {now!r}")

    checks = [_finish_reason(run, limits)]
    covered = {
        row[0]: row[1:] for row in db.execute(
            f"SELECT clinic_id, COUNT(DISTINCT CASE WHEN {_OK_SQL} THEN url END), SUM({_OK_SQL}),"
            f" SUM({_ERROR_SQL}), SUM(outcome = 'skipped') FROM fetch_log"
            " WHERE run_id = ? AND clinic_id IS NOT NULL GROUP BY clinic_id", [run_id]).fetchall()
    }
    clinics = {row[0]: row[1] for row in db.execute("SELECT id, created_at FROM clinics WHERE active = 1")}
    for clinic_id in covered.keys() - clinics.keys():  # covered though since deactivated
        clinics[clinic_id] = db.execute("SELECT created_at FROM clinics WHERE id = ?", [clinic_id]).fetchone()[0]
    for clinic_id in sorted(clinics):
        if clinic_id in covered:
            ok_pages, ok, errors, skipped = (int(v or 0) for v in covered[clinic_id])
            checks.append(_min_pages(run_id, clinic_id, ok_pages, limits))
            checks.append(_error_rate(run_id, clinic_id, ok, errors, skipped, limits))
        last_ok = db.execute(f"SELECT MAX(fetched_at) FROM fetch_log WHERE clinic_id = ? AND run_id <= ?"
                             f" AND {_OK_SQL}", [clinic_id, run_id]).fetchone()[0]
        checks.append(_days_since_success(run_id, clinic_id, last_ok, clinics[clinic_id], reference, limits))

    with db.atomic():
        db.execute("DELETE FROM crawl_health WHERE run_id = ?", [run_id])
        db.conn.executemany(
            "INSERT INTO crawl_health (run_id, clinic_id, check_name, status, value, threshold, detail, at)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [(c.run_id, c.clinic_id, c.check_name, c.status, c.value, c.threshold, c.detail, at) for c in checks])
    return checks


def worst_status(checks: list[HealthCheck]) -> str:
    """The most severe status among the checks ("ok" for none)."""
    return max((c.status for c in checks), key=STATUSES.index, default="ok")


def health_summary(checks: list[HealthCheck]) -> str:
    """One line for logs and the CLI, e.g. "health: fail (1 fail, 2 warn, 9 ok)"."""
    counts = {s: sum(c.status == s for c in checks) for s in STATUSES}
    parts = ", ".join(f"{counts[s]} {s}" for s in reversed(STATUSES) if counts[s])
    return f"health: {worst_status(checks)} ({parts or 'no checks'})"
