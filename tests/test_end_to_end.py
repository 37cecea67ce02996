"""The whole spine on the bundled demo web: crawl -> extract -> classify -> SQLite -> report."""
from __future__ import annotations

import json
import re

from click.testing import CliRunner

from crawler.store.schema import open_db
from reports.render import write_report
from scheduler.cli import cli


def test_demo_crawl_stores_every_clinic_with_evidence(demo_crawl):
    db_path, outcome, web = demo_crawl
    assert outcome.status == "finished", outcome
    db = open_db(db_path)
    clinics = {r["name"]: r["id"] for r in db.query("SELECT id, name FROM clinics")}
    assert len(clinics) == len(web.sites) >= 6
    per_clinic = dict(db.execute(
        "SELECT clinic_id, COUNT(*) FROM pages WHERE current_version_id IS NOT NULL GROUP BY clinic_id").fetchall())
    assert set(per_clinic) == set(clinics.values())  # every clinic reached
    assert sum(per_clinic.values()) >= 60
    texts = "\n".join(r[0] for r in db.execute("SELECT text FROM page_versions"))
    assert "ROBOTS-DISALLOWED-MARKER" not in texts
    assert texts.count("SITEMAP-ONLY-MARKER") >= len(web.sites)  # every site's sitemap-only page
    urls = [r[0] for r in db.execute("SELECT url FROM pages")]
    assert not any(u.endswith((".pdf", ".png")) for u in urls)
    assert all(re.match(r"http://127\.0\.0\.\d+:\d+/", u) for u in urls)  # never another address
    errors = list(db.query("SELECT url, status FROM fetch_log WHERE run_id = ? AND outcome = 'error'",
                           [outcome.run_id]))
    assert any(e["status"] == 404 for e in errors)  # the broken links are recorded
    run = next(db.query("SELECT * FROM runs WHERE id = ?", [outcome.run_id]))
    assert run["status"] == "finished" and run["finish_reason"] == "finished"
    assert run["pages_stored"] == sum(per_clinic.values())

    # Evidence first: every claim carries sentence, URL, capture time and classifier version,
    # and its sentence is verbatim in the stored text of the version it came from.
    rows = list(db.query(
        "SELECT c.*, v.text FROM claims c JOIN page_versions v ON v.id = c.version_id"))
    assert len(rows) > 50
    for row in rows:
        assert row["sentence"] and row["url"] and row["captured_at"] and row["classifier_version"]
        assert row["sentence"] in row["text"]
        assert row["text"][row["span_start"]:row["span_end"]].strip() == row["sentence"].strip()


def test_demo_flags_sellers_not_debunkers(demo_crawl):
    db_path, _, web = demo_crawl
    db = open_db(db_path)
    max_score = dict(db.execute(
        "SELECT c.name, MAX(s.score) FROM clinics c JOIN page_scores s ON s.clinic_id = c.id GROUP BY c.id"))
    flagged = dict(db.execute(
        "SELECT c.name, SUM(s.flagged) FROM clinics c JOIN page_scores s ON s.clinic_id = c.id GROUP BY c.id"))
    by_slug = {site.slug: site.name for site in web.sites}
    for seller in ("renewcell-institute", "clinica-vida-celular", "zellkraft-klinik", "meridian-cellular"):
        assert flagged[by_slug[seller]] > 0, seller
    for honest in ("northgate-bmt", "octps-consumer", "healthlens-news"):
        assert flagged[by_slug[honest]] == 0, (honest, max_score[by_slug[honest]])
    conditions = {r[0] for r in db.execute(
        "SELECT DISTINCT condition FROM claims WHERE stance = 'asserts' AND condition IS NOT NULL")}
    assert {"diabetes", "autism", "multiple_sclerosis"} <= conditions


def test_report_escapes_script_planted_in_a_crawled_page(demo_crawl, tmp_path):
    db_path, outcome, _ = demo_crawl
    db = open_db(db_path)
    planted = db.execute("SELECT COUNT(*) FROM page_versions WHERE text LIKE '%<script>alert(%'").fetchone()[0]
    assert planted == 1  # the demo's hostile testimonial made it into the DB as text
    files = write_report(db_path, tmp_path / "report", run_id=outcome.run_id)
    html = files["html"].read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    markdown = files["md"].read_text(encoding="utf-8")
    assert "<script" not in markdown.lower()


