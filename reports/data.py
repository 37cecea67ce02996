"""Read-only queries that turn a ClinicWatch DB into a plain report model.

The model is plain dataclasses so every renderer (HTML, Markdown, CSV, JSON, the CLI) shows the
same numbers. Every claim in it carries its evidence: sentence, URL, capture time and the
classifier version that detected it. We report "claims detected", never a verdict.

Which page state a report describes:
- latest run (or `run_id=None`): the current state, `pages.current_version_id`;
- an older run R: for each page, its newest version stored in a run <= R.
A version's score is its newest `page_scores` row (by scored_at, then classifier_version); its
claims are the `claims` rows of that version with the same classifier_version.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Union

import sqlite_utils

from crawler.store.schema import CLINIC_NAME_SEPARATOR, SCHEMA_VERSION
from reports.model import (
    ASSERTS, CATEGORIES, ClaimRow, ClinicSummary, ConditionRow, ErrorSample, FlaggedPage,
    Headline, Report, RunHealth, RunInfo,
)

REACHED_OUTCOMES = ("stored", "unchanged")  # fetch_log outcomes meaning "we got the page"
ERROR_OUTCOME = "error"
MAX_HEALTH_RUNS = 20  # runs shown in crawl health (newest first, up to the selected run)
MAX_ERROR_SAMPLES = 5  # example failed fetches kept per run

DbLike = Union[str, Path, sqlite_utils.Database, sqlite3.Connection]


class ReportError(Exception):
    """The report cannot be built (no such run, not a ClinicWatch DB, ...); one-line reason."""


# --- connections -------------------------------------------------------------------------------

def open_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a DB strictly read-only (SQLite `mode=ro`): reports never write or migrate."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"no database at {path}")
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"cannot open database {path}: {exc}") from None
    return conn


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


# --- the reported state as SQL -----------------------------------------------------------------

_CURRENT_SNAP = """SELECT p.current_version_id AS version_id, p.id AS page_id, p.clinic_id
  FROM pages p WHERE p.current_version_id IS NOT NULL"""
_AS_OF_SNAP = """SELECT pv.id AS version_id, pv.page_id, p.clinic_id
  FROM page_versions pv JOIN pages p ON p.id = pv.page_id
  WHERE pv.id IN (SELECT MAX(id) FROM page_versions WHERE run_id <= :as_of GROUP BY page_id)"""
_SCORES_AND_CLAIMS = """,
sc AS (
  SELECT version_id, page_id, clinic_id, score, flagged, language, classifier_version FROM (
    SELECT snap.version_id, snap.page_id, snap.clinic_id, ps.score, ps.flagged, ps.language,
           ps.classifier_version, ROW_NUMBER() OVER (PARTITION BY ps.version_id
             ORDER BY ps.scored_at DESC, ps.classifier_version DESC) AS rn
    FROM snap JOIN page_scores ps ON ps.version_id = snap.version_id)
  WHERE rn = 1),
cl AS (
  SELECT c.id, sc.clinic_id, k.name AS clinic, c.version_id, sc.flagged AS page_flagged,
         COALESCE(c.url, pv.url) AS url, COALESCE(c.captured_at, pv.fetched_at) AS captured_at,
         c.sentence, c.category, NULLIF(c.condition, '') AS condition, c.stance, c.score,
         c.classifier_version, c.span_start
  FROM sc
  JOIN claims c ON c.version_id = sc.version_id AND c.classifier_version = sc.classifier_version
  JOIN page_versions pv ON pv.id = c.version_id
  JOIN clinics k ON k.id = sc.clinic_id)
