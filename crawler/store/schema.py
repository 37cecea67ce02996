"""Opening a ClinicWatch DB: the one way every reader and writer gets a connection.

The schema is versioned in `PRAGMA user_version` (migrations: crawler/store/migrations.py), so a
writer opening an old DB upgrades it in place and a DB written by a newer ClinicWatch fails with
one clear line instead of being silently mis-read. Commands that only read open it with
`readonly=True` (SQLite `mode=ro`): they never migrate, switch journal modes or write a byte, so a
mistyped `--db` pointing at someone else's SQLite file is refused, never rewritten.

Writers share the DB with a running crawl: every transaction takes the write lock up front
(BEGIN IMMEDIATE), waiting up to CLINICWATCH_BUSY_TIMEOUT for it, then DatabaseBusy names who
holds it (crawler/store/db_lock.py).
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlite_utils

from crawler.store.migrations import MIGRATIONS

SCHEMA_VERSION = 6
# Clinic names in runs.clinic_filter (and spider arguments) are joined with this: names have spaces.
CLINIC_NAME_SEPARATOR = ";"
# Tables every ClinicWatch DB has had since schema 1: with user_version, how we recognise one.
CORE_TABLES = frozenset({"clinics", "runs", "pages", "page_versions"})
SQLITE_MAGIC = b"SQLite format 3\x00"
assert max(MIGRATIONS) == SCHEMA_VERSION


class SchemaError(Exception):
    """The DB cannot be used by this version of ClinicWatch (or is not a ClinicWatch DB)."""


class DatabaseBusy(Exception):
    """Another process kept the write lock for longer than CLINICWATCH_BUSY_TIMEOUT."""


def busy_timeout() -> float:
    """Seconds a writer waits for the write lock (CLINICWATCH_BUSY_TIMEOUT, validated in settings)."""
    from crawler import settings

    return float(settings.CLINICWATCH_BUSY_TIMEOUT)


class ClinicWatchDatabase(sqlite_utils.Database):
    """sqlite-utils' Database whose transactions take the write lock first (BEGIN IMMEDIATE).

    A plain (deferred) BEGIN starts as a reader and upgrades at its first write; in WAL mode SQLite
    answers that upgrade with SQLITE_BUSY at once when another process is writing, without
    consulting the busy timeout (waiting could deadlock two upgraders). That is why `seeds import`
    or `rescore` during a crawl failed instantly. BEGIN IMMEDIATE waits for the lock instead.
    """

    path: Path

    @contextmanager
    def atomic(self) -> Iterator[ClinicWatchDatabase]:  # type: ignore[override]
        if self.conn.in_transaction:
            with super().atomic():  # a savepoint inside the open transaction
                yield self
            return
        self.begin()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE")

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        started = time.monotonic()
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # "database is locked", any variant
                raise
            from crawler.store.db_lock import busy_message

            raise DatabaseBusy(busy_message(self.path, self.conn, time.monotonic() - started)) from None


def open_db(path: str | Path, *, create: bool = True, readonly: bool = False) -> ClinicWatchDatabase:
    """Open a ClinicWatch DB: for writing (creating or upgrading it, WAL mode), or `readonly`.

    Raises SchemaError with a one-line reason for a missing DB (readonly or not `create`), a file
    that is not SQLite or not a ClinicWatch DB, a DB from a newer ClinicWatch, an older one opened
    read-only (reading it would need a migration: `clinicwatch init` does it), or a directory that
    cannot be written.
    """
    path = Path(path)
    if (readonly or not create) and not path.exists():
        raise SchemaError(f"no database at {path} (run `clinicwatch init` or `seeds import` first)")
    if path.exists() and path.is_dir():
        raise SchemaError(f"{path} is a directory, not a database file")
    if readonly:
        _refuse_unopened_wal(path)
    try:
        if readonly:
            conn = sqlite3.connect(_readonly_uri(path), uri=True, timeout=busy_timeout(), isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout(), isolation_level=None)
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # before WAL: a refused DB stays untouched
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except (sqlite3.DatabaseError, OSError) as exc:
        raise SchemaError(f"cannot open database {path}: {exc}") from None
    try:
        _check_version(path, version, tables, readonly=readonly)
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SchemaError(f"cannot open database {path}: {exc}") from None
    except SchemaError:
        conn.close()
        raise
    conn.execute("PRAGMA foreign_keys=ON")
    db = ClinicWatchDatabase(conn)
    db.path = path
    if not readonly:
        _migrate(db, path, version)
    return db


def _check_version(path: Path, version: int, tables: set[str], *, readonly: bool) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaError(f"{path} has schema version {version}, newer than this ClinicWatch ({SCHEMA_VERSION}); "
                          "upgrade ClinicWatch")
    if (version == 0 and tables) or (version > 0 and not CORE_TABLES <= tables):
        raise SchemaError(f"{path} is not a ClinicWatch database (it has other tables); "
                          "check --db / CLINICWATCH_DB: it was left untouched")
    if readonly and version == 0:
        raise SchemaError(f"{path} is not a ClinicWatch database (it is empty); run `clinicwatch init` first")
    if readonly and version < SCHEMA_VERSION:
        raise SchemaError(f"{path} has schema version {version}, older than this ClinicWatch ({SCHEMA_VERSION}); "
                          "run `clinicwatch init` (or any command that writes) to upgrade it")


def _migrate(db: ClinicWatchDatabase, path: Path, version: int) -> None:
    for number in range(version + 1, SCHEMA_VERSION + 1):
        try:
            with db.atomic():
                # Re-read under the write lock: another process may have migrated meanwhile.
                if db.conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                    continue
                MIGRATIONS[number](db)
                db.conn.execute(f"PRAGMA user_version={number}")
        except sqlite3.OperationalError as exc:
            raise SchemaError(f"cannot migrate {path} to schema {number}: {exc}") from None


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read(100)
    except OSError:
        return b""


def _refuse_unopened_wal(path: Path) -> None:
    """Refuse a WAL-mode SQLite file whose header says user_version 0 before SQLite opens it.

    Reading a WAL-mode file read-only makes SQLite create its -wal and -shm files when they are
    missing; a foreign or empty one is refused without that. The header is current when no -wal exists.
    """
    header = _header(path)
    if header[:16] == SQLITE_MAGIC and header[18] == 2 and header[60:64] == bytes(4) and not _wal_path(path).exists():
        raise SchemaError(f"{path} is not a ClinicWatch database; check --db / CLINICWATCH_DB: it was left untouched")


def _wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def _readonly_uri(path: Path) -> str:
    """`mode=ro`; `immutable` only when no writer can exist (a WAL DB in a directory nobody can write,
    where SQLite could not create the -shm a read-only WAL reader otherwise needs)."""
    uri = path.resolve().as_uri() + "?mode=ro"
    if _header(path)[18:19] == b"\x02" and not _wal_path(path).exists() and not os.access(path.parent, os.W_OK):
        uri += "&immutable=1"
    return uri
