"""Run one crawl in its own process (Scrapy's reactor cannot restart) and watch its progress.

The parent creates the run row, starts `python -m scrapy crawl clinics` with an argv list (never
a shell string), polls the DB (WAL lets it read while the crawl writes) to report progress, and
closes the run itself if the crawl process died before it could.

The run row records who started it (`trigger`) and the crawl process id (`pid`), so a restarted
scheduler can tell a run whose process died with it (`recover_interrupted_runs`). The crawl
process gets its own process group: a terminal's Ctrl-C reaches only the parent, which then
signals the crawl exactly once (Scrapy treats a second signal as "stop now, uncleanly").
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from crawler.store.schema import CLINIC_NAME_SEPARATOR, open_db
from crawler.store.writer import clinics_to_crawl, finish_run, start_run

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 30  # after SIGTERM, how long a crawl may take to close its run before SIGKILL
logger = logging.getLogger("clinicwatch.scheduler")
# Settings for crawling our own loopback sites (demo, tests): allowed, and no politeness delay.
LOOPBACK_SETTINGS = {
    "CLINICWATCH_ALLOW_PRIVATE": "1",
    "CLINICWATCH_DOWNLOAD_DELAY": "0",
    "CLINICWATCH_AUTOTHROTTLE": "0",
}


class CrawlSettingError(ValueError):
    """A crawl setting the crawl could not use; raised before the run starts (one line)."""


def check_crawl_settings(settings: dict[str, str] | None) -> None:
    """Refuse unusable guard settings up front, not as a crawl process dying at start."""
    from crawler import netguard

    env = {**os.environ, **(settings or {})}
    try:
        netguard.AllowList.parse(env.get("CLINICWATCH_ALLOWED_PRIVATE_HOSTS", ""))
        netguard.parse_pins(env.get("CLINICWATCH_RESOLVE", ""))
    except ValueError as exc:
        raise CrawlSettingError(str(exc)) from None


@dataclass(frozen=True)
class CrawlOutcome:
    run_id: int
    status: str  # finished | failed | interrupted
    returncode: int
    log_path: Path
    pages_fetched: int
    pages_stored: int
    new_versions: int
    errors: int


def crawl_command(db_path: Path, run_id: int, clinic_names: list[str]) -> list[str]:
    argv = [sys.executable, "-m", "scrapy", "crawl", "clinics", "-a", f"db={db_path}", "-a", f"run_id={run_id}"]
    if clinic_names:
        argv += ["-a", f"clinics={CLINIC_NAME_SEPARATOR.join(clinic_names)}"]
    return argv


def run_crawl(
    db_path: str | Path,
    clinic_names: list[str] | tuple[str, ...] = (),
    *,
    settings: dict[str, str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    timeout: float | None = None,
    trigger: str = "manual",
    stop: threading.Event | None = None,
    pass_fds: Sequence[int] = (),
    on_start: Callable[[int, int], None] | None = None,
) -> CrawlOutcome:
    """Crawl the named (or all active) clinics in a child process; return how the run ended.

    `settings` are CLINICWATCH_* environment overrides for the child (see crawler/settings.py).
    `on_progress(fetched, stored)` is called while the crawl runs. Raises LookupError for an
    unknown clinic name and CrawlSettingError for an unusable allow-list before anything starts.
    `timeout` (seconds) and `stop` (set by a scheduler shutting down) end the crawl gracefully:
    SIGTERM, Scrapy closes the run as interrupted (finish reason "time_limit" or "shutdown").
    `trigger` is recorded with the run (manual | schedule:<job id>); `pass_fds` are kept open in
    the child (the clinic locks); `on_start(run_id, pid)` is called once the crawl process runs.
    """
    check_crawl_settings(settings)
    db_path = Path(db_path).resolve()
    db = open_db(db_path)
    try:
        clinics_to_crawl(db, clinic_names)  # validate names first: one clear error, no run row
        run_id = start_run(db, clinic_names)
        # Until the child exists the run belongs to this process: if it dies here, the run is stale.
        db.execute("UPDATE runs SET pid = ?, trigger = ? WHERE id = ?", [os.getpid(), trigger, run_id])
    finally:
        db.close()
    log_dir = db_path.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"crawl-{run_id}.log"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", **(settings or {})}
    env["CLINICWATCH_DB"] = str(db_path)
    stopped_for = ""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(crawl_command(db_path, run_id, list(clinic_names)), env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   process_group=0, pass_fds=tuple(pass_fds))
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            _set_pid(db_path, run_id, process.pid)
            if on_start is not None:
                on_start(run_id, process.pid)
            while process.poll() is None:
                if on_progress is not None:
                    on_progress(*_progress(db_path, run_id))
                if deadline is not None and time.monotonic() > deadline:
                    stopped_for = "time_limit"
                elif stop is not None and stop.is_set():
                    stopped_for = "shutdown"
                if stopped_for:
                    _terminate(process, run_id, stopped_for)
                    break
                if stop is not None:
                    stop.wait(POLL_SECONDS)
                else:
                    time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            process.wait()
            raise
        except BaseException:
            _terminate(process, run_id, "error")
            raise
        finally:
            returncode = process.wait()
    return _close(db_path, run_id, returncode, log_path, stopped_for)


def _terminate(process: subprocess.Popen, run_id: int, why: str) -> None:
    """One SIGTERM (graceful: Scrapy closes the run itself), SIGKILL if it takes too long."""
    if process.poll() is not None:
        return
    logger.info("run %s: stopping crawl process %s (%s)", run_id, process.pid, why)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        logger.warning("run %s: crawl process %s still running %ss after SIGTERM: killed",
                       run_id, process.pid, STOP_GRACE_SECONDS)
        process.kill()


def _set_pid(db_path: Path, run_id: int, pid: int) -> None:
    db = open_db(db_path)
    try:
        db.execute("UPDATE runs SET pid = ? WHERE id = ?", [pid, run_id])
    finally:
        db.close()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _boot_time() -> str:
    """When this machine booted (ISO UTC, like runs.started_at), or "" where /proc/stat is not available."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(line.split()[1])))
    except OSError:
        pass
    return ""


