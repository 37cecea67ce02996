"""Bad input: every kind gives ONE clear `Error: ...` line, a non-zero exit, and changes nothing.

Each case runs the real `clinicwatch` command line in its own process (so a traceback or a stray
warning on stderr would show), against a DB holding one registered clinic with a crawled page. The
DB's bytes and every table's row count are compared before and after. `CASES` is the table the
README's "Reliability and security" section is generated from:

    .venv/bin/python -m tests.test_bad_input      # prints the Markdown table
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from crawler.classify import score
from crawler.extract import extract_html
from crawler.seeds import parse_seeds
from crawler.store.schema import open_db
from crawler.store.writer import finish_run, import_seeds, start_run, store_page

ROOT = Path(__file__).resolve().parent.parent
SEED_HEADER = "name,country,urls,domains,tags\n"


@dataclass(frozen=True)
class Case:
    kind: str  # what a user got wrong
    command: str  # the command, as a user would type it (for the README)
    expected: str  # a fragment of the one error line
    argv: Callable[[Path, Path], list[str]]  # (tmp dir, DB) -> arguments after `clinicwatch`
    db: str = "db"  # "db": the shared DB must stay unchanged; "none": no DB involved; other: file name checked
    env: tuple[tuple[str, str], ...] = ()  # CLINICWATCH_* variables set for the command


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def seeds(content: str | bytes) -> Callable[[Path, Path], list[str]]:
    return lambda tmp, db: ["--db", str(db), "seeds", "import", str(write(tmp / "seeds.csv", content))]


def config(text: str) -> Callable[[Path, Path], list[str]]:
    return lambda tmp, db: ["--db", str(db), "schedule", "list", "--config", str(write(tmp / "monitoring.toml", text))]


def newer_schema(tmp: Path, db: Path) -> list[str]:
    path = tmp / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return ["--db", str(path), "seeds", "import", str(write(tmp / "seeds.csv", SEED_HEADER + "B,US,https://b.example/,,\n"))]


def not_sqlite(tmp: Path, db: Path) -> list[str]:
    return ["--db", str(write(tmp / "notes.db", "these are my notes, not a database\n" * 40)), "seeds", "list"]


def colliding_clinics(tmp: Path, db: Path) -> list[str]:
    """A DB from before names were compared case-insensitively: two clinics differing only in case."""
    path = tmp / "collide.db"
    path.write_bytes(db.read_bytes())
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO clinics (name, country, seed_urls, domains, tags, active, created_at, updated_at)"
                     " SELECT 'harbor regenerative', country, seed_urls, domains, tags, 1, created_at, updated_at"
                     " FROM clinics")
    conn.close()
    return ["--db", str(path), "crawl", "--clinic", "HARBOR REGENERATIVE"]


def under_a_file(*args: str) -> Callable[[Path, Path], list[str]]:
    """`args` with {file} replaced by a path below an existing plain file (so no directory can be made)."""
    return lambda tmp, db: ["--db", str(db), *(a.replace("{file}", str(write(tmp / "plain-file", "x")))
                                               for a in args)]


def unwritable(tmp: Path, db: Path) -> list[str]:
    # Tests run as root, so a chmod'ed directory would still be writable: the parent is a file.
    return ["--db", str(write(tmp / "plain-file", "x") / "study.db"), "init"]


CASES = [
    Case("seeds: missing column", "seeds import seeds.csv", "missing column urls",
         seeds("name,country,domains\nA,US,a.example\n")),
    Case("seeds: bad URL", "seeds import seeds.csv", "row 2: bad URL 'ftp://a.example/'",
         seeds(SEED_HEADER + "A,US,ftp://a.example/,,\n")),
    Case("seeds: duplicate clinic", "seeds import seeds.csv", "row 3: duplicate clinic",
         seeds(SEED_HEADER + "New Clinic,US,https://n.example/,,\nnew clinic,MX,https://m.example/,,\n")),
    Case("seeds: BOM + latin-1 (not UTF-8)", "seeds import seeds.csv", "not UTF-8",
         seeds(b"\xef\xbb\xbf" + (SEED_HEADER + "Cl\u00ednica Sol,MX,https://sol.example/,,\n").encode("latin-1"))),
    Case("seeds: empty file", "seeds import seeds.csv", "empty file", seeds("")),
    Case("seeds: file missing", "seeds import nope.csv", "cannot read",
         lambda tmp, db: ["--db", str(db), "seeds", "import", str(tmp / "nope.csv")]),
    Case("scheduler config: bad cron", "schedule list --config monitoring.toml", "cron: bad cron expression",
         config('[crawl.nightly]\nall = true\ncron = "0 3 * *"\n')),
    Case("scheduler config: unknown key", "schedule list --config monitoring.toml", "unknown key 'crn'",
         config('[crawl.nightly]\nall = true\ncrn = "0 3 * * *"\n')),
    Case("score: binary file", "score image.png", "looks binary",
         lambda tmp, db: ["score", str(write(tmp / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))], "none"),
    Case("score: empty file", "score empty.html", "empty file, nothing to score",
         lambda tmp, db: ["score", str(write(tmp / "empty.html", "  \n"))], "none"),
    Case("crawl: unknown clinic", 'crawl --clinic "Nobody"', "unknown clinic 'Nobody'",
         lambda tmp, db: ["--db", str(db), "crawl", "--clinic", "Nobody"]),
    Case("crawl: bad --allow-host", "crawl --allow-host http://10.0.0.8/", "is not a host name, IP address or network",
         lambda tmp, db: ["--db", str(db), "crawl", "--allow-host", "http://10.0.0.8/"]),
    Case("DB path not writable (parent is a file)", "--db plain-file/study.db init", "cannot open database",
         unwritable, "none"),
    Case("DB from a newer ClinicWatch (user_version 999)", "--db future.db seeds import seeds.csv",
         "newer than this ClinicWatch", newer_schema, "future.db"),
    Case("DB file that is not SQLite", "--db notes.db seeds list", "cannot open database", not_sqlite, "notes.db"),
    Case("DB missing for a read command", "--db missing.db report", "no database at",
         lambda tmp, db: ["--db", str(tmp / "missing.db"), "report", "--out", str(tmp / "r")], "none"),
    Case("snapshot of an unknown URL", "snapshot https://nowhere.example/x", "no stored version of",
         lambda tmp, db: ["--db", str(db), "snapshot", "https://nowhere.example/x"]),
    Case("report --since notadate", "report --since notadate", "'notadate' is not a date",
         lambda tmp, db: ["--db", str(db), "report", "--since", "notadate", "--out", str(tmp / "r")]),
    Case("report --since and --period together", "report --since 2026-11-01 --period week", "not both",
         lambda tmp, db: ["--db", str(db), "report", "--since", "2026-11-01", "--period", "week", "--out", str(tmp / "r")]),
    Case("report on a run that does not exist", "report --run 999", "no run with id 999",
         lambda tmp, db: ["--db", str(db), "report", "--run", "999", "--out", str(tmp / "r")]),
    Case("setting not a number (any numeric setting)", "seeds list", "CLINICWATCH_MAX_DEPTH='deep' is not a whole number",
         lambda tmp, db: ["--db", str(db), "seeds", "list"], env=(("CLINICWATCH_MAX_DEPTH", "deep"),)),
    Case("setting out of range", "crawl", "CLINICWATCH_MAX_PAGES_PER_CLINIC='0' is out of range (expected 1 or more)",
         lambda tmp, db: ["--db", str(db), "crawl"], env=(("CLINICWATCH_MAX_PAGES_PER_CLINIC", "0"),)),
    Case("switch setting not 1/0/true/false/yes/no", "seeds list",
         "CLINICWATCH_FOLLOW_SITEMAPS='maybe' is not one of 1/true/yes/0/false/no",
         lambda tmp, db: ["--db", str(db), "seeds", "list"], env=(("CLINICWATCH_FOLLOW_SITEMAPS", "maybe"),)),
    Case("float setting not finite", "report", "CLINICWATCH_DOWNLOAD_DELAY='nan' is not a number",
         lambda tmp, db: ["--db", str(db), "report", "--out", str(tmp / "r")], env=(("CLINICWATCH_DOWNLOAD_DELAY", "nan"),)),
    Case("scheduler config: bad value in [crawl.NAME.settings]", "schedule list --config monitoring.toml",
         "[crawl.nightly] settings.CLINICWATCH_MAX_DEPTH: CLINICWATCH_MAX_DEPTH='deep' is not a whole number",
         config('[crawl.nightly]\nall = true\ncron = "0 3 * * *"\n[crawl.nightly.settings]\nCLINICWATCH_MAX_DEPTH = "deep"\n')),
    Case("scheduler config: every = \"99999999w\"", "schedule list --config monitoring.toml",
         "every: '99999999w' is too long: at most 3650d",
         config('[crawl.nightly]\nall = true\nevery = "99999999w"\n')),
    Case("seeds: a field over csv's 131,072-character limit", "seeds import seeds.csv",
         "line 2: a field is longer than 100,000 characters",
         seeds(SEED_HEADER + "A,US,https://a.example/," + "x" * 131_073 + ",\n")),
    Case("seeds: a field over 100,000 characters", "seeds import seeds.csv",
         "row 2: tags is longer than 100,000 characters",
         seeds(SEED_HEADER + "A,US,https://a.example/,," + "t" * 100_001 + "\n")),
    Case("seeds: credentials in a URL", "seeds import seeds.csv",
         "row 2: URL contains credentials (user:***); remove them",
         seeds(SEED_HEADER + "A,US,http://user:s3cret@a.example/,,\n")),
    Case("seeds: a name differing only in case or spacing", "seeds import seeds.csv", "row 3: duplicate clinic",
         seeds(SEED_HEADER + "Clinic  Sol,US,https://n.example/,,\nclinic sol,MX,https://m.example/,,\n")),
    Case("crawl --clinic matching two clinics of an older DB", 'crawl --clinic "HARBOR REGENERATIVE"',
         "matches 'Harbor Regenerative', 'harbor regenerative'", colliding_clinics, "collide.db"),
    Case("report --out below a file", "report --out plain-file/r", "cannot write report to",
         under_a_file("report", "--out", "{file}/r")),
    Case("report --out naming a file", "report --out plain-file", "Invalid value for '--out'",
         under_a_file("report", "--out", "{file}")),
    Case("snapshot --at notadate", "snapshot https://harbor.example/ --at notadate", "--at: 'notadate' is not a date",
         lambda tmp, db: ["--db", str(db), "snapshot", "https://harbor.example/", "--at", "notadate"]),
    Case("snapshot --at 2026-13-45", "snapshot https://harbor.example/ --at 2026-13-45",
         "--at: '2026-13-45' is not a date",
         lambda tmp, db: ["--db", str(db), "snapshot", "https://harbor.example/", "--at", "2026-13-45"]),
]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """A DB with one clinic and one stored page, checkpointed (no WAL left)."""
    path = tmp_path_factory.mktemp("template") / "study.db"
    db = open_db(path)
    import_seeds(db, parse_seeds((SEED_HEADER + "Harbor Regenerative,US,https://harbor.example/,,\n").encode()))
    run_id = start_run(db, [])
    clinic_id = db.execute("SELECT id FROM clinics").fetchone()[0]
    page = extract_html("<html><head><title>Harbor</title></head><body><main><p>Our stem cell therapy cures"
                        " type 2 diabetes.</p></main></body></html>", "https://harbor.example/")
    store_page(db, run_id=run_id, clinic_id=clinic_id, url="https://harbor.example/", http_status=200,
               fetched_at="2026-11-20T10:00:00Z", body_bytes=120, page=page, result=score(page.text, title=page.title))
    finish_run(db, run_id, "finished", "finished")
    db.conn.close()
    return path


def fingerprint(path: Path) -> tuple[str, dict[str, int]]:
    if not path.exists():
        return "missing", {}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        conn.close()
    except sqlite3.DatabaseError:
        counts = {}
    return digest, counts


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input_is_one_clear_line_and_changes_nothing(case: Case, template_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "study.db"
    db.write_bytes(template_db.read_bytes())
    argv = case.argv(tmp_path, db)
    watched = {db} | ({tmp_path / case.db} if case.db not in ("db", "none") else set())
    before = {p: fingerprint(p) for p in watched}
    files_before = files(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "scheduler.cli", *argv], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**_env(), **dict(case.env)})
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stdout + proc.stderr
    assert case.expected in lines[0], lines[0]
    assert "Traceback" not in proc.stderr
    for path, fp in before.items():
        assert fingerprint(path) == fp, f"{path.name} changed"
    assert files(tmp_path) == files_before  # no DB, report directory, log or lock file created


def files(directory: Path) -> set[str]:
    """Every file and directory below `directory`, except SQLite's transient -wal/-shm files."""
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if not p.name.endswith(("-wal", "-shm"))}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def markdown_table() -> str:
    rows = ["| bad input | command | outcome (one line, exit 1, nothing changed) |", "|---|---|---|"]
    for case in CASES:
        env = "".join(f"{name}={value} " for name, value in case.env)
        rows.append(f"| {case.kind} | `{env}clinicwatch {case.command}` | `Error: …{case.expected}…` |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
