"""`clinicwatch schedule run`: the long-running scheduler, and `--once` for cron/systemd timers.

Start-up, in order: take the scheduler lock (one scheduler per DB), start logging
(logs/scheduler.log beside the DB, rotated, and stderr; alert secrets redacted), mark runs whose
crawl process died with a previous scheduler as interrupted, then sync the job store with the
config: jobs are replaced from the config, jobs no longer in it are removed, and a job keeps its
persisted next run time while its schedule is unchanged (so a run missed while the scheduler was
down still happens once, within `misfire_grace_time`). A job that never ran, or whose last run
was cut short, is due at once.

SIGTERM/SIGINT: take no new job, SIGTERM the running crawl processes (each keeps what it fetched
and closes its run as interrupted, reason "shutdown: scheduler stopped by SIGTERM"), wait for them
(bounded by `shutdown_timeout`), exit 0.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from crawler.store.schema import open_db
from scheduler.config import KIND_ORDER, MonitoringConfig
from scheduler.crawl_process import recover_interrupted_runs
from scheduler.jobs import CUT_SHORT, Runtime, catch_up, forget_job, job_states, run_job, set_runtime
from scheduler.locks import SchedulerLock
from scheduler.logsetup import redactor, scheduler_logging

log = logging.getLogger("clinicwatch.scheduler")


# --- the job store -------------------------------------------------------------------------------

def make_scheduler(config: MonitoringConfig, job_store: Path) -> tuple[Any, Any]:
    """A BlockingScheduler over the SQLite job store (not started) and the store, opened."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    job_store.parent.mkdir(parents=True, exist_ok=True)
    store = SQLAlchemyJobStore(url=f"sqlite:///{job_store}")
    scheduler = BlockingScheduler(
        jobstores={"default": store}, executors={"default": ThreadPoolExecutor(config.max_parallel_jobs)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace_seconds(config)},
        timezone=timezone.utc)
    store.start(scheduler, "default")  # readable before the scheduler starts (start() repeats this)
    return scheduler, store


def grace_seconds(config: MonitoringConfig) -> int:
    return max(1, int(round(config.misfire_grace_time)))


def stored_jobs(job_store: Path) -> list[Any]:
    """The jobs persisted in a job store file (empty when there is none); read only."""
    if not Path(job_store).exists():
        return []
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler
    from sqlalchemy import inspect

    store = SQLAlchemyJobStore(url=f"sqlite:///{job_store}")
    try:
        if not inspect(store.engine).has_table(store.jobs_t.name):
            return []
        store.start(BlockingScheduler(timezone=timezone.utc), "default")
        return store.get_all_jobs()
    finally:
        store.shutdown()


def sync_jobs(scheduler: Any, store: Any, config: MonitoringConfig, job_store: Path, now: datetime) -> list[Any]:
    """Make the job store match the config; return the jobs with their next run times."""
    from apscheduler.job import Job

    states = job_states(job_store)
    existing = {job.id: job for job in store.get_all_jobs()}
    synced = []
    for spec in config.jobs:
        old = existing.pop(spec.id, None)
        state = states.get(spec.id)
        if state is None or state["last_status"] in CUT_SHORT:
            why = "never run" if state is None else (
                "last run interrupted" if state["last_status"] == "interrupted" else "last run cut short")
            next_time, why = now, why + ": due now"
        elif old is not None and old.name == spec.job_name() and old.next_run_time is not None:
            next_time, why = old.next_run_time, "kept from the job store"
        else:
            next_time, why = spec.trigger.get_next_fire_time(None, now), "from its schedule"
        job = Job(scheduler, id=spec.id, func=run_job, trigger=spec.trigger, executor="default", args=(spec.id,),
                  kwargs={}, name=spec.job_name(), misfire_grace_time=grace_seconds(config), coalesce=True,
                  max_instances=1, next_run_time=next_time)
        (store.update_job if old is not None else store.add_job)(job)
        log.info("job %s: %s; next run %s (%s)", spec.id, spec.signature(), _when(next_time, spec.timezone), why)
        synced.append(job)
    for job_id in existing:
        store.remove_job(job_id)
        forget_job(job_store, job_id)
        log.info("job %s is no longer in %s: removed from the job store", job_id, config.path)
    return synced


def _when(moment: datetime | None, tz_name: str) -> str:
    from zoneinfo import ZoneInfo

    if moment is None:
        return "never"
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%d %H:%M:%S %Z")


# --- running -------------------------------------------------------------------------------------

@dataclass
class OnceResult:
    ran: list[tuple[str, str, str]]  # (job id, status, detail)
    missed: list[str]
    stopped: bool


def shutdown_reason(signum: int) -> str:
    """The finish reason of a run the scheduler stopped: starts with "shutdown" (catch_up skips those)."""
    return f"shutdown: scheduler stopped by {signal.Signals(signum).name}"


