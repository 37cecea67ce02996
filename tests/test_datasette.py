"""Datasette with our metadata: canned queries, search, read-only behaviour, a real process."""
from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import sqlite3
import subprocess
import time
import re
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from crawler.store.events import claim_key
from reports.datasette_meta import PARAM_HINTS, QUERIES, TITLE, metadata, write_metadata
from reports.serve import LOOPBACK, datasette_command

try:  # the fixture builder lives in the report tests (rootdir-relative or package import)
    from test_reports import JS_URL, T1, T2, build_fixture
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.test_reports import JS_URL, T1, T2, build_fixture
from reports.data import build_report

DB_NAME = "t"
STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.2
HTTP_TIMEOUT_S = 5.0
QUERY_PARAMS = {
    "top_clinics": "",
    "top_clinics_by_breadth": "",
    "claims_by_condition": "condition=autism",
    "clinic_dossier": "clinic=alpha%20REGEN",  # case-insensitive
    "search_claims": "q=cure%20autism",
    "flagged_pages": "",
    "not_scored_pages": "",
    "newly_flagged_since": "since=2026-11-08",
    "claims_added_since": "since=2026-11-08",
    "claims_removed_since": "since=2026-11-08",
}
# Events as two runs of `record_run_events` would have written them (run 1 at T1, run 2 at T2).
CLAIM_EVENTS = [  # run, clinic, event, sentence, category, condition, url, at
    (1, 1, "added", "Stem cells reverse Alzheimer's.", "cure", "alzheimers",
     "https://alpha.example/treatments", T1),
    (1, 3, "added", "Knee cartilage regrows in weeks.", "cure", "osteoarthritis",
     "https://gamma.example/", T1),
    (2, 1, "removed", "Stem cells reverse Alzheimer's.", "cure", "alzheimers",
     "https://alpha.example/treatments", T2),
    (2, 1, "added", "Insulin independence after one infusion.", "cure", "diabetes",
     "https://alpha.example/treatments", T2),
    (2, 1, "added", "We treat autism with stem cells.", "unapproved_indication", "autism",
     "https://alpha.example/treatments", T2),
    (2, 5, "added", "Parkinson's patients improve 90%.", "efficacy_statistics", "parkinsons",
     "https://epsilon.example/conditions?a=1&b=2", T2),
]
CLINIC_EVENTS = [  # run, clinic, event, detail, at
    (1, 1, "newly_flagged", "https://alpha.example/treatments", T1),
    (2, 2, "newly_flagged", JS_URL, T2),
    (2, 5, "newly_flagged", "https://epsilon.example/conditions?a=1&b=2", T2),
    (2, 3, "unreachable", "HTTP 503 <boom>", T2),
]


def build_fixture_with_events(path: Path) -> Path:
    """The report fixture (two runs, five clinics) plus the claim and clinic events of its runs."""
    build_fixture(path)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO claim_events (run_id, clinic_id, event, claim_key, sentence, category,"
                " condition, url, at) VALUES (?,?,?,?,?,?,?,?,?)",
                [(run, clinic, event, claim_key(sentence, category, condition), sentence, category,
                  condition, url, at)
                 for run, clinic, event, sentence, category, condition, url, at in CLAIM_EVENTS])
            conn.executemany(
                "INSERT INTO clinic_events (run_id, clinic_id, event, detail, at) VALUES (?,?,?,?,?)",
                CLINIC_EVENTS)
            # Zeta's page is in Thai: "not scored", so Zeta still has no score (not a clean 0)
            conn.execute("INSERT INTO page_scores (version_id, clinic_id, score, flagged, language, n_claims,"
                         " n_asserted, classifier_version, scored_at, not_scored) VALUES"
                         " (6, 6, 0.0, 0, 'th', 0, 0, 'rules-0.3.0', ?, 'language th')", [T2])
    finally:
        conn.close()
    return path


@pytest.fixture()
def fixture_db(tmp_path: Path) -> Path:
    return build_fixture_with_events(tmp_path / f"{DB_NAME}.db")


def _get_all(db_path: Path, paths: list[str]) -> list[tuple[int, Any]]:
    """GET each path through datasette's in-process client; (status, parsed JSON or text)."""
    async def run() -> list[tuple[int, Any]]:
        ds = Datasette([str(db_path)], metadata=metadata(DB_NAME))
        await ds.invoke_startup()
        out = []
        for path in paths:
            response = await ds.client.get(path)
            try:
                body = response.json()
            except ValueError:
                body = response.text
            out.append((response.status_code, body))
        return out
    return asyncio.run(run())


