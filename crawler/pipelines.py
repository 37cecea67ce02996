"""The one item pipeline: extract -> classify -> store, and the run's bookkeeping.

Content already stored for a URL (same hash) is not classified again: it costs a timestamp.
Extraction and classification run in worker processes beside the reactor (AnalysisPool); the
writes go to SQLite in batched transactions (each page its own savepoint inside the batch, so a
failed page rolls back alone). A write that cannot succeed (disk full, I/O error) stops the crawl
gracefully: every later page would fail alike, so the run is closed `interrupted` with the reason
("disk full: ...") and what was committed stays.
"""
from __future__ import annotations

import logging
import resource
import sqlite3
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from crawler.analysis_pool import AnalysisPool
from crawler.classify import score
from crawler.classify.voice import hints_from_structured
from crawler.extract import extract_html
from crawler.items import FetchFailure, PageItem, PageNotModified
from crawler.store.events import record_run_events
from crawler.store.schema import open_db
from crawler.store.writer import (finish_run, known_hashes, record_fetch, start_run, store_page, touch_page, utc_now,
                                  write_failure)

logger = logging.getLogger(__name__)

# Scrapy finish reasons mapped to run status; anything else is a failure.
RUN_STATUS = {"finished": "finished", "shutdown": "interrupted", "closespider_pagecount": "finished",
              "closespider_timeout": "finished", "closespider_itemcount": "finished"}
# Scrapy stats worth keeping with the run for crawl-health reports.
KEPT_STATS = ("downloader/request_count", "downloader/response_count", "response_received_count",
              "retry/count", "robotstxt/forbidden", "dupefilter/filtered", "offsite/filtered",
              "elapsed_time_seconds", "clinicwatch/refused_private", "clinicwatch/offsite_dropped",
              "clinicwatch/page_cap_reached", "clinicwatch/skipped_non_html", "log_count/ERROR",
              "retry/max_reached", "httperror/response_ignored_count", "memusage/startup", "memusage/max")
# ... and every stat under these prefixes: what failed and how, for crawl-health reports.
KEPT_STAT_PREFIXES = ("downloader/response_status_count/", "downloader/exception_type_count/",
                      "retry/reason_count/", "robotstxt/", "clinicwatch/")
WRITE_FAILURE_STAT = "clinicwatch/write_failure"  # why writing stopped ("disk full: ..."); set once


def stop_for_write_failure(crawler: Crawler, reason: str) -> None:
    """Stop the crawl gracefully because nothing more can be written; the run closes `interrupted`.

    Called by the pipeline (the DB) and the spider (a WARC write failing in the downloader).
    """
    if crawler.stats.get_value(WRITE_FAILURE_STAT):
        return
    crawler.stats.set_value(WRITE_FAILURE_STAT, reason)
    logger.error("%s: stopping the crawl (what was committed is kept)", reason)
    if getattr(crawler, "engine", None) is not None:  # Scrapy's graceful stop, as on SIGTERM
        stopping = deferred_from_coro(crawler.stop_async())
        stopping.addErrback(lambda failure: logger.debug("stopping the crawl: %s", failure.getErrorMessage()))


