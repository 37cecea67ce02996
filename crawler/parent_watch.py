"""Stop a crawl whose parent is gone (a crawl task on a Dask worker that was killed).

The crawl runs in its own process group, so a worker's death does not reach it; without this it
would crawl on for nobody, and Dask has already re-run its task elsewhere. Checked at start and once a
second: when the process that started the crawl (its pid is in CLINICWATCH_STOP_WITH_PARENT) is
no longer its parent, the crawl gets SIGTERM, Scrapy's
graceful stop (the scratch run closes as interrupted).
"""
from __future__ import annotations

import logging
import os
import signal

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)
CHECK_SECONDS = 1.0


class ParentWatch:
    def __init__(self, parent: int) -> None:
        self.parent = parent
        self.loop = LoopingCall(self.check)
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ParentWatch":
        parent = crawler.settings.getint("CLINICWATCH_STOP_WITH_PARENT")
        if parent <= 0:
            raise NotConfigured
        # the pid is given, not read here: the parent may already be gone when this runs
        watch = cls(parent)
        from scrapy import signals

        crawler.signals.connect(watch.start, signal=signals.engine_started)
        crawler.signals.connect(watch.stop, signal=signals.engine_stopped)
        return watch

    def start(self) -> None:
        self.loop.start(CHECK_SECONDS, now=True)

    def stop(self) -> None:
        if self.loop.running:
            self.loop.stop()

    def check(self) -> None:
        if os.getppid() != self.parent and not self.stopping:
            self.stopping = True
            logger.warning("the process that started this crawl (%s) is gone: stopping", self.parent)
            os.kill(os.getpid(), signal.SIGTERM)
