"""Datasette with our metadata: canned queries, search, read-only behaviour, a real process."""
from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from reports.datasette_meta import QUERIES, TITLE, metadata, write_metadata
from reports.serve import LOOPBACK, datasette_command

try:  # the fixture builder lives in the report tests (rootdir-relative or package import)
    from test_reports import build_fixture
except ImportError:  # pragma: no cover - when tests/ becomes a package
    from tests.test_reports import build_fixture

DB_NAME = "t"
STARTUP_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.2
HTTP_TIMEOUT_S = 5.0
QUERY_PARAMS = {
    "top_clinics": "",
    "claims_by_condition": "condition=autism",
    "clinic_dossier": "clinic=Alpha%20Regen",
    "search_claims": "q=cure%20autism",
    "flagged_pages": "",
}


@pytest.fixture()
def fixture_db(tmp_path: Path) -> Path:
    return build_fixture(tmp_path / f"{DB_NAME}.db")


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
        for table in ("clinics", "runs", "pages", "page_versions", "page_scores", "claims",
                      "fetch_log"):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert set(tables[table]["columns"]) == columns, table
    finally:
        conn.close()
    assert set(QUERIES) == set(QUERY_PARAMS)


def test_canned_queries_return_rows(fixture_db: Path) -> None:
    paths = [f"/{DB_NAME}/{name}.json?{params}&_shape=array"
             for name, params in QUERY_PARAMS.items()]
    results = dict(zip(QUERY_PARAMS, _get_all(fixture_db, paths)))
    for name, (status, rows) in results.items():
        assert status == 200 and isinstance(rows, list) and rows, (name, rows)
    top = [r["clinic"] for r in results["top_clinics"][1]]
    assert top[:3] == ["Alpha Regen", "Epsilon Cells", "Beta <b>Stem</b>"]
    assert results["top_clinics"][1][0]["breadth"] == 3
    dossier = results["clinic_dossier"][1]
    assert {r["stance"] for r in dossier} == {"asserts"} and len(dossier) == 3
    for row in dossier:  # evidence travels with every claim
        assert row["sentence"] and row["url"] and row["captured_at"] and row["classifier_version"]
    assert {r["clinic"] for r in results["claims_by_condition"][1]} == {
        "Alpha Regen", "Beta <b>Stem</b>"}
    assert len(results["flagged_pages"][1]) == 3


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
