"""Read-only queries that turn a ClinicWatch DB into a plain report model.

The model is plain dataclasses so every renderer (HTML, Markdown, CSV, JSON, the CLI) shows the
same numbers. Every claim in it carries its evidence: sentence, URL, capture time and the
classifier version that detected it. We report "claims detected", never a verdict.

Which page state a report describes:
- latest run (or `run_id=None`): the current state, `pages.current_version_id`;
- an older run R: for each page, its newest version stored in a run <= R.
A version's score is its newest `page_scores` row (by scored_at, then classifier_version); its
claims are the `claims` rows of that version with the same classifier_version.

What changed: the claim and clinic events of the selected run, or (`since`) of every run
started on or after a date, up to the selected run.

Speed: the reported state (versions with their chosen score, and their claims) is computed once
per report into two TEMP tables (connection-private, never in the DB file, dropped afterwards,
fine on a read-only connection); every section then reads those, and dossiers are assembled
from a few ordered set-based queries merged by clinic in Python (no per-clinic queries).
"""
from __future__ import annotations

import itertools
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

from crawler.store.events import normalise_sentence
from crawler.store.schema import SCHEMA_VERSION
from reports.db_read import DbLike, ReportError, _cursor, _normalise_since, _rows, read_snapshot
from reports.health_section import crawl_health
from reports.model import (
    ASSERTS, CATEGORIES, CLAIM_EVENTS, CLINIC_EVENTS, SCORE_BINS, Changes, ClaimChange, ClaimRow,
    ClinicChange, ClinicRef, ClinicSummary, ConditionRow, CountryRow, Dossier, EvidencePage, FlaggedPage,
    Headline, HistoryEntry, NotScoredPage, Report, RunChange, RunInfo, ScoreBin, clinic_slug,
)

MAX_NOT_SCORED_LISTED = 500  # "not scored" pages listed in the model; the headline counts all
MAX_CHANGES_LISTED = 500  # rows per "what changed" list in the model; changes.csv holds all
MAX_TIMELINE_RUNS = 30  # runs in the "claims over time" series (newest, up to the selected run)
_TEMP_IDS = itertools.count(1)


# --- the reported state ------------------------------------------------------------------------

_CURRENT_SNAP = """SELECT p.current_version_id AS version_id, p.id AS page_id, p.clinic_id
  FROM pages p WHERE p.current_version_id IS NOT NULL"""
_AS_OF_SNAP = """SELECT pv.id AS version_id, pv.page_id, p.clinic_id
  FROM page_versions pv JOIN pages p ON p.id = pv.page_id
  WHERE pv.id IN (SELECT MAX(id) FROM page_versions WHERE run_id <= :as_of GROUP BY page_id)"""
# {pv}: the reported version of every page, its page fields and its chosen score (if any)
_PV_TABLE = """CREATE TEMP TABLE {pv} (version_id INTEGER PRIMARY KEY, page_id INTEGER,
  clinic_id INTEGER, url TEXT, title TEXT, fetched_at TEXT, warc_file TEXT, warc_offset INTEGER,
  scored INTEGER, score REAL, flagged INTEGER, language TEXT, classifier_version TEXT,
  voice TEXT, not_scored TEXT)"""
_PV_FILL = """WITH snap AS ({snap}),
best AS (SELECT snap.*, (SELECT ps.classifier_version FROM page_scores ps
    WHERE ps.version_id = snap.version_id
    ORDER BY ps.scored_at DESC, ps.classifier_version DESC LIMIT 1) AS cv FROM snap)
INSERT INTO {pv} SELECT best.version_id, best.page_id, best.clinic_id, v.url, v.title,
  v.fetched_at, v.warc_file, v.warc_offset, ps.version_id IS NOT NULL AND COALESCE(ps.not_scored, '') = '',
  ps.score, COALESCE(ps.flagged, 0), ps.language, ps.classifier_version, ps.voice, NULLIF(ps.not_scored, '')
FROM best JOIN page_versions v ON v.id = best.version_id
LEFT JOIN page_scores ps ON ps.version_id = best.version_id AND ps.classifier_version = best.cv"""
# `scored` means read: a page "not scored" (a language outside the supported ones) has a score row
# with score 0 that must never count as clean, so it counts in none of the scored figures.
# {cl}: the claims of those versions detected by the classifier version of the chosen score
_CL_TABLE = """CREATE TEMP TABLE {cl} (id INTEGER PRIMARY KEY, clinic_id INTEGER, clinic TEXT,
  version_id INTEGER, page_flagged INTEGER, url TEXT, captured_at TEXT, sentence TEXT,
  category TEXT, condition TEXT, stance TEXT, score REAL, classifier_version TEXT,
  span_start INTEGER)"""
