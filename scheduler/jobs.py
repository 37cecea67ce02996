"""What a scheduled job does: crawl a group of clinics, write a report, rescore.

APScheduler pickles only `run_job` (by reference) and the job id into the job store; everything
else (the config, with its alert secrets) stays in this process's `Runtime`, set by the service
before any job can run. So the job store holds no secrets and jobs always use the config the
scheduler was started with.

Each job's last start and end are kept in a small table beside APScheduler's in the job store
(`clinicwatch_job_runs`): a job that never ran, or whose last run was cut short (scheduler
killed, SIGTERM), is due again at the next start.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from crawler.store.schema import open_db
from crawler.store.writer import clinics_to_crawl
from scheduler.config import CrawlJob, MonitoringConfig, ReportJob, RescoreJob
from scheduler.crawl_process import StopRequest

log = logging.getLogger("clinicwatch.scheduler")

STATE_TABLE = "clinicwatch_job_runs"
CUT_SHORT = ("running", "interrupted")  # last statuses that make a job due again at start


def utc_iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- job state in the job store file -----------------------------------------------------------

def _state(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (job_id TEXT PRIMARY KEY, last_started TEXT,"
                 " last_finished TEXT, last_status TEXT, last_detail TEXT, last_run_id INTEGER)")
    return conn


def job_states(path: Path) -> dict[str, dict[str, Any]]:
    """job id -> {last_started, last_finished, last_status, last_detail, last_run_id}; {} without a store."""
    if not Path(path).exists():
        return {}
    with closing(_state(path)) as conn:
        conn.row_factory = sqlite3.Row
        return {row["job_id"]: dict(row) for row in conn.execute(f"SELECT * FROM {STATE_TABLE}")}


def _mark_started(path: Path, job_id: str) -> None:
    with closing(_state(path)) as conn:
        conn.execute(f"INSERT INTO {STATE_TABLE} (job_id, last_started, last_status) VALUES (?, ?, 'running')"
                     " ON CONFLICT(job_id) DO UPDATE SET last_started = excluded.last_started,"
                     " last_finished = NULL, last_status = 'running', last_detail = NULL, last_run_id = NULL",
                     [job_id, utc_iso()])


def _mark_finished(path: Path, job_id: str, status: str, detail: str, run_id: int | None) -> None:
    with closing(_state(path)) as conn:
        conn.execute(f"UPDATE {STATE_TABLE} SET last_finished = ?, last_status = ?, last_detail = ?,"
                     " last_run_id = ? WHERE job_id = ?", [utc_iso(), status, detail[:500], run_id, job_id])


def forget_job(path: Path, job_id: str) -> None:
    with closing(_state(path)) as conn:
        conn.execute(f"DELETE FROM {STATE_TABLE} WHERE job_id = ?", [job_id])


# --- the runtime the service sets up ----------------------------------------------------------

@dataclass
class Runtime:
    config: MonitoringConfig
    db_path: Path
    job_store: Path
    stop: StopRequest = field(default_factory=StopRequest)  # its reason becomes the finish reason of stopped runs
    redact: Any = staticmethod(lambda text: text)
    _active: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs; False if some still run after `timeout` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self._active == 0, timeout)


_runtime: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


@dataclass
class JobOutcome:
    status: str  # ok | error | interrupted | skipped
    detail: str
    run_id: int | None = None


def run_job(job_id: str) -> None:
    """The one APScheduler job target (a module-level function: it is pickled by reference)."""
    runtime = _runtime
    if runtime is None:
        log.error("job %s: no scheduler runtime in this process; not run", job_id)
        return
    spec = runtime.config.job(job_id)
    if spec is None:
        log.warning("job %s is not in %s any more: not run", job_id, runtime.config.path)
        return
    if runtime.stop.is_set():
        log.info("job %s: scheduler stopping, not started", job_id)
        return
    with runtime._cond:
        runtime._active += 1
    try:
        _mark_started(runtime.job_store, job_id)
        log.info("job %s started (%s)", job_id, spec.trigger_text)
        if isinstance(spec, CrawlJob):
            outcome = _crawl(runtime, spec)
        elif isinstance(spec, ReportJob):
            outcome = _report(runtime, spec)
        elif isinstance(spec, RescoreJob):
            outcome = _rescore(runtime, spec)
        else:  # pragma: no cover - config only builds the three kinds
            outcome = JobOutcome("error", f"unknown job kind {spec.kind}")
    except Exception as exc:  # a failing job must not take the scheduler down
        log.exception("job %s failed", job_id)
        outcome = JobOutcome("error", runtime.redact(" ".join(f"{type(exc).__name__}: {exc}".split())))
    try:
        _mark_finished(runtime.job_store, job_id, outcome.status, runtime.redact(outcome.detail), outcome.run_id)
        log.info("job %s %s: %s", job_id, outcome.status, outcome.detail)
    finally:
        with runtime._cond:
            runtime._active -= 1
            runtime._cond.notify_all()


# --- crawl --------------------------------------------------------------------------------------

def select_clinics(db: Any, spec: CrawlJob) -> list[dict[str, Any]]:
    """The group's clinics now: all active, the named ones, and active ones carrying a tag."""
    if spec.all:
        return clinics_to_crawl(db, [])
    chosen = {c["id"]: c for c in clinics_to_crawl(db, list(spec.clinics))} if spec.clinics else {}
    tags = {t.casefold() for t in spec.tags}
    for clinic in clinics_to_crawl(db, []):
        if tags & {t.casefold() for t in (clinic["tags"] or "").split()}:
            chosen.setdefault(clinic["id"], clinic)
    return sorted(chosen.values(), key=lambda c: c["name"])


