"""Report files from a real SQLite DB: content, ranking, evidence columns, and hostile input."""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

import reports.render as render_module
from crawler.store.schema import open_db
from reports.data import build_report
from reports.db_read import ReportError, period_start
from reports.model import clinic_slug
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


# --- history, evidence archive and hostile strings (dossiers, what changed) -----------------------

WARC = "cw-20261108-00001.warc.gz"
MITIGATION = "This treatment is experimental and results vary."
STYLE_SENTENCE = "</style><style>*{color:red}</style> Stem cells are not a cure for ALS."
CSS_TITLE = ("Epsilon</title></style><style>body{background:url(https://evil.example/bg.png)}"
             "</style> x{width:expression(alert(1))} [a](javascript:alert(3))")
HOSTILE_DETAIL = "<a href=\"https://evil.example/\" onclick=\"alert(4)\">moved</a>"
# Events as two runs of `record_run_events` would have written them (run 1 at T1, run 2 at T2).
HISTORY_CLAIM_EVENTS = [  # run, clinic, event, sentence, category, condition, url, at
    (1, 1, "added", "Stem cells reverse Alzheimer's.", "cure", "alzheimers",
     "https://alpha.example/treatments", T1),
    (1, 3, "added", "Knee cartilage regrows in weeks.", "cure", "osteoarthritis",
     "https://gamma.example/", T1),
    (2, 1, "removed", "Stem cells reverse Alzheimer's.", "cure", "alzheimers",
     "https://alpha.example/treatments", T2),
    (2, 1, "added", "Insulin independence after one infusion.", "cure", "diabetes",
     "https://alpha.example/treatments", T2),
    (2, 1, "added", "We treat autism with stem cells.", "unapproved_indication", "autism",
     "https://alpha.example/treatments", T2),
    (2, 1, "added", MD_SENTENCE, "cure", "multiple_sclerosis", "https://alpha.example/treatments",
     T2),
    (2, 2, "added", XSS_SENTENCE, "cure", "autism", JS_URL, T2),
    (2, 5, "added", "=SUM(A1:A9) cures diabetes", "cure", "diabetes",
     "https://epsilon.example/conditions?a=1&b=2", T2),
    (2, 5, "added", "Parkinson's patients improve 90%.", "efficacy_statistics", "parkinsons",
     "https://epsilon.example/conditions?a=1&b=2", T2),
    (2, 5, "removed", STYLE_SENTENCE, "cure", "als", JS_URL, T2),
]
HISTORY_CLINIC_EVENTS = [  # run, clinic, event, detail, at
    (1, 1, "newly_flagged", "https://alpha.example/treatments", T1),
    (2, 2, "newly_flagged", JS_URL, T2),
    (2, 5, "newly_flagged", "https://epsilon.example/conditions?a=1&b=2", T2),
    (2, 3, "unreachable", "HTTP 503 <boom>", T2),
    (2, 4, "gone", "unreachable in its last 3 runs", T2),
    (2, 6, "moved", HOSTILE_DETAIL, T2),
    (2, 6, "stopped_claiming", "2 asserted claims no longer made", T2),
]
SEEDS = {1: ("https://alpha.example/ https://www.alpha.example/start", "alpha.example"),
         2: (f"{JS_URL} https://beta.example/", "beta.example"),
         5: ("https://epsilon.example/", "epsilon.example epsilon-cells.example")}


