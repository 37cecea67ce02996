"""Opening a ClinicWatch DB for reading: strictly read-only, one consistent snapshot, periods.

Reports and datasette never write or migrate; every report section reads inside one read
transaction, so a crawl writing meanwhile (WAL) cannot make two sections disagree.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Union

import sqlite_utils

from crawler.store.schema import SCHEMA_VERSION, SchemaError, open_db

PERIOD_DAYS = {"week": 7, "weekly": 7, "month": 30, "monthly": 30}
DbLike = Union[str, Path, sqlite_utils.Database, sqlite3.Connection]


class ReportError(Exception):
    """The report cannot be built (no such run, not a ClinicWatch DB, ...); one-line reason."""


# --- connections -------------------------------------------------------------------------------

def open_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a DB strictly read-only: the one read-only opener (`open_db(readonly=True)`, SQLite
    `mode=ro`, schema checked, foreign files refused untouched); reports never write or migrate."""
    try:
        return open_db(path, readonly=True).conn
    except SchemaError as exc:
        raise ReportError(str(exc)) from None


def _check_schema(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0:
        raise ReportError("not a ClinicWatch database (no schema); run `clinicwatch init` first")
    if version != SCHEMA_VERSION:
        raise ReportError(
            f"database schema version {version} does not match this ClinicWatch "
            f"({SCHEMA_VERSION}); run `clinicwatch init` with the matching version"
        )


@contextmanager
def read_snapshot(db: DbLike) -> Iterator[sqlite3.Connection]:
    """Yield a connection inside one read transaction, so all queries see the same state
    even while a crawl writes (WAL). Paths are opened read-only and closed afterwards."""
    if isinstance(db, sqlite_utils.Database):
        conn, owned = db.conn, False
    elif isinstance(db, sqlite3.Connection):
        conn, owned = db, False
    else:
        conn, owned = open_readonly(db), True
    started = False
    try:
        _check_schema(conn)
        if not conn.in_transaction:
            conn.execute("BEGIN")
            started = True
        yield conn
    finally:
        if started:
            conn.rollback()
        if owned:
            conn.close()


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row  # per cursor: never change a caller's connection
    return cur.execute(sql, params).fetchall()


def _cursor(conn: sqlite3.Connection, sql: str, params: Any = ()) -> sqlite3.Cursor:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params)


# --- periods -----------------------------------------------------------------------------------

def period_start(period: str, today: date) -> str:
    """ISO date a "week" (7 days) or "month" (30 days) period starts at, for `since=`."""
    try:
        days = PERIOD_DAYS[period.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown period {period!r}: use week or month") from None
    return (today - timedelta(days=days)).isoformat()


def _normalise_since(since: str | None) -> str | None:
    """An ISO date (or date-time, taken as UTC unless it has an offset) as SQLite compares it."""
    if since is None:
        return None
    text = str(since).strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ReportError(f"since must be an ISO date like 2026-11-01, not {since!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")
