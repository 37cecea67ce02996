"""Any stop keeps what was fetched: Ctrl-C, SIGTERM, a killed parent, a time limit, a full disk, a dead worker.

Each case runs the real `clinicwatch` command in its own session against slow loopback clinics
and stops it the way users and machines do: Ctrl-C is SIGINT to the whole process group, `timeout`,
`docker stop` and systemd send SIGTERM to the parent only. Then, for every case:
- exit status: 130 after SIGINT, 143 after SIGTERM (128 + signal, the shell's convention), 1 for a
  run cut short otherwise, 0 for the scheduler's clean stop;
- the run row is `interrupted` and its finish reason says why ("interrupted by SIGINT", "disk full: ...");
- every page the site answered with 200 is stored (the exact set of URLs): a stop never discards
  what was fetched and analysed (a full disk loses the batch that could not be written, no more);
- no process of the crawl is left (any process whose command line names this test's directory),
  and no `clinicwatch-task-*` scratch dir;
- a re-run finishes the clinics, asks for the stored pages conditionally (304) instead of fetching
  them again, and stores no page version twice.
"""
from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SlowSite, seed_db, wait_for, write_seeds
from tests.test_crash_safety import assert_consistent

CLINICWATCH = str(Path(sys.executable).parent / "clinicwatch")
PAGES = 30  # per clinic, besides its home page
CLAIMS = ["Our stem cell therapy cures type 2 diabetes and you can stop insulin for good.",
          "Opening hours and directions to the clinic are on the contact page."]


def routes(pages: int = PAGES, words: int = 40) -> dict:
    links = "".join(f"<li><a href='/p{i}.html'>Treatment {i}</a></li>" for i in range(1, pages + 1))
    table = {"/": (200, {}, f"<html><head><title>Clinic</title></head><body><main><h1>Regenerative clinic</h1>"
                            f"<ul>{links}</ul></main></body></html>")}
    for i in range(1, pages + 1):
        # distinct words (hex digests): gzip'd WARC files fill a disk about as fast as SQLite does
        filler = " ".join(hashlib.sha256(f"{i}.{j}".encode()).hexdigest()[:12] for j in range(words))
        table[f"/p{i}.html"] = (200, {}, f"<html><head><title>Treatment {i}</title></head><body><main>"
                                         f"<h1>Treatment {i}</h1><p>{CLAIMS[i % 2]}</p><p>{filler}</p>"
                                         f"</main></body></html>")
    return table


class Rig:
    """Clinics on 127.0.0.x, a seeded DB, a scratch dir: one test's world, named by its directory."""

    def __init__(self, tmp_path: Path, clinics: int, delay: float = 0.02, pages: int = PAGES, words: int = 40,
                 db_dir: Path | None = None) -> None:
        self.tmp = tmp_path
        self.sites = [SlowSite(routes(pages, words), host=f"127.0.0.{111 + i}").start() for i in range(clinics)]
        for site in self.sites:
            site.delay = delay
        self.db = (db_dir or tmp_path) / "watch.db"
        seed_db(self.db, write_seeds(tmp_path / "seeds.csv", [
            {"name": f"Clinic {i}", "urls": site.url("/")} for i, site in enumerate(self.sites)]))
        self.scratch = tmp_path / "scratch"
        self.scratch.mkdir()
        self.env = {**os.environ, "CLINICWATCH_SCRATCH_DIR": str(self.scratch), "CLINICWATCH_FOLLOW_SITEMAPS": "0",
                    "CLINICWATCH_CONCURRENT_PER_DOMAIN": "1"}
        self.log = tmp_path / "cli.log"

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        with self.log.open("ab") as log:
            return subprocess.Popen([CLINICWATCH, "--db", str(self.db), *args], env={**self.env, **(env or {})},
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, cwd=self.tmp)

    def served(self) -> set[str]:
        """URLs the sites answered with 200 (robots.txt is a 404 here)."""
        return {site.url(r.path) for site in self.sites for r in site.requests if r.status == 200}

    def fetched_each(self, n: int) -> bool:
        return all(site.count_requests(status=200) >= n for site in self.sites)

    def stop(self) -> None:
        for pid in processes_naming(self.tmp):  # a failed test must not leave a crawl behind
            os.kill(pid, signal.SIGKILL)
        for site in self.sites:
            site.stop()


