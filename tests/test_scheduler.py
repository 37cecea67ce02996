"""Scheduled monitoring end to end: real loopback sites, real SQLite, real crawl processes.

`--once` runs a due crawl job and then health checks, alerts (a loopback webhook) and the
report; the restart test starts `clinicwatch schedule run` as its own process group, stops it
with SIGTERM mid-crawl, restarts it, kills it with SIGKILL mid-crawl, and restarts it again.
Nothing waits on the wall clock for a schedule: jobs are due because they never ran (or were cut
short), which is the documented rule.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from crawler.demo_web.server import SiteServer
from scheduler.cli import cli
from scheduler.crawl_process import pid_alive
from tests.conftest import SlowSite, seed_db, wait_for, write_seeds

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = [
    "Our stem cell therapy cures type 2 diabetes and you can stop insulin for good.",
    "Stem cell injections reverse multiple sclerosis with no side effects.",
    "Our exosome treatment regrows cartilage so you can avoid knee surgery.",
    "Book now: the regenerative package is 40% off this month only.",
]


def site_routes(pages: int, claims: bool = True) -> dict[str, tuple[int, dict, str]]:
    links = "".join(f'<li><a href="/p{i}.html">Treatment {i}</a></li>' for i in range(1, pages + 1))
    routes = {
        "/": (200, {}, f"<html><head><title>Clinic</title></head><body><h1>Regenerative clinic</h1>"
                       f"<p>We treat patients from many countries with cell therapies.</p><ul>{links}</ul></body></html>"),
        "/robots.txt": (200, {}, "User-agent: *\nAllow: /\n"),
    }
    for i in range(1, pages + 1):
        text = CLAIMS[i % len(CLAIMS)] if claims else "Opening hours and directions to the clinic."
        routes[f"/p{i}.html"] = (200, {}, f"<html><head><title>Treatment {i}</title></head><body><main>"
                                          f"<h1>Treatment {i}</h1><p>{text}</p><p>Page {i} of our treatment guide "
                                          f"explains the programme in detail for patient number {i}.</p>"
                                          f"</main></body></html>")
    return routes


class Webhook:
    """A loopback webhook receiver: records every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                owner.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/T0KEN-S3CRET-VALUE"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


CRAWL_SETTINGS = 'allow_private = true\ndelay = 0\nsettings = { CLINICWATCH_AUTOTHROTTLE = false, ' \
                 'CLINICWATCH_FOLLOW_SITEMAPS = false }\n'


def no_duplicate_versions(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT page_id, content_hash, COUNT(*) FROM page_versions"
                            " GROUP BY page_id, content_hash HAVING COUNT(*) > 1").fetchall() == []
    finally:
        conn.close()


