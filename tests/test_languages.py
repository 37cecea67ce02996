"""`clinicwatch score --json` on real-looking pages in all 8 languages (pages under tests/fixtures/pages)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import cli

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SELLERS = {
    "en": "diabetes", "es": "autism", "pt": "osteoarthritis", "de": "multiple_sclerosis",
    "fr": "anti_ageing", "ru": "diabetes", "zh": "parkinsons", "ja": "stroke",
}


def score(path: Path) -> dict:
    result = CliRunner().invoke(cli, ["score", "--json", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("language, condition", sorted(SELLERS.items()))
def test_selling_page_flagged_with_condition_and_stance(language, condition):
    obj = score(PAGES / f"{language}-seller.html")
    assert obj["language"] == language
    assert obj["flagged"] is True
    asserted = {(c["category"], c["condition"]) for c in obj["claims"] if c["stance"] == "asserts"}
    assert ("cure", condition) in asserted or ("unapproved_indication", condition) in asserted, asserted
    assert any(c["category"] == "commercial_pressure" for c in obj["claims"])


def test_debunking_article_is_not_flagged_and_keeps_its_negations():
    obj = score(PAGES / "en-debunk.html")
    assert obj["flagged"] is False
    stances = {c["stance"] for c in obj["claims"] if c["condition"] == "diabetes"}
    assert {"negates", "reports"} <= stances
