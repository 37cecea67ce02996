"""Shared fixtures: loopback sites, a seeded DB, and a crawl run the way users run it."""
from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from crawler.demo_web.server import DemoWeb, SiteServer
from crawler.seeds import read_seeds
from crawler.store.schema import open_db
from crawler.store.writer import import_seeds
from scheduler.crawl_process import LOOPBACK_SETTINGS, CrawlOutcome, run_crawl


def write_seeds(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["name", "country", "urls", "domains", "tags"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"country": "", "domains": "", "tags": "", **row})
    return path


def seed_db(db_path: Path, seeds_csv: Path) -> None:
    db = open_db(db_path)
    import_seeds(db, read_seeds(seeds_csv))
    db.close()


class SlowSite(SiteServer):
    """A clinic site that takes `delay` seconds per page (robots.txt and sitemap.xml stay fast),
    so a test can act while a crawl is mid-way."""

    delay = 0.0

    def resolve(self, path):  # called in the handler thread for every request
        if path not in ("/robots.txt", "/sitemap.xml"):
            time.sleep(self.delay)
        return super().resolve(path)


def wait_for(condition, seconds: float, what: str):
    """Poll `condition` until it returns something truthy (and return that), or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def crawl(db_path: Path, clinics: list[str] | None = None, **settings: str) -> CrawlOutcome:
    """Crawl like `clinicwatch crawl --allow-private` (own process), with extra setting overrides."""
    return run_crawl(db_path, clinics or [], settings={**LOOPBACK_SETTINGS, **settings}, timeout=120)


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory) -> tuple[Path, CrawlOutcome, DemoWeb]:
    """The bundled demo web crawled once into a DB shared by read-only tests."""
    out = tmp_path_factory.mktemp("demo")
    web = DemoWeb(port=0).start()
    try:
        seeds = web.write_seeds(out / "seeds.csv")
        db_path = out / "demo.db"
        seed_db(db_path, seeds)
        outcome = crawl(db_path)
    finally:
        web.stop()
    return db_path, outcome, web
