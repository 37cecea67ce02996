"""Serve a ClinicWatch DB with datasette and our metadata, on the loopback interface only.

The DB holds crawled third-party text and datasette allows arbitrary read-only SQL, so the
default is 127.0.0.1; exposing it wider is a deliberate choice of the caller of
`datasette_command`, never of `serve`.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

from crawler.ports import check_port_free
from reports.db_read import open_readonly, read_snapshot
from reports.datasette_meta import write_metadata

LOOPBACK = "127.0.0.1"
SQL_TIME_LIMIT_MS = 5000  # canned queries over a large DB need more than datasette's 1 s
MAX_RETURNED_ROWS = 5000  # top_clinics must list every clinic (thousands), not the first 1000
METADATA_SUFFIX = ".datasette.json"
PLUGINS_DIR = Path(__file__).with_name("datasette_plugins")  # holds only the guard plugin
STOP_TIMEOUT_S = 10.0  # grace period for datasette to exit before it is killed


def metadata_path_for(db_path: str | Path) -> Path:
    """Where `serve` writes the metadata: next to the DB, e.g. clinicwatch.datasette.json."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + METADATA_SUFFIX)


def datasette_command(db_path: str | Path, metadata_path: str | Path, port: int,
                      host: str = LOOPBACK) -> list[str]:
    """argv (never a shell string) running datasette with this interpreter's install and our
    guard plugin (reports/datasette_guard.py: own Host names only, formula-safe CSV/JSON)."""
    return [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--metadata", str(metadata_path),
        "--plugins-dir", str(PLUGINS_DIR),
        "--host", host, "--port", str(int(port)),
        "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
        "--setting", "max_returned_rows", str(MAX_RETURNED_ROWS),
    ]


def serve(db_path: str | Path, port: int) -> int:
    """Write metadata next to the DB and run datasette in the foreground on 127.0.0.1.

    Returns datasette's exit code (0 after Ctrl-C). Raises ReportError for a missing or
    non-ClinicWatch DB and PortError for a port in use, before starting anything.
    """
    db_path = Path(db_path)
    conn = open_readonly(db_path)
    try:
        with read_snapshot(conn):  # validates the schema version
            pass
    finally:
        conn.close()
    check_port_free(LOOPBACK, port)  # PortError (one line); datasette would fail in its own process
    meta = write_metadata(metadata_path_for(db_path), db_path.stem)
    proc = subprocess.Popen(datasette_command(db_path, meta, port))
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)  # stop the child on SIGTERM too
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        _stop(proc)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Never leave an orphaned datasette holding the port."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
