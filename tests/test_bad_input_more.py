"""Bad input that does not fit tests/test_bad_input.py's "one line, exit 1, nothing changed" table:
what must still work beside the refusal (IDN seeds crawl, a re-import finds its clinic), a port
someone else holds, the console-script entry point, Scrapy's `-s`, and what an error must not echo.

Real processes, real sockets and a real crawl, on 127.0.0.71 only.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo_web.server import SiteServer
from crawler.seeds import parse_seeds
from crawler.store.schema import open_db
from crawler.store.writer import clinics_to_crawl, import_seeds
from tests.conftest import crawl, seed_db, write_seeds

ROOT = Path(__file__).resolve().parent.parent
IDN_HOST = "café-zellen.example"
SEED_HEADER = "name,country,urls,domains,tags\n"


def clinicwatch(*argv: str, cwd: Path, env: dict[str, str] | None = None,
                entry: str = "-m scheduler.cli") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CLINICWATCH_")}
    python = [sys.executable, *entry.split(" ", 1)] if entry.startswith("-m") else [sys.executable, "-c", entry]
    return subprocess.run([*python, *argv], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})})


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stdout + proc.stderr
    return lines[0]


def test_bad_setting_is_one_line_through_the_console_script_entry_point(tmp_path: Path) -> None:
    # `clinicwatch` imports scheduler.cli (which imports crawler/settings.py) before main() runs
    proc = clinicwatch("seeds", "list", cwd=tmp_path, env={"CLINICWATCH_HEALTH_MAX_ERROR_RATE": "1.5"},
                       entry="import sys; from scheduler.cli import main; sys.argv[0] = 'clinicwatch'; main()")
    assert "CLINICWATCH_HEALTH_MAX_ERROR_RATE='1.5' is out of range (expected between 0 and 1)" in one_error_line(proc)


def test_scrapy_s_setting_is_refused_by_name(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    open_db(db).close()
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "clinics", "-a", f"db={db}",
                           "-s", "CLINICWATCH_MAX_PAGES_PER_CLINIC=lots"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"})
    assert "CLINICWATCH_MAX_PAGES_PER_CLINIC='lots' is not a whole number" in proc.stderr


def test_good_schedule_settings_still_pass(tmp_path: Path) -> None:
    config = tmp_path / "m.toml"
    config.write_text('[crawl.n]\nall = true\nevery = "3650d"\n[crawl.n.settings]\nCLINICWATCH_MAX_DEPTH = 2\n'
                      'CLINICWATCH_FOLLOW_SITEMAPS = false\nCLINICWATCH_LOG_LEVEL = "debug"\n', encoding="utf-8")
    db = open_db(tmp_path / "s.db")
    import_seeds(db, parse_seeds((SEED_HEADER + "Clinic A,US,https://a.example/,,\n").encode()))
    db.close()
    proc = clinicwatch("--db", str(tmp_path / "s.db"), "schedule", "list", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_credentials_are_never_echoed(tmp_path: Path) -> None:
    for url in ("http://user:s3cret@a.example/", "http://user:s3cret@a.example:99999999/", "http://s3cret@a.example/"):
        (tmp_path / "seeds.csv").write_text(SEED_HEADER + f"A,US,{url},,\n", encoding="utf-8")
        proc = clinicwatch("--db", str(tmp_path / "s.db"), "seeds", "import", str(tmp_path / "seeds.csv"), cwd=tmp_path)
        assert "URL contains credentials" in one_error_line(proc) and "s3cret" not in proc.stdout + proc.stderr
    (tmp_path / "seeds.csv").write_text(SEED_HEADER + "A,US,http://a.example/,user:s3cret@a.example,\n")
    proc = clinicwatch("--db", str(tmp_path / "s.db"), "seeds", "import", str(tmp_path / "seeds.csv"), cwd=tmp_path)
    assert "bad domain" in one_error_line(proc) and "s3cret" not in proc.stderr


def test_a_name_differing_in_case_is_the_same_clinic(tmp_path: Path) -> None:
    db = open_db(tmp_path / "s.db")
    import_seeds(db, parse_seeds((SEED_HEADER + "Clinic A,US,https://a.example/,,\n").encode()))
    result = import_seeds(db, parse_seeds((SEED_HEADER + "clinic  a,MX,https://a.example/,,\n").encode()))
    rows = list(db.query("SELECT name, country FROM clinics"))
    assert (result.added, result.updated) == (0, 1) and rows == [{"name": "clinic a", "country": "MX"}]
    assert [c["name"] for c in clinics_to_crawl(db, ["CLINIC A"])] == ["clinic a"]


def test_port_in_use_is_one_line_for_demo_web_and_serve(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    open_db(db).close()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = clinicwatch("--db", str(db), "serve", "--port", str(port), cwd=tmp_path)
        assert f"port {port} on 127.0.0.1 is in use" in one_error_line(proc)
    with socket.socket() as holder:  # the demo web's first site address
        holder.bind(("127.0.0.11", 0))
        holder.listen()
        port = holder.getsockname()[1]
        proc = clinicwatch("demo-web", "--port", str(port), "--seeds", str(tmp_path / "d.csv"), cwd=tmp_path)
        assert f"port {port} on 127.0.0.11 is in use" in one_error_line(proc)


def page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body><main><p>{body}</p></main></body></html>"


@pytest.fixture(scope="module")
def idn_crawl(tmp_path_factory) -> tuple[Path, int]:
    """A clinic seeded as http://café-zellen.example:PORT/ (pinned to 127.0.0.71), crawled with the guard on."""
    tmp = tmp_path_factory.mktemp("idn")
    site = SiteServer(host="127.0.0.71")
    site.set_routes({"/": (200, {}, page("Zellen", "Welcome. <a href='/therapie.html'>Therapie</a>")),
                     "/therapie.html": (200, {}, page("Therapie", "IDN-MARKER stem cell therapy"))})
    with site:
        seeds = write_seeds(tmp / "seeds.csv", [{"name": "Café Zellen", "urls": f"http://{IDN_HOST}:{site.port}/"}])
        seed_db(tmp / "t.db", seeds)
        outcome = crawl(tmp / "t.db", CLINICWATCH_ALLOW_PRIVATE="0", CLINICWATCH_FOLLOW_SITEMAPS="0",
                        CLINICWATCH_RESOLVE=f"{IDN_HOST}=127.0.0.71")  # pinned in its Unicode spelling
    assert outcome.status == "finished", outcome
    return tmp / "t.db", outcome.run_id