_CL_FILL = """INSERT INTO {cl} SELECT c.id, p.clinic_id, k.name, c.version_id, p.flagged,
  COALESCE(c.url, p.url), COALESCE(c.captured_at, p.fetched_at), c.sentence, c.category,
  NULLIF(c.condition, ''), c.stance, c.score, c.classifier_version, c.span_start
FROM {pv} p
JOIN claims c ON c.version_id = p.version_id AND c.classifier_version = p.classifier_version
JOIN clinics k ON k.id = p.clinic_id"""

_CLAIM_COLS = "cl.clinic, cl.url, cl.captured_at, cl.sentence, cl.category, cl.condition, " \
              "cl.stance, cl.score, cl.classifier_version"


def _claim_at(t: tuple[Any, ...], i: int) -> ClaimRow:
    """ClaimRow from a plain tuple whose columns i.. are _CLAIM_COLS (the fast path)."""
    return ClaimRow(t[i], t[i + 1] or "", t[i + 2], t[i + 3] or "", t[i + 4] or "", t[i + 5],
                    t[i + 6] or "", t[i + 7], t[i + 8] or "")


def _sql_text(text: str) -> str:
    """A SQL string literal (for constants only, never for DB or user values)."""
    return "'" + text.replace("'", "''") + "'"


def _tuples(conn: sqlite3.Connection, sql: str, params: Any = ()) -> sqlite3.Cursor:
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: the hot loops read columns by position
    return cur.execute(sql, params)


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


