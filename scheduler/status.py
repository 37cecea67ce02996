"""What `clinicwatch schedule list` and `clinicwatch status` print: the schedule and how monitoring goes.

Both only read: the DB (runs, crawl_health) and the job store (next run times, last job runs).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crawler.store.schema import open_db
from scheduler.config import CrawlJob, MonitoringConfig, ReportJob, RescoreJob, default_job_store, format_duration
from scheduler.crawl_process import pid_alive
from scheduler.jobs import CUT_SHORT, job_states
from scheduler.locks import scheduler_running
from scheduler.service import stored_jobs

PROBLEM_DAYS = 7  # failed/interrupted runs this recent are listed under "problems"


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def when(moment: datetime | None, tz_name: str, now: datetime) -> str:
    """"2026-11-23 03:00 CET (+0100), in 4h10m" in the job's timezone."""
    if moment is None:
        return "never (paused)"
    local = moment.astimezone(ZoneInfo(tz_name))
    delta = (moment - now).total_seconds()
    delta = round(delta / 60) * 60 if abs(delta) >= 3600 else delta  # minutes are enough that far out
    relative = "now" if abs(delta) < 1 else (f"in {format_duration(round(delta))}" if delta > 0
                                             else f"{format_duration(round(-delta))} ago")
    return f"{local.strftime('%Y-%m-%d %H:%M %Z (%z)')}, {relative}"


def _what(spec: Any) -> str:
    if isinstance(spec, CrawlJob):
        text = f"crawls {spec.selection()}; time limit {format_duration(spec.time_limit)}"
        return text + (f"; report after each crawl -> {spec.report_out}" if spec.report_after_crawl else "")
    if isinstance(spec, ReportJob):
        return f"report{f' of the past {spec.period}' if spec.period else ''} -> {spec.out}"
    if isinstance(spec, RescoreJob):
        return "rescores when the classifier changed" if spec.after_classifier_change else "rescores stored pages"
    return ""


def _last(state: dict[str, Any] | None) -> str:
    if not state:
        return "never run"
    at = state["last_finished"] or state["last_started"]
    return f"{state['last_status']} {at}" + (f": {state['last_detail']}" if state.get("last_detail") else "")


def render_schedule(config: MonitoringConfig, db_path: Path, now: datetime | None = None) -> str:
    """Each configured job: schedule, next run (timezone-aware), what it does, last run."""
    now = now or datetime.now(timezone.utc)
    job_store = config.job_store_for(db_path)
    stored = {job.id: job for job in stored_jobs(job_store)}
    states = job_states(job_store)
    state_text = "running" if scheduler_running(db_path) else "not running"
    lines = [f"job store: {job_store}{'' if job_store.exists() else ' (not created yet)'}; scheduler {state_text}"]
    for spec in config.jobs:
        job, state = stored.get(spec.id), states.get(spec.id)
        if state is None or state["last_status"] in CUT_SHORT:
            why = "never run" if state is None else (
                "last run interrupted" if state["last_status"] == "interrupted" else "last run cut short")
            next_text = f"at the next scheduler start ({why})"
            if state is not None and state["last_status"] == "running" and scheduler_running(db_path):
                next_text = "running now" + (f"; then {when(job.next_run_time, spec.timezone, now)}"
                                             if job is not None and job.name == spec.job_name() else "")
        elif job is not None and job.name == spec.job_name():
            next_text = when(job.next_run_time, spec.timezone, now)
        else:
            next_text = when(spec.trigger.get_next_fire_time(None, now), spec.timezone, now) + (
                " (not in the job store yet)" if job is None else " (schedule changed)")
        lines.append(f"{spec.id}\t{spec.signature()}\tnext: {next_text}")
        lines.append(f"    {_what(spec)}")
        lines.append(f"    last: {_last(state)}")
    for job_id in sorted(set(stored) - {s.id for s in config.jobs}):
        lines.append(f"{job_id}\t(in the job store, not in {config.path}: removed at the next start)")
    return "\n".join(lines)


def _duration(started: str | None, finished: str | None, now: datetime) -> str:
    start, end = _parse(started), _parse(finished)
    if start is None:
        return "-"
    seconds = ((end or now) - start).total_seconds()
    return format_duration(max(0, round(seconds))) if seconds >= 60 else f"{max(0.0, seconds):.0f}s"


