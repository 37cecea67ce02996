"""Crawl health checks computed from runs and fetch logs written with the store's own writer."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import settings
from crawler.store.health import (HealthCheck, HealthThresholds, check_run_health, health_summary,
                                  worst_status)
from crawler.store.schema import open_db
from crawler.store.writer import finish_run, record_fetch, start_run

ROOT = Path(__file__).resolve().parent.parent


def day(n: int, hour: int = 0) -> str:
    return f"2024-03-{n:02d}T{hour:02d}:00:00Z"


class Monitor:
    def __init__(self, path: Path) -> None:
        self.db = open_db(path)

    def clinic(self, name: str, created: str = day(1), active: int = 1) -> int:
        return int(self.db.execute(
            "INSERT INTO clinics (name, seed_urls, domains, active, created_at, updated_at) VALUES (?,?,?,?,?,?)",
            [name, f"https://{name}.example/", f"{name}.example", active, created, created]).lastrowid)

    def run(self, at: str, fetches: dict[int, list[tuple[str, int | None, str]]],
            status: str = "finished", reason: str = "finished") -> int:
        """fetches: clinic id -> [(outcome, http status, path)]."""
        run_id = start_run(self.db)
        for clinic_id, rows in fetches.items():
            for outcome, http_status, path in rows:
                record_fetch(self.db, run_id, clinic_id, f"https://c{clinic_id}.example/{path}", http_status,
                             outcome, "boom" if outcome == "error" else "", fetched_at=at)
        if status != "running":
            finish_run(self.db, run_id, status, reason)
            self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", [at, run_id])
        return run_id

    def stored(self, run_id: int) -> list[tuple]:
        return [tuple(r) for r in self.db.execute(
            "SELECT run_id, clinic_id, check_name, status, value, threshold, detail, at FROM crawl_health"
            " WHERE run_id = ? ORDER BY id", [run_id]).fetchall()]


def ok(n: int) -> list[tuple[str, int | None, str]]:
    return [("stored", 200, f"p{i}") for i in range(n)]


def errors(n: int) -> list[tuple[str, int | None, str]]:
    return [("error", 500, f"e{i}") for i in range(n)]


def by_check(checks: list[HealthCheck], clinic_id: int | None) -> dict[str, HealthCheck]:
    return {c.check_name: c for c in checks if c.clinic_id == clinic_id}


@pytest.fixture
def monitor(tmp_path: Path) -> Monitor:
    return Monitor(tmp_path / "h.db")


def test_defaults_come_from_settings():
    limits = HealthThresholds.from_settings()
    assert limits == HealthThresholds(3, 0.5, 14.0, ("finished",))
    assert (settings.CLINICWATCH_HEALTH_MIN_PAGES, settings.CLINICWATCH_HEALTH_MAX_ERROR_RATE,
            settings.CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS, settings.CLINICWATCH_HEALTH_FINISH_REASONS) == (
        3, 0.5, 14.0, ("finished",))


def test_env_overrides_thresholds():
    env = {**os.environ, "CLINICWATCH_HEALTH_MIN_PAGES": "7", "CLINICWATCH_HEALTH_MAX_ERROR_RATE": "0.2",
           "CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS": "3", "CLINICWATCH_HEALTH_FINISH_REASONS": "finished shutdown"}
    code = ("from crawler.store.health import HealthThresholds as H; t = H.from_settings();"
            " print(t.min_pages, t.max_error_rate, t.max_days_since_success, ' '.join(t.finish_reasons))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "0.2", "3.0", "finished", "shutdown"]


def test_healthy_run_is_ok_everywhere(monitor):
    clinic = monitor.clinic("healthy")
    run_id = monitor.run(day(10), {clinic: ok(5) + errors(1) + [("skipped", None, "robots")]})
    checks = check_run_health(monitor.db, run_id)
    assert [(c.clinic_id, c.check_name) for c in checks] == [
        (None, "finish_reason"), (clinic, "min_pages"), (clinic, "error_rate"), (clinic, "days_since_success")]
    assert {c.status for c in checks} == {"ok"}
    checks = by_check(checks, clinic)
    assert (checks["min_pages"].value, checks["min_pages"].threshold) == ("5", "3")
    assert (checks["error_rate"].value, checks["error_rate"].threshold) == ("0.17", "0.50")
    assert (checks["days_since_success"].value, checks["days_since_success"].threshold) == ("0.0", "14")
    assert worst_status(checks.values()) == "ok"


def test_few_pages_warn_and_no_page_fails(monitor):
    few, none = monitor.clinic("few"), monitor.clinic("none")
    run_id = monitor.run(day(10), {few: ok(2), none: errors(3)})
    checks = check_run_health(monitor.db, run_id)
    assert by_check(checks, few)["min_pages"].status == "warn"
    assert by_check(checks, few)["min_pages"].value == "2"
    assert "only 2 page(s)" in by_check(checks, few)["min_pages"].detail
    assert by_check(checks, none)["min_pages"].status == "fail"
    assert by_check(checks, none)["min_pages"].value == "0"


def test_min_pages_counts_distinct_pages_fetched_ok(monitor):
    clinic = monitor.clinic("c")
    same_page_twice = [("stored", 200, "a"), ("unchanged", 304, "a"), ("unchanged", 304, "b"),
                       ("stored", 404, "gone")]  # a stored 404 is not a page fetched OK: it is an error
    checks = by_check(check_run_health(monitor.db, monitor.run(day(10), {clinic: same_page_twice})), clinic)
    assert (checks["min_pages"].status, checks["min_pages"].value) == ("warn", "2")
    assert checks["error_rate"].value == "0.25"
    assert checks["error_rate"].detail == "1 error(s) in 4 attempt(s)"


def test_error_rate_statuses(monitor):
    fine, high, dead, skipped = (monitor.clinic(n) for n in ("fine", "high", "dead", "skipped"))
    run_id = monitor.run(day(10), {
        fine: ok(4) + errors(4),  # exactly at the threshold 0.5: ok
        high: ok(3) + errors(4),  # 0.57 > 0.5: warn
        dead: errors(2),  # every attempt failed: fail
        skipped: [("skipped", None, "robots"), ("skipped", None, "offsite")],  # nothing attempted: warn
    })
    checks = check_run_health(monitor.db, run_id)
    assert (by_check(checks, fine)["error_rate"].status, by_check(checks, fine)["error_rate"].value) == ("ok", "0.50")
    assert (by_check(checks, high)["error_rate"].status, by_check(checks, high)["error_rate"].value) == ("warn", "0.57")
    assert (by_check(checks, dead)["error_rate"].status, by_check(checks, dead)["error_rate"].value) == ("fail", "1.00")
    assert by_check(checks, skipped)["error_rate"].status == "warn"
    assert "all 2 request(s) skipped" in by_check(checks, skipped)["error_rate"].detail


def test_finish_reason_statuses(monitor):
    clinic = monitor.clinic("c")
    finished = monitor.run(day(10), {clinic: ok(3)})
    shutdown = monitor.run(day(11), {clinic: ok(3)}, status="interrupted", reason="shutdown")
    running = monitor.run(day(12), {clinic: ok(3)}, status="running")
    check = by_check(check_run_health(monitor.db, finished), None)["finish_reason"]
    assert (check.status, check.value, check.threshold) == ("ok", "finished", "finished")
    check = by_check(check_run_health(monitor.db, shutdown), None)["finish_reason"]
    assert (check.status, check.value) == ("fail", "shutdown")
    assert "interrupted" in check.detail and "shutdown" in check.detail
    check = by_check(check_run_health(monitor.db, running, now=day(12, 1)), None)["finish_reason"]
    assert (check.status, check.value) == ("warn", "")


def test_accepted_finish_reasons_are_settings(monitor, monkeypatch):
    clinic = monitor.clinic("c")
    run_id = monitor.run(day(10), {clinic: ok(3)}, reason="closespider_pagecount")
    assert by_check(check_run_health(monitor.db, run_id), None)["finish_reason"].status == "fail"
    monkeypatch.setattr(settings, "CLINICWATCH_HEALTH_FINISH_REASONS", ("finished", "closespider_pagecount"))
    assert by_check(check_run_health(monitor.db, run_id), None)["finish_reason"].status == "ok"


def test_days_since_success(monitor):
    silent = monitor.clinic("silent", created=day(1))  # fetched OK on day 1, then only errors
    recent = monitor.clinic("recent", created=day(1))  # not in the last run; fetched OK 5 days before it
    new = monitor.clinic("new", created=day(19))  # registered 2 days ago, never fetched OK
    old = monitor.clinic("old", created=day(1))  # registered 20 days ago, never fetched OK
    retired = monitor.clinic("retired", created=day(1), active=0)  # inactive and not covered: not checked
    monitor.run(day(1), {silent: ok(3), retired: ok(3)})
    monitor.run(day(16), {recent: ok(3)})
    run_id = monitor.run(day(21), {silent: errors(3), old: errors(1)})
    checks = check_run_health(monitor.db, run_id, now=day(21))
    days = {c.clinic_id: c for c in checks if c.check_name == "days_since_success"}
    assert set(days) == {silent, recent, new, old}
    assert (days[silent].status, days[silent].value, days[silent].threshold) == ("fail", "20.0", "14")
    assert days[silent].detail == f"last page fetched OK at {day(1)}"
    assert (days[recent].status, days[recent].value) == ("ok", "5.0")
    assert (days[new].status, days[new].value) == ("warn", "")
    assert "never fetched OK" in days[new].detail
    assert (days[old].status, days[old].value) == ("fail", "")
    # per-clinic page checks only for the clinics the run covered
    assert {c.clinic_id for c in checks if c.check_name == "min_pages"} == {silent, old}
    # the default reference time is the run's end, so re-checking later gives the same answer
    again = check_run_health(monitor.db, run_id)
    assert [c for c in again if c.check_name == "days_since_success"] == list(days.values())
    assert worst_status(checks) == "fail"
    assert health_summary(checks).startswith("health: fail (")


def test_thresholds_can_be_passed(monitor):
    clinic = monitor.clinic("c")
    run_id = monitor.run(day(10), {clinic: ok(2)})
    checks = check_run_health(monitor.db, run_id, thresholds=HealthThresholds(min_pages=2))
    assert by_check(checks, clinic)["min_pages"].status == "ok"


def test_stored_in_one_row_per_check_and_idempotent_per_run(monitor):
    a, b = monitor.clinic("a"), monitor.clinic("b")
    first = monitor.run(day(10), {a: ok(3), b: ok(1)})
    second = monitor.run(day(11), {a: errors(3)}, status="interrupted", reason="shutdown")
    checks = check_run_health(monitor.db, first, now=day(11))
    rows = monitor.stored(first)
    assert rows == [(c.run_id, c.clinic_id, c.check_name, c.status, c.value, c.threshold, c.detail, day(11))
                    for c in checks]
    assert check_run_health(monitor.db, first, now=day(11)) == checks
    assert monitor.stored(first) == rows  # replaced, not duplicated
    check_run_health(monitor.db, second, now=day(11))
    assert monitor.stored(first) == rows  # another run's check leaves this run's rows alone
    assert len(monitor.stored(second)) == 1 + 2 + 2  # finish_reason; a: min_pages, error_rate; a, b: days
    assert monitor.db.execute("SELECT COUNT(*) FROM crawl_health").fetchone()[0] == len(rows) + 5


def test_unknown_run(monitor):
    with pytest.raises(LookupError):
        check_run_health(monitor.db, 99)


def test_failed_checks_are_shown_in_the_report(tmp_path):
    """Stored health checks that did not pass appear in the report's crawl-health section."""
    from reports.render import write_report

    db_path = tmp_path / "r.db"
    db = open_db(db_path)
    with db.atomic():
        db.execute("INSERT INTO clinics (id, name, country, seed_urls, domains, tags, active) "
                   "VALUES (1, 'Quiet Clinic', 'US', 'https://q.example/', 'q.example', '', 1)")
        db.execute("INSERT INTO runs (id, started_at, finished_at, status, clinic_filter) "
                   "VALUES (1, '2026-11-01T00:00:00Z', '2026-11-01T00:10:00Z', 'finished', '')")
        db.execute("INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, fetched_at) "
                   "VALUES (1, 1, 'https://q.example/', NULL, 'error', 'DNSLookupError', '2026-11-01T00:01:00Z')")
    db.close()
    db = open_db(db_path)
    check_run_health(db, 1)
    db.close()
    files = write_report(db_path, tmp_path / "out")
    html = files["html"].read_text(encoding="utf-8")
    markdown = files["md"].read_text(encoding="utf-8")
    assert "health checks not passed" in html and "min_pages" in html and "Quiet Clinic" in html
    assert "health checks not passed" in markdown and "error\\_rate" in markdown  # Markdown-escaped