def _claims_state(db_path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT * FROM claims ORDER BY id").fetchall()
    finally:
        conn.close()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def test_metadata_title_and_descriptions(fixture_db: Path) -> None:
    [(status, body)] = _get_all(fixture_db, ["/-/metadata.json"])
    assert status == 200 and body["title"] == TITLE
    tables = body["databases"][DB_NAME]["tables"]
    conn = sqlite3.connect(fixture_db)
    try:
        user_tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE '%_fts%'")]
        assert len(user_tables) >= 15 and set(user_tables) == set(tables)  # every table described, no stale ones
        for table in user_tables:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert set(tables[table]["columns"]) == columns, table
            assert tables[table]["description"], table
            for key in ("sort", "sort_desc"):
                assert tables[table].get(key, next(iter(columns))) in columns, (table, key)
            for facet in tables[table].get("facets", []):
                assert (facet if isinstance(facet, str) else next(iter(facet.values()))) in columns

    finally:
        conn.close()
    assert set(QUERIES) == set(QUERY_PARAMS)
    queries = body["databases"][DB_NAME]["queries"]
    for name, query in queries.items():  # documented: title, description, a hint per parameter
        assert query["title"] and len(query["description"]) > 40, name
        named = set(re.findall(r"(?<![:\w]):(\w+)", query["sql"]))
        assert named == set(query.get("params", [])), name
        for param in named:
            assert f"{param}: {PARAM_HINTS[param]}" in query["description"], (name, param)


def test_canned_queries_return_rows(fixture_db: Path) -> None:
    paths = [f"/{DB_NAME}/{name}.json?{params}&_shape=array"
             for name, params in QUERY_PARAMS.items()]
    results = {name: rows for name, (status, rows) in zip(QUERY_PARAMS, _get_all(fixture_db, paths))
               if status == 200}
    for name in QUERY_PARAMS:
        rows = results.get(name)
        assert isinstance(rows, list) and rows, (name, rows)
    top = results["top_clinics"]
    assert [r["clinic"] for r in top] == [
        "Alpha Regen", "Epsilon Cells", "Beta <b>Stem</b>", "Gamma Ortho", "Zeta Clinic"]
    assert top[0]["breadth"] == 3 and top[0]["max_score"] == 0.95
    assert top[0]["conditions"] == "autism diabetes multiple_sclerosis"  # no lupus, no alzheimers
    assert (top[0]["pages"], top[0]["flagged_pages"], top[0]["asserted_claims"]) == (1, 1, 3)
    assert top[-1]["max_score"] is None and top[-1]["pages"] == 1  # Zeta: a page, no score

    breadth = results["top_clinics_by_breadth"]
    assert [(r["clinic"], r["breadth"]) for r in breadth] == [
        ("Alpha Regen", 3), ("Epsilon Cells", 2), ("Beta <b>Stem</b>", 1)]
    assert breadth[0]["example"] == "Insulin independence after one infusion."  # not the old classifier's 0.9
    assert breadth[0]["example_url"] == "https://alpha.example/treatments"
    assert breadth[1]["conditions"] == "diabetes parkinsons" and breadth[1]["max_score"] == 0.7

    dossier = results["clinic_dossier"]
    assert {r["stance"] for r in dossier} == {"asserts"} and len(dossier) == 3
    for row in dossier:  # evidence travels with every claim
        assert row["sentence"] and row["url"] and row["captured_at"] and row["classifier_version"]
    assert {r["clinic"] for r in results["claims_by_condition"]} == {
        "Alpha Regen", "Beta <b>Stem</b>"}
    assert len(results["flagged_pages"]) == 3
    assert results["flagged_pages"][0]["conditions"] == "autism diabetes multiple_sclerosis"

    assert [(r["clinic"], r["run_id"]) for r in results["newly_flagged_since"]] == [
        ("Beta <b>Stem</b>", 2), ("Epsilon Cells", 2)]  # Alpha was flagged in run 1
    assert results["newly_flagged_since"][0]["detail"] == JS_URL
    assert [(r["clinic"], r["condition"]) for r in results["claims_added_since"]] == [
        ("Alpha Regen", "diabetes"), ("Alpha Regen", "autism"), ("Epsilon Cells", "parkinsons")]
    [removed] = results["claims_removed_since"]
    assert (removed["clinic"], removed["sentence"], removed["category"], removed["condition"],
            removed["run_id"]) == ("Alpha Regen", "Stem cells reverse Alzheimer's.", "cure",
                                   "alzheimers", 2)
    assert removed["url"] == "https://alpha.example/treatments"


def test_canned_queries_agree_with_the_report(fixture_db: Path) -> None:
    """Same rules as the report: ranking, scores, breadth, counts and example claim."""
    report = build_report(fixture_db)
    (_, top), (_, breadth) = _get_all(fixture_db, [
        f"/{DB_NAME}/top_clinics.json?_shape=array",
        f"/{DB_NAME}/top_clinics_by_breadth.json?_shape=array"])
    clinics = [c for c in report.clinics if c.pages]
    assert [(r["clinic"], r["max_score"], r["breadth"], r["asserted_claims"], r["flagged_pages"],
             r["pages"]) for r in top] == [
        (c.name, None if c.max_score is None else round(c.max_score, 3), c.breadth,
         c.asserted_claims, c.flagged_pages, c.pages) for c in clinics]
    by_name = {c.name: c for c in clinics}
    for row in breadth:
        clinic = by_name[row["clinic"]]
        assert row["conditions"].split() == sorted(clinic.conditions)
        assert clinic.top_claim is not None and row["example"] == clinic.top_claim.sentence


@pytest.mark.parametrize(("since", "runs"), [
    ("", {1, 2}),  # empty: every run
    ("2000-01-01", {1, 2}),
    ("2026-11-08", {2}),
    ("2026-11-08T11:00:00+01:00", {2}),  # = 10:00 UTC, when run 2 started
    ("2026-11-08T10:00:01Z", set()),
    ("not a date", set()),
])
def test_since_selects_runs_by_start_time(fixture_db: Path, since: str, runs: set[int]) -> None:
    names = ("newly_flagged_since", "claims_added_since", "claims_removed_since")
    results = _get_all(fixture_db, [
        f"/{DB_NAME}/{name}.json?_shape=array&since={urllib.parse.quote(since)}" for name in names])
    seen = set()
    for name, (status, rows) in zip(names, results):
        assert status == 200 and isinstance(rows, list), (name, rows)
        seen |= {r["run_id"] for r in rows}
    assert seen == runs


def test_condition_and_clinic_queries_ignore_stale_rows(fixture_db: Path) -> None:
    """Old versions and superseded classifier rows never reach a canned query."""
    results = _get_all(fixture_db, [
        f"/{DB_NAME}/claims_by_condition.json?condition=lupus&_shape=array",  # old classifier
        f"/{DB_NAME}/claims_by_condition.json?condition=alzheimers&_shape=array",  # old version
        f"/{DB_NAME}/clinic_dossier.json?clinic=Gamma%20Ortho&_shape=array",  # no claims
        f"/{DB_NAME}/clinic_dossier.json?clinic=Nobody&_shape=array",
    ])
    assert results == [(200, [])] * 4


def test_canned_queries_read_big_tables_through_indexes(fixture_db: Path) -> None:
    """No canned query scans claims, page_scores, page_versions or the event tables row by row.

    Without ANALYZE statistics SQLite plans the same way for 10 rows as for 10 million, so the
    plans of the fixture DB are the plans of a 100,000-page DB (see benchmarks/report_100k.py).
    """
    big = {"claims", "page_scores", "page_versions", "claim_events", "clinic_events", "fetch_log"}
    conn = sqlite3.connect(fixture_db)
    try:
        for name, query in QUERIES.items():
            params = {p: "x" for p in query.get("params", [])}
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + query["sql"], params)]
            scans = [step for step in plan if step.startswith("SCAN ")
                     and step.split()[1] in big | {"c", "ps", "pv", "e", "x", "ex"}
                     and "COVERING INDEX" not in step]
            assert not scans, (name, plan)
    finally:
        conn.close()