def render_status(db_path: Path, *, job_store: Path | None = None, runs: int = 10,
                  now: datetime | None = None) -> str:
    """Last runs, recent problems (failed/interrupted runs and clinic crawl tasks, dead crawls, failing
    health checks), next runs."""
    now = now or datetime.now(timezone.utc)
    db = open_db(db_path, readonly=True)
    try:
        recent = list(db.query(
            "SELECT id, status, trigger, pid, pages_stored, new_versions, errors, started_at, finished_at,"
            " finish_reason FROM runs ORDER BY id DESC LIMIT ?", [runs]))
        live = {r["id"]: db.execute("SELECT SUM(outcome IN ('stored','unchanged')), SUM(outcome = 'error')"
                                    " FROM fetch_log WHERE run_id = ?", [r["id"]]).fetchone()
                for r in recent if r["status"] == "running"}
        since = (now - timedelta(days=PROBLEM_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
        bad_runs = list(db.query(
            "SELECT id, status, trigger, finish_reason, started_at FROM runs WHERE status IN ('failed', 'interrupted')"
            " AND started_at >= ? ORDER BY id DESC LIMIT 20", [since]))
        stale = list(db.query("SELECT id, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL"))
        failed_tasks = list(db.query(
            "SELECT t.run_id, t.status, t.error, t.worker, c.name FROM run_clinics t JOIN clinics c ON c.id = t.clinic_id"
            " JOIN runs r ON r.id = t.run_id WHERE t.status != 'finished' AND r.started_at >= ?"
            " ORDER BY t.run_id DESC, c.name LIMIT 20", [since]))
        health = list(db.query(
            "SELECT h.run_id, h.check_name, h.status, h.detail, c.name FROM crawl_health h"
            " LEFT JOIN clinics c ON c.id = h.clinic_id"
            " WHERE h.id IN (SELECT MAX(id) FROM crawl_health GROUP BY COALESCE(clinic_id, -1), check_name)"
            " AND h.status IN ('fail', 'warn') ORDER BY h.status = 'warn', c.name, h.check_name"))
    finally:
        db.close()

    lines = [f"database: {db_path}", "", "last runs:"]
    if not recent:
        lines.append("  none yet (clinicwatch crawl, or clinicwatch schedule run --config monitoring.toml)")
    else:
        lines.append("  run  status       trigger                      pages  new  errors  duration  started")
    for r in recent:
        pages, errors = (live[r["id"]] if r["id"] in live else (r["pages_stored"], r["errors"]))
        lines.append(f"  {r['id']:>3}  {r['status']:<11}  {(r['trigger'] or '-'):<27}  {pages or 0:>5}  "
                     f"{r['new_versions'] or 0:>3}  {errors or 0:>6}  {_duration(r['started_at'], r['finished_at'], now):>8}"
                     f"  {r['started_at']}")
    problems = []
    for r in stale:
        if not pid_alive(r["pid"]):
            problems.append(f"run {r['id']}: crawl process {r['pid']} is gone; the next scheduler start marks it"
                            " interrupted")
    for t in failed_tasks:  # parallel and cluster runs: one clinic's crawl task
        problems.append(f"run {t['run_id']}: clinic crawl {t['name']!r} {t['status']}"
                        f"{' on ' + t['worker'] if t['worker'] else ''}: {t['error'] or 'no error recorded'}")
    for r in bad_runs:
        problems.append(f"run {r['id']} {r['status']} ({r['finish_reason'] or 'no reason'}), started"
                        f" {r['started_at']} by {r['trigger'] or '-'}")
    for h in health:
        if h["status"] == "fail":
            problems.append(f"health fail: {h['name'] or 'run'} {h['check_name']} (run {h['run_id']}): {h['detail']}")
    warnings = sum(h["status"] == "warn" for h in health)
    if warnings:
        problems.append(f"health: {warnings} warning(s) (see the crawl_health table, e.g. in clinicwatch serve)")
    lines += ["", f"problems (runs of the last {PROBLEM_DAYS} days, latest health checks):"]
    lines += [f"  {p}" for p in problems] or ["  none"]

    job_store = job_store or default_job_store(db_path)
    jobs = stored_jobs(job_store)
    if jobs:
        states = job_states(job_store)
        running = scheduler_running(db_path)
        lines += ["", f"scheduled jobs ({job_store}; scheduler {'running' if running else 'not running'}):"]
        for job in sorted(jobs, key=lambda j: (j.next_run_time is None, j.next_run_time or now)):
            tz = str(getattr(job.trigger, "timezone", "UTC"))
            lines.append(f"  {job.name}\tnext: {when(job.next_run_time, tz, now)}\tlast: "
                         f"{_last(states.get(job.id)).split(': ', 1)[0]}")
    elif job_store.exists():
        lines += ["", f"scheduled jobs: none in {job_store}"]
    return "\n".join(lines)
