"""Layering rules: crawler/ never imports reports/ or scheduler/; the classifier never imports Scrapy."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize("package, forbidden", [
    ("crawler", {"reports", "scheduler"}),
    ("crawler/classify", {"scrapy", "twisted", "reports", "scheduler"}),
    ("reports", {"scrapy", "twisted", "scheduler"}),
])
def test_package_does_not_import(package, forbidden):
    offenders = {path: names & forbidden for path, names in imported_modules(package).items() if names & forbidden}
    assert offenders == {}


def test_classifier_runs_without_scrapy_loaded():
    code = "import sys; from crawler.classify import score; score('Stem cells cure autism.'); print('scrapy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
