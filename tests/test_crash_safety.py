"""Crash safety: a crawl killed with SIGKILL mid-way leaves a consistent DB, and nothing is lost.

A slow loopback clinic (41 pages, ~0.15 s each) is crawled without --allow-private (its seed
host is trusted); once some pages are stored the crawl process group gets SIGKILL. Then: the
SQLite file passes integrity_check and foreign_key_check; no page version lacks its score, no
claim or score points at a missing version, no page points at a missing current version; every
archived copy a version points to can be read back; the run is closed (`interrupted`) either by
run_crawl (its parent survived) or by the scheduler's recovery (parent dead too); the next crawl
finishes the clinic with every page stored once and no duplicate version. Readers keep working
while a crawl writes (WAL): a reader thread queries in a loop and records zero errors.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from crawler.archive import read_response
from crawler.classify import CLASSIFIER_VERSION
from crawler.store.history import archive_dir_for
from crawler.store.schema import open_db
from crawler.store.writer import start_run
from scheduler.crawl_process import LOOPBACK_SETTINGS, crawl_command, pid_alive, recover_interrupted_runs, run_crawl
from tests.conftest import SlowSite, seed_db, wait_for, write_seeds

PAGES = 40
CLAIMS = [
    "Our stem cell therapy cures type 2 diabetes and you can stop insulin for good.",
    "Stem cell injections reverse multiple sclerosis with no side effects.",
    "Our exosome treatment regrows cartilage so you can avoid knee surgery.",
    "Opening hours and directions to the clinic are on the contact page.",
]
# Seed trust, not --allow-private: the clinic's own 127.0.0.x host is allowed by the guard.
SETTINGS = {**LOOPBACK_SETTINGS, "CLINICWATCH_ALLOW_PRIVATE": "0", "CLINICWATCH_FOLLOW_SITEMAPS": "0",
            "CLINICWATCH_CONCURRENT_REQUESTS": "2"}


def routes() -> dict[str, tuple[int, dict, str]]:
    links = "".join(f"<li><a href='/p{i}.html'>Treatment {i}</a></li>" for i in range(1, PAGES + 1))
    table = {"/": (200, {}, f"<html><head><title>Clinic</title></head><body><main><h1>Regenerative clinic</h1>"
                            f"<p>We treat patients from many countries.</p><ul>{links}</ul></main></body></html>")}
    for i in range(1, PAGES + 1):
        table[f"/p{i}.html"] = (200, {}, f"<html><head><title>Treatment {i}</title></head><body><main>"
                                         f"<h1>Treatment {i}</h1><p>{CLAIMS[i % len(CLAIMS)]}</p><p>Page {i} of our "
                                         f"guide explains programme {i} in detail.</p></main></body></html>")
    return table


@pytest.fixture
def slow_clinic(tmp_path):
    site = SlowSite(routes(), host="127.0.0.71").start()
    site.delay = 0.15
    db = tmp_path / "crash.db"
    seed_db(db, write_seeds(tmp_path / "seeds.csv", [{"name": "Slow Clinic", "urls": site.url("/")}]))
    try:
        yield site, db
    finally:
        site.stop()


def stored_pages(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT COUNT(current_version_id) FROM pages").fetchone()[0]
    finally:
        conn.close()


def crawl_pid(db: Path, run_id: int | None = None) -> int | None:
    """The crawl child's pid once runs.pid holds it (run_crawl first records its own pid)."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        row = conn.execute("SELECT id, pid FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    if row is None or row[1] in (None, os.getpid()) or (run_id is not None and row[0] != run_id):
        return None
    return row[1]


def kill_crawl(pid: int) -> None:
    assert pid != os.getpid() and os.getpgid(pid) == pid  # the crawl's own process group, never ours
    os.killpg(pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(pid), 10, "the crawl process to die")


