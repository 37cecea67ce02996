"""Report files from a real SQLite DB: content, ranking, evidence columns, and hostile input."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from crawler.store.schema import open_db
from reports.data import ReportError, build_report
from reports.render import is_web_url, md_escape, write_report

OLD, NEW = "rules-0.9", "rules-1.0"
T1, T2 = "2026-11-01T10:00:00+00:00", "2026-11-08T10:00:00+00:00"
XSS_SENTENCE = "<script>alert(1)</script> Our stem cells cure autism."
XSS_TITLE = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
MD_SENTENCE = "Cures MS | [click](javascript:alert(2)) **now**"


def build_fixture(path: Path) -> Path:
    """Two runs, five clinics, an old classifier's rows that must be ignored, hostile text.

    Expected ranking (current state): Alpha 0.95 > Epsilon 0.7 (breadth 2) > Beta 0.7
    (breadth 1) > Gamma 0.1 > Zeta (unscored). Delta is inactive with no pages.
    """
    db = open_db(path)
    db["clinics"].insert_all([
        {"id": 1, "name": "Alpha Regen", "country": "US", "active": 1},
        {"id": 2, "name": "Beta <b>Stem</b>", "country": "MX", "active": 1},
        {"id": 3, "name": "Gamma Ortho", "country": "DE", "active": 1},
        {"id": 4, "name": "Delta Old", "country": "US", "active": 0},
        {"id": 5, "name": "Epsilon Cells", "country": "PA", "active": 1},
        {"id": 6, "name": "Zeta Clinic", "country": "TH", "active": 1},
    ])
    db["runs"].insert_all([
        {"id": 1, "started_at": T1, "finished_at": T1, "status": "finished", "clinic_filter": "",
         "pages_fetched": 3, "pages_stored": 3, "new_versions": 3},
        {"id": 2, "started_at": T2, "finished_at": T2, "status": "finished", "clinic_filter": "",
         "pages_fetched": 6, "pages_stored": 5, "new_versions": 4, "errors": 1},
    ])
    pages = [  # id, clinic, url, last_run, current version
        (1, 1, "https://alpha.example/treatments", 2, 2),
        (2, 2, JS_URL, 2, 3),
        (3, 3, "https://gamma.example/", 1, 4),
        (4, 5, "https://epsilon.example/conditions?a=1&b=2", 2, 5),
        (5, 6, "https://zeta.example/", 2, 6),
    ]
    db["pages"].insert_all({"id": i, "clinic_id": c, "url": u, "first_seen": T1, "last_seen": T2,
                            "last_status": 200, "last_run_id": r} for i, c, u, r, _ in pages)
    versions = [  # id, page, clinic, run, fetched, title
        (1, 1, 1, 1, T1, "Alpha treatments (old)"),
        (2, 1, 1, 2, T2, "Alpha treatments"),
        (3, 2, 2, 2, T2, XSS_TITLE),
        (4, 3, 3, 1, T1, "Gamma knee care"),
        (5, 4, 5, 2, T2, "Epsilon conditions"),
        (6, 5, 6, 2, T2, "Zeta home"),
    ]
    url_of = {p[0]: p[2] for p in pages}
    db["page_versions"].insert_all(
        {"id": v, "page_id": p, "clinic_id": c, "run_id": r, "url": url_of[p], "fetched_at": t,
         "last_seen": t, "http_status": 200, "content_hash": f"h{v}", "title": title,
         "language": "en", "text": f"text of version {v}"}
        for v, p, c, r, t, title in versions)
    for page_id, *_, current in pages:
        db["pages"].update(page_id, {"current_version_id": current})
    scores = [  # version, clinic, score, flagged, classifier, scored_at
        (1, 1, 0.6, 1, NEW, T1), (2, 1, 0.2, 0, OLD, T1), (2, 1, 0.95, 1, NEW, T2),
        (3, 2, 0.7, 1, NEW, T2), (4, 3, 0.1, 0, NEW, T1), (5, 5, 0.7, 1, NEW, T2),
    ]
    db["page_scores"].insert_all(
        {"version_id": v, "clinic_id": c, "score": s, "flagged": f, "language": "en",
         "classifier_version": cv, "scored_at": at} for v, c, s, f, cv, at in scores)
    claims = [  # version, clinic, sentence, category, condition, stance, score, classifier
        (1, 1, "Stem cells reverse Alzheimer's.", "cure", "alzheimers", "asserts", 0.8, NEW),
        (2, 1, "Insulin independence after one infusion.", "cure", "diabetes", "asserts", 0.93,
         NEW),
        (2, 1, "We treat autism with stem cells.", "unapproved_indication", "autism", "asserts",
         0.85, NEW),
        (2, 1, MD_SENTENCE, "cure", "multiple_sclerosis", "asserts", 0.8, NEW),
        (2, 1, "This is not a cure for autism.", "cure", "autism", "negates", 0.1, NEW),
        (2, 1, "Old classifier sentence about lupus.", "cure", "lupus", "asserts", 0.9, OLD),
        (3, 2, XSS_SENTENCE, "cure", "autism", "asserts", 0.75, NEW),
        (3, 2, "Regulators say clinics claim to cure autism.", "cure", "autism", "reports", 0.2,
         NEW),
        (5, 5, "=SUM(A1:A9) cures diabetes", "cure", "diabetes",
         "asserts", 0.7, NEW),
        (5, 5, "Parkinson's patients improve 90%.", "efficacy_statistics", "parkinsons",
         "asserts", 0.6, NEW),
        (5, 5, "Book a free consultation today.", "commercial_pressure", None, "asserts", 0.4,
         NEW),
    ]
    cap = {v: t for v, _, _, _, t, _ in versions}
    page_of = {v: p for v, p, *_ in versions}
    db["claims"].insert_all(
        {"version_id": v, "clinic_id": c, "url": url_of[page_of[v]], "captured_at": cap[v],
         "sentence": s, "category": cat, "condition": cond, "stance": st, "score": sc,
         "classifier_version": cv}
        for v, c, s, cat, cond, st, sc, cv in claims)
    db["fetch_log"].insert_all([
        {"run_id": 1, "clinic_id": 1, "url": url_of[1], "status": 200, "outcome": "stored"},
        {"run_id": 1, "clinic_id": 3, "url": url_of[3], "status": 200, "outcome": "stored"},
        {"run_id": 2, "clinic_id": 1, "url": url_of[1], "status": 200, "outcome": "stored"},
        {"run_id": 2, "clinic_id": 2, "url": JS_URL, "status": 200, "outcome": "stored"},
        {"run_id": 2, "clinic_id": 3, "url": "https://gamma.example/", "status": 503,
         "outcome": "error", "error": "HTTP 503 <boom>"},
        {"run_id": 2, "clinic_id": 5, "url": url_of[4], "status": 200, "outcome": "unchanged"},
        {"run_id": 2, "clinic_id": 6, "url": url_of[5], "status": 200, "outcome": "stored"},
    ])
    db.conn.commit()
    db.conn.close()
    return path


@pytest.fixture()
def fixture_db(tmp_path: Path) -> Path:
    return build_fixture(tmp_path / "t.db")


def test_report_model_ranking_and_counts(fixture_db: Path) -> None:
    report = build_report(fixture_db)
    assert report.run is not None and report.run.id == 2
    assert [c.name for c in report.clinics] == [
        "Alpha Regen", "Epsilon Cells", "Beta <b>Stem</b>", "Gamma Ortho", "Zeta Clinic"]
    alpha = report.clinics[0]
    assert alpha.max_score == pytest.approx(0.95)  # newest score, not the old classifier's
    assert alpha.conditions == ["autism", "diabetes", "multiple_sclerosis"]  # no lupus, no alzheimers
    assert alpha.asserted_claims == 3
    assert alpha.top_claim and alpha.top_claim.sentence.startswith("Insulin independence")
    assert alpha.top_claim.classifier_version == NEW and alpha.top_claim.captured_at == T2
    h = report.headline
    assert (h.clinics, h.pages, h.page_versions, h.flagged_pages) == (6, 5, 6, 3)
    assert h.asserted_claims == 7 and h.other_claims == 2
    assert h.distinct_conditions == 4  # autism, diabetes, multiple_sclerosis, parkinsons
    assert h.clinics_reached == 4  # Gamma errored in run 2, Delta inactive
    assert report.classifier_versions == [NEW]
    run2 = report.health[0]
    assert run2.run_id == 2 and run2.errors == 1 and run2.clinics_not_reached == ["Gamma Ortho"]
    autism = next(c for c in report.conditions if c.condition == "autism")
    assert autism.clinics == 2 and autism.by_category == {"unapproved_indication": 1, "cure": 1}
    beta_page = next(p for p in report.flagged_pages if p.clinic.startswith("Beta"))
    assert [c.stance for c in beta_page.asserted] == ["asserts"]
    assert [c.stance for c in beta_page.context] == ["reports"]


def test_report_as_of_older_run(fixture_db: Path) -> None:
    report = build_report(fixture_db, run_id=1)
    assert report.state == "as of run 1"
    assert [c.name for c in report.clinics] == ["Alpha Regen", "Gamma Ortho"]
    assert report.clinics[0].conditions == ["alzheimers"]
    assert report.headline.page_versions == 2
    assert report.health[0].clinics_expected == 5  # active clinics: run 1 had no filter
    with pytest.raises(ReportError):
        build_report(fixture_db, run_id=99)


def test_clinic_filter_with_spaces_in_names(tmp_path: Path) -> None:
    db = open_db(build_fixture(tmp_path / "t.db"))
    db["runs"].update(2, {"clinic_filter": "Alpha Regen;Gamma Ortho"})
    db.conn.commit()
    db.conn.close()
    run2 = build_report(tmp_path / "t.db").health[0]
    assert run2.clinics_expected == 2 and run2.clinics_not_reached == ["Gamma Ortho"]


def test_files_written_and_html_self_contained(fixture_db: Path, tmp_path: Path) -> None:
    paths = write_report(fixture_db, tmp_path / "out")
    assert set(paths) == {"html", "md", "clinics_csv", "claims_csv", "json"}
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    html = paths["html"].read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<script" not in html.replace("&lt;script", "")
    assert "Claims detected by classifier rules-1.0; a detected claim is evidence for review" in html
    crawled = {"https://alpha.example/treatments", "https://gamma.example/",
               "https://epsilon.example/conditions?a=1&amp;b=2", "https://zeta.example/"}
    for url in re.findall(r"https?://[^\s\"'<>]+", html):
        assert url in crawled, f"unexpected URL in HTML: {url}"
    for match in re.finditer(r"<(\w+)[^>]*\s(?:src|href)=\"([^\"]*)\"", html):
        assert match.group(1) == "a" and match.group(2) in crawled, match.group(0)
    for anchor in re.findall(r"<a [^>]*>", html):
        assert 'rel="noopener noreferrer nofollow"' in anchor
    assert "<svg" in html and "<link" not in html and "@import" not in html and "url(" not in html
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["clinics"][0]["name"] == "Alpha Regen" and data["clinics"][0]["breadth"] == 3


def test_hostile_text_escaped_in_html_and_markdown(fixture_db: Path, tmp_path: Path) -> None:
    paths = write_report(fixture_db, tmp_path / "out")
    html = paths["html"].read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Stem</b>" not in html and "Beta &lt;b&gt;Stem&lt;/b&gt;" in html
    assert 'href="javascript' not in html.lower() and "javascript:alert(1)" in html
    assert "&lt;boom&gt;" in html
    md = paths["md"].read_text(encoding="utf-8")
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "<img" not in md and "<b>" not in md
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "\\[click\\](javascript:alert(2))" in md
    assert "Cures MS \\| " in md  # a pipe inside a cell cannot split the table
    assert "[https://alpha.example/treatments](https://alpha.example/treatments)" in md


def test_csv_evidence_columns(fixture_db: Path, tmp_path: Path) -> None:
    paths = write_report(fixture_db, tmp_path / "out")
    with paths["claims_csv"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["clinic", "url", "captured_at", "sentence", "category", "condition",
                             "stance", "score", "classifier_version"]
    assert len(rows) == 9  # current versions, newest classifier, every stance
    assert {r["classifier_version"] for r in rows} == {NEW}
    assert all(r["url"] and r["captured_at"] and r["sentence"] for r in rows)
    assert any(r["sentence"] == XSS_SENTENCE for r in rows)  # CSV keeps the verbatim text
    formula = next(r for r in rows if "SUM(A1:A9)" in r["sentence"])
    assert formula["sentence"].startswith("'=")  # neutralised for spreadsheets
    with paths["clinics_csv"].open(encoding="utf-8", newline="") as fh:
        clinics = list(csv.DictReader(fh))
    assert [c["clinic"] for c in clinics][:3] == ["Alpha Regen", "Epsilon Cells",
                                                  "Beta <b>Stem</b>"]
    assert clinics[0]["breadth"] == "3" and clinics[0]["top_url"]


def test_empty_db_gives_valid_report(tmp_path: Path) -> None:
    db = open_db(tmp_path / "empty.db")
    assert build_report(db).clinics == []  # an open sqlite-utils Database works too
    db.conn.close()
    report = build_report(tmp_path / "empty.db")
    assert report.run is None and report.clinics == [] and report.health == []
    assert report.headline.asserted_claims == 0
    paths = write_report(tmp_path / "empty.db", tmp_path / "out")
    assert "No crawl runs recorded yet" in paths["html"].read_text(encoding="utf-8")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["clinics"] == []
    assert paths["claims_csv"].read_text(encoding="utf-8").startswith("clinic,url,captured_at")


def test_report_never_writes_and_rejects_non_db(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not sqlite")
    with pytest.raises(ReportError):
        build_report(bogus)
    with pytest.raises(ReportError):
        build_report(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_helpers() -> None:
    assert is_web_url("https://a.example/x") and is_web_url("HTTP://a.example")
    for bad in (JS_URL, "data:text/html,x", "java\tscript:x", "https://", "//a.example", None,
                " https://a.example", "https://a.example/\"onmouseover=x"):
        assert not is_web_url(bad), bad
    assert md_escape("a<b>|c\n[d](e)") == "a&lt;b&gt;\\|c \\[d\\](e)"
