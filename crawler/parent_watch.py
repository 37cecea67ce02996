"""Stop a crawl whose parent is gone (a crawl task on a Dask worker that was killed, a `clinicwatch crawl` killed).

The crawl runs in its own process group, so its parent's death does not reach it; without this it
would crawl on for nobody (and Dask has already re-run its task elsewhere). When the process that
started the crawl (its pid is in CLINICWATCH_STOP_WITH_PARENT) is no longer its parent, the
crawler gets Scrapy's graceful stop (the run closes as interrupted, reason "shutdown"). Checked
once a second everywhere and, on Linux, at once: the kernel sends SIGHUP when the parent dies,
even by SIGKILL (prctl PR_SET_PDEATHSIG). Not SIGTERM: the kernel sends the death signal once per
thread that inherited it, and Scrapy takes a second SIGTERM as "stop now, uncleanly".
"""
from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)
CHECK_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int) -> bool:
    """Linux: have the kernel send `signum` to this process when its parent exits; False where unsupported.

    The "parent" is the thread that started this process: crawl_process.run_crawl waits for its
    crawl in that thread, so the signal comes only when the whole parent process is gone.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class ParentWatch:
    def __init__(self, parent: int, crawler: Crawler | None = None) -> None:
        self.parent = parent
        self.crawler = crawler
        self.loop = LoopingCall(self.check)
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ParentWatch":
        parent = crawler.settings.getint("CLINICWATCH_STOP_WITH_PARENT")
        if parent <= 0:
            raise NotConfigured
        # the pid is given, not read here: the parent may already be gone when this runs
        watch = cls(parent, crawler)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, watch.on_parent_death)
            die_with_parent(signal.SIGHUP)  # a parent that died before this line: check() at engine start sees it
        from scrapy import signals

        crawler.signals.connect(watch.start, signal=signals.engine_started)
        crawler.signals.connect(watch.stop, signal=signals.engine_stopped)
        return watch

    def start(self) -> None:
        self.loop.start(CHECK_SECONDS, now=True)

    def on_parent_death(self, _signum: int, _frame: object) -> None:
        """The kernel's death signal: check now, in the reactor (not in the signal handler)."""
        from twisted.internet import reactor

        reactor.callFromThread(self.check)

    def stop(self) -> None:
        if self.loop.running:
            self.loop.stop()

    def check(self) -> None:
        if self.stopping or os.getppid() == self.parent:
            return
        if self.crawler is None:
            self.stopping = True
            logger.warning("the process that started this crawl (%s) is gone: stopping", self.parent)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        engine = self.crawler.engine
        if engine is None or not engine.running:  # engine_started comes first: stopping now would end it "finished"
            return
        self.stopping = True
        logger.warning("the process that started this crawl (%s) is gone: stopping", self.parent)
        stopped = deferred_from_coro(self.crawler.stop_async())  # a no-op when already stopping
        stopped.addErrback(lambda failure: logger.error("stopping the crawl: %s", failure.getErrorMessage()))