def analyse_page(html: str, url: str, known: frozenset[str], max_elements: int,
                 max_text_chars: int) -> tuple[Any, Any, bool]:
    """Extract, and classify unless the content is known: (page, score or None, text truncated).

    One call (one round trip to a worker) per page; `known` are the content hashes already
    stored for the URL.
    """
    page = extract_html(html, url, max_elements=max_elements)
    if page.content_hash in known:
        return page, None, False
    hints = hints_from_structured(page.structured)  # schema.org/og types: who speaks (issue 15)
    return page, score(page.text[:max_text_chars], title=page.title, hints=hints), len(page.text) > max_text_chars


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db: Any = None
        self.run_id: int | None = None
        self.pool: AnalysisPool | None = None  # extraction + classification beside the reactor
        self.commit_pages = crawler.settings.getint("CLINICWATCH_COMMIT_EVERY_PAGES", 200)
        self.commit_seconds = crawler.settings.getfloat("CLINICWATCH_COMMIT_EVERY_SECONDS", 1.0)
        self.batch_pages = 0
        self.batch_started = 0.0
        self.committer: LoopingCall | None = None
        self.db_failed = False  # a write failed (disk full): nothing more is written
        self.max_elements = crawler.settings.getint("CLINICWATCH_MAX_PAGE_ELEMENTS", 100_000)
        self.max_text_chars = crawler.settings.getint("CLINICWATCH_MAX_TEXT_CHARS", 500_000)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        return pipeline

    def open_spider(self) -> None:
        workers = self.crawler.settings.getint("CLINICWATCH_ANALYSIS_WORKERS")
        if workers > 0:
            self.pool = AnalysisPool(workers)
        spider = self.crawler.spider
        self.db = open_db(spider.db_path)
        self.run_id = spider.run_id or start_run(self.db, spider.clinic_names)
        spider.run_id = self.run_id
        self.committer = LoopingCall(self._commit_if_due)
        self.committer.start(self.commit_seconds, now=False)
        logger.info("run %s writing to %s", self.run_id, spider.db_path)

    # -- batched transactions -----------------------------------------------------------------
    def _batch(self) -> None:
        """Make sure a batch transaction is open before a write."""
        if not self.db.conn.in_transaction:
            self.db.begin()
            self.batch_pages, self.batch_started = 0, time.monotonic()

    def _written(self) -> None:
        self.batch_pages += 1
        if self.batch_pages >= self.commit_pages:
            self._commit()

    def _commit_if_due(self) -> None:
        if self.db is not None and time.monotonic() - self.batch_started >= self.commit_seconds:
            self._commit()

    def _commit(self) -> None:
        """Commit the batch; a commit that fails (disk full) stops the crawl instead of raising in the reactor."""
        if self.db is not None and self.db.conn.in_transaction:
            try:
                self.db.commit()
            except (sqlite3.Error, OSError) as exc:
                self._write_failed(write_failure(exc) or f"write failed: {type(exc).__name__}: {exc}")
                return
            self.crawler.stats.inc_value("clinicwatch/commits")
        self.batch_pages = 0

    def _write_failed(self, reason: str) -> None:
        """Drop the batch that cannot be written (nothing half-written stays) and stop the crawl."""
        self.db_failed = True
        if self.db is not None and self.db.conn.in_transaction:
            try:
                self.db.conn.rollback()
            except sqlite3.Error as exc:
                logger.error("rollback after a failed write: %s", exc)
        self.batch_pages = 0
        stop_for_write_failure(self.crawler, reason)

    def _record_failure(self, item: FetchFailure) -> None:
        self._batch()
        with self.db.atomic():
            record_fetch(self.db, self.run_id, item.clinic_id, item.url, item.status, item.outcome,
                         item.error, item.fetched_at)
        self._written()

    async def _analyse(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run CPU-heavy extraction/classification beside the reactor (in the worker pool) when one is set."""
        if self.pool is None:
            return function(*args, **kwargs)
        return await self.pool.run(function, *args, **kwargs)

    async def process_item(self, item: Any) -> Any:
        if self.db is None or self.db_failed:
            return item  # the DB takes no more writes: the crawl is closing (a full WARC disk still lets pages in)
        try:
            return await self._store(item)
        except (sqlite3.Error, OSError) as exc:
            if not self._stopped_by(exc):
                raise
            return item

    def _stopped_by(self, exc: BaseException) -> bool:
        """Whether `exc` is a write that cannot succeed (then the crawl stops); other errors are the caller's."""
        reason = write_failure(exc)
        if reason:
            self._write_failed(reason)
        return bool(reason)

    async def _store(self, item: Any) -> Any:
        if isinstance(item, FetchFailure):
            self._record_failure(item)
            return item
        if isinstance(item, PageNotModified):
            self._batch()
            touch_page(self.db, run_id=self.run_id, clinic_id=item.clinic_id, url=item.url, http_status=304,
                       fetched_at=item.fetched_at)
            self._written()
            self.crawler.stats.inc_value("clinicwatch/pages_unchanged")
            return {"url": item.url, "outcome": "unchanged"}
        if isinstance(item, PageItem):
            try:
                page, result, truncated = await self._analyse(
                    analyse_page, item.html, item.url, known_hashes(self.db, item.url), self.max_elements,
                    self.max_text_chars)
                if truncated:  # the classifier read the head; the whole text is stored
                    self.crawler.stats.inc_value("clinicwatch/text_truncated_for_classifier")
            except Exception as exc:  # a page that breaks the analysis is recorded, never lost silently
                self.crawler.stats.inc_value("clinicwatch/analysis_failed")
                logger.error("analysis of %s failed: %s", item.url, exc)
                self._record_failure(FetchFailure(item.clinic_id, item.url, item.status,
                                                  f"analysis failed: {exc}"[:500], item.fetched_at))
                return {"url": item.url, "outcome": "error"}
            if page.extractor == "fallback-large":
                self.crawler.stats.inc_value("clinicwatch/pages_many_elements")
            self._batch()
            outcome = store_page(self.db, run_id=self.run_id, clinic_id=item.clinic_id, url=item.url,
                                 http_status=item.status, fetched_at=item.fetched_at, body_bytes=item.body_bytes,
                                 page=page, result=result, etag=item.etag, last_modified=item.last_modified,
                                 links=item.links, warc_file=item.warc_file, warc_offset=item.warc_offset)
            self._written()
            self.crawler.stats.inc_value(f"clinicwatch/pages_{outcome}")
            return {"url": item.url, "outcome": outcome}
        return item

    def request_dropped(self, request: Any, spider: Any) -> None:
        """A redirect the scheduler refused as already seen: record it, so no requested URL vanishes.

        Scrapy's duplicate filter drops a redirect to a URL requested before without telling the
        spider: a redirect loop (A -> B -> A) would leave no trace of A at all.
        """
        chain = request.meta.get("redirect_urls")
        if self.db is None or not chain:
            return
        hops = " -> ".join([*chain, request.url])
        if request.url in chain:
            url, outcome, error = chain[0], "error", f"redirect loop: {hops}"
        else:  # redirected to a page this crawl already requested: its content is recorded under that URL
            url, outcome, error = chain[0], "skipped", f"redirected to an already requested URL: {hops}"
        self.crawler.stats.inc_value(f"clinicwatch/redirect_{'loop' if outcome == 'error' else 'to_seen'}")
        if self.db_failed:
            return
        try:
            self._record_failure(FetchFailure(request.meta.get("clinic_id"), url, None, error[:500], utc_now(),
                                              outcome))
        except (sqlite3.Error, OSError) as exc:
            if not self._stopped_by(exc):
                raise

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.committer is not None and self.committer.running:
            self.committer.stop()
        try:
            if self.db is not None:
                self._close_run(reason)
        except (sqlite3.Error, OSError) as exc:  # the parent (run_crawl) closes the run, or recovery does
            logger.error("run %s could not be closed: %s", self.run_id, write_failure(exc) or exc)
        finally:
            if self.db is not None:
                self.db.close()
                self.db = None
            if self.pool is not None:  # always: its workers would keep this process from exiting
                self.pool.close()
                self.pool = None

    def _close_run(self, reason: str) -> None:
        self._commit()
        # Peak resident memory of this crawl process (Linux reports KiB): hostile pages must not inflate it.
        self.crawler.stats.set_value("clinicwatch/peak_rss_bytes",
                                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        stats = self.crawler.stats.get_stats()
        kept = {k: stats[k] for k in KEPT_STATS if k in stats}
        kept.update({k: v for k, v in stats.items() if k.startswith(KEPT_STAT_PREFIXES)})
        failure = stats.get(WRITE_FAILURE_STAT)
        status = "interrupted" if failure else RUN_STATUS.get(reason, "failed")
        finish_run(self.db, self.run_id, status, failure or reason, kept)
        if status == "finished":  # an interrupted run would read as claims removed: no events then
            events = record_run_events(self.db, self.run_id,
                                       gone_after=self.crawler.settings.getint("CLINICWATCH_GONE_AFTER_RUNS"))
            logger.info(events.summary())