def test_once_crawls_a_due_job_then_health_alerts_and_report(tmp_path: Path) -> None:
    site = SiteServer(site_routes(6), host="127.0.0.41").start()
    hook = Webhook()
    try:
        db = tmp_path / "study.db"
        seed_db(db, write_seeds(tmp_path / "seeds.csv", [
            {"name": "Harbor Regenerative", "urls": site.url("/"), "tags": "tijuana"},
            {"name": "Elsewhere Clinic", "urls": "http://127.0.0.42:9/"},  # not in the group: not crawled
        ]))
        config = tmp_path / "monitoring.toml"
        config.write_text(f'timezone = "America/Tijuana"\ncrawl_time_limit = "5m"\n'
                          f'[crawl.tijuana]\ntags = ["tijuana"]\ncron = "0 3 * * *"\n{CRAWL_SETTINGS}'
                          f'report_after_crawl = true\nreport_out = "reports/latest"\n'
                          f'[alerts]\nwebhook_url = "{hook.url}"\nmin_score = 0.5\n', encoding="utf-8")
        result = CliRunner().invoke(cli, ["--db", str(db), "schedule", "run", "--once", "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert "crawl:tijuana: ok: run 1 finished: 7 pages (7 new versions), 0 errors" in result.output

        conn = sqlite3.connect(db)
        run = conn.execute("SELECT status, trigger, pid, clinic_filter FROM runs WHERE id = 1").fetchone()
        assert run[:2] == ("finished", "schedule:crawl:tijuana") and run[2] > 0 and run[3] == "Harbor Regenerative"
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        health = conn.execute("SELECT check_name, status FROM crawl_health WHERE run_id = 1 AND clinic_id = 1"
                              " ORDER BY check_name").fetchall()
        assert health == [("days_since_success", "ok"), ("error_rate", "ok"), ("min_pages", "ok")]
        sent = conn.execute("SELECT COUNT(*) FROM alerts_sent WHERE run_id = 1 AND status = 'sent'").fetchone()[0]
        assert sent > 0 and len(hook.bodies) == 1 and hook.bodies[0]["run_id"] == 1
        assert any("diabetes" in a["sentence"] for a in hook.bodies[0]["alerts"])
        assert (tmp_path / "reports" / "latest" / "report.html").exists()

        log = (tmp_path / "logs" / "scheduler.log").read_text(encoding="utf-8")
        assert "job crawl:tijuana ok: run 1 finished" in log and "alerts: run 1:" in log
        assert "T0KEN-S3CRET-VALUE" not in log + result.output  # only the redacted URL is ever logged
        assert "http://127.0.0.1:" in log  # ... which still says where alerts go

        again = CliRunner().invoke(cli, ["--db", str(db), "schedule", "run", "--once", "--config", str(config)])
        assert again.exit_code == 0 and again.stdout.strip() == "nothing due"  # next: 03:00 in Tijuana

        status = CliRunner().invoke(cli, ["--db", str(db), "status"])
        assert status.exit_code == 0, status.output
        assert "    1  finished     schedule:crawl:tijuana" in status.output
        assert "crawl:tijuana: cron 0 3 * * * (America/Tijuana)\tnext: " in status.output
        assert "last: ok" in status.output
    finally:
        hook.stop()
        site.stop()


def _running_with_pages(db: Path, run_id: int, pages: int = 3):
    conn = sqlite3.connect(db, timeout=10)
    try:
        row = conn.execute("SELECT status, pid FROM runs WHERE id = ?", [run_id]).fetchone()
        stored = conn.execute("SELECT COUNT(*) FROM fetch_log WHERE run_id = ? AND outcome IN ('stored', 'unchanged')",
                              [run_id]).fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return None
    finally:
        conn.close()
    return row if row and row[0] == "running" and stored >= pages else None


def _scheduler(db: Path, config: Path, *extra: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scheduler.cli", "--db", str(db), "schedule", "run",
                             "--config", str(config), *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=log.open("ab"), start_new_session=True)


def _run(db: Path, run_id: int) -> tuple:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT status, finish_reason, trigger, pid FROM runs WHERE id = ?", [run_id]).fetchone()
    finally:
        conn.close()


def test_restart_resilience_sigterm_then_sigkill(tmp_path: Path) -> None:
    site = SlowSite(site_routes(40, claims=False), host="127.0.0.43").start()
    site.delay = 0.2  # one request at a time: 41 pages take 8 s
    processes: list[subprocess.Popen] = []
    try:
        db = tmp_path / "study.db"
        seed_db(db, write_seeds(tmp_path / "seeds.csv", [{"name": "Slow Clinic", "urls": site.url("/")}]))
        config = tmp_path / "monitoring.toml"
        one_at_a_time = CRAWL_SETTINGS.replace("{ ", "{ CLINICWATCH_CONCURRENT_REQUESTS = 1, ")
        config.write_text(f'[crawl.slow]\nall = true\nevery = "1h"\n{one_at_a_time}', encoding="utf-8")
        log = tmp_path / "scheduler-stderr.log"

        # (a) SIGTERM mid-crawl: exit 0, the run closed as interrupted, a clean DB.
        first = _scheduler(db, config, log=log)
        processes.append(first)
        wait_for(lambda: _running_with_pages(db, 1), 30, "run 1 crawling")
        second = subprocess.run([sys.executable, "-m", "scheduler.cli", "--db", str(db), "schedule", "run", "--once",
                                 "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"Error: another scheduler is already running on {db} (lock {db}.scheduler.lock held by pid"
            f" {first.pid}); stop it first"]
        stop_started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=40) == 0
        stop_seconds = time.monotonic() - stop_started
        print(f"SIGTERM mid-crawl -> scheduler exited 0 after {stop_seconds:.2f} s")
        assert stop_seconds < 15, stop_seconds
        assert _run(db, 1)[:3] == ("interrupted", "shutdown: scheduler stopped by SIGTERM", "schedule:crawl:slow")
        no_duplicate_versions(db)
        assert "SIGTERM received" in (tmp_path / "logs" / "scheduler.log").read_text(encoding="utf-8")

        # (b) restart: the cut-short job is due again; SIGKILL the scheduler and its crawl mid-run.
        restarted = _scheduler(db, config, log=log)
        processes.append(restarted)
        _, crawl_pid = wait_for(lambda: _running_with_pages(db, 2), 30, "run 2 crawling")
        assert crawl_pid != restarted.pid  # the crawl process's own id (its own process group)
        os.killpg(restarted.pid, signal.SIGKILL)
        os.killpg(crawl_pid, signal.SIGKILL)
        restarted.wait(timeout=10)
        wait_for(lambda: not pid_alive(crawl_pid), 10, "the crawl process to die")
        assert _run(db, 2)[0] == "running"  # nobody closed it
        jobs = sqlite3.connect(tmp_path / "study-jobs.sqlite").execute("SELECT id FROM apscheduler_jobs").fetchall()
        assert jobs == [("crawl:slow",)]

        # ... the next start recovers the dead run and crawls again; nothing is stored twice.
        site.delay = 0
        once = subprocess.run([sys.executable, "-m", "scheduler.cli", "--db", str(db), "schedule", "run", "--once",
                               "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=90)
        assert once.returncode == 0, once.stderr
        assert "crawl:slow: ok: run 3 finished: 41 pages" in once.stdout
        status, reason, trigger, _ = _run(db, 2)
        assert status == "interrupted" and f"crawl process {crawl_pid} was gone" in reason
        assert _run(db, 3)[:3] == ("finished", "finished", "schedule:crawl:slow")
        no_duplicate_versions(db)
        conn = sqlite3.connect(db)
        assert conn.execute("SELECT COUNT(*), COUNT(current_version_id) FROM pages").fetchone() == (41, 41)
        assert conn.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0] == 41
        assert "marked 1 run(s) interrupted: 2" in (tmp_path / "logs" / "scheduler.log").read_text(encoding="utf-8")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        site.stop()



def test_time_limit_stops_a_crawl_gracefully_and_status_shows_it(tmp_path: Path) -> None:
    site = SlowSite(site_routes(30, claims=False), host="127.0.0.44").start()
    site.delay = 0.3
    try:
        db = tmp_path / "study.db"
        seed_db(db, write_seeds(tmp_path / "seeds.csv", [{"name": "Huge Clinic", "urls": site.url("/")}]))
        config = tmp_path / "monitoring.toml"
        one_at_a_time = CRAWL_SETTINGS.replace("{ ", "{ CLINICWATCH_CONCURRENT_REQUESTS = 1, ")
        config.write_text(f'crawl_time_limit = "3s"\n[crawl.huge]\nclinics = ["Huge Clinic"]\ncron = "@daily"\n'
                          f'{one_at_a_time}', encoding="utf-8")
        result = CliRunner().invoke(cli, ["--db", str(db), "schedule", "run", "--once", "--config", str(config)])
        assert result.exit_code == 1  # a failed job: cron mails its owner
        assert "crawl:huge: error: run 1 interrupted: " in result.stdout
        assert _run(db, 1)[:2] == ("interrupted", "time_limit")
        no_duplicate_versions(db)
        status = CliRunner().invoke(cli, ["--db", str(db), "status"])
        assert "run 1 interrupted (time_limit), started" in status.stdout
        assert "health fail: run finish_reason (run 1): run interrupted, finish reason 'time_limit'" in status.stdout
    finally:
        site.stop()
