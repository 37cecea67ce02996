"""Scheduler without crawling: the config, its one-line errors, the job store sync, "due", locks.

No test waits on the wall clock: `now` is injected (run_once, render_schedule, --now).
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.store.schema import open_db
from crawler.store.writer import start_run
from scheduler.cli import cli
from scheduler.config import ConfigError, check_clinics, cron_trigger, load_config, parse_duration
from scheduler.crawl_process import recover_interrupted_runs
from scheduler.jobs import job_states
from scheduler.locks import SchedulerLock, clinic_locks, scheduler_running
from scheduler.service import run_once
from scheduler.status import render_schedule
from tests.conftest import seed_db, write_seeds

README = Path(__file__).resolve().parent.parent / "README.md"
UTC = timezone.utc


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "study.db"
    seeds = write_seeds(tmp_path / "seeds.csv", [
        {"name": "Harbor Regenerative", "urls": "http://127.0.0.1:9/", "tags": "tijuana stem-cells"},
        {"name": "Clinica Sol", "urls": "http://127.0.0.2:9/", "tags": "tijuana"},
    ])
    seed_db(path, seeds)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def invoke(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def test_readme_example_config_is_valid(tmp_path: Path) -> None:
    """The complete example in README "Scheduled monitoring" parses (clinic names aside)."""
    section = README.read_text(encoding="utf-8").split("## Scheduled monitoring", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    config = load_config(write(tmp_path / "monitoring.toml", example))
    kinds = sorted(job.kind for job in config.jobs)
    assert "crawl" in kinds and "report" in kinds and "rescore" in kinds
    assert config.alerts is not None and config.crawl_time_limit == 7200


def test_durations_and_crontab_weekdays() -> None:
    assert parse_duration("6h").total_seconds() == 21600
    assert parse_duration("1d12h").total_seconds() == 129600
    assert parse_duration("90m").total_seconds() == 5400
    for bad in ("6x", "", "h", "-1h", "0s"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("UTC")
    saturday = datetime(2026, 11, 21, 12, tzinfo=UTC)
    # crontab weekdays: 0 and 7 are Sunday, 1 is Monday (APScheduler 3 alone would read 0 as Monday)
    assert cron_trigger("0 3 * * 0", tz).get_next_fire_time(None, saturday).strftime("%a") == "Sun"
    assert cron_trigger("0 3 * * 7", tz).get_next_fire_time(None, saturday).strftime("%a") == "Sun"
    assert cron_trigger("0 3 * * 1", tz).get_next_fire_time(None, saturday).strftime("%a") == "Mon"
    assert cron_trigger("0 3 * * 1-5", tz).get_next_fire_time(None, saturday).strftime("%a") == "Mon"
    assert cron_trigger("@weekly", tz).get_next_fire_time(None, saturday).strftime("%a %H:%M") == "Sun 00:00"


BAD_CONFIGS = [
    ("bad cron", '[crawl.nightly]\nall = true\ncron = "0 3 * *"\n', "[crawl.nightly] cron: bad cron expression"),
    ("bad cron field", '[crawl.nightly]\nall = true\ncron = "0 25 * * *"\n', "[crawl.nightly] cron: bad cron"),
    ("unknown clinic", '[crawl.nightly]\nclinics = ["Nobody"]\ncron = "0 3 * * *"\n',
     "[crawl.nightly] clinics: unknown clinic 'Nobody'"),
    ("unknown tag", '[crawl.nightly]\ntags = ["nowhere"]\nevery = "6h"\n',
     "[crawl.nightly] tags: no active clinic has tag 'nowhere'"),
    ("unknown key", '[crawl.nightly]\nall = true\ncrn = "0 3 * * *"\n', "[crawl.nightly] unknown key 'crn'"),
    ("unknown top key", 'timezon = "UTC"\n[rescore]\nevery = "1d"\n', "unknown key 'timezon'"),
    ("bad timezone", 'timezone = "Mars/Olympus"\n[rescore]\nevery = "1d"\n', "timezone: unknown timezone 'Mars/Olympus'"),
    ("bad job timezone", '[report.weekly]\ncron = "0 7 * * 1"\ntimezone = "Europe/Nowhere"\n',
     "[report.weekly] timezone: unknown timezone"),
    ("bad every", '[crawl.x]\nall = true\nevery = "six hours"\n', "[crawl.x] every: 'six hours' is not a duration"),
    ("no schedule", '[crawl.x]\nall = true\n', "[crawl.x] needs a schedule"),
    ("no clinics", '[crawl.x]\nevery = "1d"\n', "[crawl.x] choose clinics"),
    ("bad period", '[report.w]\nevery = "7d"\nperiod = "fortnight"\n', "[report.w] period: must be"),
    ("bad type", '[crawl.x]\nall = "yes"\nevery = "1d"\n', "[crawl.x] all: must be true or false"),
    ("bad parallel", '[crawl.x]\nall = true\nevery = "1d"\nparallel = 0\n', "[crawl.x] parallel: must be at least 1"),
    ("bad cluster", '[crawl.x]\nall = true\nevery = "1d"\ncluster = "http://10.0.0.5:8786"\n',
     "[crawl.x] cluster: must be a Dask scheduler address"),
    ("bad setting", '[crawl.x]\nall = true\nevery = "1d"\nsettings = { CLINICWATCH_NOPE = 1 }\n',
     "[crawl.x] settings.CLINICWATCH_NOPE: unknown setting"),
    ("bad alerts", '[rescore]\nevery = "1d"\n[alerts]\nwebhook_url = "ftp://x/SECRET123"\n',
     "[alerts] webhook_url: must be an http"),
    ("no jobs", 'timezone = "UTC"\n', "no jobs"),
    ("not toml", '[crawl.x\n', "not valid TOML"),
]


@pytest.mark.parametrize("text, expected", [(t, e) for _, t, e in BAD_CONFIGS], ids=[n for n, _, _ in BAD_CONFIGS])
def test_config_errors_are_one_line(db: Path, tmp_path: Path, text: str, expected: str) -> None:
    config = write(tmp_path / "monitoring.toml", text)
    for command in (["schedule", "run", "--once"], ["schedule", "list"]):
        result = invoke(db, *command, "--config", str(config))
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {config}: "), result.output
        assert expected in lines[0]
        assert "SECRET123" not in result.output


def test_missing_config_and_missing_db(db: Path, tmp_path: Path) -> None:
    result = invoke(db, "schedule", "run", "--config", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1 and result.output.strip() == f"Error: {tmp_path / 'nope.toml'}: no such file"
    config = write(tmp_path / "m.toml", '[rescore]\nevery = "1d"\n')
    result = invoke(tmp_path / "none.db", "schedule", "run", "--config", str(config))
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "no database at" in result.output


def test_clinics_by_name_and_tag_are_checked_case_insensitively(db: Path, tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "m.toml", '[crawl.a]\nclinics = ["harbor regenerative"]\ntags = ["TIJUANA"]'
                                                    '\ncron = "0 3 * * *"\n'))
    check_clinics(config, open_db(db))
    with pytest.raises(ConfigError):
        check_clinics(load_config(write(tmp_path / "n.toml", '[crawl.a]\ntags = ["x"]\nevery = "1h"\n')), open_db(db))


REPORT_ONLY = '''
timezone = "Europe/Berlin"
misfire_grace_time = "1h"
[report.weekly]
cron = "0 7 * * mon"
period = "week"
out = "reports/weekly"
'''


def test_once_due_semantics_with_injected_now(db: Path, tmp_path: Path) -> None:
    """Never run -> due; then only when the next run time has come; missed beyond the grace -> skipped."""
    config = load_config(write(tmp_path / "m.toml", REPORT_ONLY))
    monday_0500 = datetime(2026, 11, 23, 5, tzinfo=UTC)  # 06:00 in Berlin
    first = run_once(config, db, now=monday_0500)
    assert [r[0] for r in first.ran] == ["report:weekly"]
    assert first.ran[0][1] == "skipped" and "no finished crawl" in first.ran[0][2]  # empty DB: nothing to report
    assert run_once(config, db, now=datetime(2026, 11, 23, 5, 30, tzinfo=UTC)).ran == []  # next: 07:00 Berlin
    late = run_once(config, db, now=datetime(2026, 11, 23, 6, 30, tzinfo=UTC))  # 07:30 Berlin: 30 min late, in grace
    assert [r[0] for r in late.ran] == ["report:weekly"]
    week_later = run_once(config, db, now=datetime(2026, 11, 30, 9, tzinfo=UTC))  # 10:00: 3 h late > 1 h grace
    assert week_later.ran == [] and week_later.missed == ["report:weekly"]
    listing = render_schedule(config, db.resolve(), now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert "next: 2026-12-07 07:00 CET (+0100), in 6d21h" in listing


def test_schedule_list_output(db: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "m.toml", '''
timezone = "America/Tijuana"
[crawl.nightly]
tags = ["tijuana"]
cron = "30 2 * * *"
time_limit = "90m"
[report.weekly]
cron = "0 7 * * 1"
timezone = "Europe/Berlin"
period = "week"
[rescore]
after_classifier_change = true
''')
    fresh = invoke(db, "schedule", "list", "--config", str(config), "--now", "2026-11-22T12:00:00")
    assert fresh.exit_code == 0, fresh.output
    lines = fresh.output.splitlines()
    assert lines[0].startswith("job store: ") and "(not created yet); scheduler not running" in lines[0]
    assert "crawl:nightly\tcron 30 2 * * * (America/Tijuana)\tnext: at the next scheduler start (never run)" in lines
    assert "    crawls tags tijuana; time limit 1h30m" in lines
    assert "rescore\tevery 1h (America/Tijuana)\tnext: at the next scheduler start (never run)" in lines
    # once the jobs have run, next run times come from the job store, in each job's own timezone
    state = sqlite3.connect(tmp_path / "study-jobs.sqlite")
    state.execute("CREATE TABLE clinicwatch_job_runs (job_id TEXT PRIMARY KEY, last_started TEXT,"
                  " last_finished TEXT, last_status TEXT, last_detail TEXT, last_run_id INTEGER)")
    state.executemany("INSERT INTO clinicwatch_job_runs VALUES (?, '2026-11-22T11:00:00Z',"
                      " '2026-11-22T11:01:00Z', 'ok', 'fine', NULL)", [("crawl:nightly",), ("report:weekly",)])
    state.commit()
    listed = invoke(db, "schedule", "list", "--config", str(config), "--now", "2026-11-22T12:00:00")
    assert ("crawl:nightly\tcron 30 2 * * * (America/Tijuana)\tnext: 2026-11-23 02:30 PST (-0800), in 22h30m"
            " (not in the job store yet)") in listed.output.splitlines()
    assert "report:weekly\tcron 0 7 * * 1 (Europe/Berlin)\tnext: 2026-11-23 07:00 CET (+0100), in 18h" in listed.output
    assert "    last: ok 2026-11-22T11:01:00Z: fine" in listed.output


def test_sync_keeps_persisted_times_and_removes_dropped_jobs(db: Path, tmp_path: Path) -> None:
    both = load_config(write(tmp_path / "a.toml", REPORT_ONLY + '[report.monthly]\ncron = "0 8 1 * *"\n'))
    run_once(both, db, now=datetime(2026, 11, 23, 5, tzinfo=UTC))
    store = tmp_path / "study-jobs.sqlite"
    ids = lambda: sorted(r[0] for r in sqlite3.connect(store).execute("SELECT id FROM apscheduler_jobs"))  # noqa: E731
    assert ids() == ["report:monthly", "report:weekly"]
    one = load_config(write(tmp_path / "b.toml", REPORT_ONLY))
    result = run_once(one, db, now=datetime(2026, 11, 23, 5, 10, tzinfo=UTC))
    assert result.ran == [] and ids() == ["report:weekly"] and "report:monthly" not in job_states(store)


def test_second_scheduler_is_refused_with_one_line(db: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "m.toml", REPORT_ONLY)
    with SchedulerLock(db.resolve()):
        assert scheduler_running(db.resolve())
        result = invoke(db, "schedule", "run", "--once", "--config", str(config))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: another scheduler is already running on {db.resolve()} (lock {db.resolve()}.scheduler.lock"
        f" held by pid {os.getpid()}); stop it first"]
    assert not scheduler_running(db.resolve())
    assert invoke(db, "schedule", "run", "--once", "--config", str(config)).exit_code == 0  # released: runs


def test_clinic_lock_lives_as_long_as_the_crawl_process(db: Path) -> None:
    """A clinic lock passed to a child stays held after the parent lets go (scheduler killed mid-crawl)."""
    clinic = {"id": 1, "name": "Harbor Regenerative"}
    with clinic_locks(db, [clinic]) as locks:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], pass_fds=locks.fds)
        with clinic_locks(db, [clinic]) as again:
            assert again.busy == [clinic] and again.held == []
    try:
        with clinic_locks(db, [clinic]) as after_parent:
            assert after_parent.busy == [clinic]  # the child still holds it
    finally:
        child.kill()
        child.wait()
    with clinic_locks(db, [clinic]) as free:
        assert free.held == [clinic]


def test_recover_marks_only_dead_runs(db: Path) -> None:
    conn = open_db(db)
    dead, alive, unknown, before_reboot = (start_run(conn) for _ in range(4))
    gone_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    gone_pid.wait()
    conn.execute("UPDATE runs SET pid = ? WHERE id = ?", [gone_pid.pid, dead])
    conn.execute("UPDATE runs SET pid = ? WHERE id = ?", [os.getpid(), alive])
    # a run from before the last boot: its pid may belong to some other process by now
    conn.execute("UPDATE runs SET pid = ?, started_at = '2000-01-01T00:00:00Z' WHERE id = ?",
                 [os.getpid(), before_reboot])
    assert recover_interrupted_runs(conn) == [dead, before_reboot]
    statuses = dict(conn.execute("SELECT id, status FROM runs").fetchall())
    assert statuses == {dead: "interrupted", alive: "running", unknown: "running",  # no pid: cannot judge
                        before_reboot: "interrupted"}
    reason = conn.execute("SELECT finish_reason FROM runs WHERE id = ?", [dead]).fetchone()[0]
    assert f"crawl process {gone_pid.pid} was gone" in reason