def assert_consistent(db: Path) -> None:
    """What a crash must never leave behind."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        unscored = conn.execute(
            "SELECT COUNT(*) FROM page_versions v WHERE NOT EXISTS (SELECT 1 FROM page_scores s"
            " WHERE s.version_id = v.id AND s.classifier_version = ?)", [CLASSIFIER_VERSION]).fetchone()[0]
        assert unscored == 0, "page versions without their score"
        for table in ("claims", "page_scores"):
            orphans = conn.execute(f"SELECT COUNT(*) FROM {table} t WHERE NOT EXISTS"
                                   " (SELECT 1 FROM page_versions v WHERE v.id = t.version_id)").fetchone()[0]
            assert orphans == 0, f"{table} rows whose version does not exist"
        dangling = conn.execute("SELECT COUNT(*) FROM pages p WHERE current_version_id IS NOT NULL AND NOT EXISTS"
                                " (SELECT 1 FROM page_versions v WHERE v.id = p.current_version_id)").fetchone()[0]
        assert dangling == 0, "pages pointing at a missing current version"
        assert conn.execute("SELECT page_id, content_hash, COUNT(*) FROM page_versions"
                            " GROUP BY page_id, content_hash HAVING COUNT(*) > 1").fetchall() == []
        archived = conn.execute("SELECT url, warc_file, warc_offset FROM page_versions WHERE warc_file != ''").fetchall()
    finally:
        conn.close()
    directory = archive_dir_for(db, "")
    for url, warc_file, offset in archived:  # every archived copy a version points to is on disk, whole
        assert read_response(directory, warc_file, offset).url == url


class Reader(threading.Thread):
    """Queries the DB in a loop (its own connection, like datasette) while a crawl writes."""

    QUERIES = [
        "SELECT COUNT(*) FROM pages",
        "SELECT c.name, MAX(s.score) FROM clinics c JOIN pages p ON p.clinic_id = c.id"
        " JOIN page_scores s ON s.version_id = p.current_version_id GROUP BY c.id",
        "SELECT category, condition, COUNT(*) FROM claims GROUP BY category, condition",
        "SELECT COUNT(*) FROM pages p LEFT JOIN page_versions v ON v.id = p.current_version_id"
        " WHERE p.current_version_id IS NOT NULL AND v.id IS NULL",
    ]

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.stop, self.reads, self.errors = db, threading.Event(), 0, []

    def run(self) -> None:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        try:
            while not self.stop.is_set():
                try:
                    with conn:
                        for query in self.QUERIES:
                            rows = conn.execute(query).fetchall()
                        if rows[0][0]:
                            self.errors.append("a reader saw a page pointing at a missing version")
                    self.reads += 1
                except sqlite3.Error as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.01)
        finally:
            conn.close()


def test_sigkill_mid_crawl_loses_nothing_and_readers_never_fail(slow_clinic):
    site, db = slow_clinic
    reader = Reader(db)
    reader.start()
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(outcome=run_crawl(db, settings=SETTINGS, timeout=120)))
    thread.start()
    try:
        wait_for(lambda: stored_pages(db) >= 6, 40, "some pages stored")
        pid = wait_for(lambda: crawl_pid(db), 10, "runs.pid to hold the crawl process")
        kill_crawl(pid)
        thread.join(timeout=30)
        assert not thread.is_alive()
    finally:
        if thread.is_alive():  # never leave a crawl behind
            pid = crawl_pid(db)
            if pid:
                os.killpg(pid, signal.SIGKILL)
            thread.join(timeout=30)
    outcome = result["outcome"]
    assert outcome.status == "interrupted" and outcome.returncode == -signal.SIGKILL
    before = stored_pages(db)
    print(f"SIGKILL after {before} of {PAGES + 1} pages stored")
    assert 6 <= before < PAGES + 1, before  # killed mid-way
    assert_consistent(db)

    # The next crawl (still with a reader running) completes the clinic: every page once.
    site.delay = 0
    again = run_crawl(db, settings=SETTINGS, timeout=120)
    reader.stop.set()
    reader.join(timeout=10)
    assert again.status == "finished"
    assert_consistent(db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT COUNT(*), COUNT(current_version_id) FROM pages").fetchone() == (PAGES + 1, PAGES + 1)
        assert conn.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0] == PAGES + 1
        runs = conn.execute("SELECT id, status, finish_reason FROM runs ORDER BY id").fetchall()
    finally:
        conn.close()
    assert runs[0][1] == "interrupted" and "-9" in runs[0][2] and runs[1][1] == "finished"
    print(f"reader: {reader.reads} read transactions during the crawls, {len(reader.errors)} errors")
    assert reader.errors == [] and reader.reads > 10, (reader.reads, reader.errors[:3])


def test_crawl_and_parent_both_killed_is_recovered(slow_clinic, tmp_path):
    """Scheduler and crawl die together (power loss, OOM): the run stays 'running' until the
    scheduler's recovery (recover_interrupted_runs, run at every start) marks it interrupted."""
    site, db = slow_clinic
    conn = open_db(db)
    run_id = start_run(conn, [])
    conn.close()
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", **SETTINGS, "CLINICWATCH_DB": str(db)}
    with open(tmp_path / "crawl.log", "wb") as log:
        child = subprocess.Popen(crawl_command(db.resolve(), run_id, []), env=env, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, process_group=0)
    try:
        conn = open_db(db)
        conn.execute("UPDATE runs SET pid = ? WHERE id = ?", [child.pid, run_id])
        conn.close()
        wait_for(lambda: stored_pages(db) >= 4, 40, "some pages stored")
        kill_crawl(child.pid)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert_consistent(db)
    conn = open_db(db)
    assert conn.execute("SELECT status FROM runs WHERE id = ?", [run_id]).fetchone()[0] == "running"  # nobody closed it
    assert recover_interrupted_runs(conn) == [run_id]
    status, reason = conn.execute("SELECT status, finish_reason FROM runs WHERE id = ?", [run_id]).fetchone()
    conn.close()
    assert status == "interrupted" and f"crawl process {child.pid} was gone" in reason
    assert_consistent(db)
