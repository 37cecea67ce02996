"""Secrets and terminals (issue 14): credentials in URLs never leave ClinicWatch; crawled control
characters never reach a terminal or a text export raw; datasette's exports are formula-safe and
`serve` answers only to its own Host names.

A hostile clinic on 127.0.0.73: its pages carry OSC/CSI escape sequences, C1 and BiDi controls
and claims; links and a redirect carry credentials; one claim page's URL carries `?token=`; the
clinic's seed (written straight to the DB: `seeds import` refuses it) has `user:pass@`.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo_web.server import SiteServer
from crawler.store.schema import open_db
from crawler.store.writer import record_fetch, start_run
from crawler.text_safety import neutralise_controls, redact_url, redact_urls_in, strip_userinfo
from reports.render import write_report
from scheduler.cluster import free_port

try:
    from conftest import crawl, wait_for
except ImportError:  # pragma: no cover
    from tests.conftest import crawl, wait_for

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.73"
SECRETS = ("SEEDPW", "LINKPW", "REDIRPW", "TOKSECRET")
ESC = "\x1b"
HOSTILE = f"{ESC}]0;owned-title\x07{ESC}[31mred{ESC}[0m \u009b2J \u202eevil\u202c"
RAW_CONTROLS = (ESC, "\x07", "\u009b", "\u202e")
CLAIMS = "Our stem cell therapy cures autism. Stem cells cure diabetes in 90% of patients."


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title></head><body><main>"
            f"<h1>{title}</h1><p>{body}</p></main></body></html>")


def clinicwatch(*args: str, db: Path) -> subprocess.CompletedProcess[bytes]:
    """A real `clinicwatch` process with stdout a pipe (what `| less` or `| head` would get)."""
    return subprocess.run([sys.executable, "-m", "scheduler.cli", "--db", str(db), *args], cwd=ROOT,
                          capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory) -> tuple[Path, Path, str]:
    """(db, report dir, base URL) after one crawl of the hostile clinic and a report of it."""
    out = tmp_path_factory.mktemp("hostile")
    site = SiteServer(host=HOST)
    base = f"http://{HOST}:{site.port}"
    site.set_routes({
        "/": (200, {}, page("Home " + HOSTILE, f"{CLAIMS} {HOSTILE} "
                                               f"<a href='http://admin:LINKPW@{HOST}:{site.port}/creds.html'>c</a> "
                                               "<a href='/redirect'>r</a> <a href='/offer.html?token=TOKSECRET'>o</a>")),
        "/creds.html": (200, {}, page("Creds", "Stem cell therapy cures multiple sclerosis.")),
        "/offer.html": (200, {}, page("Offer", f"Stem cells cure Parkinson's disease. {HOSTILE} {CLAIMS} "
                                               "We welcome patients from every country to our modern clinic.")),
        "/redirect": (302, {"Location": f"http://bob:REDIRPW@{HOST}:{site.port}/after.html"}, b""),
        "/after.html": (200, {}, page("After", "Stem cells reverse Alzheimer's disease.")),
    })
    db_path = out / "t.db"
    with site:
        db = open_db(db_path)
        db.execute("INSERT INTO clinics (name, country, seed_urls, domains, tags, active, created_at, updated_at)"
                   " VALUES (?, '', ?, ?, '', 1, '2026-12-01', '2026-12-01')",
                   [f"Clinic {HOSTILE}", f"http://user:SEEDPW@{HOST}:{site.port}/", HOST])
        db.conn.commit()
        db.close()
        outcome = crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0", CLINICWATCH_LOG_LEVEL="DEBUG")
        assert outcome.status == "finished"
        assert site.requests and all("@" not in r.path for r in site.requests)
    report = out / "report"
    write_report(db_path, report)
    return db_path, report, base


def _db_dump(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        rows = [conn.execute(f"SELECT * FROM {t}").fetchall() for t in ("fetch_log", "runs")]
        rows.append(conn.execute("SELECT url, links FROM pages").fetchall())
        return repr(rows)
    finally:
        conn.close()


def test_credentials_in_urls_are_never_sent_stored_logged_or_reported(hostile_crawl) -> None:
    db_path, report, base = hostile_crawl
    conn = sqlite3.connect(db_path)
    logged = dict(conn.execute("SELECT url, outcome FROM fetch_log").fetchall())
    conn.close()
    # the credentialed seed, link and redirect target were fetched without their credentials
    assert logged[f"{base}/"] == logged[f"{base}/creds.html"] == logged[f"{base}/after.html"] == "stored"
    dump = _db_dump(db_path)
    for secret in ("SEEDPW", "LINKPW", "REDIRPW"):
        assert secret not in dump
    logs = "\n".join(p.read_text(errors="replace") for p in (db_path.parent / "logs").glob("*.log"))
    assert "Redirecting (302)" in logs and "after.html" in logs  # DEBUG: every request is logged...
    for secret in SECRETS:  # ... with no credential, and the ?token= value redacted
        assert secret not in logs
    assert "offer.html?token=***" in logs
    files = [p for p in report.rglob("*") if p.is_file()]
    assert {"report.html", "report.md", "report.json", "claims.csv", "changes.csv"} <= {p.name for p in files}
    assert any(p.suffix == ".md" for p in (report / "dossiers").iterdir())
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    assert "offer.html?token=***" in texts["claims.csv"]  # the claim's page is reported, its token not
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)


def test_fetch_log_writer_redacts_urls_and_errors(tmp_path: Path) -> None:
    """The last line of defence: whatever the crawler hands it, fetch_log holds no credential."""
    db = open_db(tmp_path / "t.db")
    run = start_run(db)
    record_fetch(db, run, None, "http://u:SEEDPW@h.example/x", None, "error",
                 "ValueError: <GET http://u:LINKPW@h.example/y?api_key=TOKSECRET> (redirected from "
                 "http://h.example/z?token=TOKSECRET)")
    url, error = db.execute("SELECT url, error FROM fetch_log").fetchone()
    assert url == "http://h.example/x"
    assert not any(s in error for s in SECRETS) and "api_key=***" in error and "token=***" in error


def test_text_exports_show_control_characters_the_db_keeps_them(hostile_crawl) -> None:
    db_path, report, _ = hostile_crawl
    conn = sqlite3.connect(db_path)
    stored = "\n".join(r[0] for r in conn.execute("SELECT text || title FROM page_versions"))
    conn.close()
    assert all(c in stored for c in RAW_CONTROLS)  # the evidence stays verbatim
    for path in report.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(c in text for c in RAW_CONTROLS), path.name
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "owned-title␇␛" in md  # readable: what was there is still visible
    claims = (report / "claims.csv").read_text(encoding="utf-8")
    assert "␛[31mred" in claims
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert any(HOSTILE in text for text in _strings(data))  # JSON escapes them: exact when read back


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for v in value for s in _strings(v)] if isinstance(value, list) else []


def test_cli_output_never_carries_raw_control_characters(hostile_crawl, tmp_path: Path) -> None:
    db_path, _, base = hostile_crawl
    saved = tmp_path / "offer.html"
    saved.write_text(page("Offer", f"Our stem cell therapy {HOSTILE} cures autism in most children."),
                     encoding="utf-8")
    runs = {
        "score": clinicwatch("score", str(saved), db=db_path),
        "score --json": clinicwatch("score", "--json", str(saved), db=db_path),
        "snapshot": clinicwatch("snapshot", f"{base}/", db=db_path),
        "snapshot --headers": clinicwatch("snapshot", "--headers", f"{base}/", db=db_path),
        "seeds list": clinicwatch("seeds", "list", db=db_path),
        "status": clinicwatch("status", db=db_path),
    }
    for name, result in runs.items():
        assert result.returncode == 0, (name, result.stderr[-500:])
        output = (result.stdout + result.stderr).decode("utf-8")
        assert not any(c in output for c in RAW_CONTROLS), name
        assert not any(s in output for s in SECRETS), name
    assert "␛[31mred␛[0m" in runs["score"].stdout.decode()  # shown, not obeyed
    assert json.loads(runs["score --json"].stdout)["claims"]  # still one JSON object per file
    assert "␛]0;owned-title␇" in runs["snapshot"].stdout.decode()
    exact = clinicwatch("snapshot", f"{base}/", "--out", str(tmp_path / "exact.html"), db=db_path)
    assert exact.returncode == 0 and HOSTILE.encode() in (tmp_path / "exact.html").read_bytes()


def test_redaction_and_neutralising_rules() -> None:
    assert redact_url("https://u:p@h.example:8/a?x=1&Api-Key=K&session_token=T#f") == \
        "https://***@h.example:8/a?x=1&Api-Key=***&session_token=***#f"
    assert redact_url("https://h.example/a?page=2&keyword=stem") == "https://h.example/a?page=2&keyword=stem"
    assert redact_urls_in('<a href="http://h/?a=1&amp;token=T">') == '<a href="http://h/?a=1&amp;token=***">'
    assert strip_userinfo("http://admin:pw@h.example:81/a?b") == "http://h.example:81/a?b"
    assert neutralise_controls("a\x1b[1mb\x07\r\n\tc\u0085\u2066d") == "a␛[1mb␇␍\n\tc\ufffd\ufffdd"
    kept = "no-break\u00a0space, ZWNJ \u200c, RLM \u200f, 幹細胞, مرحبا"
    assert neutralise_controls(kept) is kept


# -- datasette -------------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "@SUM(A1:A9)", "=cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0", "-2+3", "\t=1+1"]


@pytest.fixture
def formula_db(tmp_path: Path) -> Path:
    """A ClinicWatch DB whose claim sentences are spreadsheet formulas (and one escape sequence)."""
    db_path = tmp_path / "f.db"
    db = open_db(db_path)
    run = start_run(db)
    db.conn.execute("PRAGMA foreign_keys = OFF")  # claims without their page versions: only exports are tested
    db.execute("INSERT INTO clinics (id, name, country, seed_urls, domains, tags, active, created_at, updated_at)"
               " VALUES (1, 'C', '', 'http://c.example/', 'c.example', '', 1, 'x', 'x')")
    for i, sentence in enumerate([*FORMULAS, f"plain {HOSTILE}"], 1):
        db.execute("INSERT INTO claims (id, version_id, clinic_id, url, captured_at, sentence, category, condition,"
                   " stance, score, cues, span_start, span_end, classifier_version)"
                   " VALUES (?, ?, 1, 'http://c.example/', 'x', ?, 'cure', NULL, 'asserts', -0.5, '', 0, 1, 'r')",
                   [i, run, sentence])
    db.conn.commit()
    db.close()
    return db_path


def _assert_csv_safe(text: str) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    sentences = [r["sentence"] for r in rows]
    assert sentences[:len(FORMULAS)] == ["'" + f for f in FORMULAS]
    assert not any(c in text for c in RAW_CONTROLS) and "␛[31mred" in text
    assert all(r["score"] == "-0.5" for r in rows)  # numbers stay numbers


def test_datasette_exports_neutralise_formula_cells_in_process(formula_db: Path) -> None:
    from datasette.app import Datasette
    from datasette.plugins import pm

    import reports.datasette_guard as guard

    pm.register(guard, name="clinicwatch-guard-test")
    try:
        async def fetch() -> dict[str, str]:
            ds = Datasette([str(formula_db)])
            got = {}
            for path in ("/f/claims.csv?_size=max", "/f/claims.csv?_stream=on&_dl=1",
                         "/f/claims.json?_shape=array", "/f.json?sql=select+sentence+from+claims"):
                response = await ds.client.get(path)
                assert response.status_code == 200, path
                got[path] = response.text
            return got
        got = asyncio.run(fetch())
    finally:
        pm.unregister(name="clinicwatch-guard-test")
    _assert_csv_safe(got["/f/claims.csv?_size=max"])
    _assert_csv_safe(got["/f/claims.csv?_stream=on&_dl=1"])
    rows = json.loads(got["/f/claims.json?_shape=array"])
    assert [r["sentence"] for r in rows[:len(FORMULAS)]] == ["'" + f for f in FORMULAS]
    assert rows[-1]["sentence"] == f"plain {HOSTILE}" and rows[0]["score"] == -0.5  # exact data, typed
    assert not any(c in got["/f/claims.json?_shape=array"] for c in RAW_CONTROLS)
    sql_rows = json.loads(got["/f.json?sql=select+sentence+from+claims"])["rows"]
    assert [r[0] for r in sql_rows[:len(FORMULAS)]] == ["'" + f for f in FORMULAS]


def _get(port: int, path: str, host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_real_serve_answers_only_its_own_host_names_and_exports_safely(formula_db: Path) -> None:
    port = free_port()
    log = formula_db.with_suffix(".log")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "--db", str(formula_db), "serve",
                                 "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        def up() -> bool:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                return _get(port, "/-/versions.json", f"127.0.0.1:{port}")[0] == 200
            except OSError:
                return False
        wait_for(up, 60, "clinicwatch serve to answer")
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
            assert _get(port, "/f/claims.json", host)[0] == 200, host
        for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}",
                     f"127.0.0.1:{port + 1}", ""):
            status, body = _get(port, "/f/claims.csv", host)
            assert status == 421 and b"sentence" not in body, host
        status, body = _get(port, "/f/claims.csv?_size=max", f"127.0.0.1:{port}")
        assert status == 200
        _assert_csv_safe(body.decode("utf-8"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
