"""Seeds import: bad files are rejected with one line naming row and reason, atomically."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.seeds import SeedError, parse_seeds
from crawler.store.schema import open_db
from scheduler.cli import cli

GOOD = (
    "name,country,urls,domains,tags\n"
    "Alpha Cells,MX,https://www.alpha-cells.example/ https://alpha-cells.example/es/,,stem-cells tijuana\n"
    "Beta Regen,US,https://beta.example/,beta.example beta-regen.example,\n"
)


def run(tmp_path, *args):
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), *args])


def clinic_rows(tmp_path):
    return list(open_db(tmp_path / "t.db").query("SELECT name, country, seed_urls, domains, tags FROM clinics ORDER BY name"))


def test_good_file_imports_and_derives_domains(tmp_path):
    (tmp_path / "s.csv").write_text(GOOD, encoding="utf-8")
    result = run(tmp_path, "seeds", "import", str(tmp_path / "s.csv"))
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    rows = clinic_rows(tmp_path)
    assert rows[0]["name"] == "Alpha Cells"
    assert rows[0]["domains"] == "alpha-cells.example"  # www. stripped, duplicates folded
    assert rows[0]["tags"] == "stem-cells tijuana"
    assert rows[1]["domains"] == "beta.example beta-regen.example"


def test_reimport_changes_nothing(tmp_path):
    (tmp_path / "s.csv").write_text(GOOD, encoding="utf-8")
    run(tmp_path, "seeds", "import", str(tmp_path / "s.csv"))
    before = clinic_rows(tmp_path)
    result = run(tmp_path, "seeds", "import", str(tmp_path / "s.csv"))
    assert "0 added, 0 updated, 2 unchanged" in result.output
    assert clinic_rows(tmp_path) == before


@pytest.mark.parametrize(
    "content, expected",
    [
        ("name,country,domains\nA,US,a.example\n", "missing column urls"),
        ("name,country,urls\nA,US,ftp://a.example/\n", "row 2: bad URL 'ftp://a.example/'"),
        ("name,country,urls\nA,US,https://a.example/\nB,US,not a url\n", "row 3: bad URL 'not'"),
        ("name,country,urls\nA,US,https://a.example/\nB,US,https://b.example/\na,MX,https://c.example/\n",
         "row 4: duplicate clinic 'a' (first on row 2)"),
        ("name,country,urls\n,US,https://a.example/\n", "row 2: empty name"),
        ("name,country,urls\nA,US,\n", "row 2: clinic 'A' has no URL"),
        ("", "empty file"),
        ("name,country,urls,color\nA,US,https://a.example/,red\n", "unknown column color"),
        ("name,country,urls,domains\nA,US,https://a.example/,https://a.example/\n", "row 2: bad domain"),
    ],
)
def test_bad_files_rejected_with_one_line(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = run(tmp_path, "seeds", "import", str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert expected in lines[0]


def test_bad_row_imports_nothing_even_after_good_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "Gamma,US,htp:/broken\n", encoding="utf-8")
    result = run(tmp_path, "seeds", "import", str(path))
    assert result.exit_code == 1 and "row 4" in result.output
    assert not (tmp_path / "t.db").exists() or clinic_rows(tmp_path) == []


def test_wrong_encoding_named(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,country,urls\nClínica Sol,MX,https://sol.example/\n".encode("latin-1"))
    result = run(tmp_path, "seeds", "import", str(path))
    assert result.exit_code == 1
    assert "not UTF-8" in result.output and "0xed" in result.output


def test_utf8_bom_accepted():
    seeds = parse_seeds("\ufeffname,country,urls\nClínica Sol,MX,https://sol.example/\n".encode("utf-8"))
    assert seeds[0].name == "Clínica Sol" and seeds[0].domains == ("sol.example",)


def test_missing_file_is_one_line(tmp_path):
    result = run(tmp_path, "seeds", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "cannot read" in result.output


def test_seed_error_is_value_error():
    with pytest.raises(SeedError):
        parse_seeds(b"name,urls\nA,https://a.example/\nA,https://b.example/\n")