def _crawl(runtime: Runtime, spec: CrawlJob) -> JobOutcome:
    from scheduler.crawl_process import run_crawl
    from scheduler.locks import clinic_locks

    catch_up(runtime)
    db = open_db(runtime.db_path, create=False)
    try:
        clinics = select_clinics(db, spec)
    finally:
        db.close()
    if not clinics:
        return JobOutcome("skipped", f"no active clinic matches ({spec.selection()})")
    with clinic_locks(runtime.db_path, clinics) as locks:
        for clinic in locks.busy:
            log.info("job %s: clinic %r (id %s) is being crawled by another process: skipped this time",
                     spec.id, clinic["name"], clinic["id"])
        if not locks.held:
            return JobOutcome("skipped", "every clinic of the group is being crawled elsewhere")
        names = [] if spec.all and not locks.busy else locks.names
        if spec.cluster or (spec.parallel > 1 and len(locks.held) > 1):
            from scheduler.sweep import run_sweep

            outcome = run_sweep(
                runtime.db_path, names, settings=spec.settings, parallel=spec.parallel, cluster=spec.cluster,
                timeout=spec.time_limit, trigger=f"schedule:{spec.id}", stop=runtime.stop,
                on_task=lambda done, total, clinic, line: log.info("job %s: [%d/%d] %s: %s", spec.id, done, total,
                                                                   clinic, line))
        else:
            outcome = run_crawl(
                runtime.db_path, names, settings=spec.settings, timeout=spec.time_limit,
                trigger=f"schedule:{spec.id}", stop=runtime.stop, pass_fds=locks.fds,
                on_start=lambda run_id, pid: log.info("job %s: run %s crawling %d clinic(s) in process %s (log %s)",
                                                      spec.id, run_id, len(locks.held), pid,
                                                      runtime.db_path.parent / "logs" / f"crawl-{run_id}.log"))
    detail = (f"run {outcome.run_id} {outcome.status}: {outcome.pages_stored} pages ({outcome.new_versions} new"
              f" versions), {outcome.errors} errors" + (f"; {len(locks.busy)} busy clinic(s) skipped" if locks.busy else ""))
    if outcome.status == "interrupted" and runtime.stop.is_set():
        return JobOutcome("interrupted", detail + " (scheduler stopping)", outcome.run_id)
    _after_crawl(runtime, spec, outcome.run_id, outcome.status)
    return JobOutcome("ok" if outcome.status == "finished" else "error", detail, outcome.run_id)


CATCH_UP_DAYS = 7


