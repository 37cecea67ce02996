"""Scrapy's downloader with its per-domain concurrency cap kept when there is no download delay.

Scrapy 2.19 marks a request as transferring only when its download coroutine starts, which is
after `_process_queue` has released the slot's whole queue (`free_transfer_slots()` never drops
inside its loop). With a delay, one request leaves per call and the cap holds; with
DOWNLOAD_DELAY 0 it does not: measured, 16 requests at once to one host with
CONCURRENT_REQUESTS_PER_DOMAIN = 1. Marking each request as it is released keeps the cap
(tests/test_spider.py measures it at the server).

Stopping: Scrapy's graceful stop fetches every request already handed to the downloader, and
with a politeness delay that queue is slow (16 requests at 0.5 s: 8 s after Ctrl-C). Once the
crawler is stopping, requests still waiting for their turn are dropped (IgnoreRequest
CRAWL_STOPPING, not recorded: the site never saw them); downloads under way finish and are kept.
"""
from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy.core.downloader import Downloader
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import _schedule_coro
from twisted.python.failure import Failure

CRAWL_STOPPING = "the crawl is stopping: not fetched"


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Any) -> None:
        if slot.queue and not self.crawler.crawling:
            while slot.queue:
                request, queue_dfd = slot.queue.popleft()
                queue_dfd.errback(Failure(IgnoreRequest(CRAWL_STOPPING)))
            return
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)  # a delayed slot releases one request at a time: correct
            return
        now = monotonic()
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # counted now, not when the coroutine starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
