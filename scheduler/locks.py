"""File locks (fcntl.flock): one scheduler per database, one crawl per clinic at a time.

flock locks belong to an open file description, so they are released by the kernel when the
holder dies (even by SIGKILL): a lock file left on disk never blocks anyone. Two opens in the
same process conflict too, so two scheduler threads cannot both take a clinic.

A clinic lock's descriptor is handed to the crawl process (`pass_fds`), so the lock lives as
long as the crawl does, even if the scheduler that started it is killed first.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


class SchedulerLocked(RuntimeError):
    """Another scheduler already runs on this database."""


def scheduler_lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".scheduler.lock")


def clinic_lock_path(db_path: Path, clinic_id: int) -> Path:
    return db_path.parent / "locks" / f"clinic-{clinic_id}.lock"


def _try_lock(path: Path) -> int | None:
    """An open descriptor holding an exclusive flock on `path`, or None if someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return f" by pid {text}" if text.isdigit() else ""


class SchedulerLock:
    """Held for the scheduler's lifetime: `with SchedulerLock(db): ...`; a second one raises SchedulerLocked."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = scheduler_lock_path(self.db_path)
        self.fd: int | None = None

    def acquire(self) -> "SchedulerLock":
        fd = _try_lock(self.path)
        if fd is None:
            raise SchedulerLocked(f"another scheduler is already running on {self.db_path}"
                                  f" (lock {self.path} held{_holder(self.path)}); stop it first")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None

    def __enter__(self) -> "SchedulerLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def scheduler_running(db_path: Path) -> bool:
    """True when some process holds the scheduler lock of this DB (a probe: the lock is not kept)."""
    path = scheduler_lock_path(Path(db_path))
    if not path.exists():
        return False
    fd = _try_lock(path)
    if fd is None:
        return True
    os.close(fd)
    return False


@dataclass
class ClinicLocks:
    """Clinics whose lock we hold (`held`) and clinics another crawl is busy with (`busy`)."""

    held: list[dict[str, Any]] = field(default_factory=list)
    busy: list[dict[str, Any]] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.held]


@contextmanager
def clinic_locks(db_path: Path, clinics: list[dict[str, Any]]) -> Iterator[ClinicLocks]:
    """Try each clinic's lock without waiting; locks are released when the block ends."""
    locks = ClinicLocks()
    try:
        for clinic in clinics:
            path = clinic_lock_path(Path(db_path), clinic["id"])
            fd = _try_lock(path)
            if fd is None:
                locks.busy.append(clinic)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            locks.held.append(clinic)
            locks.fds.append(fd)
        yield locks
    finally:
        for fd in locks.fds:
            os.close(fd)