def catch_up(runtime: Runtime) -> list[int]:
    """Health checks, alerts and report for scheduled runs that ended without them.

    That happens when a crawl outlived its scheduler (killed alone: the crawl process closes its run
    itself) or died with it (recovered at start). Runs stopped by a shutdown are left alone, and
    only runs of the last CATCH_UP_DAYS days are looked at.
    """
    since = (datetime.now(timezone.utc) - timedelta(days=CATCH_UP_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    db = open_db(runtime.db_path, create=False)
    try:
        rows = db.execute(
            "SELECT id, status, trigger FROM runs r WHERE trigger LIKE 'schedule:%' AND status != 'running'"
            " AND COALESCE(finish_reason, '') NOT LIKE 'shutdown%' AND started_at >= ?"
            " AND NOT EXISTS (SELECT 1 FROM crawl_health h WHERE h.run_id = r.id) ORDER BY id", [since]).fetchall()
    finally:
        db.close()
    done = []
    for run_id, status, trigger in rows:
        spec = runtime.config.job(trigger.split(":", 1)[1])
        if isinstance(spec, CrawlJob):
            log.info("run %s (%s, %s) ended without its health checks and alerts: doing them now", run_id, trigger,
                     status)
            _after_crawl(runtime, spec, run_id, status)
            done.append(run_id)
    return done


def _after_crawl(runtime: Runtime, spec: CrawlJob, run_id: int, status: str) -> None:
    """Health checks after every crawl that ended by itself; alerts and report only after a finished one."""
    db = open_db(runtime.db_path)
    try:
        try:
            from crawler.store.health import check_run_health, health_summary

            checks = check_run_health(db, run_id)
            log.info("run %s %s", run_id, health_summary(checks))
            names = {r[0]: r[1] for r in db.execute("SELECT id, name FROM clinics")}
            for check in checks:  # warnings are counted in the summary; failures named one by one
                if check.status == "fail":
                    where = names.get(check.clinic_id, "run") if check.clinic_id else "run"
                    log.warning("run %s health %s: %s %s: %s", run_id, check.status, where, check.check_name,
                                check.detail)
        except Exception:
            log.exception("run %s: health checks failed", run_id)
        if status != "finished":
            log.warning("run %s %s: no alerts or report for an incomplete run", run_id, status)
            return
        if runtime.config.alerts is not None:
            try:
                from scheduler.alerts import send_alerts

                log.info(runtime.redact(send_alerts(db, run_id, runtime.config.alerts).summary()))
            except Exception:
                log.exception("run %s: alerts failed", run_id)
    finally:
        db.close()
    if spec.report_after_crawl and spec.report_out is not None:
        try:
            from reports.render import write_report

            written = write_report(runtime.db_path, spec.report_out, run_id=run_id)
            log.info("run %s report: %s", run_id, written.get("html", spec.report_out))
        except Exception:
            log.exception("run %s: report failed", run_id)


# --- report and rescore -------------------------------------------------------------------------

def _report(runtime: Runtime, spec: ReportJob) -> JobOutcome:
    from zoneinfo import ZoneInfo

    from reports.db_read import period_start
    from reports.render import write_report

    db = open_db(runtime.db_path, create=False)
    try:
        latest = db.execute("SELECT MAX(id) FROM runs WHERE status = 'finished'").fetchone()[0]
    finally:
        db.close()
    if latest is None:
        return JobOutcome("skipped", "no finished crawl yet: nothing to report")
    today = datetime.now(ZoneInfo(spec.timezone)).date()
    out = Path(str(spec.out).replace("{date}", today.isoformat()))
    since = period_start(spec.period, today) if spec.period else None
    written = write_report(runtime.db_path, out, run_id=None, since=since)
    return JobOutcome("ok", f"report of run {latest}" + (f" (changes since {since})" if since else "")
                      + f": {written.get('html', out)}", latest)


def _rescore(runtime: Runtime, spec: RescoreJob) -> JobOutcome:
    from crawler.classify import CLASSIFIER_VERSION
    from crawler.rescore import rescore

    db = open_db(runtime.db_path, create=False)
    try:
        if spec.after_classifier_change:
            newest = db.execute("SELECT classifier_version FROM page_scores"
                                " ORDER BY scored_at DESC, rowid DESC LIMIT 1").fetchone()
            if newest is None:
                return JobOutcome("skipped", "no scored pages yet")
            if newest[0] == CLASSIFIER_VERSION:
                return JobOutcome("skipped", f"classifier unchanged ({CLASSIFIER_VERSION})")
            log.info("classifier changed: %s -> %s: rescoring", newest[0], CLASSIFIER_VERSION)
        scored, skipped = rescore(db)
    finally:
        db.close()
    return JobOutcome("ok", f"classifier {CLASSIFIER_VERSION}: {scored} page versions scored, {skipped} already scored")