class ReportSource:
    """One report's reads: the reported state computed once, then every section from it.

    Use inside `read_snapshot` (as `open_source` does) so all sections see one DB state.
    """

    def __init__(self, conn: sqlite3.Connection, run_id: int | None = None, *,
                 since: str | None = None) -> None:
        self.conn = conn
        self.since = _normalise_since(since)
        self.run, self.as_of = _resolve_run(conn, run_id)
        n = next(_TEMP_IDS)
        self.pv, self.cl = f"temp.cw_report_pv_{n}", f"temp.cw_report_cl_{n}"
        self._open = False
        self._claims: dict[int, tuple[list[ClaimRow], list[ClaimRow]]] | None = None
        self._tops: dict[int, ClaimRow] = {}  # clinic id -> its top asserted claim

    # lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> "ReportSource":
        snap = _CURRENT_SNAP if self.as_of is None else _AS_OF_SNAP
        self.conn.execute(_PV_TABLE.format(pv=self.pv))
        self._open = True
        self.conn.execute(_PV_FILL.format(snap=snap, pv=self.pv), {"as_of": self.as_of})
        self.conn.execute(_CL_TABLE.format(cl=self.cl))
        self.conn.execute(_CL_FILL.format(cl=self.cl, pv=self.pv))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._open:
            self.conn.execute(f"DROP TABLE IF EXISTS {self.pv}")
            self.conn.execute(f"DROP TABLE IF EXISTS {self.cl}")
            self._open = False

    def _sql(self, sql: str) -> str:
        return sql.replace("{pv}", self.pv).replace("{cl}", self.cl)

    def _q(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return _rows(self.conn, self._sql(sql), params)

    # the report --------------------------------------------------------------------------------

    def report(self) -> Report:
        headline, versions = self._headline()
        health = crawl_health(self.conn, self.run)
        if health:  # "reached" means reached in the reported run, not merely ever stored
            headline.clinics_reached = health[0].clinics_reached
        conditions, categories = self._conditions()
        clinics = self._clinics()
        return Report(
            generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            schema_version=SCHEMA_VERSION,
            run=self.run,
            state="current" if self.as_of is None else f"as of run {self.as_of}",
            headline=headline,
            classifier_versions=versions,
            categories=categories,
            clinics=clinics,
            flagged_pages=self._flagged_pages(),
            not_scored_pages=self._not_scored_pages(),
            conditions=conditions,
            health=health,
            changes=self._changes(),
            countries=self._countries(clinics),
            score_bins=self._score_bins(),
            timeline=self._timeline(),
            unranked_clinics=self._unranked(clinics),
        )

    def _headline(self) -> tuple[Headline, list[str]]:
        h = Headline()
        row = self._q("SELECT COUNT(*) n, COALESCE(SUM(active), 0) a FROM clinics")[0]
        h.clinics, h.clinics_active = row["n"], row["a"]
        row = self._q("""SELECT COUNT(*) n, COUNT(DISTINCT clinic_id) k, MIN(fetched_at) first,
            MAX(fetched_at) last, COALESCE(SUM(scored), 0) scored,
            COALESCE(SUM(scored AND flagged), 0) flagged FROM {pv}""")[0]
        h.pages, h.clinics_reached = row["n"], row["k"]
        h.first_capture, h.last_capture = row["first"], row["last"]
        h.scored_pages, h.flagged_pages = row["scored"], row["flagged"]
        for r in self._q("""SELECT SUBSTR(not_scored, 10) lang, COUNT(*) n FROM {pv}
                WHERE not_scored LIKE 'language %' GROUP BY lang ORDER BY n DESC, lang"""):
            h.not_scored_languages[r["lang"]] = r["n"]
        h.not_scored_pages = self._q("SELECT COUNT(*) n FROM {pv} WHERE not_scored IS NOT NULL")[0]["n"]
        versions_sql = "SELECT COUNT(*) FROM page_versions" + (
            "" if self.as_of is None else " WHERE run_id <= :as_of")
        h.page_versions = self.conn.execute(versions_sql, {"as_of": self.as_of}).fetchone()[0]
        row = self._q("""SELECT
            COALESCE(SUM(stance = :asserts), 0) a, COALESCE(SUM(stance != :asserts), 0) o,
            COUNT(DISTINCT CASE WHEN stance = :asserts THEN condition END) c,
            COUNT(DISTINCT CASE WHEN stance = :asserts THEN clinic_id END) k FROM {cl}""",
                      {"asserts": ASSERTS})[0]
        h.asserted_claims, h.other_claims = row["a"], row["o"]
        h.distinct_conditions, h.clinics_with_asserted_claims = row["c"], row["k"]
        h.asserted_claims_distinct = self._distinct_asserted()
        versions = [r[0] for r in self.conn.execute(self._sql(
            "SELECT DISTINCT classifier_version FROM {pv} WHERE scored ORDER BY 1"))]
        return h, [v for v in versions if v]

    def _distinct_asserted(self) -> int:
        """Distinct asserted claims: one per clinic and claim identity, however many pages repeat it.

        The identity is `crawler.store.events.claim_key`'s (normalised sentence, category,
        condition), so the headline counts the way What changed's "Distinct claims added" does and
        a first run's two numbers agree. SQL drops exact repeats; each sentence is normalised once.
        """
        memo: dict[str, str] = {}
        seen: set[tuple[int, str, str, str]] = set()
        for clinic_id, sentence, category, condition in _tuples(self.conn, self._sql(
                "SELECT DISTINCT clinic_id, sentence, category, condition FROM {cl}"
                " WHERE stance = ?"), (ASSERTS,)):
            norm = memo.get(sentence or "")
            if norm is None:
                norm = memo[sentence or ""] = normalise_sentence(sentence or "")
            seen.add((clinic_id, norm, category or "", condition or ""))
        return len(seen)

    def _clinics(self) -> list[ClinicSummary]:
        p = {"asserts": ASSERTS}
        pages = self._q("""SELECT k.id, k.name, k.country, k.active, s.pages, s.scored,
            s.flagged, s.max_score, s.unread FROM (SELECT clinic_id, COUNT(*) pages,
              COUNT(not_scored) unread,
              COALESCE(SUM(scored), 0) scored, COALESCE(SUM(scored AND flagged), 0) flagged,
              MAX(CASE WHEN scored THEN score END) max_score FROM {pv} GROUP BY clinic_id) s
            JOIN clinics k ON k.id = s.clinic_id""")
        counts: dict[int, int] = {}
        conditions: dict[int, list[str]] = {}
        for clinic_id, condition, n in self.conn.execute(self._sql(
                "SELECT clinic_id, condition, COUNT(*) FROM {cl} WHERE stance = :asserts "
                "GROUP BY clinic_id, condition ORDER BY clinic_id, condition"), p):
            counts[clinic_id] = counts.get(clinic_id, 0) + n
            if condition is not None:
                conditions.setdefault(clinic_id, []).append(condition)
        self._claims_by_version()
        tops = self._tops
        summaries = [
            ClinicSummary(
                rank=0, clinic_id=r["id"], name=r["name"], country=r["country"] or "",
                active=bool(r["active"]), pages=r["pages"], scored_pages=r["scored"],
                flagged_pages=r["flagged"], max_score=r["max_score"],
                asserted_claims=counts.get(r["id"], 0), conditions=conditions.get(r["id"], []),
                top_claim=tops.get(r["id"]), slug=clinic_slug(r["name"], r["id"]),
                not_scored_pages=r["unread"],
            )
            for r in pages
        ]
        summaries.sort(key=lambda s: (s.max_score is None, -(s.max_score or 0.0), -s.breadth,
                                      -s.asserted_claims, s.name.casefold()))
        for rank, summary in enumerate(summaries, 1):
            summary.rank = rank
        return summaries

    def _unranked(self, clinics: list[ClinicSummary]) -> list[ClinicRef]:
        ranked = {c.clinic_id for c in clinics}
        refs = [ClinicRef(r["id"], r["name"], r["country"] or "", bool(r["active"]),
                          clinic_slug(r["name"], r["id"]))
                for r in self._q("SELECT id, name, country, active FROM clinics")
                if r["id"] not in ranked]
        return sorted(refs, key=lambda c: (c.name.casefold(), c.clinic_id))

    def _flagged_pages(self) -> list[FlaggedPage]:
        pages: dict[int, FlaggedPage] = {}
        for r in self._q("""SELECT p.version_id, k.name clinic, p.url, p.title, p.fetched_at,
            p.score, p.classifier_version, p.language, p.voice
            FROM {pv} p JOIN clinics k ON k.id = p.clinic_id
            WHERE p.scored AND p.flagged = 1 ORDER BY p.score DESC, k.name, p.url"""):
            pages[r["version_id"]] = FlaggedPage(
                clinic=r["clinic"], url=r["url"] or "", title=r["title"],
                captured_at=r["fetched_at"], score=r["score"] or 0.0,
                classifier_version=r["classifier_version"] or "", language=r["language"],
                voice=r["voice"] or "unknown")
        claims = self._claims_by_version()
        for version_id, page in pages.items():
            page.asserted, page.context = claims.get(version_id, ([], []))
        return list(pages.values())

    def _not_scored_pages(self) -> list[NotScoredPage]:
        """Pages the classifier could not read (first MAX_NOT_SCORED_LISTED, by clinic and URL)."""
        return [NotScoredPage(clinic=r["clinic"], url=r["url"] or "", title=r["title"],
                              captured_at=r["fetched_at"], reason=r["not_scored"],
                              classifier_version=r["classifier_version"] or "")
                for r in self._q("""SELECT k.name clinic, p.url, p.title, p.fetched_at, p.not_scored,
                    p.classifier_version FROM {pv} p JOIN clinics k ON k.id = p.clinic_id
                    WHERE p.not_scored IS NOT NULL ORDER BY k.name, p.url LIMIT :n""",
                                 {"n": MAX_NOT_SCORED_LISTED})]

    def _claims_by_version(self) -> dict[int, tuple[list[ClaimRow], list[ClaimRow]]]:
        """Every claim of the reported state as (asserted, context) lists per version, loaded
        once and shared by the flagged pages and the dossiers (highest score first).

        Also picks each clinic's top asserted claim on the way (highest score, then URL, span
        start and id: the order of the datasette canned queries) into `self._tops`.
        """
        if self._claims is None:
            claims: dict[int, tuple[list[ClaimRow], list[ClaimRow]]] = {}
            tops: dict[int, tuple[tuple[Any, ...], ClaimRow]] = {}
            get = claims.get
            for t in _tuples(self.conn, self._sql(f"""SELECT cl.version_id, {_CLAIM_COLS},
                    cl.clinic_id, cl.span_start, cl.id FROM {{cl}} cl
                    ORDER BY cl.version_id, cl.score DESC, cl.span_start, cl.id""")):
                lists = get(t[0])
                if lists is None:
                    lists = claims[t[0]] = ([], [])
                claim = _claim_at(t, 1)
                if t[7] != ASSERTS:
                    lists[1].append(claim)
                    continue
                lists[0].append(claim)
                score = t[8] if isinstance(t[8], (int, float)) else None
                key = (score is None, -(score or 0.0), str(claim.url),
                       t[11] if isinstance(t[11], int) else -1, t[12])
                best = tops.get(t[10])
                if best is None or key < best[0]:
                    tops[t[10]] = (key, claim)
            self._claims = claims
            self._tops = {clinic_id: claim for clinic_id, (_, claim) in tops.items()}
        return self._claims

    def _conditions(self) -> tuple[list[ConditionRow], list[str]]:
        p = {"asserts": ASSERTS}
        rows: dict[str | None, ConditionRow] = {}
        for r in self._q("""SELECT condition, COUNT(*) n, COUNT(DISTINCT clinic_id) k FROM {cl}
            WHERE stance = :asserts GROUP BY condition""", p):
            rows[r["condition"]] = ConditionRow(r["condition"], clinics=r["k"], claims=r["n"])
        categories = list(CATEGORIES)
        for r in self._q("""SELECT condition, category, COUNT(*) n FROM {cl}
            WHERE stance = :asserts GROUP BY condition, category""", p):
            category = r["category"] or ""
            if category not in categories:  # a newer classifier may add categories: keep them
                categories.append(category)
            rows[r["condition"]].by_category[category] = r["n"]
        ordered = sorted(rows.values(), key=lambda c: (c.condition is None, -c.clinics,
                                                       -c.claims, c.condition or ""))
        return ordered, categories

    def _countries(self, clinics: list[ClinicSummary]) -> list[CountryRow]:
        rows: dict[str, CountryRow] = {}
        for country, n in self.conn.execute(
                "SELECT COALESCE(TRIM(country), ''), COUNT(*) FROM clinics GROUP BY 1"):
            rows[country] = CountryRow(country, clinics=n, clinics_with_pages=0,
                                       clinics_with_asserted_claims=0, asserted_claims=0,
                                       flagged_pages=0)
        conditions: dict[str, set[str]] = {}
        for c in clinics:
            row = rows.setdefault(c.country.strip(), CountryRow(c.country.strip(), 0, 0, 0, 0, 0))
            row.clinics_with_pages += 1
            row.clinics_with_asserted_claims += c.asserted_claims > 0
            row.asserted_claims += c.asserted_claims
            row.flagged_pages += c.flagged_pages
            conditions.setdefault(row.country, set()).update(c.conditions)
        for row in rows.values():
            row.conditions = sorted(conditions.get(row.country, ()))
        return sorted(rows.values(), key=lambda r: (-r.asserted_claims,
                                                    -r.clinics_with_asserted_claims,
                                                    r.country == "", r.country))

    def _score_bins(self) -> list[ScoreBin]:
        counts = dict(self.conn.execute(self._sql(
            f"""SELECT MAX(0, MIN(CAST(score * {SCORE_BINS} + 1e-9 AS INTEGER),
                              {SCORE_BINS - 1})) b,
                COUNT(*) FROM {{pv}} WHERE scored AND score IS NOT NULL GROUP BY b""")))
        return [ScoreBin(round(i / SCORE_BINS, 2), round((i + 1) / SCORE_BINS, 2),
                         counts.get(i, 0)) for i in range(SCORE_BINS)]

    def _timeline(self) -> list[RunChange]:
        if self.run is None:
            return []
        series, tracked = [], 0
        for r in self._q("""SELECT r.id, r.started_at, r.status, COALESCE(e.added, 0) added,
            COALESCE(e.removed, 0) removed FROM runs r LEFT JOIN (
              SELECT run_id, SUM(event = 'added') added, SUM(event = 'removed') removed
              FROM claim_events WHERE run_id <= :bound GROUP BY run_id) e ON e.run_id = r.id
            WHERE r.id <= :bound ORDER BY r.id""", {"bound": self.run.id}):
            tracked += r["added"] - r["removed"]
            series.append(RunChange(r["id"], r["started_at"], r["status"], r["added"],
                                    r["removed"], tracked))
        return series[-MAX_TIMELINE_RUNS:]

    # what changed ------------------------------------------------------------------------------

    def _period(self, column: str = "e.run_id") -> tuple[str, dict[str, Any]]:
        """SQL condition on a run-id column selecting the runs of the reported period."""
        if self.run is None:
            return "0", {}
        if self.since is None:
            return f"{column} = :p_run", {"p_run": self.run.id}
        return (f"{column} IN (SELECT id FROM runs WHERE id <= :p_run"
                " AND julianday(started_at) >= julianday(:p_since))",
                {"p_run": self.run.id, "p_since": self.since})

    def _changes(self) -> Changes:
        where, params = self._period()
        runs_where, _ = self._period("id")
        run_ids = [r[0] for r in self.conn.execute(
            f"SELECT id FROM runs WHERE {runs_where} ORDER BY id", params)]
        changes = Changes(since=self.since, run_ids=run_ids, limit=MAX_CHANGES_LISTED)
        for table in ("claim_events", "clinic_events"):
            for event, n in self.conn.execute(
                    f"SELECT e.event, COUNT(*) FROM {table} e WHERE {where} GROUP BY e.event",
                    params):
                changes.counts[event or ""] = changes.counts.get(event or "", 0) + n
        for event in CLAIM_EVENTS:
            if changes.counts.get(event):
                getattr(changes, event).extend(self._claim_changes(
                    f"e.event = :event AND {where}", {**params, "event": event},
                    MAX_CHANGES_LISTED))
        for event in CLINIC_EVENTS:
            if changes.counts.get(event):
                getattr(changes, event).extend(self._clinic_changes(
                    f"e.event = :event AND {where}", {**params, "event": event},
                    MAX_CHANGES_LISTED))
        if set(changes.counts) - set(CLAIM_EVENTS) - set(CLINIC_EVENTS):
            known = {f"k{i}": e for i, e in enumerate(CLAIM_EVENTS + CLINIC_EVENTS)}
            unknown = f"COALESCE(e.event, '') NOT IN ({', '.join(':' + k for k in known)})"
            others = self._clinic_changes(f"{unknown} AND {where}", {**params, **known},
                                          MAX_CHANGES_LISTED)
            others += [ClinicChange(c.run_id, c.at, c.clinic_id, c.clinic, c.slug, c.event,
                                    f"{c.sentence} ({c.url})")
                       for c in self._claim_changes(f"{unknown} AND {where}",
                                                    {**params, **known}, MAX_CHANGES_LISTED)]
            changes.other = others[:MAX_CHANGES_LISTED]
        return changes

    def _claim_changes(self, where: str, params: dict[str, Any],
                       limit: int | None = None) -> list[ClaimChange]:
        return list(self._iter_claim_changes(where, params, limit))

    def _iter_claim_changes(self, where: str, params: dict[str, Any],
                            limit: int | None = None) -> Iterator[ClaimChange]:
        sql = f"""SELECT e.run_id, e.at, e.clinic_id, k.name, e.event, e.sentence, e.category,
            e.condition, e.url FROM claim_events e JOIN clinics k ON k.id = e.clinic_id
            WHERE {where} ORDER BY e.run_id DESC, k.name, e.clinic_id, e.event, e.url, e.id"""
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for r in _cursor(self.conn, sql, params):
            yield ClaimChange(r["run_id"], r["at"], r["clinic_id"], r["name"],
                              clinic_slug(r["name"], r["clinic_id"]), r["event"] or "",
                              r["sentence"] or "", r["category"] or "", r["condition"] or None,
                              r["url"] or "")

    def _clinic_changes(self, where: str, params: dict[str, Any],
                        limit: int | None = None) -> list[ClinicChange]:
        sql = f"""SELECT e.run_id, e.at, e.clinic_id, k.name, e.event, e.detail
            FROM clinic_events e JOIN clinics k ON k.id = e.clinic_id
            WHERE {where} ORDER BY e.run_id DESC, k.name, e.clinic_id, e.id"""
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [ClinicChange(r["run_id"], r["at"], r["clinic_id"], r["name"],
                             clinic_slug(r["name"], r["clinic_id"]), r["event"] or "",
                             r["detail"] or "")
                for r in _rows(self.conn, sql, params)]

    def iter_changes(self) -> Iterator[ClaimChange | ClinicChange]:
        """Every event of the reported period (clinic events, then claim events): changes.csv."""
        where, params = self._period()
        yield from self._clinic_changes(where, params)
        yield from self._iter_claim_changes(where, params)

    # evidence ----------------------------------------------------------------------------------

    def iter_claim_tuples(self, formula_prefixes: Iterable[str] = ()) -> Iterator[tuple[Any, ...]]:
        """claims.csv rows as plain tuples in EVIDENCE_COLUMNS order (no objects: fast).

        Text cells starting with one of `formula_prefixes` get a leading apostrophe, done in
        SQL so a large claims.csv never passes through Python cell by cell.
        """
        marks = ", ".join(_sql_text(p) for p in formula_prefixes)

        def col(name: str) -> str:
            if not marks:
                return f"cl.{name}"
            return (f"CASE WHEN typeof(cl.{name}) = 'text' AND substr(cl.{name}, 1, 1) IN "
                    f"({marks}) THEN {_sql_text(chr(39))} || cl.{name} ELSE cl.{name} END")
        columns = ", ".join(col(c.strip()[3:]) for c in _CLAIM_COLS.split(","))
        return iter(_tuples(self.conn, self._sql(f"""SELECT {columns} FROM {{cl}} cl
            ORDER BY cl.clinic, cl.url, cl.stance != :asserts, cl.score DESC, cl.id"""),
            {"asserts": ASSERTS}))

    def iter_claims(self) -> Iterator[ClaimRow]:
        """Every claim (all stances) of the reported state, streamed: the claims.csv evidence."""
        for t in self.iter_claim_tuples():
            yield _claim_at(t, 0)

    def iter_dossiers(self, summaries: Iterable[ClinicSummary] = ()) -> Iterator[Dossier]:
        """One dossier per registered clinic (by id), streamed: ordered set-based queries merged
        here by clinic, no per-clinic query."""
        by_id = {s.clinic_id: s for s in summaries}
        bound = {"bound": self.as_of if self.as_of is not None else (
            self.run.id if self.run else 0)}
        pages = _Groups(_tuples(self.conn, self._sql("""SELECT p.clinic_id, p.version_id,
            p.url, p.title, p.fetched_at, p.score, p.flagged, p.classifier_version, p.language,
            p.warc_file, p.warc_offset, ps.mitigations, p.voice
            FROM {pv} p LEFT JOIN page_scores ps
              ON ps.version_id = p.version_id AND ps.classifier_version = p.classifier_version
            WHERE p.version_id IN (SELECT version_id FROM {cl})
            ORDER BY p.clinic_id, p.score DESC, p.url, p.version_id""")))
        claims = self._claims_by_version()
        no_claims: tuple[list[ClaimRow], list[ClaimRow]] = ([], [])
        claim_events = _Groups(_tuples(self.conn, """SELECT clinic_id, run_id, at, event,
            sentence, category, condition, url FROM claim_events WHERE run_id <= :bound
            ORDER BY clinic_id, run_id DESC, at DESC, id""", bound))
        clinic_events = _Groups(_tuples(self.conn, """SELECT clinic_id, run_id, at, event,
            detail FROM clinic_events WHERE run_id <= :bound
            ORDER BY clinic_id, run_id DESC, at DESC, id""", bound))
        for k in _rows(self.conn, """SELECT id, name, country, seed_urls, domains, tags, active
                FROM clinics ORDER BY id"""):
            clinic_id = k["id"]
            evidence = []
            for t in pages.take(clinic_id):
                asserted, context = claims.get(t[1], no_claims)
                evidence.append(EvidencePage(
                    url=t[2] or "", title=t[3], captured_at=t[4], score=t[5], flagged=bool(t[6]),
                    classifier_version=t[7] or "", language=t[8], warc_file=t[9] or None,
                    warc_offset=t[10], voice=t[12] or "unknown",
                    mitigations=[line.strip() for line in (t[11] or "").splitlines()
                                 if line.strip()],
                    asserted=asserted, context=context))
            history = [HistoryEntry(t[1], t[2], t[3] or "", None, None, None, None, t[4] or "")
                       for t in clinic_events.take(clinic_id)]
            history += [HistoryEntry(t[1], t[2], t[3] or "", t[4], t[5], t[6], t[7], None)
                        for t in claim_events.take(clinic_id)]
            history.sort(key=_newest_first, reverse=True)  # stable: DB order within a run
            yield Dossier(
                clinic_id=clinic_id, slug=clinic_slug(k["name"], clinic_id), name=k["name"],
                country=k["country"] or "", active=bool(k["active"]),
                seed_urls=(k["seed_urls"] or "").split(), domains=(k["domains"] or "").split(),
                tags=(k["tags"] or "").split(), summary=by_id.get(clinic_id),
                pages=evidence, history=history)


def _newest_first(e: HistoryEntry) -> tuple[int, str]:
    return (e.run_id if isinstance(e.run_id, int) else -1, str(e.at or ""))


class _Groups:
    """Rows of a cursor ordered by clinic_id (first column), handed out one clinic at a time."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._rows = iter(cursor)
        self._next: tuple[Any, ...] | None = next(self._rows, None)

    def take(self, clinic_id: int) -> list[tuple[Any, ...]]:
        rows, row = self._rows, self._next
        while row is not None and row[0] < clinic_id:  # orphans (no such clinic): skip
            row = next(rows, None)
        found = []
        while row is not None and row[0] == clinic_id:
            found.append(row)
            row = next(rows, None)
        self._next = row
        return found


@contextmanager
def open_source(db: DbLike, run_id: int | None = None, *,
                since: str | None = None) -> Iterator[ReportSource]:
    """A ReportSource inside one read transaction: report, claims, changes and dossiers agree."""
    with read_snapshot(db) as conn, ReportSource(conn, run_id, since=since) as source:
        yield source


# --- public API --------------------------------------------------------------------------------

def build_report(db: DbLike, run_id: int | None = None, *, since: str | None = None) -> Report:
    """Build the report model for `run_id` (None = latest run; a DB with no runs is fine).

    `since` (ISO date): "what changed" covers every run started on or after it (up to the
    selected run) instead of the selected run alone.
    """
    with open_source(db, run_id, since=since) as source:
        return source.report()


def iter_claims(db: DbLike, run_id: int | None = None) -> Iterator[ClaimRow]:
    """Every claim (all stances) of the reported state, streamed: the claims.csv evidence."""
    with open_source(db, run_id) as source:
        yield from source.iter_claims()


def iter_dossiers(db: DbLike, run_id: int | None = None) -> Iterator[Dossier]:
    """One dossier per registered clinic (clinic id order) for the reported state."""
    with open_source(db, run_id) as source:
        yield from source.iter_dossiers(source._clinics())
