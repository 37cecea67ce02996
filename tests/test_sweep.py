"""Parallel crawls on one machine: per-clinic tasks, scratch DBs, one writer, idempotent merges."""
from __future__ import annotations

import sqlite3
import time
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import settings as crawl_settings
from crawler.archive import read_response
from crawler.demo_web.server import DemoWeb
from crawler.store.history import archive_dir_for
from crawler.store.merge import clinic_slice, merge_scratch
from crawler.store.schema import open_db
from scheduler.cli import cli
from scheduler.crawl_process import LOOPBACK_SETTINGS, pid_alive
from scheduler.sweep import CrawlTask, crawl_task, group_clinics, run_sweep, shard, task_settings
from tests.conftest import crawl, seed_db


def snapshot(db_path: Path) -> dict[str, object]:
    """What a user sees of a crawl: versions, claims, scores (no ids, no timestamps)."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            "versions": sorted(conn.execute("SELECT url, content_hash, warc_file IS NOT NULL FROM page_versions")),
            "claims": sorted(conn.execute("SELECT v.url, c.sentence, c.category, c.stance FROM claims c"
                                          " JOIN page_versions v ON v.id = c.version_id")),
            "scores": sorted(conn.execute("SELECT v.url, s.score, s.flagged FROM page_scores s"
                                          " JOIN page_versions v ON v.id = s.version_id")),
            "pages": sorted(conn.execute("SELECT url, current_version_id IS NOT NULL FROM pages")),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_web():
    web = DemoWeb(port=0).start()
    yield web
    web.stop()


@pytest.fixture(scope="module")
def swept(demo_web, tmp_path_factory):
    """The demo web crawled twice as parallel tasks (and once the classic way, to compare)."""
    out = tmp_path_factory.mktemp("sweep")
    seeds = demo_web.write_seeds(out / "seeds.csv")
    seed_db(out / "single.db", seeds)
    seed_db(out / "parallel.db", seeds)
    single = crawl(out / "single.db")
    lines: list[tuple] = []
    first = run_sweep(out / "parallel.db", settings=LOOPBACK_SETTINGS, parallel=3,
                      on_task=lambda *args: lines.append(args))
    second = run_sweep(out / "parallel.db", settings=LOOPBACK_SETTINGS, parallel=3)
    return out, single, first, second, lines


def test_parallel_tasks_store_what_one_crawl_stores(swept):
    out, single, first, _, lines = swept
    assert first.status == single.status == "finished"
    assert snapshot(out / "parallel.db")["versions"] == snapshot(out / "single.db")["versions"]
    assert snapshot(out / "parallel.db")["claims"] == snapshot(out / "single.db")["claims"]
    assert (first.pages_fetched, first.pages_stored, first.errors) == \
        (single.pages_fetched, single.pages_stored, single.errors)
    db = open_db(out / "parallel.db")
    clinics = db.execute("SELECT COUNT(*) FROM clinics").fetchone()[0]
    tasks = list(db.query("SELECT * FROM run_clinics WHERE run_id = ?", [first.run_id]))
    assert len(tasks) == clinics == 7
    assert {t["status"] for t in tasks} == {"finished"} and {t["worker"] for t in tasks} == {"local"}
    assert sum(t["new_versions"] for t in tasks) == first.new_versions == len(snapshot(out / "single.db")["versions"])
    assert sum(t["pages_fetched"] for t in tasks) == first.pages_fetched and all(t["pages_stored"] > 5 for t in tasks)
    # on one machine the 7 clinics are shared out among the 3 processes (each crawls its share at once)
    assert [done for done, *_ in lines] == [1, 2, 3] and all(total == 3 for _, total, *_ in lines)
    assert sorted(len(names.split(", ")) for _, _, names, _ in lines) == [2, 2, 3]
    # every archived copy a version points at was shipped into the real archive and reads back
    archive = archive_dir_for(out / "parallel.db")
    for warc_file, offset, url in db.execute("SELECT warc_file, warc_offset, url FROM page_versions"):
        assert read_response(archive, warc_file, offset).url == url
    # events were computed once, on the merged run
    assert db.execute("SELECT COUNT(*) FROM clinic_events WHERE run_id = ? AND event = 'newly_flagged'",
                      [first.run_id]).fetchone()[0] >= 3


def test_a_second_parallel_run_is_conditional_and_adds_nothing(swept):
    out, _, first, second, _ = swept
    assert second.status == "finished" and second.new_versions == 0
    assert second.pages_stored == first.pages_stored
    db = open_db(out / "parallel.db")
    assert db.execute("SELECT COUNT(*) FROM fetch_log WHERE run_id = ? AND status = 304",
                      [second.run_id]).fetchone()[0] >= 70  # validators travelled in the slice
    assert db.execute("SELECT COUNT(*) FROM claim_events WHERE run_id = ?", [second.run_id]).fetchone()[0] == 0


def test_merging_the_same_task_twice_changes_nothing(swept, demo_web, tmp_path):
    out, *_ = swept
    db = open_db(out / "parallel.db")
    clinic = dict(next(iter(db.query("SELECT * FROM clinics ORDER BY id LIMIT 1"))))
    run_id = db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
    task = CrawlTask(run_id, [clinic["id"]], [clinic["name"]], clinic_slice(db, [clinic["id"]]),
                     task_settings(LOOPBACK_SETTINGS), 60)
    result = crawl_task(task)  # as Dask would run it again after a worker died
    assert result.status == "finished"
    before = snapshot(out / "parallel.db")
    log_rows = db.execute("SELECT COUNT(*) FROM fetch_log WHERE run_id = ?", [run_id]).fetchone()[0]
    for _ in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / "task.db"
            scratch.write_bytes(result.db)
            counts = merge_scratch(db, scratch, run_id=run_id, clinic_ids=[clinic["id"]])
        assert counts[clinic["id"]].new_versions == 0 and counts[clinic["id"]].pages_fetched > 5
        assert snapshot(out / "parallel.db") == before
        assert db.execute("SELECT COUNT(*) FROM fetch_log WHERE run_id = ?", [run_id]).fetchone()[0] == log_rows


def test_a_failing_task_is_a_failed_clinic_crawl_not_a_lost_run(demo_web, tmp_path, monkeypatch):
    seed_db(tmp_path / "f.db", demo_web.write_seeds(tmp_path / "seeds.csv"))
    not_a_dir = tmp_path / "scratch-is-a-file"
    not_a_dir.write_text("x")
    monkeypatch.setattr(crawl_settings, "CLINICWATCH_SCRATCH_DIR", str(not_a_dir))
    outcome = run_sweep(tmp_path / "f.db", ["RenewCell Regenerative Institute", "ZellKraft Privatklinik"],
                        settings=LOOPBACK_SETTINGS, parallel=2)
    assert outcome.status == "failed"
    db = open_db(tmp_path / "f.db")
    run = dict(next(iter(db.query("SELECT * FROM runs WHERE id = ?", [outcome.run_id]))))
    assert run["status"] == "failed" and run["finish_reason"] == "every clinic crawl failed"
    tasks = list(db.query("SELECT status, error FROM run_clinics WHERE run_id = ?", [outcome.run_id]))
    assert len(tasks) == 2 and all(t["status"] == "failed" and "scratch-is-a-file" in t["error"] for t in tasks)
    assert all("\n" not in t["error"] for t in tasks)
    status = CliRunner().invoke(cli, ["--db", str(tmp_path / "f.db"), "status"])
    assert status.exit_code == 0
    assert "clinic crawl 'ZellKraft Privatklinik' failed: " in status.output  # the user sees which and why


def test_clinics_sharing_a_domain_crawl_in_one_task():
    clinics = [{"id": 1, "domains": "alpha.example"}, {"id": 2, "domains": "beta.example"},
               {"id": 3, "domains": "clinic.alpha.example"}, {"id": 4, "domains": "gamma.example beta.example"},
               {"id": 5, "domains": "delta.example"}, {"id": 6, "domains": "x.epsilon.example"},
               {"id": 7, "domains": "epsilon.example"}]
    groups = group_clinics(clinics)
    assert sorted(sorted(c["id"] for c in g) for g in groups) == [[1, 3], [2, 4], [5], [6, 7]]
    # shared out among 2 processes: groups stay whole, sizes balanced
    shards = shard(groups, 2)
    assert sorted(len(s) for s in shards) == [3, 4]
    assert all(any({c["id"] for c in s} >= {c["id"] for c in g} for s in shards) for g in groups)
    assert shard(groups, 10) == groups


def test_cli_crawl_parallel_reports_each_task(demo_web, tmp_path):
    seed_db(tmp_path / "cli.db", demo_web.write_seeds(tmp_path / "seeds.csv"))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "cli.db"), "crawl", "--allow-private", "--parallel", "2",
                                      "--clinic", "RenewCell Regenerative Institute", "--clinic", "HealthLens Daily"])
    assert result.exit_code == 0, result.output
    assert "[1/2] " in result.output and "[2/2] " in result.output
    assert "run 1 finished" in result.output


def test_a_task_crawl_stops_when_the_process_that_started_it_dies(tmp_path):
    """A Dask worker killed mid-task: its crawl process (own process group) must not crawl on."""
    import signal
    import subprocess
    import sys
    import textwrap

    from tests.conftest import SlowSite, wait_for, write_seeds

    pages = {"/": (200, {}, "<html><body>" + "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(40))
                   + "</body></html>")}
    pages.update({f"/p{i}.html": (200, {}, f"<html><body><p>Page {i} about our clinic.</p></body></html>")
                  for i in range(40)})
    site = SlowSite(pages, host="127.0.0.72").start()
    site.delay = 0.3
    try:
        seed_db(tmp_path / "w.db", write_seeds(tmp_path / "seeds.csv", [{"name": "Slow", "urls": site.url("/")}]))
        # the "worker": starts the crawl the way crawl tasks do, prints its pid, then waits to be killed
        script = textwrap.dedent(f"""
            import subprocess, sys, os, time
            from scheduler.crawl_process import crawl_command
            env = {{**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "CLINICWATCH_STOP_WITH_PARENT": str(os.getpid()),
                   "CLINICWATCH_ALLOW_PRIVATE": "1", "CLINICWATCH_DOWNLOAD_DELAY": "0", "CLINICWATCH_AUTOTHROTTLE": "0",
                   "CLINICWATCH_CONCURRENT_PER_DOMAIN": "1"}}
            log = open({str(tmp_path / 'crawl.log')!r}, "wb")
            child = subprocess.Popen(crawl_command({str(tmp_path / 'w.db')!r}, 0, []), env=env, stdout=log,
                                     stderr=subprocess.STDOUT, process_group=0)
            print(child.pid, flush=True)
            time.sleep(120)
        """)
        worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                  cwd=str(Path(__file__).resolve().parent.parent))
        crawl_pid = int(worker.stdout.readline())
        wait_for(lambda: b"Spider opened" in (tmp_path / "crawl.log").read_bytes(), 30, "the crawl to start")
        time.sleep(1)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        started = time.monotonic()
        wait_for(lambda: not pid_alive(crawl_pid), 30, "the orphaned crawl to stop")
        assert time.monotonic() - started < 15  # 40 pages at 0.3 s would take 12 s more
        log = (tmp_path / "crawl.log").read_text()
        # the kernel's SIGTERM (PR_SET_PDEATHSIG, Linux) or the once-a-second check: a graceful stop either way
        assert ("Received SIGTERM" in log or "is gone: stopping" in log) and "Closing spider (shutdown)" in log
        assert "forcing unclean shutdown" not in log
    finally:
        site.stop()


def test_a_stopping_scheduler_interrupts_a_parallel_run_cleanly(tmp_path):
    """What `schedule run` does on SIGTERM: set `stop`; running task crawls close as interrupted,
    what they stored is merged, the run is `interrupted` (no events), quickly."""
    import threading

    from tests.conftest import SlowSite, wait_for, write_seeds

    def routes(n):
        table = {"/": (200, {}, "<html><body>" + "".join(f"<a href='/p{i}.html'>p{i}</a>" for i in range(n))
                       + "</body></html>")}
        table.update({f"/p{i}.html": (200, {}, f"<html><body><p>Stem cell page {i}: we cure knee arthritis."
                                                f"</p></body></html>") for i in range(n)})
        return table

    sites = [SlowSite(routes(30), host=f"127.0.0.{75 + i}").start() for i in range(2)]
    for site in sites:
        site.delay = 0.3
    try:
        db_path = tmp_path / "stop.db"
        seed_db(db_path, write_seeds(tmp_path / "seeds.csv", [
            {"name": f"Clinic {i}", "urls": site.url("/")} for i, site in enumerate(sites)]))
        stop = threading.Event()
        result = {}
        settings = {**LOOPBACK_SETTINGS, "CLINICWATCH_CONCURRENT_PER_DOMAIN": "1", "CLINICWATCH_FOLLOW_SITEMAPS": "0"}
        thread = threading.Thread(target=lambda: result.update(outcome=run_sweep(
            db_path, settings=settings, parallel=2, stop=stop, trigger="schedule:crawl:x")))
        thread.start()
        wait_for(lambda: sum(s.count_requests(status=200) for s in sites) >= 6, 60, "both crawls to be under way")
        stopped_at = time.monotonic()
        stop.set()
        thread.join(timeout=60)
        assert not thread.is_alive() and time.monotonic() - stopped_at < 30
    finally:
        for site in sites:
            site.stop()
    outcome = result["outcome"]
    assert outcome.status == "interrupted"
    db = open_db(db_path)
    run = dict(next(iter(db.query("SELECT status, finish_reason, trigger FROM runs"))))
    assert run == {"status": "interrupted", "finish_reason": "shutdown", "trigger": "schedule:crawl:x"}
    tasks = list(db.query("SELECT status, pages_stored FROM run_clinics"))
    assert len(tasks) == 2 and {t["status"] for t in tasks} == {"interrupted"}
    stored = db.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM page_versions").fetchone()
    assert 2 <= stored[0] == stored[1] < 62  # what was fetched before the stop is kept, once
    assert db.execute("SELECT COUNT(*) FROM claim_events").fetchone()[0] == 0  # an interrupted run records none


def test_scratch_dirs_of_dead_workers_are_removed_once_stale(tmp_path):
    import os
    import subprocess
    import sys

    from scheduler.sweep import STALE_SCRATCH_SECONDS, remove_stale_scratch

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"clinicwatch-task-{dead.pid}-abc"
    fresh = tmp_path / f"clinicwatch-task-{dead.pid}-def"
    alive = tmp_path / f"clinicwatch-task-{os.getpid()}-ghi"
    other = tmp_path / "someone-elses-dir"
    for path in (stale, fresh, alive, other):
        (path / "archive").mkdir(parents=True)
    old = time.time() - STALE_SCRATCH_SECONDS - 60
    for path in (stale, alive, other):
        os.utime(path, (old, old))
    assert remove_stale_scratch(tmp_path) == [stale]
    assert not stale.exists() and fresh.exists() and alive.exists() and other.exists()
