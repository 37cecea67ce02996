"""Run one crawl in its own process (Scrapy's reactor cannot restart) and watch its progress.

The parent creates the run row, starts `python -m scrapy crawl clinics` with an argv list (never
a shell string), polls the DB (WAL lets it read while the crawl writes) to report progress, and
closes the run itself if the crawl process died before it could.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from crawler.store.schema import CLINIC_NAME_SEPARATOR, open_db
from crawler.store.writer import clinics_to_crawl, finish_run, start_run

POLL_SECONDS = 0.5
# Settings for crawling our own loopback sites (demo, tests): allowed, and no politeness delay.
LOOPBACK_SETTINGS = {
    "CLINICWATCH_ALLOW_PRIVATE": "1",
    "CLINICWATCH_DOWNLOAD_DELAY": "0",
    "CLINICWATCH_AUTOTHROTTLE": "0",
}


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
) -> CrawlOutcome:
    """Crawl the named (or all active) clinics in a child process; return how the run ended.

    `settings` are CLINICWATCH_* environment overrides for the child (see crawler/settings.py).
    `on_progress(fetched, stored)` is called while the crawl runs. Raises LookupError for an
    unknown clinic name before anything starts.
    """
    db_path = Path(db_path).resolve()
    db = open_db(db_path)
    try:
        clinics_to_crawl(db, clinic_names)  # validate names first: one clear error, no run row
        run_id = start_run(db, clinic_names)
    finally:
        db.close()
    log_dir = db_path.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"crawl-{run_id}.log"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", **(settings or {})}
    env["CLINICWATCH_DB"] = str(db_path)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(crawl_command(db_path, run_id, list(clinic_names)), env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while process.poll() is None:
                if on_progress is not None:
                    on_progress(*_progress(db_path, run_id))
                if deadline is not None and time.monotonic() > deadline:
                    process.send_signal(signal.SIGTERM)  # graceful: Scrapy closes the run itself
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                    break
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            process.wait()
            raise
        finally:
            returncode = process.wait()
    return _close(db_path, run_id, returncode, log_path)


def _progress(db_path: Path, run_id: int) -> tuple[int, int]:
    db = open_db(db_path)
    try:
        row = db.execute(
            "SELECT COUNT(*), SUM(outcome IN ('stored','unchanged')) FROM fetch_log WHERE run_id = ?", [run_id]
        ).fetchone()
    finally:
        db.close()
    return row[0] or 0, row[1] or 0


def _close(db_path: Path, run_id: int, returncode: int, log_path: Path) -> CrawlOutcome:
    db = open_db(db_path)
    try:
        status = db.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()[0]
        if status == "running":  # the child died before closing its run
            status = "interrupted" if returncode < 0 else "failed"
            finish_run(db, run_id, status, f"crawl process exited with {returncode}")
        row = next(db.query(
            "SELECT status, pages_fetched, pages_stored, new_versions, errors FROM runs WHERE id = ?", [run_id]
        ))
    finally:
        db.close()
    return CrawlOutcome(run_id, row["status"], returncode, log_path, row["pages_fetched"] or 0,
                        row["pages_stored"] or 0, row["new_versions"] or 0, row["errors"] or 0)
