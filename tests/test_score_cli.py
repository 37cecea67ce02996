"""`clinicwatch score --json`: the public output shape, stance, and bad files."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from scheduler.cli import cli

KEYS = {"path", "score", "flagged", "language", "classifier_version", "voice", "not_scored", "claims"}
CLAIM_KEYS = {"sentence", "category", "condition", "stance", "score"}


def score_json(*paths):
    result = CliRunner().invoke(cli, ["score", "--json", *map(str, paths)])
    return result, [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def test_shape_and_stance(tmp_path):
    assertive = tmp_path / "sells.txt"
    assertive.write_text("Our stem cell therapy cures type 2 diabetes. Book your treatment today.", encoding="utf-8")
    negated = tmp_path / "debunks.txt"
    negated.write_text("There is no evidence that stem cells cure diabetes.", encoding="utf-8")
    result, objs = score_json(assertive, negated)
    assert result.exit_code == 0, result.output
    assert len(objs) == 2
    for obj in objs:
        assert set(obj) == KEYS
        assert all(set(c) == CLAIM_KEYS for c in obj["claims"])
        assert obj["classifier_version"]
    sells, debunks = objs
    assert sells["path"] == str(assertive)
    assert sells["flagged"] is True
    assert any(c["stance"] == "asserts" and c["condition"] == "diabetes" for c in sells["claims"])
    assert debunks["flagged"] is False
    assert debunks["score"] < sells["score"]
    assert all(c["stance"] != "asserts" for c in debunks["claims"])
    assert any(c["stance"] == "negates" for c in debunks["claims"])


def test_html_file_is_extracted(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html lang='es'><head><title>Clínica</title><script>var x='cura la diabetes';</script>"
        "</head><body><nav>Inicio</nav><main><p>Nuestras células madre curan la diabetes tipo 1.</p>"
        "<p>Reserve su consulta gratuita hoy.</p></main></body></html>", encoding="utf-8")
    _, (obj,) = score_json(page)
    assert obj["language"] == "es"
    assert obj["flagged"] is True
    assert all("var x" not in c["sentence"] for c in obj["claims"])  # scripts are not text


def test_binary_and_empty_files_give_one_line_each(tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    empty = tmp_path / "empty.html"
    empty.write_text("  \n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "scheduler.cli", "score", "--json", str(binary), str(empty)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stdout == ""
    errors = proc.stderr.strip().splitlines()
    assert errors == [f"Error: {binary}: looks binary (NUL bytes); give an HTML or text file",
                      f"Error: {empty}: empty file, nothing to score"]
