"""Sharing the database: read-only commands never write, writers wait for each other, foreign files are refused.

Every case runs the real `clinicwatch` command in its own process against real SQLite files:
- a command that only reads opens the DB with SQLite `mode=ro`: on someone else's SQLite file
  (`sqlite3 notes.db "create table notes(id,body)"`) it exits 1 with one line and leaves the bytes
  alone (no migration, no WAL switch, no -wal/-shm); on a ClinicWatch DB it leaves bytes and mtime;
- a command that writes refuses a non-ClinicWatch file the same way, and creates an empty one;
- a writer waits CLINICWATCH_BUSY_TIMEOUT for another process's write transaction, then names it;
- readers (`report`) are never blocked by a writer.
The process holding the lock is a small Python script (`HOLDER`) registering itself as a running
crawl run, as `clinicwatch crawl` does, and holding `BEGIN IMMEDIATE` until told to stop.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.classify import score
from crawler.extract import extract_html
from crawler.seeds import parse_seeds
from crawler.store.migrations import MIGRATIONS
from crawler.store.schema import SCHEMA_VERSION, open_db
from crawler.store.writer import finish_run, import_seeds, start_run, store_page

ROOT = Path(__file__).resolve().parent.parent
SEEDS = "name,country,urls,domains,tags\nHarbor Regenerative,US,https://harbor.example/,,\n"
NEW_SEEDS = "name,country,urls,domains,tags\nNew Clinic,US,https://new.example/,,\n"
CONFIG = '[crawl.nightly]\nall = true\ncron = "0 3 * * *"\n'

# Every command that only reads the DB (classified from scheduler/cli*.py); `serve` is run separately.
READ_COMMANDS = {
    "seeds list": lambda tmp: ["seeds", "list"],
    "seeds list --json": lambda tmp: ["seeds", "list", "--json"],
    "report": lambda tmp: ["report", "--out", str(tmp / "report")],
    "status": lambda tmp: ["status"],
    "status --config": lambda tmp: ["status", "--config", str(_write(tmp / "monitoring.toml", CONFIG))],
    "schedule list": lambda tmp: ["schedule", "list", "--config", str(_write(tmp / "monitoring.toml", CONFIG))],
    "snapshot": lambda tmp: ["snapshot", "https://harbor.example/", "--headers"],
    "prune --dry-run": lambda tmp: ["prune", "--dry-run"],
}
WRITE_COMMANDS = {
    "init": lambda tmp: ["init"],
    "seeds import": lambda tmp: ["seeds", "import", str(_write(tmp / "seeds.csv", NEW_SEEDS))],
    "crawl": lambda tmp: ["crawl", "--allow-private"],
    "rescore": lambda tmp: ["rescore"],
    "prune": lambda tmp: ["prune"],
    "schedule run --once": lambda tmp: ["schedule", "run", "--once", "--config",
                                        str(_write(tmp / "monitoring.toml", CONFIG))],
}

HOLDER = r"""
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "crawl":  # registered like a crawl: a running run with this pid
    conn.execute("INSERT INTO runs (started_at, status, pid, trigger) VALUES ('2026-12-05T12:00:00Z', 'running', ?,"
                 " 'manual')", [os.getpid()])
    run_id = conn.execute("SELECT max(id) FROM runs").fetchone()[0]
