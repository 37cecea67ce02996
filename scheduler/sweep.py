"""Parallel crawls: one task per clinic, run at once on this machine or on a Dask cluster, one DB writer.

A task crawls its clinic (or the clinics that share a domain with it, so per-domain politeness
holds: one crawl process per domain) in its own Scrapy process against a scratch DB built from
what the real DB knows about those clinics, and returns that DB, its WARC files and its log.
The coordinator (this process, the only writer) copies the WARC files into the archive and
merges each task's DB as it arrives (crawler/store/merge.py: idempotent on natural keys). A task
that fails is recorded in `run_clinics` with its error; the run goes on.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from crawler import settings as crawl_settings
from crawler.store.events import record_run_events
from crawler.store.history import archive_dir_for
from crawler.store.merge import (ClinicSlice, build_scratch_db, checkpoint, clinic_slice, merge_scratch,
                                 merged_stats, record_task, scratch_run)
from crawler.store.schema import open_db
from crawler.store.writer import clinics_to_crawl, finish_run, start_run, utc_now, write_failure
from scheduler.cluster import DaskRunner, LocalRunner, Outcome
from scheduler.crawl_process import (CrawlOutcome, check_crawl_settings, pid_alive, run_crawl, stop_on_signals,
                                     stop_reason)

LOG_TAIL_BYTES = 1 << 20  # of a task's crawl log, kept beside the DB
# A task's scratch dir outlives it only when its worker died (Dask re-ran the task elsewhere);
# the next task on that machine removes such dirs once their process is gone and this old.
STALE_SCRATCH_SECONDS = 3600
_SCRATCH_PREFIX = "clinicwatch-task-"
# Settings that belong to the coordinator, not to the crawl tasks it ships.
COORDINATOR_ONLY = ("CLINICWATCH_DB", "CLINICWATCH_ARCHIVE_DIR", "CLINICWATCH_WARC_PREFIX", "CLINICWATCH_SCRATCH_DIR",
                    "CLINICWATCH_CLUSTER", "CLINICWATCH_STOP_WITH_PARENT")
TASK_STOP = threading.Event()  # local tasks (threads of this process) stop when the coordinator stops


@dataclass(frozen=True)
class CrawlTask:
    run_id: int
    clinic_ids: list[int]
    names: list[str]
    piece: ClinicSlice
    settings: dict[str, str]
    timeout: float | None


@dataclass(frozen=True)
class CrawlTaskResult:
    clinic_ids: list[int]
    status: str  # the task's crawl: finished | failed | interrupted
    returncode: int
    db: bytes  # the scratch DB
    warc: dict[str, bytes]  # WARC file name -> bytes
    log: bytes  # tail of the crawl log
    where: str  # "local" or the Dask worker's address
    started_at: str
    finished_at: str


def _where() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "local"


def crawl_task(task: CrawlTask) -> CrawlTaskResult:
    """Run on a worker: crawl the task's clinics in a subprocess against a scratch DB; return it all."""
    root = crawl_settings.CLINICWATCH_SCRATCH_DIR or None
    remove_stale_scratch(Path(root or tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=root) as tmp:
        scratch = Path(tmp) / "task.db"
        build_scratch_db(scratch, task.piece)
        archive = Path(tmp) / "archive"
        # Politeness-bound crawls run many at once: analysis inline (no extra process each) unless set.
        settings = {"CLINICWATCH_ANALYSIS_WORKERS": "0", **task.settings, "CLINICWATCH_ARCHIVE_DIR": str(archive),
                    # unique per attempt: a task Dask re-runs never reuses a name
                    "CLINICWATCH_WARC_PREFIX": f"run{task.run_id:06d}-c{task.clinic_ids[0]}-{uuid.uuid4().hex[:6]}"}
        started = utc_now()
        outcome = run_crawl(scratch, task.names, settings=settings, timeout=task.timeout,
                            trigger=f"task:run{task.run_id}", stop=TASK_STOP)
        log = outcome.log_path.read_bytes()[-LOG_TAIL_BYTES:] if outcome.log_path.exists() else b""
        return CrawlTaskResult(
            clinic_ids=task.clinic_ids, status=outcome.status, returncode=outcome.returncode, db=checkpoint(scratch),
            warc={p.name: p.read_bytes() for p in sorted(archive.glob("*.warc.gz"))} if archive.exists() else {},
            log=log, where=_where(), started_at=started, finished_at=utc_now())


def remove_stale_scratch(root: Path, now: float | None = None) -> list[Path]:
    """Remove scratch dirs left by dead workers (their pid gone, older than STALE_SCRATCH_SECONDS)."""
    removed = []
    now = time.time() if now is None else now
    try:
        candidates = list(root.glob(f"{_SCRATCH_PREFIX}*-*"))
    except OSError:
        return removed
    for path in candidates:
        pid = path.name[len(_SCRATCH_PREFIX):].split("-", 1)[0]
        try:
            old = now - path.stat().st_mtime > STALE_SCRATCH_SECONDS
        except OSError:
            continue
        if pid.isdigit() and int(pid) != os.getpid() and old and not pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def group_clinics(clinics: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Clinics that share a domain (or one's domain is under another's) crawl in one task."""
    parent = list(range(len(clinics)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def domains(clinic: dict[str, Any]) -> list[str]:
        return [d.strip(".") for d in (clinic.get("domains") or "").lower().split() if d.strip(".")]

    owner: dict[str, int] = {}  # a domain -> the first clinic naming it
    for i, clinic in enumerate(clinics):
        for domain in domains(clinic):
            parent[find(i)] = find(owner.setdefault(domain, i))
    for i, clinic in enumerate(clinics):  # a domain under another clinic's domain (sub.a.example, a.example)
        for domain in domains(clinic):
            labels = domain.split(".")
            for k in range(1, len(labels)):
                j = owner.get(".".join(labels[k:]))
                if j is not None:
                    parent[find(i)] = find(j)
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, clinic in enumerate(clinics):
        groups.setdefault(find(i), []).append(clinic)
    return list(groups.values())


def shard(groups: list[list[dict[str, Any]]], tasks: int) -> list[list[dict[str, Any]]]:
    """At most `tasks` tasks from the domain groups, balanced by clinic count (each group stays whole).

    One Scrapy process already crawls many sites at once (a slot per domain), and each process
    costs ~1.5 s of start-up: on one machine, `parallel` processes with a share of the clinics
    each beat one process per clinic (benchmarks/parallel_crawl.py).
    """
    if tasks >= len(groups):
        return groups
    shards: list[list[dict[str, Any]]] = [[] for _ in range(max(1, tasks))]
    for group in sorted(groups, key=len, reverse=True):
        min(shards, key=len).extend(group)
    return [s for s in shards if s]


def task_settings(overrides: dict[str, str] | None) -> dict[str, str]:
    """This process's CLINICWATCH_* environment plus the overrides: tasks on other machines crawl alike."""
    inherited = {k: v for k, v in os.environ.items() if k.startswith("CLINICWATCH_") and k not in COORDINATOR_ONLY}
    return {**inherited, **{k: v for k, v in (overrides or {}).items() if k not in COORDINATOR_ONLY}}


def run_sweep(db_path: str | Path, clinic_names: list[str] | tuple[str, ...] = (), *,
              settings: dict[str, str] | None = None, parallel: int | None = None, cluster: str = "",
              timeout: float | None = None, trigger: str = "manual", stop: threading.Event | None = None,
              on_task: Callable[[int, int, str, str], None] | None = None) -> CrawlOutcome:
    """Crawl the named (or all active) clinics as parallel tasks; return how the run ended.

    `parallel` tasks at once on this machine, or on the Dask cluster at `cluster`. `timeout` is
    each task's crawl time limit. `on_task(done, total, clinic names, outcome line)` reports progress.
    Raises ClusterError (unreachable scheduler), LookupError (unknown clinic) or CrawlSettingError
    before anything is written.
    """
    check_crawl_settings(settings)
    db_path = Path(db_path).resolve()
    db = open_db(db_path)
    try:
        clinics = clinics_to_crawl(db, list(clinic_names))
    finally:
        db.close()
    runner = DaskRunner(cluster) if cluster else LocalRunner(parallel or crawl_settings.CLINICWATCH_PARALLEL_CRAWLS)
    TASK_STOP.clear()
    try:
        with stop_on_signals(stop) as stop:  # Ctrl-C/SIGTERM: stop the crawls, merge what they fetched
            db = open_db(db_path)
            try:
                return _sweep(db, db_path, clinics, list(clinic_names), runner, settings, timeout, trigger, stop,
                              on_task)
            finally:
                db.close()
    finally:
        runner.close()


def _sweep(db: Any, db_path: Path, clinics: list[dict[str, Any]], names: list[str], runner: LocalRunner | DaskRunner,
           settings: dict[str, str] | None, timeout: float | None, trigger: str, stop: threading.Event | None,
           on_task: Callable[[int, int, str, str], None] | None) -> CrawlOutcome:
    started = time.monotonic()
    run_id = start_run(db, names)
    db.execute("UPDATE runs SET pid = ?, trigger = ? WHERE id = ?", [os.getpid(), trigger, run_id])
    shipped = task_settings(settings)
    groups = group_clinics(clinics)
    per_task = crawl_settings.CLINICWATCH_CLINICS_PER_TASK
    if per_task <= 0:  # auto: one task per process on this machine, one per clinic on a cluster
        groups = shard(groups, runner.workers) if isinstance(runner, LocalRunner) else groups
    else:
        groups = shard(groups, -(-len(clinics) // per_task))
    tasks = [CrawlTask(run_id, [c["id"] for c in group], [c["name"] for c in group],
                       clinic_slice(db, [c["id"] for c in group]), shipped, timeout)
             for group in groups]
    archive = archive_dir_for(db_path, (settings or {}).get("CLINICWATCH_ARCHIVE_DIR")
                              or crawl_settings.CLINICWATCH_ARCHIVE_DIR)
    logs = db_path.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stats: list[dict] = []
    failed = done = 0
    cut_short: list[str] = []  # finish reasons of task crawls that ended early (time limit, disk full)
    write_error = ""  # this process could not write the DB or the archive: nothing more can be kept
    watcher = _stop_watcher(stop, runner)
    try:
        for outcome in runner.map(crawl_task, tasks):
            done += 1
            if write_error:
                line = "not merged: " + write_error
            else:
                try:
                    line = _take(db, run_id, outcome, archive, logs, stats, cut_short)
                except (sqlite3.Error, OSError) as exc:  # disk full: nothing more can be kept, stop the crawls
                    write_error = write_failure(exc)
                    if not write_error:
                        raise
                    _rollback(db)
                    runner.cancel()
                    TASK_STOP.set()
                    line = "not merged: " + write_error
            failed += line.startswith("failed")
            if on_task is not None:
                on_task(done, len(tasks), ", ".join(outcome.item.names), line)
    except BaseException:  # KeyboardInterrupt where signals are not ours: stop the crawls before unwinding
        runner.cancel()
        TASK_STOP.set()
        raise
    finally:
        if watcher is not None:
            watcher.set()
    if write_error:
        status, reason = "interrupted", write_error
    elif stop is not None and stop.is_set():
        status, reason = "interrupted", stop_reason(stop)
    elif tasks and failed == len(tasks):
        status, reason = "failed", "every clinic crawl failed"
    elif cut_short:  # an incomplete crawl is not `finished`: its missing pages would read as removed claims
        status, reason = "interrupted", cut_short[0] if len(set(cut_short)) == 1 else \
            f"{len(cut_short)} of {len(tasks)} clinic crawls cut short: {', '.join(sorted(set(cut_short)))}"
    elif failed:
        status, reason = "finished", f"partial: {failed} of {len(tasks)} clinic crawls failed"
    else:
        status, reason = "finished", "finished"
    total = merged_stats(stats)
    total.update({"elapsed_time_seconds": round(time.monotonic() - started, 3), "clinicwatch/tasks": len(tasks),
                  "clinicwatch/tasks_failed": failed, "clinicwatch/ran_on": runner.where})
    finish_run(db, run_id, status, reason, total)
    if status == "finished":
        record_run_events(db, run_id, gone_after=crawl_settings.CLINICWATCH_GONE_AFTER_RUNS)
    row = db.execute("SELECT pages_fetched, pages_stored, new_versions, errors FROM runs WHERE id=?",
                     [run_id]).fetchone()
    return CrawlOutcome(run_id, status, 0 if status == "finished" else 1, logs, *row,
                        signum=getattr(stop, "signum", 0) if status == "interrupted" and not write_error else 0,
                        reason=reason)


def _rollback(db: Any) -> None:
    """After a failed write: leave no transaction open (the run must still be closable)."""
    if db.conn.in_transaction:
        db.conn.rollback()


def _take(db: Any, run_id: int, outcome: Outcome, archive: Path, logs: Path, stats: list[dict],
          cut_short: list[str]) -> str:
    """Merge one task's result (or record its failure); returns a one-line summary."""
    task: CrawlTask = outcome.item
    if outcome.error:
        record_task(db, run_id=run_id, clinic_ids=task.clinic_ids, status="failed", error=outcome.error,
                    worker="")
        return f"failed: {outcome.error}"
    result: CrawlTaskResult = outcome.result
    archive.mkdir(parents=True, exist_ok=True)
    for name, data in result.warc.items():  # before the merge: a version never points at a missing file
        (archive / name).write_bytes(data)
    (logs / f"crawl-{run_id}-c{task.clinic_ids[0]}.log").write_bytes(result.log)
    with tempfile.TemporaryDirectory(prefix="clinicwatch-merge-") as tmp:
        scratch = Path(tmp) / "task.db"
        scratch.write_bytes(result.db)
        merge_started = time.monotonic()
        counts = merge_scratch(db, scratch, run_id=run_id, clinic_ids=task.clinic_ids)
        reason, task_stats = scratch_run(scratch)
        stats.append({**task_stats, "clinicwatch/merge_seconds": time.monotonic() - merge_started})
    if result.status == "interrupted":
        cut_short.append(reason or "interrupted")
    record_task(db, run_id=run_id, clinic_ids=task.clinic_ids, status=result.status,
                error="" if result.status == "finished" else f"crawl {result.status}"
                + (f": {reason}" if reason else "") + f" (exit {result.returncode})",
                worker=result.where, counts=counts, started_at=result.started_at, finished_at=result.finished_at)
    stored, new, errors = (sum(getattr(c, f) for c in counts.values())
                           for f in ("pages_stored", "new_versions", "errors"))
    return f"{result.status}: {stored} pages ({new} new versions), {errors} errors on {result.where}"


def _stop_watcher(stop: threading.Event | None, runner: LocalRunner | DaskRunner) -> threading.Event | None:
    """A scheduler shutting down sets `stop`: cancel what has not started, stop local crawls gracefully."""
    if stop is None:
        return None
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.5):
            if stop.is_set():
                runner.cancel()
                TASK_STOP.set()
                return

    threading.Thread(target=watch, daemon=True, name="clinicwatch-sweep-stop").start()
    return finished
