"""History on a real loopback site: conditional re-crawl, one new version per change, claim
events, the WARC evidence archive and `clinicwatch snapshot`, retention."""
from __future__ import annotations

import time

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from crawler.demo_web.server import SiteServer
from crawler.store.history import archive_dir_for, prune_versions
from crawler.store.schema import open_db
from scheduler.cli import cli
from tests.conftest import crawl, seed_db, write_seeds

HOME = ("<!doctype html><html lang='en'><head><title>Harbor Cells</title></head><body><main>"
        "<h1>Harbor Cells</h1><p>Welcome to our regenerative clinic in the harbour district.</p>"
        "<p><a href='/diabetes.html'>Diabetes</a> <a href='/contact.html'>Contact</a></p></main></body></html>")
DIABETES_V1 = ("<!doctype html><html lang='en'><head><title>Diabetes</title></head><body><main>"
               "<h1>Stem cells for diabetes</h1><p>Our stem cell therapy cures type 2 diabetes.</p>"
               "<p>Our stem cell injections also regrow worn knee cartilage.</p></main></body></html>")
DIABETES_V2 = ("<!doctype html><html lang='en'><head><title>Diabetes</title></head><body><main>"
               "<h1>Stem cells for diabetes</h1><p>Our stem cell therapy cures type 2 diabetes.</p>"
               "<p>Our stem cell injections also reverse autism.</p></main></body></html>")
CONTACT = ("<!doctype html><html lang='en'><head><title>Contact</title></head><body><main>"
           "<h1>Contact</h1><p>Harbor Cells, 4 Quay Street. Open Monday to Friday.</p></main></body></html>")


@pytest.fixture
def site(tmp_path):
    server = SiteServer(host="127.0.0.51")
    server.set_routes({"/": (200, {}, HOME), "/diabetes.html": (200, {}, DIABETES_V1),
                       "/contact.html": (200, {}, CONTACT)})
    with server:
        seed_db(tmp_path / "h.db", write_seeds(tmp_path / "seeds.csv", [{"name": "Harbor Cells", "urls": server.url("/")}]))
        yield server


def rows(db_path, sql, params=()):
    return [tuple(r) for r in open_db(db_path).execute(sql, params).fetchall()]


def test_history_end_to_end(tmp_path, site):
    db_path = tmp_path / "h.db"
    first = crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0")
    assert first.status == "finished" and first.new_versions == 3
    assert {r[0] for r in rows(db_path, "SELECT event FROM claim_events WHERE run_id = ?", [first.run_id])} == {"added"}
    assert rows(db_path, "SELECT event FROM clinic_events WHERE run_id = ?", [first.run_id]) == [("newly_flagged",)]

    # Every page version points to its archived response, readable with warcio.
    archive = archive_dir_for(db_path)
    versions = rows(db_path, "SELECT url, warc_file, warc_offset FROM page_versions")
    assert all(f and o is not None for _, f, o in versions)
    for warc in archive.glob("*.warc.gz"):
        with warc.open("rb") as handle:
            types = [r.rec_type for r in ArchiveIterator(handle)]
        assert types[0] == "warcinfo" and types.count("request") == types.count("response") > 0

    # Unchanged site: conditional requests answered 304, no new version, no claim events.
    second = crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0")
    assert second.status == "finished" and second.new_versions == 0
    statuses = rows(db_path, "SELECT status, outcome FROM fetch_log WHERE run_id = ?", [second.run_id])
    assert (304, "unchanged") in statuses and all(o == "unchanged" for _, o in statuses)
    assert rows(db_path, "SELECT COUNT(*) FROM claim_events WHERE run_id = ?", [second.run_id]) == [(0,)]

    # One page changes: exactly one new version, one claim removed, one added.
    time.sleep(1.1)  # Last-Modified has one-second resolution
    before_change = rows(db_path, "SELECT MAX(fetched_at) FROM page_versions")[0][0]
    site.set_page("/diabetes.html", DIABETES_V2)
    third = crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0")
    assert third.new_versions == 1
    events = rows(db_path, "SELECT event, sentence, condition FROM claim_events WHERE run_id = ? ORDER BY event",
                  [third.run_id])
    added = {(s, c) for e, s, c in events if e == "added"}
    removed = {(s, c) for e, s, c in events if e == "removed"}
    assert any("autism" in s for s, _ in added) and not any("autism" in s for s, _ in removed)
    assert any("knee" in s for s, _ in removed) and not any("cures type 2" in s for s, _ in added | removed)

    # Snapshot returns the original bytes, now and as it was before the change.
    url = site.url("/diabetes.html")
    runner = CliRunner()
    out_new, out_old = tmp_path / "new.html", tmp_path / "old.html"
    result = runner.invoke(cli, ["--db", str(db_path), "snapshot", url, "--out", str(out_new)])
    assert result.exit_code == 0, result.output
    assert out_new.read_bytes() == DIABETES_V2.encode()
    result = runner.invoke(cli, ["--db", str(db_path), "snapshot", url, "--at", before_change, "--out", str(out_old)])
    assert result.exit_code == 0, result.output
    assert out_old.read_bytes() == DIABETES_V1.encode()
    headers = runner.invoke(cli, ["--db", str(db_path), "snapshot", url, "--headers"])
    assert headers.output.startswith(f"200 {url}") and "etag:" in headers.output.lower()
    missing = runner.invoke(cli, ["--db", str(db_path), "snapshot", site.url("/nope.html")])
    assert missing.exit_code == 1 and "no stored version" in missing.output

    # Retention: the old diabetes version carried claims, so it survives pruning.
    db = open_db(db_path)
    assert prune_versions(db, keep=1) == 0
    assert rows(db_path, "SELECT COUNT(*) FROM page_versions WHERE url = ?", [url]) == [(2,)]


def test_prune_drops_only_old_claimless_versions(tmp_path, site):
    db_path = tmp_path / "h.db"
    crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0")
    for n in range(2):
        time.sleep(1.1)
        site.set_page("/contact.html", CONTACT.replace("Open Monday", f"Open ({n}) Monday"))
        crawl(db_path, CLINICWATCH_FOLLOW_SITEMAPS="0")
    contact = site.url("/contact.html")
    assert rows(db_path, "SELECT COUNT(*) FROM page_versions WHERE url = ?", [contact]) == [(3,)]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "prune", "--keep", "1", "--dry-run"])
    assert "2 page versions would be deleted" in result.output
    result = CliRunner().invoke(cli, ["--db", str(db_path), "prune", "--keep", "1"])
    assert "2 page versions deleted" in result.output
    current = rows(db_path, "SELECT current_version_id FROM pages WHERE url = ?", [contact])[0][0]
    assert rows(db_path, "SELECT id FROM page_versions WHERE url = ?", [contact]) == [(current,)]
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]
