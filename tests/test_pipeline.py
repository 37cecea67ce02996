"""The item pipeline's speed machinery changes nothing a user sees: workers or inline, batched commits."""
from __future__ import annotations

import json

from crawler.demo_web.server import DemoWeb
from crawler.store.schema import open_db
from tests.conftest import crawl, seed_db


def stored(db_path) -> tuple[dict, dict, int]:
    """(content hash per URL, claims per URL, commits) of the DB's one run."""
    db = open_db(db_path)
    try:
        hashes = dict(db.execute("SELECT url, content_hash FROM page_versions").fetchall())
        claims = {}
        for url, sentence, category, stance in db.execute(
                "SELECT url, sentence, category, stance FROM claims ORDER BY url, span_start, category"):
            claims.setdefault(url, []).append((sentence, category, stance))
        stats = json.loads(db.execute("SELECT stats FROM runs").fetchone()[0])
        assert db.execute("SELECT COUNT(*) FROM fetch_log").fetchone()[0] == \
            db.execute("SELECT COUNT(DISTINCT url) FROM fetch_log").fetchone()[0]  # each URL logged once
        return hashes, claims, stats.get("clinicwatch/commits", 0)
    finally:
        db.close()


def test_workers_and_inline_store_the_same_pages_and_claims_in_batches(tmp_path):
    web = DemoWeb(port=0).start()
    try:
        seeds = web.write_seeds(tmp_path / "seeds.csv")
        results = {}
        for mode, workers in (("inline", "0"), ("workers", "2")):
            db_path = tmp_path / f"{mode}.db"
            seed_db(db_path, seeds)
            outcome = crawl(db_path, CLINICWATCH_ANALYSIS_WORKERS=workers, CLINICWATCH_COMMIT_EVERY_PAGES="10",
                            CLINICWATCH_COMMIT_EVERY_SECONDS="60")
            assert outcome.status == "finished"
            results[mode] = (outcome, *stored(db_path))
    finally:
        web.stop()
    (inline, inline_hashes, inline_claims, inline_commits), (workers, hashes, claims, commits) = \
        results["inline"], results["workers"]
    assert len(hashes) > 50 and hashes == inline_hashes
    assert claims == inline_claims and sum(map(len, claims.values())) > 100
    # One commit per 10 writes (plus the last, partial batch), not one per page.
    writes = workers.pages_fetched
    assert writes // 10 <= commits <= writes // 10 + 2
    assert inline_commits <= inline.pages_fetched // 10 + 2