def recover_interrupted_runs(db, *, alive: Callable[[int], bool] = pid_alive) -> list[int]:
    """Mark runs still 'running' whose process is gone as 'interrupted'; return their ids.

    A run started before the machine last booted is dead even if its pid now belongs to another
    process. Runs without a pid (started by `scrapy crawl` directly, or before schema v4) cannot be
    judged and are left alone. What such a run stored stays: versions are unique per (page, content hash),
    so the next crawl adds nothing twice.
    """
    recovered = []
    booted = _boot_time()
    for run_id, pid, started in db.execute(
            "SELECT id, pid, started_at FROM runs WHERE status = 'running' AND pid IS NOT NULL").fetchall():
        if not (booted and started and started < booted) and alive(pid):  # before a reboot: dead, whatever the pid is now
            logger.info("run %s is still running (pid %s): left alone", run_id, pid)
            continue
        finish_run(db, run_id, "interrupted", f"crawl process {pid} was gone when the scheduler started")
        logger.warning("run %s: crawl process %s is gone (scheduler or machine stopped): marked interrupted",
                       run_id, pid)
        recovered.append(run_id)
    return recovered


def _progress(db_path: Path, run_id: int) -> tuple[int, int]:
    db = open_db(db_path)
    try:
        row = db.execute(
            "SELECT COUNT(*), SUM(outcome IN ('stored','unchanged')) FROM fetch_log WHERE run_id = ?", [run_id]
        ).fetchone()
    finally:
        db.close()
    return row[0] or 0, row[1] or 0


def _close(db_path: Path, run_id: int, returncode: int, log_path: Path, stopped_for: str = "") -> CrawlOutcome:
    db = open_db(db_path)
    try:
        status = db.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()[0]
        if status == "running":  # the child died before closing its run
            status = "interrupted" if returncode < 0 or stopped_for else "failed"
            finish_run(db, run_id, status, stopped_for or f"crawl process exited with {returncode}")
        elif stopped_for == "time_limit" and status == "interrupted":
            db.execute("UPDATE runs SET finish_reason = 'time_limit' WHERE id = ?", [run_id])
        row = next(db.query(
            "SELECT status, pages_fetched, pages_stored, new_versions, errors FROM runs WHERE id = ?", [run_id]
        ))
    finally:
        db.close()
    return CrawlOutcome(run_id, row["status"], returncode, log_path, row["pages_fetched"] or 0,
                        row["pages_stored"] or 0, row["new_versions"] or 0, row["errors"] or 0)
