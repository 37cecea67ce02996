"""Run one crawl in its own process (Scrapy's reactor cannot restart) and watch its progress.

The parent creates the run row, starts `python -m scrapy crawl clinics` with an argv list (never
a shell string), polls the DB (WAL lets it read while the crawl writes) to report progress, and
closes the run itself if the crawl process died before it could.

The run row records who started it (`trigger`) and the crawl process id (`pid`), so a restarted
scheduler can tell a run whose process died with it (`recover_interrupted_runs`). The crawl
process gets its own process group: a terminal's Ctrl-C reaches only the parent, which then
signals the crawl exactly once (Scrapy treats a second signal as "stop now, uncleanly").

Stopping: SIGINT and SIGTERM to the parent (Ctrl-C, `timeout`, `docker stop`, systemd) ask for a
graceful stop (`stop_on_signals`): the crawl gets one SIGTERM, commits what it has, and the run
is closed `interrupted` with the reason ("interrupted by SIGTERM"). The crawl also stops by itself
when the parent is gone (CLINICWATCH_STOP_WITH_PARENT, crawler/parent_watch.py), so a parent
killed with SIGKILL leaves no crawl running for nobody.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from crawler.store.db_lock import pid_alive
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
    """Refuse unusable settings up front (crawler/settings.py's readers), not as a crawl process dying at start."""
    from crawler import settings as crawl_settings

    try:
        crawl_settings.check_settings({**os.environ, **(settings or {})})
    except ValueError as exc:
        raise CrawlSettingError(str(exc)) from None


class StopRequest(threading.Event):
    """An event that also says why the stop was asked for (the run's finish reason).

    A plain threading.Event works wherever a StopRequest does; its reason reads as "shutdown".
    """

    def __init__(self) -> None:
        super().__init__()
        self.reason = ""
        self.signum = 0  # the signal that asked for the stop, 0 if none
        self._lock = threading.Lock()

    def request(self, reason: str, signum: int = 0) -> bool:
        """Ask for a stop; the first request's reason is kept. True if this was the first."""
        with self._lock:
            if self.is_set():
                return False
            self.reason, self.signum = reason, signum
            self.set()
            return True


def stop_reason(stop: threading.Event | None, default: str = "shutdown") -> str:
    return (getattr(stop, "reason", "") or default) if stop is not None else default


@contextmanager
def stop_on_signals(stop: threading.Event | None) -> Iterator[threading.Event | None]:
    """Without a caller's `stop`: SIGINT and SIGTERM ask for a graceful stop instead of ending this process.

    Why: Python's default SIGTERM kills the parent at once (its run stays `running`, its scratch
    dirs stay, its crawl processes run on), and KeyboardInterrupt unwinds through code that
    must keep what the crawls fetched. A caller that passes `stop` (the scheduler) handles
    signals itself; only the main thread can. A second signal changes nothing: each crawl
    already got its one SIGTERM and is saving what it fetched.
    """
    if stop is not None or threading.current_thread() is not threading.main_thread():
        yield stop
        return
    request = StopRequest()

    def handler(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        if not request.request(f"interrupted by {name}", signum):
            # not logging: a handler that logs can re-enter a stream the main thread is writing
            os.write(2, f"{name} again: already stopping, saving what was fetched\n".encode())

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


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
    signum: int = 0  # the signal that stopped the run (SIGINT, SIGTERM), 0 if none
    reason: str = ""  # the run's finish reason


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
    SIGTERM, Scrapy closes the run as interrupted (finish reason "time_limit", or the StopRequest's
    reason, "shutdown" for a plain event). Without `stop`, SIGINT/SIGTERM to this process do the
    same (`stop_on_signals`). `trigger` is recorded with the run (manual | schedule:<job id>);
    `pass_fds` are kept open in the child (the clinic locks); `on_start(run_id, pid)` is called
    once the crawl process runs.
    """
    check_crawl_settings(settings)
    with stop_on_signals(stop) as stop:
        return _run_crawl(Path(db_path).resolve(), list(clinic_names), settings, on_progress, timeout, trigger,
                          stop, pass_fds, on_start)


def _run_crawl(db_path: Path, clinic_names: list[str], settings: dict[str, str] | None,
               on_progress: Callable[[int, int], None] | None, timeout: float | None, trigger: str,
               stop: threading.Event | None, pass_fds: Sequence[int],
               on_start: Callable[[int, int], None] | None) -> CrawlOutcome:
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
    env["CLINICWATCH_STOP_WITH_PARENT"] = str(os.getpid())  # the crawl ends when this process is gone
    stopped_for, signum = "", 0
    with open(log_path, "ab") as log:
        process = subprocess.Popen(crawl_command(db_path, run_id, clinic_names), env=env,
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
                if stop is not None and stop.is_set():
                    stopped_for, signum = stop_reason(stop), getattr(stop, "signum", 0)
                elif deadline is not None and time.monotonic() > deadline:
                    stopped_for = "time_limit"
                if stopped_for:
                    _terminate(process, run_id, stopped_for)
                    break
                if stop is not None:
                    stop.wait(POLL_SECONDS)
                else:
                    time.sleep(POLL_SECONDS)
        except BaseException:  # KeyboardInterrupt where signals are not ours, an error in a callback
            _terminate(process, run_id, "error")
            raise
        finally:
            returncode = process.wait()
    return _close(db_path, run_id, returncode, log_path, stopped_for, signum)


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


def _close(db_path: Path, run_id: int, returncode: int, log_path: Path, stopped_for: str = "",
           signum: int = 0) -> CrawlOutcome:
    db = open_db(db_path)
    try:
        status, reason = db.execute("SELECT status, finish_reason FROM runs WHERE id = ?", [run_id]).fetchone()
        if status == "running":  # the child died before closing its run
            status = "interrupted" if returncode < 0 or stopped_for else "failed"
            finish_run(db, run_id, status, stopped_for or f"crawl process exited with {returncode}")
        elif stopped_for and status == "interrupted" and reason == "shutdown":  # Scrapy's word for our SIGTERM
            db.execute("UPDATE runs SET finish_reason = ? WHERE id = ?", [stopped_for, run_id])
        row = next(db.query("SELECT status, finish_reason, pages_fetched, pages_stored, new_versions, errors"
                            " FROM runs WHERE id = ?", [run_id]))
    finally:
        db.close()
    return CrawlOutcome(run_id, row["status"], returncode, log_path, row["pages_fetched"] or 0,
                        row["pages_stored"] or 0, row["new_versions"] or 0, row["errors"] or 0,
                        signum if row["status"] == "interrupted" else 0, row["finish_reason"] or "")