@contextmanager
def _signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _started(config: MonitoringConfig, db_path: Path) -> Iterator[Runtime]:
    """Lock, logging, recovery of dead runs, the runtime jobs see; undone on exit."""
    db_path = Path(db_path).resolve()
    redact = redactor(config.alert_secrets)
    with SchedulerLock(db_path), scheduler_logging(db_path, redact) as log_file:
        job_store = config.job_store_for(db_path)
        log.info("scheduler (pid %s) starting: db %s, config %s, job store %s, log %s", os.getpid(), db_path,
                 config.path, job_store, log_file)
        if config.alerts is not None:
            log.info("alerts: %r", config.alerts)  # AlertConfig's repr shows redacted URLs only
        db = open_db(db_path, create=False)
        try:
            recovered = recover_interrupted_runs(db)
        finally:
            db.close()
        if recovered:
            log.info("marked %d run(s) interrupted: %s", len(recovered), ", ".join(map(str, recovered)))
        runtime = Runtime(config=config, db_path=db_path, job_store=job_store, redact=redact)
        set_runtime(runtime)
        try:
            catch_up(runtime)
            yield runtime
        finally:
            set_runtime(None)


def run_forever(config: MonitoringConfig, db_path: Path) -> int:
    """Run the schedule until SIGTERM/SIGINT; returns the exit status (0 after a clean stop)."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.schedulers import SchedulerNotRunningError

    with _started(config, db_path) as runtime:
        scheduler, store = make_scheduler(config, runtime.job_store)
        sync_jobs(scheduler, store, config, runtime.job_store, datetime.now(timezone.utc))
        scheduler.add_listener(lambda event: log.warning(
            "job %s: run due at %s missed by more than misfire_grace_time (%ss): skipped, waiting for the next one",
            event.job_id, event.scheduled_run_time, grace_seconds(config)), EVENT_JOB_MISSED)
        scheduler.add_listener(lambda event: log.warning(
            "job %s still running: this run skipped (max one at a time)", event.job_id), EVENT_JOB_MAX_INSTANCES)

        def shutdown() -> None:
            for _ in range(200):  # the signal may arrive while the scheduler is still starting
                try:
                    scheduler.shutdown(wait=False)
                    return
                except SchedulerNotRunningError:
                    time.sleep(0.05)

        def on_signal(signum: int, _frame: Any) -> None:
            if not runtime.stop.request(shutdown_reason(signum), signum):
                return  # already stopping: a second signal changes nothing (crawls got exactly one SIGTERM)
            log.info("%s received: no new jobs; stopping running crawls (waiting up to %ss)",
                     signal.Signals(signum).name, int(config.shutdown_timeout))
            threading.Thread(target=shutdown, name="scheduler-shutdown", daemon=True).start()

        with _signals(on_signal):
            log.info("scheduler running with %d job(s); SIGTERM or Ctrl-C stops it", len(config.jobs))
            if not runtime.stop.is_set():
                scheduler.start()  # blocks until shutdown
            if not runtime.wait_idle(config.shutdown_timeout):
                log.error("jobs still running %ss after the stop signal: exiting anyway", int(config.shutdown_timeout))
                logging.shutdown()
                os._exit(1)
        log.info("scheduler stopped")
    return 0


def run_once(config: MonitoringConfig, db_path: Path, now: datetime | None = None) -> OnceResult:
    """Run every job that is due at `now` (default: the current time) once, then return.

    Due: its next run time in the job store is at or before `now` (missed runs coalesce into one;
    a run missed by more than misfire_grace_time is skipped and the job waits for its next time),
    or it never ran, or its last run was cut short. Crawls run first, then rescoring, then reports.
    """
    now = now or datetime.now(timezone.utc)
    result = OnceResult([], [], False)
    with _started(config, db_path) as runtime:
        scheduler, store = make_scheduler(config, runtime.job_store)
        try:
            jobs = sync_jobs(scheduler, store, config, runtime.job_store, now)
            due = []
            for job in jobs:
                last, following = _coalesce(job, now)
                if last is None:
                    continue
                job.next_run_time = following  # advanced before running, as the scheduler does
                store.update_job(job)
                if now - last > timedelta(seconds=grace_seconds(config)):
                    log.warning("job %s: run due at %s missed by more than misfire_grace_time: skipped",
                                job.id, last.isoformat())
                    result.missed.append(job.id)
                else:
                    due.append(job)
        finally:
            store.shutdown()
        due.sort(key=lambda j: (KIND_ORDER[config.job(j.id).kind], j.id))
        if not due:
            log.info("nothing due at %s", now.isoformat())

        def on_signal(signum: int, _frame: Any) -> None:
            if runtime.stop.request(shutdown_reason(signum), signum):
                log.info("%s received: stopping the running job, then exiting", signal.Signals(signum).name)

        with _signals(on_signal):
            for job in due:
                if runtime.stop.is_set():
                    result.stopped = True
                    break
                run_job(job.id)
                state = job_states(runtime.job_store).get(job.id, {})
                result.ran.append((job.id, state.get("last_status") or "?", state.get("last_detail") or ""))
        result.stopped = result.stopped or runtime.stop.is_set()
    return result


def _coalesce(job: Any, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(latest run time due at `now` or None, the next run time after `now`)."""
    last, following = None, job.next_run_time
    for _ in range(1_000_000):
        if following is None or following > now:
            break
        last, following = following, job.trigger.get_next_fire_time(following, now)
    return last, following