def add_history(path: Path) -> Path:
    """The fixture plus what its two runs recorded: claim and clinic events, an archived copy of
    Alpha's current page, mitigating sentences, seed URLs, and more hostile strings (a sentence
    closing <style>, a title with CSS url()/expression() tricks, markup in an event detail)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO claim_events (run_id, clinic_id, event, claim_key, sentence, category,"
                " condition, url, at) VALUES (?,?,?,?,?,?,?,?,?)",
                [(run, clinic, event, f"k{i}", sentence, category, condition, url, at)
                 for i, (run, clinic, event, sentence, category, condition, url, at)
                 in enumerate(HISTORY_CLAIM_EVENTS)])
            conn.executemany(
                "INSERT INTO clinic_events (run_id, clinic_id, event, detail, at) VALUES (?,?,?,?,?)",
                HISTORY_CLINIC_EVENTS)
            conn.execute("UPDATE page_versions SET warc_file = ?, warc_offset = ? WHERE id = 2",
                         (WARC, 1234))
            conn.execute("UPDATE page_versions SET title = ? WHERE id = 5", (CSS_TITLE,))
            conn.execute("UPDATE page_scores SET mitigations = ? WHERE version_id = 2 AND "
                         "classifier_version = ?", (f"{MITIGATION}\n\n<i>Risks</i> are listed.",
                                                    NEW))
            conn.execute(
                "INSERT INTO claims (version_id, clinic_id, url, captured_at, sentence, category,"
                " condition, stance, score, classifier_version) VALUES (5, 5, ?, ?, ?, 'cure',"
                " 'als', 'negates', 0.1, ?)",
                ("https://epsilon.example/conditions?a=1&b=2", T2, STYLE_SENTENCE, NEW))
            for clinic_id, (urls, domains) in SEEDS.items():
                conn.execute("UPDATE clinics SET seed_urls = ?, domains = ? WHERE id = ?",
                             (urls, domains, clinic_id))
    finally:
        conn.close()
    return path


@pytest.fixture()
def history_db(tmp_path: Path) -> Path:
    return add_history(build_fixture(tmp_path / "h.db"))


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
    assert set(paths) == {"html", "md", "clinics_csv", "claims_csv", "changes_csv", "json",
                          "dossiers"}
    assert all(p.is_file() and p.stat().st_size > 0 for k, p in paths.items() if k != "dossiers")
    html = paths["html"].read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<script" not in html.replace("&lt;script", "")
    assert "Claims detected by classifier rules-1.0; a detected claim is evidence for review" in html
    crawled = {"https://alpha.example/treatments", "https://gamma.example/",
               "https://epsilon.example/conditions?a=1&amp;b=2", "https://zeta.example/"}
    for url in re.findall(r"https?://[^\s\"'<>]+", html):
        assert url in crawled, f"unexpected URL in HTML: {url}"
    for match in re.finditer(r"<(\w+)[^>]*\s(?:src|href)=\"([^\"]*)\"", html):
        tag, href = match.groups()
        assert tag == "a", match.group(0)
        assert href in crawled or re.fullmatch(r"dossiers/[a-z0-9-]+-\d+\.html|#\w+", href), href
    for anchor in re.findall(r"<a [^>]*>", html):
        assert 'rel="noopener noreferrer nofollow"' in anchor
    assert "<svg" in html and "<link" not in html and "@import" not in html and "url(" not in html
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["clinics"][0]["name"] == "Alpha Regen" and data["clinics"][0]["breadth"] == 3
    assert data["clinics"][0]["dossier"] == "dossiers/alpha-regen-1.html"
    assert {"changes", "countries", "score_bins", "timeline"} <= set(data)


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
                " https://a.example", "https://a.example/\"onmouseover=x", "https:///x",
                "https://?x", "https://a.example/ x", "https://a.example/\n"):
        assert not is_web_url(bad), bad
    assert md_escape("a<b>|c\n[d](e)") == "a&lt;b&gt;\\|c \\[d\\](e)"
    assert md_escape("Plain words, 90%.") == "Plain words, 90%." and md_escape(" a  b ") == "a b"
    assert md_escape("x_y\t~") == "x\\_y \\~"


# --- what changed, periods, countries ------------------------------------------------------------

def test_what_changed_lists_events_of_the_latest_run(history_db: Path, tmp_path: Path) -> None:
    report = build_report(history_db)
    ch = report.changes
    assert ch.since is None and ch.run_ids == [2] and ch.description == "run 2"
    assert ch.counts == {"added": 6, "removed": 2, "newly_flagged": 2, "unreachable": 1,
                         "gone": 1, "moved": 1, "stopped_claiming": 1}
    insulin = next(c for c in ch.added if c.sentence.startswith("Insulin independence"))
    assert (insulin.clinic, insulin.category, insulin.condition, insulin.url, insulin.run_id,
            insulin.slug) == ("Alpha Regen", "cure", "diabetes",
                              "https://alpha.example/treatments", 2, "alpha-regen-1")
    assert [(c.clinic, c.condition) for c in ch.removed] == [
        ("Alpha Regen", "alzheimers"), ("Epsilon Cells", "als")]
    assert [c.clinic for c in ch.newly_flagged] == ["Beta <b>Stem</b>", "Epsilon Cells"]
    assert [c.clinic for c in ch.unreachable] == ["Gamma Ortho"]
    assert [c.clinic for c in ch.gone] == ["Delta Old"] and ch.moved[0].detail == HOSTILE_DETAIL
    assert [c.clinic for c in ch.stopped_claiming] == ["Zeta Clinic"]

    paths = write_report(history_db, tmp_path / "out")
    html = paths["html"].read_text(encoding="utf-8")
    changes = html[html.index('<h2 id="changes">'):html.index('<h2 id="clinics">')]
    added = changes[changes.index('id="changes-added"'):changes.index('id="changes-removed"')]
    removed = changes[changes.index('id="changes-removed"'):changes.index('id="changes-stopped')]
    assert "Insulin independence after one infusion." in added and "diabetes" in added
    assert '<a href="dossiers/alpha-regen-1.html" rel="noopener noreferrer nofollow">' \
           "Alpha Regen</a>" in added
    assert 'href="https://alpha.example/treatments"' in added
    assert "Stem cells reverse Alzheimer&#39;s." in removed and "alzheimers" in removed
    newly = changes[changes.index('id="changes-newly_flagged"'):changes.index('id="changes-added"')]
    assert "Epsilon Cells" in newly and "Beta &lt;b&gt;Stem&lt;/b&gt;" in newly
    assert "Alpha Regen" not in newly  # flagged in run 1, not in the reported run
    for title in ("Clinics that stopped making claims (1)", "Clinics unreachable (1)",
                  "Clinics gone", "Clinics that moved"):
        assert title in changes
    md = paths["md"].read_text(encoding="utf-8")
    md_changes = md[md.index("## What changed"):md.index("\n## Clinics\n")]
    assert "| [Alpha Regen](dossiers/alpha-regen-1.md) | Insulin independence after one " \
           "infusion. | cure | diabetes | [https://alpha.example/treatments]" in md_changes
    assert "Stem cells reverse Alzheimer's." in md_changes and "### Clinics newly flagged (2)" in md
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["changes"]["counts"]["added"] == 6 and data["changes"]["description"] == "run 2"
    assert {c["sentence"] for c in data["changes"]["removed"]} == {
        "Stem cells reverse Alzheimer's.", STYLE_SENTENCE}
    with paths["changes_csv"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14 and {r["run_id"] for r in rows} == {"2"}
    assert next(r for r in rows if "SUM" in r["sentence"])["sentence"].startswith("'=")
    assert {r["dossier"] for r in rows if r["clinic"] == "Alpha Regen"} == {
        "dossiers/alpha-regen-1.html"}

    older = build_report(history_db, run_id=1).changes  # an older run: its own events
    assert older.run_ids == [1] and [c.clinic for c in older.newly_flagged] == ["Alpha Regen"]
    assert {c.sentence for c in older.added} == {"Stem cells reverse Alzheimer's.",
                                                 "Knee cartilage regrows in weeks."}


def test_since_covers_every_run_started_on_or_after_the_date(history_db: Path,
                                                             tmp_path: Path) -> None:
    both = build_report(history_db, since="2026-11-01").changes
    assert both.run_ids == [1, 2] and both.counts["added"] == 8 and both.counts["newly_flagged"] == 3
    assert [c.run_id for c in both.added][:1] == [2] and both.added[-1].run_id == 1  # newest first
    assert "runs started on or after 2026-11-01 (runs 1, 2)" == both.description
    assert build_report(history_db, since="2026-11-02").changes.run_ids == [2]
    assert build_report(history_db, since="2026-11-08T09:00:00+00:00").changes.run_ids == [2]
    none = build_report(history_db, since="2026-12-01")
    assert none.changes.run_ids == [] and none.changes.total == 0 and not none.changes.added
    assert none.state == "current" and none.headline.asserted_claims == 7  # state unchanged
    assert build_report(history_db, run_id=1, since="2026-11-01").changes.run_ids == [1]
    with pytest.raises(ReportError):
        build_report(history_db, since="last tuesday")
    assert period_start("week", date(2026, 11, 15)) == "2026-11-08"
    assert period_start("month", date(2026, 11, 30)) == "2026-10-31"
    with pytest.raises(ValueError):
        period_start("fortnight", date(2026, 11, 15))

    paths = write_report(history_db, tmp_path / "out", since=period_start("week",
                                                                          date(2026, 11, 9)))
    html = paths["html"].read_text(encoding="utf-8")
    assert "What changed: runs started on or after 2026-11-02 (run 2)" in html
    paths = write_report(history_db, tmp_path / "out", since="2026-11-01")
    with paths["changes_csv"].open(encoding="utf-8", newline="") as fh:
        assert {r["run_id"] for r in csv.DictReader(fh)} == {"1", "2"}
    html = paths["html"].read_text(encoding="utf-8")
    assert "Knee cartilage regrows in weeks." in html and "(runs 1, 2)" in html


def test_claims_by_country(history_db: Path, tmp_path: Path) -> None:
    report = build_report(history_db)
    by_country = {c.country: c for c in report.countries}
    assert [c.country for c in report.countries][:3] == ["PA", "US", "MX"]
    us = by_country["US"]  # Alpha (3 claims) and Delta (no pages)
    assert (us.clinics, us.clinics_with_pages, us.clinics_with_asserted_claims,
            us.asserted_claims, us.flagged_pages) == (2, 1, 1, 3, 1)
    assert us.conditions == ["autism", "diabetes", "multiple_sclerosis"]
    assert (by_country["PA"].asserted_claims, by_country["MX"].asserted_claims) == (3, 1)
    assert by_country["DE"].asserted_claims == 0 and by_country["TH"].clinics == 1
    html = write_report(history_db, tmp_path / "out")["html"].read_text(encoding="utf-8")
    section = html[html.index('<h2 id="countries">'):html.index('<h2 id="conditions">')]
    assert "<title>Asserted claims by country</title>" in section
    assert re.search(r"<tr><td>US</td><td class=\"n\">2</td><td class=\"n\">1</td>"
                     r"<td class=\"n\">1</td><td class=\"n\">3</td>", section)


# --- dossiers ------------------------------------------------------------------------------------

def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_a_dossier_per_clinic_with_every_current_claim_and_its_evidence(
        history_db: Path, tmp_path: Path) -> None:
    paths = write_report(history_db, tmp_path / "out")
    folder = paths["dossiers"]
    slugs = ["alpha-regen-1", "beta-b-stem-b-2", "gamma-ortho-3", "delta-old-4",
             "epsilon-cells-5", "zeta-clinic-6"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{s}.{ext}" for s in slugs for ext in ("html", "md"))
    assert clinic_slug("Clínica Vida Celular", 7) == "clinica-vida-celular-7"
    assert clinic_slug("<script>", 8) == "script-8" and clinic_slug("日本", 9) == "clinic-9"
    report_html = paths["html"].read_text(encoding="utf-8")
    for slug in slugs:  # ranked clinics and the one without pages are linked
        assert f'href="dossiers/{slug}.html"' in report_html
    assert "(dossiers/alpha-regen-1.md)" in paths["md"].read_text(encoding="utf-8")

    alpha = (folder / "alpha-regen-1.html").read_text(encoding="utf-8")
    assert "<title>ClinicWatch dossier: alpha-regen-1</title>" in alpha and "@media print" in alpha
    assert "<h1>Alpha Regen</h1>" in alpha
    assert "a detected claim is evidence for review, not a finding about the clinic" in alpha
    identity = _section(alpha, "<h2>Clinic</h2>", "<h2>Summary</h2>")
    assert "US" in identity and "alpha.example" in identity
    assert 'href="https://www.alpha.example/start"' in identity
    current = _section(alpha, "<h2>Current claims detected (3)</h2>", "<h2>History")
    for sentence in ("Insulin independence after one infusion.",
                     "We treat autism with stem cells.",
                     "Cures MS | [click](javascript:alert(2)) **now**"):
        row = re.search(r"<tr><td class=\"sentence\">" + re.escape(sentence) + r"</td>(.*?)</tr>",
                        current)
        assert row, sentence
        assert T2 in row.group(1) and NEW in row.group(1) and "asserts" in row.group(1)
    assert "<td>unapproved_indication</td><td>autism</td>" in current
    assert 'href="https://alpha.example/treatments"' in current and f"captured {T2}" in current
    assert "Alzheimer" not in current and "lupus" not in current  # not current / old classifier
    assert MITIGATION in current and "&lt;i&gt;Risks&lt;/i&gt; are listed." in current
    assert f"archived: {WARC} @ 1234" in current
    assert f"clinicwatch snapshot https://alpha.example/treatments --at {T2}" in current
    assert "This is not a cure for autism." in current  # context, labelled as not counted
    history = alpha[alpha.index("<h2>History (6 events)</h2>"):]
    events = re.findall(r'<td class="ev-\w+">(\w+)</td>', history)
    assert events == ["removed", "added", "added", "added", "newly_flagged", "added"]
    assert history.index("Stem cells reverse Alzheimer&#x27;s.") < history.index("Insulin")

    epsilon = (folder / "epsilon-cells-5.html").read_text(encoding="utf-8")
    assert "No archived copy recorded for this capture." in epsilon and "archived:" not in epsilon
    assert "Book a free consultation today." in epsilon  # a claim without a condition
    delta = (folder / "delta-old-4.html").read_text(encoding="utf-8")
    assert "No page of this clinic in this state." in delta and "inactive" in delta
    assert "unreachable in its last 3 runs" in delta

    md = (folder / "alpha-regen-1.md").read_text(encoding="utf-8")
    assert md.startswith("# Alpha Regen\n") and f"archived: {WARC} @ 1234" in md
    assert f"| Insulin independence after one infusion. | cure | diabetes | asserts | 0.93 | {T2} |" \
           f" {NEW} |" in md
    assert "Cures MS \\| \\[click\\](javascript:alert(2)) \\*\\*now\\*\\*" in md
    assert f"- {MITIGATION}" in md and "## History (6 events)" in md
    assert f"command: clinicwatch snapshot https://alpha.example/treatments --at {T2}" in md


def test_dossiers_list_every_claim_while_the_report_caps_long_lists(
        history_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reports.render as render
    monkeypatch.setattr(render, "MAX_CLAIMS_PER_PAGE_SHOWN", 1)
    monkeypatch.setattr(render, "MAX_CHANGES_SHOWN", 2)
    monkeypatch.setattr(render, "MAX_CLINICS_SHOWN", 2)
    paths = write_report(history_db, tmp_path / "out")
    html = paths["html"].read_text(encoding="utf-8")
    assert "Showing the 2 highest-ranked of 5 clinics; 3 more in clinics.csv" in html
    ranking = _section(html, '<h2 id="clinics">', '<h2 id="countries">')
    assert "Alpha Regen" in ranking and 'href="dossiers/gamma-ortho-3.html"' not in ranking
    assert len(paths["clinics_csv"].read_text(encoding="utf-8").splitlines()) == 6  # all 5
    assert (paths["dossiers"] / "gamma-ortho-3.html").exists()  # every clinic has its dossier
    assert "2 more in claims.csv." in html  # Alpha's page: 3 asserted claims, 1 shown
    assert "Showing 2 of 6; 4 more in changes.csv." in html
    assert "Showing 2 of 6; 4 more in changes.csv." in paths["md"].read_text(encoding="utf-8")
    alpha = (paths["dossiers"] / "alpha-regen-1.html").read_text(encoding="utf-8")
    assert "Current claims detected (3)" in alpha and alpha.count('<td class="sentence">') == 3 + 1 + 5


def test_dossier_slugs_are_stable_and_stale_dossiers_removed(history_db: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = sorted(p.name for p in write_report(history_db, out)["dossiers"].iterdir())
    (out / "dossiers" / "renamed-clinic-99.html").write_text("old", encoding="utf-8")
    (out / "dossiers" / "notes.txt").write_text("mine", encoding="utf-8")
    conn = sqlite3.connect(history_db)
    with conn:  # a third run: the names and ids, hence the slugs, do not change
        conn.execute("INSERT INTO runs (id, started_at, finished_at, status, clinic_filter) "
                     "VALUES (3, '2026-11-15T10:00:00+00:00', NULL, 'finished', '')")
    conn.close()
    again = write_report(history_db, out)["dossiers"]
    assert sorted(p.name for p in again.iterdir() if p.name != "notes.txt") == first
    assert (again / "notes.txt").exists()  # only our own dossier files are cleaned up
    assert build_report(history_db).changes.total == 0  # run 3 recorded nothing


# --- hostile input: inert everywhere -------------------------------------------------------------

class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "a", "span", "b",
    "br", "div", "table", "tr", "th", "td", "ul", "li", "code", "section", "details", "summary",
    "figure", "figcaption", "svg", "desc", "rect", "line", "text", "g", "i",
}
ALLOWED_ATTRS = {"charset", "http-equiv", "content", "name", "lang", "class", "href", "rel",
                 "title", "id", "colspan", "role", "aria-label", "width", "height", "viewbox",
                 "x", "y", "x1", "y1", "x2", "y2", "text-anchor"}
CRAWLED_LINKS = {"https://alpha.example/treatments", "https://gamma.example/",
                 "https://epsilon.example/conditions?a=1&b=2", "https://zeta.example/",
                 "https://alpha.example/", "https://www.alpha.example/start",
                 "https://beta.example/", "https://epsilon.example/"}  # pages and seed URLs


def _assert_inert_html(html: str, where: str) -> None:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    static_css = (Path(render_module.__file__).parent / "templates" / "_style.css.j2").read_text(
        encoding="utf-8").split("-#}\n", 1)[1]
    assert [t for t, _ in parser.tags].count("style") == 1, where
    assert "".join(parser.styles).strip() == static_css.strip(), where  # nothing crawled in CSS
    assert "expression(" not in static_css and "url(" not in static_css
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (where, tag, attrs)
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRS, (where, tag, name, value)  # no on*, src, style ...
        if tag == "a":
            href = attrs.get("href") or ""
            assert attrs.get("rel") == "noopener noreferrer nofollow", (where, attrs)
            assert href in CRAWLED_LINKS or re.fullmatch(
                r"(dossiers/)?[a-z0-9-]+-\d+\.html|#\w+|\.\./report\.html", href), (where, href)
        if tag == "meta" and attrs.get("http-equiv"):
            assert attrs["http-equiv"] == "Content-Security-Policy", (where, attrs)
            assert attrs["content"].startswith("default-src 'none'"), where
    assert html.count("</style>") == 1, where  # a crawled "</style>" is always escaped
    assert html.count("</title>") == html.count("<title>") == [t for t, _ in parser.tags].count(
        "title"), where


def test_hostile_strings_are_inert_in_report_and_dossiers(history_db: Path,
                                                          tmp_path: Path) -> None:
    paths = write_report(history_db, tmp_path / "out")
    pages = {"report.html": paths["html"].read_text(encoding="utf-8")}
    pages.update({p.name: p.read_text(encoding="utf-8")
                  for p in paths["dossiers"].glob("*.html")})
    for name, html in pages.items():
        _assert_inert_html(html, name)
        lowered = html.lower()
        assert "<script" not in lowered and "<img" not in lowered and "javascript:alert" \
            not in re.sub(r">[^<]*<", "><", lowered), name  # only ever in text, never markup
    report = pages["report.html"]
    assert "&lt;/style&gt;&lt;style&gt;*{color:red}&lt;/style&gt;" in report
    assert "Epsilon&lt;/title&gt;&lt;/style&gt;&lt;style&gt;body{background:url(" in report
    epsilon = pages["epsilon-cells-5.html"]
    assert "Epsilon&lt;/title&gt;&lt;/style&gt;" in epsilon  # the title, as text
    assert "&lt;/style&gt;&lt;style&gt;*{color:red}&lt;/style&gt;" in epsilon  # context + history
    beta = pages["beta-b-stem-b-2.html"]
    assert "<title>ClinicWatch dossier: beta-b-stem-b-2</title>" in beta
    assert "<h1>Beta &lt;b&gt;Stem&lt;/b&gt;</h1>" in beta
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Our stem cells cure autism." in beta
    assert "&lt;img src=x onerror=alert(1)&gt;" in beta  # the page title
    assert 'title="not an http(s) URL: shown as text">javascript:alert(1)</span>' in beta
    assert "clinicwatch snapshot" not in beta  # no archived copy recorded for Beta's page
    zeta = pages["zeta-clinic-6.html"]
    assert "&lt;a href=&#x27;" not in zeta and "&lt;a href=&quot;https://evil.example/&quot; " \
        "onclick=&quot;alert(4)&quot;&gt;moved&lt;/a&gt;" in zeta
    for md_file in [paths["md"], *paths["dossiers"].glob("*.md")]:
        md = md_file.read_text(encoding="utf-8")
        assert not re.search(r"<[a-zA-Z/!?]", md), md_file.name  # no raw HTML at all
        assert not re.search(r"(?<!\\)\]\((?!https?://|dossiers/)", md), md_file.name


def test_hostile_warc_name_and_url_in_the_snapshot_command(history_db: Path,
                                                           tmp_path: Path) -> None:
    conn = sqlite3.connect(history_db)
    with conn:
        conn.execute("UPDATE page_versions SET warc_file = ?, warc_offset = 7 WHERE id = 3",
                     ("../<script>x</script>.warc.gz",))
    conn.close()
    paths = write_report(history_db, tmp_path / "out")
    beta = (paths["dossiers"] / "beta-b-stem-b-2.html").read_text(encoding="utf-8")
    _assert_inert_html(beta, "beta")
    assert "archived: ../&lt;script&gt;x&lt;/script&gt;.warc.gz @ 7" in beta
    # the URL is shell-quoted in the command (a crawled URL must not run anything when pasted)
    assert "<code>clinicwatch snapshot &#x27;javascript:alert(1)&#x27; --at " in beta


# --- charts --------------------------------------------------------------------------------------

def test_charts_are_inline_svg_with_text_equivalents(history_db: Path, tmp_path: Path) -> None:
    report = build_report(history_db)
    assert [b.pages for b in report.score_bins] == [0, 1, 0, 0, 0, 0, 0, 2, 0, 1]
    assert [(t.run_id, t.added, t.removed, t.tracked) for t in report.timeline] == [
        (1, 2, 0, 2), (2, 6, 2, 6)]
    html = write_report(history_db, tmp_path / "out")["html"].read_text(encoding="utf-8")
    for title in ("Page score distribution",
                  "Claims over time: distinct asserted claims added and removed per run",
                  "Top conditions claimed: clinics with asserted claims",
                  "Highest page score per clinic", "Asserted claims by country"):
        svg = re.search(r'<svg role="img" aria-label="' + re.escape(title) + r'\. [^"]+"[^>]*>\s*'
                        r"<title>" + re.escape(title) + r"</title>\s*<desc>[^<]+</desc>", html)
        assert svg, title
    scores = _section(html, "<figcaption><b>Page score distribution", "</figure>")
    assert scores.count('<rect class="bar"') == 3 and "<td>0.7–0.8</td><td>2</td>" in scores
    timeline = _section(html, "<figcaption><b>Claims over time", "</figure>")
    assert 'class="added"' in timeline and 'class="removed"' in timeline
    assert "<title>run 2: 6 distinct claims added</title>" in timeline
    assert "<tr><td>2</td><td>2026-11-08T10:00:00+00:00</td><td>finished</td><td>6</td>" \
           "<td>2</td><td>6</td></tr>" in timeline
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| 0.7–0.8 | 2 |" in md and "| 2 | 2026-11-08T10:00:00+00:00 | finished | 6 | 2 | 6 |" in md


# --- one count, explained: the headline counts distinct claims, as What changed does -------------

def test_headline_counts_a_repeated_claim_once_and_every_occurrence(fixture_db: Path) -> None:
    """Cosmetic variants of one clinic's claim are one distinct claim and two occurrences; another
    clinic, condition or category makes another claim; a superseded classifier's row is neither."""
    conn = sqlite3.connect(fixture_db)
    with conn:
        conn.executemany(
            "INSERT INTO claims (version_id, clinic_id, url, captured_at, sentence, category,"
            " condition, stance, score, classifier_version) VALUES (?, ?, 'https://x.example/', ?,"
            " 'Insulin independence after one infusion.', ?, ?, 'asserts', 0.5, ?)",
            [(5, 5, T2, "cure", "diabetes", NEW),  # another clinic
             (2, 1, T2, "cure", None, NEW),  # another condition (none)
             (2, 1, T2, "hype", "diabetes", NEW),  # another category
             (2, 1, T2, "cure", "diabetes", OLD)])  # superseded classifier: not in the state
        conn.execute(  # Alpha's claim again, differing only in case, spacing and punctuation
            "INSERT INTO claims (version_id, clinic_id, url, captured_at, sentence, category,"
            " condition, stance, score, classifier_version) VALUES (2, 1, 'https://x.example/', ?,"
            " 'INSULIN independence,  after one infusion!', 'cure', 'diabetes', 'asserts', 0.5, ?)",
            (T2, NEW))
    conn.close()
    h = build_report(fixture_db).headline
    assert (h.asserted_claims, h.asserted_claims_distinct) == (7 + 4, 7 + 3)


