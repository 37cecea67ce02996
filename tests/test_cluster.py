"""A real Dask cluster on 127.0.0.1: `dask scheduler` and two `dask worker` processes.

The demo web is crawled through the cluster while one worker is killed (SIGKILL) in the middle
of a task: Dask runs that task again on the other worker and every clinic is stored exactly
once. Rescoring and WARC scoring run on the same cluster; an unreachable scheduler is one line.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
from click.testing import CliRunner

from crawler import settings as crawl_settings
from crawler.classify import CLASSIFIER_VERSION
from crawler.demo_web.server import DemoWeb
from crawler.store.schema import open_db
from scheduler.cli import cli
from scheduler.cluster import ClusterError, DaskRunner, LocalDaskCluster, connect, free_port
from scheduler.crawl_process import LOOPBACK_SETTINGS
from scheduler.sweep import run_sweep
from tests.conftest import crawl, seed_db, wait_for

# A small politeness delay makes each clinic's crawl last a few seconds: time to kill a worker mid-task.
SLOW = {**LOOPBACK_SETTINGS, "CLINICWATCH_DOWNLOAD_DELAY": "0.25"}


def _client(address: str):
    try:
        return connect(address, timeout=2)
    except ClusterError:
        return None


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("worker-scratch")
    c = LocalDaskCluster(workers=2, threads=2, log_dir=tmp_path_factory.mktemp("dask"),
                         env={"CLINICWATCH_SCRATCH_DIR": str(scratch)}).start()
    c.scratch = scratch
    yield c
    c.stop()


@pytest.fixture(scope="module")
def demo_web():
    web = DemoWeb(port=0).start()
    yield web
    web.stop()


@pytest.fixture(scope="module")
def cluster_crawl(cluster, demo_web, tmp_path_factory):
    """The demo web crawled through the cluster, one worker killed mid-task."""
    out = tmp_path_factory.mktemp("cluster-crawl")
    seeds = demo_web.write_seeds(out / "seeds.csv")
    seed_db(out / "cluster.db", seeds)
    (out / "one").mkdir()  # its own archive/ beside it
    seed_db(out / "one" / "single.db", seeds)
    reference = crawl(out / "one" / "single.db")
    result: dict = {}

    def sweep() -> None:
        result["outcome"] = run_sweep(out / "cluster.db", settings=SLOW, cluster=cluster.address,
                                      on_task=lambda *args: result.setdefault("lines", []).append(args))

    thread = threading.Thread(target=sweep)
    thread.start()
    watcher = _client(cluster.address)
    try:
        # wait until the first worker is running a task, then kill it (no nanny: it stays dead)
        victim = wait_for(lambda: next((addr for addr, keys in watcher.processing().items() if keys), None),
                          60, "a task running on a worker")
        time.sleep(1.0)  # well inside the task: its crawl has started
        name = watcher.scheduler_info()["workers"][victim]["name"]
        killed_tasks = list(watcher.processing()[victim])
        os.kill(cluster.workers[name].pid, signal.SIGKILL)
    finally:
        watcher.close()
    thread.join(timeout=240)
    assert not thread.is_alive(), "the sweep did not finish"
    return out, reference, result["outcome"], result.get("lines", []), victim, killed_tasks


def test_every_clinic_stored_exactly_once_after_a_worker_died(cluster_crawl):
    out, reference, outcome, lines, victim, killed_tasks = cluster_crawl
    assert killed_tasks, "the killed worker was running no task"
    assert outcome.status == "finished", lines
    conn = sqlite3.connect(out / "cluster.db")
    clinics = conn.execute("SELECT COUNT(*) FROM clinics").fetchone()[0]
    tasks = conn.execute("SELECT clinic_id, status, worker FROM run_clinics WHERE run_id = ?", [outcome.run_id]).fetchall()
    assert len(tasks) == len({t[0] for t in tasks}) == clinics == 7
    assert {t[1] for t in tasks} == {"finished"}
    assert victim not in {t[2] for t in tasks}  # what the dead worker had was redone by the other one
    assert len(lines) == 7  # one outcome per clinic, though a task ran twice
    # nothing twice: one version per (url, content), one fetch per URL, claims as in a one-process crawl
    versions = conn.execute("SELECT url, content_hash FROM page_versions").fetchall()
    assert len(versions) == len(set(versions))
    single = sqlite3.connect(out / "one" / "single.db")
    assert set(versions) == set(single.execute("SELECT url, content_hash FROM page_versions"))
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM fetch_log WHERE run_id = ?",
                        [outcome.run_id]).fetchone() == (reference.pages_fetched, reference.pages_fetched)
    claims = "SELECT v.url, c.sentence, c.category, c.stance FROM claims c JOIN page_versions v ON v.id = c.version_id"
    assert sorted(conn.execute(claims)) == sorted(single.execute(claims))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_dead_workers_crawls_stopped_themselves(cluster, cluster_crawl):
    *_, killed_tasks = cluster_crawl
    # a finished task removes its scratch dir; what is left is the killed worker's running tasks
    # (`processing` also lists the tasks queued on it; it runs 2 at a time)
    left = sorted(cluster.scratch.glob("clinicwatch-task-*"))
    assert 1 <= len(left) <= min(len(killed_tasks), cluster.threads)
    for task_dir in left:
        log = "\n".join(p.read_text() for p in (task_dir / "logs").glob("*.log"))
        # the kernel's SIGTERM (PR_SET_PDEATHSIG, Linux) or the once-a-second check: a graceful stop either way
        assert ("Received SIGTERM" in log or "is gone: stopping" in log) and "Closing spider (shutdown)" in log, task_dir


def test_rescore_and_warc_scoring_on_the_cluster(cluster, cluster_crawl):
    out, *_ = cluster_crawl
    db = str(out / "cluster.db")
    result = CliRunner().invoke(cli, ["--db", db, "rescore", "--force", "--cluster", cluster.address])
    assert result.exit_code == 0, result.output
    versions = sqlite3.connect(db).execute("SELECT COUNT(*) FROM page_versions").fetchone()[0]
    assert f"{versions} page versions scored" in result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM page_scores WHERE classifier_version = ?",
                        [CLASSIFIER_VERSION]).fetchone()[0] == versions  # replaced in place, not added

    result = CliRunner().invoke(cli, ["--db", db, "score-warc", "--archive", "--cluster", cluster.address])
    assert result.exit_code == 0, result.output
    scored = conn.execute("SELECT COUNT(*), SUM(flagged) FROM warc_pages").fetchone()
    assert scored[0] == versions and scored[1] >= 20  # every archived HTML page, the sellers' flagged
    again = CliRunner().invoke(cli, ["--db", db, "score-warc", "--archive", "--cluster", cluster.address])
    assert again.exit_code == 0
    assert conn.execute("SELECT COUNT(*) FROM warc_pages").fetchone()[0] == versions  # idempotent


def test_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path, demo_web, monkeypatch):
    seed_db(tmp_path / "u.db", demo_web.write_seeds(tmp_path / "seeds.csv"))
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        DaskRunner(address, timeout=2)
    assert time.monotonic() - started < 30
    monkeypatch.setattr(crawl_settings, "CLINICWATCH_CLUSTER_CONNECT_TIMEOUT", 2.0)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "u.db"), "crawl", "--allow-private", "--cluster", address])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the Dask scheduler at " + address)
    assert open_db(tmp_path / "u.db").execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


def test_a_task_that_raises_on_a_worker_is_one_line_and_the_others_go_on(cluster):
    runner = DaskRunner(cluster.address)
    try:
        outcomes = {o.item: o for o in runner.map(int, ["7", "seven", "8"])}
    finally:
        runner.close()
    assert outcomes["7"].result == 7 and outcomes["8"].result == 8
    assert outcomes["seven"].result is None
    assert outcomes["seven"].error.startswith("ValueError: invalid literal") and "\n" not in outcomes["seven"].error


def test_a_tls_cluster_without_certificates_is_one_line(monkeypatch):
    monkeypatch.setattr(crawl_settings, "CLINICWATCH_CLUSTER_TLS_CERT", "")
    with pytest.raises(ClusterError, match="needs CLINICWATCH_CLUSTER_TLS_CA_FILE"):
        DaskRunner("tls://127.0.0.1:8786", timeout=1)
    with pytest.raises(ClusterError, match="expected tcp://HOST:PORT"):
        DaskRunner("http://127.0.0.1:8786", timeout=1)
