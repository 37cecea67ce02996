"""Shared fixtures: loopback sites, a seeded DB, and a crawl run the way users run it."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crawler.demo_web.server import DemoWeb
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
