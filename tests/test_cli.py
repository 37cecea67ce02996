"""The CLI surface: every command documented (help example + README), clean errors."""
from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def all_commands(group: click.Group = cli, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, full + " "))
    return found


COMMANDS = all_commands()


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_an_example_in_its_help(name, command):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "clinicwatch " in result.output, f"{name} help lacks an example"


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_every_command_is_in_the_readme(name):
    usage = re.compile(r"clinicwatch (--db \S+ )?" + re.escape(name) + r"\b")
    assert usage.search(README.read_text(encoding="utf-8")), f"README does not document {name}"


def test_every_setting_is_in_the_readme():
    import crawler.settings

    names = [n for n in vars(crawler.settings) if n.startswith("CLINICWATCH_")]
    readme = README.read_text(encoding="utf-8")
    # "`CLINICWATCH_X` / `_Y`" rows document a pair that shares a prefix
    pairs = re.findall(r"`(CLINICWATCH_[A-Z_]+?)_?[A-Z]*` / `(_[A-Z_]+)`", readme)
    documented = set(re.findall(r"CLINICWATCH_[A-Z_]+", readme))
    for first, suffix in pairs:
        documented.add(first.rsplit("_", 1)[0] + suffix)
    assert len(names) > 20
    assert [n for n in names if n not in documented] == []


def test_unknown_clinic_is_one_line(tmp_path):
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["--db", db, "crawl", "--clinic", "Nobody"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: unknown clinic 'Nobody' (see `clinicwatch seeds list`)"


def test_db_from_newer_schema_refused(tmp_path):
    import sqlite3

    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=999")
    conn.close()
    result = CliRunner().invoke(cli, ["--db", str(path), "seeds", "list"])
    assert result.exit_code == 1
    assert "newer than this ClinicWatch" in result.output and len(result.output.strip().splitlines()) == 1


def test_db_env_var_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINICWATCH_DB", str(tmp_path / "env.db"))
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0 and (tmp_path / "env.db").exists()
