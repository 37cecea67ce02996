"""examples/monitoring.toml: the schedule file users copy is accepted as shipped, and so is every
optional key it shows commented out; the README's scheduling section points to it.

The tests read the job names, clinic names and tags from the file itself, so they follow its edits.
No network: the clinics seeded for `schedule list` are on 127.0.0.x port 9 and nothing is crawled.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scheduler.cli import cli
from scheduler.config import CRAWL_KEYS, REPORT_KEYS, RESCORE_KEYS, TOP_KEYS, load_config
from tests.conftest import seed_db, write_seeds

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "monitoring.toml"
README = ROOT / "README.md"
# An optional key or table shown commented out: "# key = value" or "# [table]" (prose never starts so).
DISABLED = re.compile(r"^# ?(\[[A-Za-z0-9_.-]+\]|[A-Za-z_][A-Za-z0-9_]*\s*=.*)$")


def uncommented(text: str) -> str:
    """The example with every commented-out optional key and table switched on."""
    return "\n".join(m.group(1) if (m := DISABLED.match(line)) else line for line in text.splitlines()) + "\n"


def job_ids(data: dict[str, Any]) -> list[str]:
    """The job ids `schedule list` shows, from the parsed TOML (crawl:NAME, report:NAME, rescore)."""
    return ([f"crawl:{name}" for name in data.get("crawl", {})] + [f"report:{name}" for name in data.get("report", {})]
            + (["rescore"] if "rescore" in data else []))


def seeded_db(tmp_path: Path, data: dict[str, Any]) -> Path:
    """A DB holding every clinic and tag the file's crawl jobs name (on loopback: nothing is crawled)."""
    rows: list[dict[str, str]] = [{"name": "Any Clinic", "urls": "http://127.0.0.2:9/"}]
    for job in data.get("crawl", {}).values():
        for name in job.get("clinics", []):
            rows.append({"name": name, "urls": f"http://127.0.0.{len(rows) + 2}:9/"})
        for tag in job.get("tags", []):
            rows.append({"name": f"Clinic tagged {tag}", "urls": f"http://127.0.0.{len(rows) + 2}:9/", "tags": tag})
    path = tmp_path / "study.db"
    seed_db(path, write_seeds(tmp_path / "seeds.csv", rows))
    return path


@pytest.fixture
def smtp_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """[alerts.email] password_env, commented out in the example, names a variable that must be set."""
    for name in re.findall(r'password_env\s*=\s*"(\w+)"', EXAMPLE.read_text(encoding="utf-8")):
        monkeypatch.setenv(name, "not-a-real-password")


def test_example_loads_and_every_key_is_known() -> None:
    """The config reader accepts the file as shipped (an unknown key would raise) and finds every job."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    config = load_config(EXAMPLE)
    assert [job.id for job in config.jobs] == job_ids(data)
    assert set(data) <= TOP_KEYS
    for table, known in (("crawl", CRAWL_KEYS), ("report", REPORT_KEYS)):
        for name, job in data.get(table, {}).items():
            assert set(job) <= known, f"[{table}.{name}]"
    assert set(data.get("rescore", {})) <= RESCORE_KEYS
    # It shows each kind of job and the alerts table, and needs no secret and no network as shipped.
    assert {job.kind for job in config.jobs} == {"crawl", "report", "rescore"}
    assert config.alerts is not None and config.alerts.channels == []
    assert config.db_path is None  # --db decides: the example points at no particular database


def test_every_commented_out_key_is_known_too(smtp_password: None, tmp_path: Path) -> None:
    """Switching on any optional key shown commented out gives a file the reader accepts."""
    text = EXAMPLE.read_text(encoding="utf-8")
    full = uncommented(text)
    assert full != text, "the example shows no optional keys commented out"
    path = tmp_path / "monitoring.toml"
    path.write_text(full, encoding="utf-8")
    config = load_config(path)
    assert [job.id for job in config.jobs] == job_ids(tomllib.loads(full))
    shipped = load_config(EXAMPLE)
    assert len(config.jobs) > len(shipped.jobs)  # the commented-out watchlist job
    assert config.alerts.channels == ["webhook", "email", "apprise"]
    assert config.db_path is not None and config.job_store is not None


@pytest.mark.parametrize("variant", ["as shipped", "optional keys switched on"])
def test_schedule_list_accepts_the_example(variant: str, smtp_password: None, tmp_path: Path) -> None:
    """`clinicwatch --db TMP/study.db schedule list --config examples/monitoring.toml` lists every job."""
    text = EXAMPLE.read_text(encoding="utf-8")
    config_path = EXAMPLE
    if variant != "as shipped":
        text = uncommented(text)
        config_path = tmp_path / "monitoring.toml"
        config_path.write_text(text, encoding="utf-8")
    data = tomllib.loads(text)
    db = seeded_db(tmp_path, data)
    result = CliRunner().invoke(cli, ["--db", str(db), "schedule", "list", "--config", str(config_path),
                                      "--now", "2026-12-07T12:00:00"])
    assert result.exit_code == 0, result.output
    listed = [line.split("\t", 1)[0] for line in result.output.splitlines() if "\t" in line]
    assert listed == job_ids(data)
    assert f"job store: {tmp_path / 'study-jobs.sqlite'}" in result.output  # --db wins over the file's db


def test_readme_scheduling_section_points_to_the_example() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Scheduled monitoring", 1)[1].split("\n## ", 1)[0]
    assert "examples/monitoring.toml" in section
    assert "](examples/monitoring.toml)" in section  # a link, not only a name


def test_examples_are_not_ignored_by_git() -> None:
    """No .gitignore pattern swallows the example (it would silently never be committed)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("examples/monitoring.toml", "examples/"):
        # --no-index: judge the patterns even once the file is tracked; exit 1 = not ignored
        result = subprocess.run(["git", "check-ignore", "--no-index", "-v", path], cwd=ROOT,
                                capture_output=True, text=True)
        assert result.returncode == 1, f"{path} is ignored: {result.stdout or result.stderr}"