def _ints(pattern: str, text: str) -> tuple[int, ...]:
    """The numbers of the one match of `pattern` in `text` (two matches would be ambiguous)."""
    found = list(re.finditer(pattern, text))
    assert len(found) == 1, (pattern, [m.group(0) for m in found])
    return tuple(int(g) for g in found[0].groups())


def test_demo_headline_distinct_claims_equal_the_first_runs_distinct_claims_added(
        demo_crawl, tmp_path: Path) -> None:
    """On the crawled demo web, which repeats claims across pages, the Summary's distinct count is
    the first run's "Distinct claims added" in HTML, Markdown and JSON, and its occurrences are the
    asserted rows of claims.csv (report.json's `asserted_claims` keeps that meaning)."""
    db_path, outcome, _ = demo_crawl
    conn = sqlite3.connect(db_path)
    try:
        assert outcome.run_id == conn.execute("SELECT MIN(id) FROM runs").fetchone()[0]
        tracked = conn.execute("SELECT COUNT(*) FROM clinic_claims").fetchone()[0]
    finally:
        conn.close()
    paths = write_report(db_path, tmp_path / "out", run_id=outcome.run_id)
    report = build_report(db_path, outcome.run_id)
    added = report.changes.counts["added"]
    with paths["claims_csv"].open(encoding="utf-8", newline="") as fh:
        occurrences = sum(r["stance"] == "asserts" for r in csv.DictReader(fh))
    assert report.changes.run_ids == [outcome.run_id]
    assert report.headline.asserted_claims_distinct == added == tracked
    assert report.headline.asserted_claims == occurrences > added  # repeats: the counts differ

    html = unescape(paths["html"].read_text(encoding="utf-8"))
    assert _ints(r"<b>(\d+)</b>distinct asserted claims detected \((\d+) occurrences across "
                 r"pages\)</div>", html) == (added, occurrences)
    assert _ints(r"<b>(\d+)</b>distinct claims added</div>", html) == (added,)
    assert _ints(r'<h3 id="changes-added">Distinct claims added \((\d+)\)</h3>', html) == (added,)
    md = paths["md"].read_text(encoding="utf-8")
    assert _ints(r"\| Distinct asserted claims detected \| (\d+) \((\d+) occurrences across "
                 r"pages\) \|", md) == (added, occurrences)
    assert _ints(r"\| Distinct claims added \| (\d+) \|", md) == (added,)
    assert _ints(r"### Distinct claims added \((\d+)\)", md) == (added,)
    for text in (html, md):  # the difference explains itself next to the numbers
        assert render_module.DISTINCT_NOTE in text
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert (data["headline"]["asserted_claims_distinct"], data["headline"]["asserted_claims"],
            data["changes"]["counts"]["added"]) == (added, occurrences, added)
