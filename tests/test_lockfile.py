"""The lock file (requirements.lock, made by `make lock`) and pyproject.toml agree.

Why: `make demo`, `make test` and CI install exactly the lock's versions, while people who
install ClinicWatch into their own environment use pyproject.toml's ranges. If someone edits a
range and forgets `make lock`, the two drift apart silently; this test makes it loud.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked() -> dict[str, list[tuple[Version, str | None]]]:
    """name -> [(version, marker)], from the lock's pin lines (a universal lock may pin twice)."""
    pins: dict[str, list[tuple[Version, str | None]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            match = PIN.match(line)
            assert match, f"requirements.lock: not an exact pin: {line!r}"
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((Version(version), marker))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_declared_dependency_is_locked_within_its_range():
    pins = locked()
    for requirement in declared():
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        for version, _ in versions:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements.lock pins {requirement.name}=={version} outside pyproject.toml's "
                f"'{requirement.specifier}': run `make lock`")


def test_every_pin_is_exact_and_hash_checked():
    text = LOCK.read_text(encoding="utf-8")
    pins = locked()
    assert len(pins) > 50  # the whole tree, not only the direct dependencies
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    for block in blocks:
        if block.strip() and not block.startswith("#"):
            assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"


def test_lock_was_made_with_the_test_extra_by_make_lock():
    header = LOCK.read_text(encoding="utf-8").split("\n", 2)[1]
    assert "uv pip compile pyproject.toml --extra test" in header
    assert "--generate-hashes" in header
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r $(LOCK)" in makefile  # the lock is what installs