def test_report_command_and_seeds_list(demo_crawl, tmp_path):
    db_path, _, web = demo_crawl
    result = CliRunner().invoke(cli, ["--db", str(db_path), "report", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "claims.csv").exists()
    listed = CliRunner().invoke(cli, ["--db", str(db_path), "seeds", "list"])
    assert all(site.name in listed.output for site in web.sites)


def test_canned_queries_answer_on_the_demo_db(demo_crawl):
    import asyncio

    from datasette.app import Datasette

    from reports.datasette_meta import metadata

    db_path, _, web = demo_crawl
    name = db_path.stem

    async def fetch(path):
        ds = Datasette([str(db_path)], metadata=metadata(name))
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        return response.json()

    top = asyncio.run(fetch(f"/{name}/top_clinics.json?_shape=array"))
    assert len(top) == len(web.sites)
    diabetes = asyncio.run(fetch(f"/{name}/claims_by_condition.json?condition=diabetes&_shape=array"))
    assert diabetes and all(row["condition"] == "diabetes" for row in diabetes)


def test_demo_command_prints_summary_and_stops_its_web(tmp_path):
    import socket

    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "d"), "--port", "0"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "clinics: 7" in out and "highest-scoring clinics" in out
    assert out.count("e.g. \"") == 3  # three top clinics, one example sentence each
    assert str((tmp_path / "d" / "demo.db").resolve()) in out
    assert "report.html" in out and "serve --port" in out
    # the summary's claim count is the report's headline: distinct claims, as the first run's
    # "Distinct claims added" counts them, then the occurrences across pages
    distinct, occurrences = map(int, re.search(
        r"^  distinct asserted claims detected: (\d+) \((\d+) occurrences across pages: a claim "
        r"repeated on several pages counts once\)$", out, re.M).groups())
    report_dir = tmp_path / "d" / "report"
    data = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert distinct == data["headline"]["asserted_claims_distinct"] \
        == data["changes"]["counts"]["added"]
    assert occurrences == data["headline"]["asserted_claims"] > distinct
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    assert f"### Distinct claims added ({distinct})" in md
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert f"<b>{distinct}</b>distinct claims added" in html
    port = int(re.search(r"127\.0\.0\.x:(\d+)", out).group(1))
    with socket.socket() as probe:  # the demo web is stopped when the demo ends
        assert probe.connect_ex(("127.0.0.11", port)) != 0


def test_mitigating_sentences_are_stored_beside_the_score(demo_crawl):
    db_path, _, web = demo_crawl
    db = open_db(db_path)
    hedger = next(site.name for site in web.sites if site.slug == "meridian-cellular")
    rows = [r[0] for r in db.execute(
        "SELECT s.mitigations FROM page_scores s JOIN clinics c ON c.id = s.clinic_id WHERE c.name = ?", [hedger])]
    assert any("experimental" in (m or "").lower() for m in rows)


def test_every_canned_query_answers_on_the_demo_db(demo_crawl):
    """Each canned query, with example parameters, answers with rows on the crawled demo DB."""
    import asyncio
    import urllib.parse

    from datasette.app import Datasette

    from reports.datasette_meta import QUERIES, metadata

    db_path, _, web = demo_crawl
    name = db_path.stem

    async def fetch_all(paths):
        ds = Datasette([str(db_path)], metadata=metadata(name))
        out = {}
        for key, path in paths.items():
            response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            out[key] = response.json()
        return out

    def path(query, **params):
        return f"/{name}/{query}.json?" + urllib.parse.urlencode({**params, "_shape": "array"})

    top = asyncio.run(fetch_all({"top": path("top_clinics")}))["top"]
    seller = top[0]["clinic"]  # the highest-scoring clinic has asserted claims
    params = {"claims_by_condition": {"condition": "diabetes"}, "clinic_dossier": {"clinic": seller},
              "search_claims": {"q": "stem cells"}}
    for query in QUERIES:
        if "since" in QUERIES[query].get("params", []):
            params[query] = {"since": "2000-01-01"}
    results = asyncio.run(fetch_all({q: path(q, **params.get(q, {})) for q in QUERIES}))
    # A single demo run: its events added every claim and newly flagged every flagged clinic,
    # and removed nothing (crawl state has no removals yet), so that one answers an empty list.
    assert results["claims_removed_since"] == []
    # The demo web is written in the 8 supported languages: nothing is "not scored" there
    # (tests/test_language_scope.py crawls a Polish site for that query).
    assert results["not_scored_pages"] == []
    for query, rows in results.items():
        if query not in ("claims_removed_since", "not_scored_pages"):
            assert isinstance(rows, list) and rows, query
    assert len(results["top_clinics"]) == len(web.sites)
    assert {r["clinic"] for r in results["clinic_dossier"]} == {seller}
    flagged = {r["clinic"] for r in results["flagged_pages"]}
    assert {r["clinic"] for r in results["newly_flagged_since"]} == flagged
    assert {r["run_id"] for r in results["claims_added_since"]} == {1}
    assert results["top_clinics_by_breadth"][0]["example"]