def test_idn_seed_is_crawled_not_offsite(idn_crawl: tuple[Path, int]) -> None:
    db_path, run_id = idn_crawl
    conn = sqlite3.connect(db_path)
    seed_urls, domains = conn.execute("SELECT seed_urls, domains FROM clinics").fetchone()
    assert "xn--caf-zellen-d7a.example" in seed_urls and domains == "xn--caf-zellen-d7a.example"
    log = conn.execute("SELECT url, outcome, error FROM fetch_log WHERE run_id = ?", [run_id]).fetchall()
    assert not [r for r in log if "offsite" in (r[2] or "")], log
    text = " ".join(r[0] for r in conn.execute("SELECT text FROM page_versions"))
    assert "IDN-MARKER" in text
    conn.close()


def test_snapshot_out_is_one_line_or_a_whole_file(idn_crawl: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _ = idn_crawl
    url = sqlite3.connect(db_path).execute("SELECT url FROM page_versions WHERE warc_file != '' LIMIT 1").fetchone()[0]
    (tmp_path / "plain-file").write_text("x")
    proc = clinicwatch("--db", str(db_path), "snapshot", url, "--out", str(tmp_path / "plain-file" / "s.html"),
                       cwd=tmp_path)
    assert "cannot write snapshot to" in one_error_line(proc) and "Not a directory" in proc.stderr
    good = tmp_path / "s.html"
    proc = clinicwatch("--db", str(db_path), "snapshot", url, "--out", str(good), cwd=tmp_path)
    assert proc.returncode == 0 and b"<html>" in good.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain-file", "s.html"]  # no temp file left


def test_report_out_failing_midway_leaves_no_temp_files(idn_crawl: tuple[Path, int], tmp_path: Path) -> None:
    db_path, _ = idn_crawl
    out = tmp_path / "r"
    out.mkdir()
    (out / "dossiers").write_text("a file where the dossier directory goes")
    proc = clinicwatch("--db", str(db_path), "report", "--out", str(out), cwd=tmp_path)
    assert f"cannot write report to {out / 'dossiers'}" in one_error_line(proc)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