"""
# Each query below reads one CTE joined only to real tables (primary keys / indexes): joining
# two CTEs made SQLite nest full scans (minutes at 80k pages instead of about a second).


def _with(as_of: int | None) -> str:
    """The WITH prefix defining snap (reported versions), sc (their scores), cl (their claims)."""
    return "WITH snap AS (" + (_CURRENT_SNAP if as_of is None else _AS_OF_SNAP) + ")" \
        + _SCORES_AND_CLAIMS


def _claim(row: sqlite3.Row) -> ClaimRow:
    return ClaimRow(
        clinic=row["clinic"], url=row["url"] or "", captured_at=row["captured_at"],
        sentence=row["sentence"] or "", category=row["category"] or "",
        condition=row["condition"], stance=row["stance"] or "", score=row["score"],
        classifier_version=row["classifier_version"] or "",
    )


_CLAIM_COLS = "cl.clinic, cl.url, cl.captured_at, cl.sentence, cl.category, cl.condition, " \
              "cl.stance, cl.score, cl.classifier_version"


def _resolve_run(conn: sqlite3.Connection, run_id: int | None) -> tuple[RunInfo | None, int | None]:
    """The run to report on and the as-of bound (None = current state)."""
    latest = _rows(conn, "SELECT * FROM runs ORDER BY id DESC LIMIT 1")
    if run_id is None:
        chosen = latest
    else:
        chosen = _rows(conn, "SELECT * FROM runs WHERE id = ?", (run_id,))
        if not chosen:
            raise ReportError(f"no run with id {run_id}")
    if not chosen:
        return None, None
    row = chosen[0]
    info = RunInfo(row["id"], row["started_at"], row["finished_at"], row["status"],
                   row["clinic_filter"] or "")
    as_of = None if row["id"] == latest[0]["id"] else row["id"]
    return info, as_of


# --- sections ----------------------------------------------------------------------------------

def _headline(conn: sqlite3.Connection, as_of: int | None) -> tuple[Headline, list[str]]:
    p = {"as_of": as_of}
    h = Headline()
    row = _rows(conn, "SELECT COUNT(*) n, COALESCE(SUM(active), 0) a FROM clinics")[0]
    h.clinics, h.clinics_active = row["n"], row["a"]
    row = _rows(conn, _with(as_of) + """SELECT COUNT(*) n, COUNT(DISTINCT snap.clinic_id) k,
        MIN(pv.fetched_at) first, MAX(pv.fetched_at) last
        FROM snap JOIN page_versions pv ON pv.id = snap.version_id""", p)[0]
    h.pages, h.clinics_reached = row["n"], row["k"]
    h.first_capture, h.last_capture = row["first"], row["last"]
    versions_sql = "SELECT COUNT(*) FROM page_versions" + (
        "" if as_of is None else " WHERE run_id <= :as_of")
    h.page_versions = conn.execute(versions_sql, p).fetchone()[0]
    row = _rows(conn, _with(as_of) + "SELECT COUNT(*) n, COALESCE(SUM(flagged), 0) f FROM sc", p)[0]
    h.scored_pages, h.flagged_pages = row["n"], row["f"]
    row = _rows(conn, _with(as_of) + """SELECT
        COALESCE(SUM(stance = :asserts), 0) a, COALESCE(SUM(stance != :asserts), 0) o,
        COUNT(DISTINCT CASE WHEN stance = :asserts THEN condition END) c,
        COUNT(DISTINCT CASE WHEN stance = :asserts THEN clinic_id END) k FROM cl""",
                {**p, "asserts": ASSERTS})[0]
    h.asserted_claims, h.other_claims = row["a"], row["o"]
    h.distinct_conditions, h.clinics_with_asserted_claims = row["c"], row["k"]
    versions = [r[0] for r in conn.execute(
        _with(as_of) + "SELECT DISTINCT classifier_version FROM sc ORDER BY 1", p)]
    return h, [v for v in versions if v]


def _clinics(conn: sqlite3.Connection, as_of: int | None) -> list[ClinicSummary]:
    p = {"as_of": as_of, "asserts": ASSERTS}
    pages = _rows(conn, _with(as_of) + """SELECT k.id, k.name, k.country, k.active,
        COUNT(*) pages FROM snap JOIN clinics k ON k.id = snap.clinic_id GROUP BY k.id""", p)
    scored = {r["clinic_id"]: r for r in _rows(conn, _with(as_of) + """SELECT clinic_id,
        COUNT(*) scored, MAX(score) max_score, COALESCE(SUM(flagged), 0) flagged
        FROM sc GROUP BY clinic_id""", p)}
    counts = {r[0]: r[1] for r in conn.execute(
        _with(as_of) + "SELECT clinic_id, COUNT(*) FROM cl WHERE stance = :asserts "
        "GROUP BY clinic_id", p)}
    conditions: dict[int, list[str]] = {}
    for clinic_id, condition in conn.execute(
            _with(as_of) + "SELECT DISTINCT clinic_id, condition FROM cl WHERE stance = :asserts "
            "AND condition IS NOT NULL ORDER BY clinic_id, condition", p):
        conditions.setdefault(clinic_id, []).append(condition)
    tops = {r["clinic_id"]: _claim(r) for r in _rows(conn, _with(as_of) + f"""SELECT * FROM (
        SELECT cl.clinic_id, {_CLAIM_COLS}, ROW_NUMBER() OVER (
          PARTITION BY cl.clinic_id ORDER BY cl.score DESC, cl.url, cl.span_start) AS rn
        FROM cl WHERE cl.stance = :asserts) WHERE rn = 1""", p)}
    summaries = [
        ClinicSummary(
            rank=0, clinic_id=r["id"], name=r["name"], country=r["country"] or "",
            active=bool(r["active"]), pages=r["pages"],
            scored_pages=scored[r["id"]]["scored"] if r["id"] in scored else 0,
            flagged_pages=scored[r["id"]]["flagged"] if r["id"] in scored else 0,
            max_score=scored[r["id"]]["max_score"] if r["id"] in scored else None,
            asserted_claims=counts.get(r["id"], 0), conditions=conditions.get(r["id"], []),
            top_claim=tops.get(r["id"]),
        )
        for r in pages
    ]
    summaries.sort(key=lambda s: (s.max_score is None, -(s.max_score or 0.0), -s.breadth,
                                  -s.asserted_claims, s.name.casefold()))
    for rank, summary in enumerate(summaries, 1):
        summary.rank = rank
    return summaries


def _flagged_pages(conn: sqlite3.Connection, as_of: int | None) -> list[FlaggedPage]:
    p = {"as_of": as_of, "asserts": ASSERTS}
    pages: dict[int, FlaggedPage] = {}
    for r in _rows(conn, _with(as_of) + """SELECT sc.version_id, k.name clinic, pv.url,
        pv.title, pv.fetched_at, sc.score, sc.classifier_version, sc.language
        FROM sc JOIN page_versions pv ON pv.id = sc.version_id
        JOIN clinics k ON k.id = sc.clinic_id
        WHERE sc.flagged = 1 ORDER BY sc.score DESC, k.name, pv.url""", p):
        pages[r["version_id"]] = FlaggedPage(
            clinic=r["clinic"], url=r["url"] or "", title=r["title"], captured_at=r["fetched_at"],
            score=r["score"] or 0.0, classifier_version=r["classifier_version"] or "",
            language=r["language"])
    for r in _rows(conn, _with(as_of) + f"""SELECT cl.version_id, {_CLAIM_COLS} FROM cl
        WHERE cl.page_flagged = 1 ORDER BY cl.version_id, cl.score DESC, cl.id""", p):
        page = pages[r["version_id"]]
        (page.asserted if r["stance"] == ASSERTS else page.context).append(_claim(r))
    return list(pages.values())


def _conditions(conn: sqlite3.Connection, as_of: int | None) -> tuple[list[ConditionRow], list[str]]:
    p = {"as_of": as_of, "asserts": ASSERTS}
    rows: dict[str | None, ConditionRow] = {}
    for r in _rows(conn, _with(as_of) + """SELECT condition, COUNT(*) n,
        COUNT(DISTINCT clinic_id) k FROM cl WHERE stance = :asserts GROUP BY condition""", p):
        rows[r["condition"]] = ConditionRow(r["condition"], clinics=r["k"], claims=r["n"])
    categories = list(CATEGORIES)
    for r in _rows(conn, _with(as_of) + """SELECT condition, category, COUNT(*) n FROM cl
        WHERE stance = :asserts GROUP BY condition, category""", p):
        category = r["category"] or ""
        if category not in categories:  # a newer classifier may add categories: keep them
            categories.append(category)
        rows[r["condition"]].by_category[category] = r["n"]
    ordered = sorted(rows.values(), key=lambda c: (c.condition is None, -c.clinics, -c.claims,
                                                   c.condition or ""))
    return ordered, categories


def _health(conn: sqlite3.Connection, run: RunInfo | None) -> list[RunHealth]:
    if run is None:
        return []
    runs = _rows(conn, "SELECT * FROM runs WHERE id <= ? ORDER BY id DESC LIMIT ?",
                 (run.id, MAX_HEALTH_RUNS))
    ids = [r["id"] for r in runs]
    marks = ",".join("?" * len(ids))
    outcomes: dict[int, dict[str, int]] = {i: {} for i in ids}
    for run_id, outcome, n in conn.execute(
            f"SELECT run_id, outcome, COUNT(*) FROM fetch_log WHERE run_id IN ({marks}) "
            "GROUP BY run_id, outcome", ids):
        outcomes[run_id][outcome or "unknown"] = n
    reached: dict[int, set[int]] = {i: set() for i in ids}
    for run_id, clinic_id in conn.execute(
            f"""SELECT run_id, clinic_id FROM fetch_log WHERE run_id IN ({marks})
                  AND outcome IN ({",".join("?" * len(REACHED_OUTCOMES))})
                UNION SELECT run_id, clinic_id FROM page_versions WHERE run_id IN ({marks})
                UNION SELECT last_run_id, clinic_id FROM pages WHERE last_run_id IN ({marks})""",
            [*ids, *REACHED_OUTCOMES, *ids, *ids]):
        if clinic_id is not None:
            reached[run_id].add(clinic_id)
    samples: dict[int, list[ErrorSample]] = {i: [] for i in ids}
    for r in _rows(conn, f"""SELECT * FROM (SELECT run_id, url, status, error, ROW_NUMBER()
            OVER (PARTITION BY run_id ORDER BY id) rn FROM fetch_log
            WHERE outcome = ? AND run_id IN ({marks})) WHERE rn <= ?""",
                   [ERROR_OUTCOME, *ids, MAX_ERROR_SAMPLES]):
        samples[r["run_id"]].append(ErrorSample(r["url"], r["status"], r["error"]))
    clinics = _rows(conn, "SELECT id, name, active FROM clinics")
    health = []
    for r in runs:
        wanted = {n.strip().casefold() for n in (r["clinic_filter"] or "").split(CLINIC_NAME_SEPARATOR) if n.strip()}
        expected = [c for c in clinics if (c["name"].casefold() in wanted if wanted else c["active"])]
        missing = sorted((c["name"] for c in expected if c["id"] not in reached[r["id"]]),
                         key=str.casefold)
        health.append(RunHealth(
            run_id=r["id"], started_at=r["started_at"], finished_at=r["finished_at"],
            status=r["status"], pages_fetched=r["pages_fetched"] or 0,
            pages_stored=r["pages_stored"] or 0, new_versions=r["new_versions"] or 0,
            outcomes=outcomes[r["id"]],
            # fetch_log is the evidence; the run's own counter only when it logged nothing
            errors=outcomes[r["id"]].get(ERROR_OUTCOME, 0) if outcomes[r["id"]]
            else r["errors"] or 0,
            clinics_reached=len(reached[r["id"]]), clinics_expected=len(expected),
            clinics_not_reached=missing,
            error_samples=samples[r["id"]]))
    return health


# --- public API --------------------------------------------------------------------------------

def build_report(db: DbLike, run_id: int | None = None) -> Report:
    """Build the report model for `run_id` (None = latest run; a DB with no runs is fine)."""
    with read_snapshot(db) as conn:
        run, as_of = _resolve_run(conn, run_id)
        headline, versions = _headline(conn, as_of)
        health = _health(conn, run)
        if health:  # "reached" means reached in the reported run, not merely ever stored
            headline.clinics_reached = health[0].clinics_reached
        conditions, categories = _conditions(conn, as_of)
        return Report(
            generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            schema_version=SCHEMA_VERSION,
            run=run,
            state="current" if as_of is None else f"as of run {as_of}",
            headline=headline,
            classifier_versions=versions,
            categories=categories,
            clinics=_clinics(conn, as_of),
            flagged_pages=_flagged_pages(conn, as_of),
            conditions=conditions,
            health=health,
        )


def iter_claims(db: DbLike, run_id: int | None = None) -> Iterator[ClaimRow]:
    """Every claim (all stances) of the reported state, streamed: the claims.csv evidence."""
    with read_snapshot(db) as conn:
        _, as_of = _resolve_run(conn, run_id)
        cur = conn.cursor()
        cur.row_factory = sqlite3.Row
        cur.execute(_with(as_of) + f"""SELECT {_CLAIM_COLS} FROM cl
            ORDER BY cl.clinic, cl.url, cl.stance != :asserts, cl.score DESC, cl.id""",
                    {"as_of": as_of, "asserts": ASSERTS})
        for row in cur:
            yield _claim(row)