else:
    run_id = 0
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO clinics (name, seed_urls, domains) VALUES ('Uncommitted', 'https://u.example/', 'u.example')")
print(run_id, flush=True)
sys.stdin.readline()  # hold the write lock until told to stop
conn.execute("COMMIT")
print("released", flush=True)
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _cli() -> list[str]:
    script = ROOT / ".venv" / "bin" / "clinicwatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "scheduler.cli"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLINICWATCH_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def clinicwatch(db: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_cli(), "--db", str(db), *args], cwd=db.parent, capture_output=True, text=True,
                          timeout=120, env=_env(**env))


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stdout + proc.stderr
    return lines[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """A ClinicWatch DB with one clinic, a run and a stored page, checkpointed (no -wal left)."""
    path = tmp_path_factory.mktemp("template") / "study.db"
    db = open_db(path)
    import_seeds(db, parse_seeds(SEEDS.encode()))
    run_id = start_run(db, [])
    page = extract_html("<html><head><title>Harbor</title></head><body><main><p>Our stem cell therapy cures"
                        " type 2 diabetes.</p></main></body></html>", "https://harbor.example/")
    store_page(db, run_id=run_id, clinic_id=1, url="https://harbor.example/", http_status=200,
               fetched_at="2026-11-20T10:00:00Z", body_bytes=120, page=page, result=score(page.text, title=page.title))
    finish_run(db, run_id, "finished", "finished")
    db.close()
    assert sidecars(path) == []
    return path


@pytest.fixture
def study_db(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.db"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def notes_db(tmp_path: Path) -> Path:
    """Someone else's SQLite file, made with the sqlite3 shell as a user would."""
    path = tmp_path / "notes.db"
    if shutil.which("sqlite3"):
        subprocess.run(["sqlite3", str(path), "create table notes(id,body)"], check=True, timeout=30)
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("create table notes(id,body)")
    return path


# --- read-only commands ------------------------------------------------------------------------

@pytest.mark.parametrize("command", [*READ_COMMANDS, "serve"])
def test_read_only_command_refuses_a_foreign_sqlite_file_untouched(command: str, notes_db: Path) -> None:
    before = sha256(notes_db)
    args = ["serve", "--port", "0"] if command == "serve" else READ_COMMANDS[command](notes_db.parent)
    line = one_error_line(clinicwatch(notes_db, *args))
    assert "is not a ClinicWatch database" in line
    assert sha256(notes_db) == before
    assert sidecars(notes_db) == []


def test_read_only_command_refuses_a_foreign_wal_file_without_creating_wal_files(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("create table entries(id, body)")
    conn.close()
    before = sha256(path)
    for args in (["seeds", "list"], ["report", "--out", str(tmp_path / "r")]):
        assert "is not a ClinicWatch database" in one_error_line(clinicwatch(path, *args))
    assert sha256(path) == before
    assert sidecars(path) == []  # reading a WAL-mode file read-only would have created -wal and -shm


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_read_only_command_leaves_a_clinicwatch_db_unchanged(command: str, study_db: Path) -> None:
    before, mtime = sha256(study_db), study_db.stat().st_mtime_ns
    proc = clinicwatch(study_db, *READ_COMMANDS[command](study_db.parent))
    assert proc.returncode == 0 or "has no archived copy" in proc.stderr, proc.stderr  # the page was read
    assert sha256(study_db) == before
    assert study_db.stat().st_mtime_ns == mtime


def test_serve_leaves_a_clinicwatch_db_unchanged(study_db: Path) -> None:
    before, mtime = sha256(study_db), study_db.stat().st_mtime_ns
    proc = subprocess.Popen([*_cli(), "--db", str(study_db), "serve", "--port", "0"], cwd=study_db.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env())
    try:
        for line in proc.stdout:  # datasette says so once it has opened the DB and listens
            if "running on" in line.lower():
                break
        else:
            pytest.fail("datasette never started")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert sha256(study_db) == before
    assert study_db.stat().st_mtime_ns == mtime


def _older_db(path: Path, version: int) -> Path:
    """A ClinicWatch DB as an older ClinicWatch left it: migrations up to `version` only."""
    import sqlite_utils

    db = sqlite_utils.Database(path)
    for number in range(1, version + 1):
        MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version={number}")
    db.close()
    return path


def test_older_schema_is_refused_by_readers_and_upgraded_by_init(tmp_path: Path) -> None:
    path = _older_db(tmp_path / "old.db", SCHEMA_VERSION - 1)
    before = sha256(path)
    line = one_error_line(clinicwatch(path, "seeds", "list"))
    assert f"older than this ClinicWatch ({SCHEMA_VERSION})" in line and "clinicwatch init" in line
    assert sha256(path) == before
    assert clinicwatch(path, "init").returncode == 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert clinicwatch(path, "seeds", "list").returncode == 0


# --- commands that write -----------------------------------------------------------------------

@pytest.mark.parametrize("command", WRITE_COMMANDS)
def test_writing_command_refuses_a_foreign_sqlite_file_untouched(command: str, notes_db: Path) -> None:
    before = sha256(notes_db)
    line = one_error_line(clinicwatch(notes_db, *WRITE_COMMANDS[command](notes_db.parent)))
    assert "is not a ClinicWatch database" in line
    assert sha256(notes_db) == before
    with sqlite3.connect(f"file:{notes_db}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_writing_command_creates_a_new_or_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    for path in (empty, tmp_path / "new.db"):
        proc = clinicwatch(path, "seeds", "import", str(_write(tmp_path / "seeds.csv", SEEDS)))
        assert proc.returncode == 0, proc.stderr
        assert clinicwatch(path, "seeds", "list").stdout.startswith("Harbor Regenerative")


# --- two writers, a writer and a reader --------------------------------------------------------

class Holder:
    """A process holding the DB's write lock (BEGIN IMMEDIATE) until `release()`."""

    def __init__(self, db: Path, kind: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), kind], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.run_id = int(self.proc.stdout.readline())  # printed once the lock is held

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


@pytest.fixture
def holder(study_db: Path):
    made: list[Holder] = []

    def start(kind: str = "crawl") -> Holder:
        made.append(Holder(study_db, kind))
        return made[-1]

    yield start
    for h in made:
        h.close()


def test_writer_waits_then_names_the_crawl_holding_the_db(study_db: Path, holder) -> None:
    crawl = holder("crawl")
    started = time.monotonic()
    proc = clinicwatch(study_db, "seeds", "import", str(_write(study_db.parent / "s.csv", NEW_SEEDS)),
                       CLINICWATCH_BUSY_TIMEOUT="1")
    waited = time.monotonic() - started
    line = one_error_line(proc)
    assert waited >= 1.0, "it gave up without waiting for the busy timeout"
    assert f"the database {study_db} is busy: crawl run {crawl.run_id} (pid {crawl.proc.pid}," in line
    assert "Traceback" not in proc.stderr


def test_writer_names_an_unknown_holder_as_a_process(study_db: Path, holder) -> None:
    other = holder("other")
    line = one_error_line(clinicwatch(study_db, "rescore", "--force", CLINICWATCH_BUSY_TIMEOUT="0.2"))
    assert f"process {other.proc.pid}" in line and "crawl run" not in line


def test_writer_gets_in_when_the_holder_ends_within_the_timeout(study_db: Path, holder) -> None:
    crawl = holder("crawl")
    importer = subprocess.Popen([*_cli(), "--db", str(study_db), "seeds", "import",
                                 str(_write(study_db.parent / "s.csv", NEW_SEEDS))],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=_env(CLINICWATCH_BUSY_TIMEOUT="60"))
    time.sleep(1.5)  # let it reach the lock and wait (not an assertion: it works either way)
    crawl.release()
    out, err = importer.communicate(timeout=120)
    assert importer.returncode == 0, err
    assert "1 added" in out
    names = clinicwatch(study_db, "seeds", "list").stdout
    assert "New Clinic" in names and "Uncommitted" in names


def test_report_reads_committed_data_while_a_writer_holds_the_lock(study_db: Path, holder, tmp_path: Path) -> None:
    holder("crawl")
    proc = clinicwatch(study_db, "report", "--out", str(tmp_path / "report"), CLINICWATCH_BUSY_TIMEOUT="0.2")
    assert proc.returncode == 0, proc.stderr
    assert "Harbor Regenerative" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    listed = clinicwatch(study_db, "seeds", "list", CLINICWATCH_BUSY_TIMEOUT="0.2")
    assert listed.returncode == 0 and "Harbor Regenerative" in listed.stdout
    assert "Uncommitted" not in listed.stdout  # the writer's open transaction is not seen


CRAWLER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
print("writing", flush=True)
while True:  # like a crawl: a write transaction per batch, short pauses between batches
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO fetch_log (run_id, url, outcome, fetched_at) VALUES (1, 'https://harbor.example/x',"
                 " 'error', '2026-12-05T12:00:00Z')")
    time.sleep(0.05)
    conn.execute("COMMIT")
    time.sleep(0.02)
"""


def test_rescore_succeeds_while_a_crawl_commits_batches(study_db: Path) -> None:
    """rescore reads versions batch by batch and writes scores between: never inside a stale read."""
    db = open_db(study_db)
    version = dict(db.execute("SELECT * FROM page_versions").fetchone() and
                   next(db.query("SELECT * FROM page_versions")))
    with db.atomic():
        for n in range(450):  # more than one rescore batch (200)
            db.execute("INSERT INTO page_versions (page_id, clinic_id, run_id, url, fetched_at, content_hash, title,"
                       " text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [version["page_id"], 1, version["run_id"], version["url"], version["fetched_at"], f"h{n}",
                        version["title"], version["text"]])
    db.close()
    writer = subprocess.Popen([sys.executable, "-c", CRAWLER, str(study_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        proc = clinicwatch(study_db, "rescore", "--force", CLINICWATCH_BUSY_TIMEOUT="30")
    finally:
        writer.kill()
        writer.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "451 page versions scored" in proc.stdout