def processes_naming(path: Path) -> list[int]:
    """Live processes whose command line names `path`: the CLI, its crawl processes, their analysis workers
    (forked: same command line), wherever they were reparented to."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if str(path).encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def query(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def stored_urls(db: Path) -> set[str]:
    return {row[0] for row in query(db, "SELECT url FROM pages WHERE current_version_id IS NOT NULL")}


def assert_left_nothing(rig: Rig) -> None:
    wait_for(lambda: not processes_naming(rig.tmp), 10, "every crawl process to be gone")
    assert sorted(p.name for p in rig.scratch.iterdir()) == [], "scratch dirs left behind"


def assert_rerun_continues(rig: Rig, first_stored: set[str], *args: str) -> None:
    """A re-run finishes; the pages kept are asked for conditionally (304), none fetched in full again."""
    for site in rig.sites:
        site.delay = 0
        site.reset_requests()
    again = subprocess.run([CLINICWATCH, "--db", str(rig.db), "crawl", "--delay", "0", *args], env=rig.env,
                           capture_output=True, text=True, timeout=120, cwd=rig.tmp)
    assert again.returncode == 0, again.stderr
    assert stored_urls(rig.db) == {site.url(p) for site in rig.sites for p in site.paths}  # every page, now
    refetched = {url for url in rig.served() if url in first_stored}
    assert refetched == set(), f"{len(refetched)} stored pages fetched in full again"
    assert query(rig.db, "SELECT page_id, content_hash FROM page_versions GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
    assert_consistent(rig.db)
    assert_left_nothing(rig)


@pytest.mark.parametrize("parallel, how", [("2", "ctrl-c"), ("2", "sigterm"), ("1", "sigterm")],
                         ids=["local-pool-ctrl-c", "local-pool-sigterm", "parallel-1-sigterm"])
def test_a_signal_keeps_every_fetched_page_and_closes_the_run(tmp_path, parallel, how):
    """Ctrl-C is SIGINT to the process group; SIGTERM goes to the parent only (its crawl processes
    are in their own groups: the parent forwards one SIGTERM to each)."""
    signum, group = {"ctrl-c": (signal.SIGINT, True), "sigterm": (signal.SIGTERM, False)}[how]
    rig = Rig(tmp_path, clinics=2)
    try:
        cli = rig.start("crawl", "--delay", "0.3", "--max-pages", "100", "--parallel", parallel)
        wait_for(lambda: rig.fetched_each(4), 60, "both clinics to be crawled")
        (os.killpg if group else os.kill)(cli.pid, signum)
        returncode = cli.wait(timeout=60)
        served = rig.served()
        output = rig.log.read_text()
        assert returncode == 128 + signum, output
        name = signal.Signals(signum).name
        assert query(rig.db, "SELECT status, finish_reason FROM runs") == [("interrupted", f"interrupted by {name}")]
        assert f"Error: crawl interrupted (interrupted by {name})" in output
        stored = stored_urls(rig.db)
        print(f"{how}, --parallel {parallel}: {len(stored)} pages stored of {len(served)} served")
        assert stored == served and len(served) < 2 * (PAGES + 1)  # every page fetched is kept; stopped mid-way
        assert_left_nothing(rig)
        assert_rerun_continues(rig, stored, "--parallel", parallel)
    finally:
        rig.stop()


def test_a_killed_parent_does_not_leave_its_crawl_running(tmp_path):
    """SIGKILL (OOM killer) to `clinicwatch crawl --parallel 1`: its crawl process stops by itself
    (PR_SET_PDEATHSIG on Linux, else the once-a-second parent check), closing its run as interrupted."""
    rig = Rig(tmp_path, clinics=1)
    try:
        cli = rig.start("crawl", "--delay", "0.3", "--parallel", "1")
        wait_for(lambda: rig.fetched_each(4), 60, "the clinic to be crawled")
        os.kill(cli.pid, signal.SIGKILL)
        cli.wait(timeout=10)
        assert_left_nothing(rig)  # the whole site would take 15 s more
        assert query(rig.db, "SELECT status, finish_reason FROM runs") == [("interrupted", "shutdown")]
        assert stored_urls(rig.db) == rig.served()
    finally:
        rig.stop()


def test_a_time_limit_on_the_local_pool_is_an_interrupted_run(tmp_path):
    """`--timeout` cuts the clinic crawls short: an incomplete run is not `finished` (its missing pages
    would read as removed claims), and what they fetched is kept."""
    rig = Rig(tmp_path, clinics=2)
    try:
        run = subprocess.run([CLINICWATCH, "--db", str(rig.db), "crawl", "--delay", "0.3", "--parallel", "2",
                              "--timeout", "4"], env=rig.env, capture_output=True, text=True, timeout=90, cwd=rig.tmp)
        assert run.returncode == 1, run.stderr
        assert query(rig.db, "SELECT status, finish_reason FROM runs") == [("interrupted", "time_limit")]
        assert query(rig.db, "SELECT COUNT(*) FROM claim_events") == [(0,)]
        assert stored_urls(rig.db) == rig.served()
        assert_left_nothing(rig)
    finally:
        rig.stop()


def test_sigterm_to_the_scheduler_keeps_its_crawls_pages(tmp_path):
    """`schedule run` (a crawl job of two clinics on the local pool) gets SIGTERM mid-crawl: it exits 0
    (a clean stop), the run is interrupted with the scheduler's reason, its pages are kept, and the
    next `schedule run --once` finishes the job."""
    rig = Rig(tmp_path, clinics=2)
    config = tmp_path / "monitoring.toml"
    config.write_text('[crawl.all]\nall = true\nevery = "1h"\nparallel = 2\ndelay = 0.3\n', encoding="utf-8")
    try:
        scheduler = rig.start("schedule", "run", "--config", str(config))
        wait_for(lambda: rig.fetched_each(4), 60, "the scheduled crawl to be under way")
        os.kill(scheduler.pid, signal.SIGTERM)
        assert scheduler.wait(timeout=60) == 0, rig.log.read_text()
        assert query(rig.db, "SELECT status, finish_reason, trigger FROM runs") == [
            ("interrupted", "shutdown: scheduler stopped by SIGTERM", "schedule:crawl:all")]
        stored = stored_urls(rig.db)
        assert stored == rig.served() and len(stored) < 2 * (PAGES + 1)
        assert_left_nothing(rig)
        for site in rig.sites:
            site.delay = 0
            site.reset_requests()
        config.write_text(config.read_text(encoding="utf-8").replace("delay = 0.3", "delay = 0"), encoding="utf-8")
        once = subprocess.run([CLINICWATCH, "--db", str(rig.db), "schedule", "run", "--once", "--config", str(config)],
                              env=rig.env, capture_output=True, text=True, timeout=120, cwd=rig.tmp)
        assert once.returncode == 0, once.stderr
        assert query(rig.db, "SELECT status FROM runs WHERE id = 2") == [("finished",)]
        assert not {url for url in rig.served() if url in stored}  # asked for conditionally, not fetched again
        assert query(rig.db, "SELECT page_id, content_hash FROM page_versions GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
        assert_left_nothing(rig)
    finally:
        rig.stop()


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (mounting needs root: CI runs as root in a container like this one)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"a full disk is simulated with a small tmpfs, and mounting one is not permitted here: "
                    f"{done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.parametrize("full, parallel", [("database", "1"), ("archive", "1"), ("database", "2")],
                         ids=["database", "archive", "local-pool-merge"])
def test_a_full_disk_stops_the_crawl_and_closes_the_run_interrupted(tmp_path, small_disk, full, parallel):
    """The DB (SQLite: "database or disk is full"; with the local pool, at the merge of a task) or
    the WARC archive (ENOSPC) on a full disk: the crawl stops at once, the run is `interrupted` with
    "disk full: ...", nothing hangs, what was committed stays consistent; with space again, a
    re-run finishes."""
    on_disk = full == "database"
    if not on_disk:  # gzip'd WARC records are small: fill sooner
        subprocess.run(["mount", "-o", "remount,size=512k", str(small_disk)], check=True)
    rig = Rig(tmp_path, clinics=int(parallel), pages=80 // int(parallel), words=1500,
              db_dir=small_disk if on_disk else None)
    beside_db = ("archive", "logs") if on_disk else ("archive",)  # what goes on the small disk: the other one
    for name in beside_db:
        target = (tmp_path / f"{name}-elsewhere") if on_disk else small_disk
        target.mkdir(exist_ok=True)
        (rig.db.parent / name).symlink_to(target)
    # small batches: a full disk loses the one batch it could not write
    env = {"CLINICWATCH_ANALYSIS_WORKERS": "1", "CLINICWATCH_COMMIT_EVERY_PAGES": "10"}
    try:
        run = subprocess.run([CLINICWATCH, "--db", str(rig.db), "crawl", "--delay", "0", "--parallel", parallel],
                             env={**rig.env, **env}, capture_output=True, text=True, timeout=90, cwd=rig.tmp)
        assert run.returncode == 1, run.stderr
        (status, reason), = query(rig.db, "SELECT status, finish_reason FROM runs")
        assert status == "interrupted" and reason.startswith("disk full: "), reason
        assert f"Error: crawl interrupted ({reason})" in run.stderr and "Traceback" not in run.stderr
        stored = stored_urls(rig.db)
        print(f"disk full ({full}): {len(stored)} pages stored of {len(rig.served())} served; {reason}")
        assert stored <= rig.served()
        if parallel == "1":  # one crawl writing in batches keeps the batches before the full one; a task's
            assert stored and len(rig.served()) < 81  # merge is one transaction: all of it or nothing
        assert_left_nothing(rig)
        subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
        assert_consistent(rig.db)
        rig.env.update(env)
        assert_rerun_continues(rig, stored, "--parallel", parallel)
    finally:
        rig.stop()


def analysis_workers(crawl_pid: int) -> list[int]:
    children = Path(f"/proc/{crawl_pid}/task/{crawl_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def test_a_killed_analysis_worker_does_not_hang_the_crawl(tmp_path):
    """SIGKILL to the crawl's analysis worker mid-crawl: its pages in flight are recorded as errors, a
    new worker takes over, the crawl ends by itself; a re-run stores what was lost."""
    rig = Rig(tmp_path, clinics=1, delay=0.05)
    try:
        cli = rig.start("crawl", "--delay", "0", "--parallel", "1", env={"CLINICWATCH_ANALYSIS_WORKERS": "1"})
        wait_for(lambda: rig.fetched_each(6), 60, "the clinic to be crawled")
        crawl_pid = wait_for(lambda: query(rig.db, "SELECT pid FROM runs WHERE pid != ?", cli.pid), 30,
                             "the crawl process")[0][0]
        worker = wait_for(lambda: analysis_workers(crawl_pid), 30, "the analysis worker")[0]
        os.kill(worker, signal.SIGKILL)
        assert cli.wait(timeout=90) in (0, 1), rig.log.read_text()
        (status, reason), = query(rig.db, "SELECT status, finish_reason FROM runs")
        assert status == "finished", reason  # the pool recovered
        lost = query(rig.db, "SELECT COUNT(*) FROM fetch_log WHERE error LIKE 'analysis failed:%'")[0][0]
        stored = stored_urls(rig.db)
        print(f"analysis worker killed: {lost} page(s) in flight recorded as errors, {len(stored)} stored")
        assert len(stored) + lost == PAGES + 1 == len(rig.served())
        assert_left_nothing(rig)
        assert_rerun_continues(rig, stored, "--parallel", "1")
    finally:
        rig.stop()