def test_fts_search_on_claims_and_pages(fixture_db: Path) -> None:
    (s1, claims), (s2, pages), (s3, odd) = _get_all(fixture_db, [
        f"/{DB_NAME}/claims.json?_search=insulin&_shape=array",
        f"/{DB_NAME}/page_versions.json?_search=version&_shape=array",
        f"/{DB_NAME}/search_claims.json?q=%22%20OR%20*&_shape=array",  # hostile FTS syntax
    ])
    assert s1 == 200 and [r["sentence"] for r in claims] == [
        "Insulin independence after one infusion."]
    assert s2 == 200 and len(pages) == 6
    assert s3 == 200 and odd == []


def test_write_attempts_do_not_change_db(fixture_db: Path) -> None:
    before = _claims_state(fixture_db)

    async def run() -> list[int]:
        ds = Datasette([str(fixture_db)], metadata=metadata(DB_NAME))
        await ds.invoke_startup()
        statuses = []
        for sql in ("delete from claims", "select 1; delete from claims",
                    "with x as (select 1) delete from claims"):
            response = await ds.client.get(f"/{DB_NAME}.json", params={"sql": sql})
            statuses.append(response.status_code)
        response = await ds.client.post(f"/{DB_NAME}/top_clinics", data={})
        statuses.append(response.status_code)
        return statuses
    statuses = asyncio.run(run())
    assert all(status >= 400 for status in statuses), statuses
    assert _claims_state(fixture_db) == before


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def test_datasette_command_is_argv_on_loopback(tmp_path: Path) -> None:
    argv = datasette_command(tmp_path / "x.db", tmp_path / "m.json", 8123)
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    assert argv[1:4] == ["-m", "datasette", "serve"]
    assert argv[argv.index("--host") + 1] == "127.0.0.1"


def test_real_datasette_process(fixture_db: Path, tmp_path: Path) -> None:
    meta = write_metadata(tmp_path / "meta.json", DB_NAME)
    port = _free_port()
    base = f"http://{LOOPBACK}:{port}"
    log = tmp_path / "datasette.log"
    with log.open("wb") as out:  # a file, not a pipe: a chatty server can never block on it
        proc = subprocess.Popen(datasette_command(fixture_db, meta, port),
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=HTTP_TIMEOUT_S):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("datasette did not answer in time") from None
                time.sleep(POLL_INTERVAL_S)
        url = f"{base}/{DB_NAME}/top_clinics.json?_shape=array"
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as response:
            rows = json.load(response)
        assert rows[0]["clinic"] == "Alpha Regen" and rows[0]["max_score"] == 0.95
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=HTTP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
