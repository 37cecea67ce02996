"""Who holds a ClinicWatch DB's write lock: the one line a writer that gave up waiting prints.

SQLite says only "database is locked". In WAL mode the writer holds a POSIX lock on byte 120 of
the -shm file (a rollback-journal DB: the RESERVED byte of the DB file); Linux lists POSIX locks
with their owner's pid in /proc/locks, read here without opening the lock files (closing any
descriptor of a file drops this process's own POSIX locks on it, SQLite's included). That pid is
matched against the crawl runs still `running`. Without /proc/locks (not Linux) or when the lock
was released meanwhile, the holder is "another process", and a running crawl is mentioned as a
likely one, never asserted.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

WAL_WRITE_LOCK_BYTE = 120  # in the -shm file (SQLite's WALINDEX_LOCK_OFFSET + WAL_WRITE_LOCK)
RESERVED_BYTE = 0x40000001  # in the DB file, rollback-journal mode (PENDING_BYTE + 1)


def busy_message(path: Path, conn: sqlite3.Connection, waited: float) -> str:
    """"the database study.db is busy: crawl run 7 (pid 1234, started ...) is writing; ..." """
    return (f"the database {path} is busy: {describe_writer(path, conn)}; try again when it ends "
            f"(waited {waited:.0f} s, CLINICWATCH_BUSY_TIMEOUT)")


def describe_writer(path: Path, conn: sqlite3.Connection) -> str:
    pid = writer_pid(path)
    runs = _running_runs(conn)
    if pid is not None:
        for run_id, run_pid, started in runs:
            if run_pid == pid:
                return f"crawl run {run_id} (pid {pid}, started {started}) is writing"
        name = _process_name(pid)
        return f"process {pid}{f' ({name})' if name else ''} is writing"
    alive = [r for r in runs if pid_alive(r[1])]
    if alive:
        run_id, run_pid, started = alive[0]
        return f"another process is writing (crawl run {run_id}, pid {run_pid}, started {started}, is running)"
    return "another process is writing"


def writer_pid(path: Path) -> int | None:
    """The pid holding the write lock of the DB at `path`, from /proc/locks; None when unknown."""
    candidates = [(path.with_name(path.name + "-shm"), WAL_WRITE_LOCK_BYTE), (path, RESERVED_BYTE)]
    try:
        locks = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for file, byte in candidates:
        try:
            st = file.stat()
        except OSError:
            continue
        device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        for line in locks:
            fields = line.split()
            # "1: POSIX  ADVISORY  WRITE 1234 00:2d:56789 120 120"; "1: -> ..." lines are waiters
            if len(fields) < 8 or fields[1] == "->" or fields[1] != "POSIX" or fields[3] != "WRITE":
                continue
            if fields[5] != device:
                continue
            start, end = int(fields[6]), (None if fields[7] == "EOF" else int(fields[7]))
            if start <= byte and (end is None or byte <= end) and int(fields[4]) > 0:
                return int(fields[4])
    return None


def _running_runs(conn: sqlite3.Connection) -> list[tuple[int, int, str]]:
    try:  # a WAL reader is never blocked by the writer
        return [(r[0], r[1], r[2]) for r in conn.execute(
            "SELECT id, pid, started_at FROM runs WHERE status = 'running' AND pid IS NOT NULL ORDER BY id DESC")]
    except sqlite3.DatabaseError:
        return []


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


def _process_name(pid: int) -> str:
    """The process's short name (/proc/PID/comm), never its arguments (they may hold secrets)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""
