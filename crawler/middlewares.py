"""Downloader middlewares that keep every request (redirects included) where it belongs."""
from __future__ import annotations

import logging

from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.archive import WarcArchive
from crawler.store.history import archive_dir_for

from crawler.netguard import non_public_reason
from crawler.scope import host_of, in_domains

logger = logging.getLogger(__name__)


class PrivateAddressGuardMiddleware:
    """Refuse private/loopback/link-local targets unless CLINICWATCH_ALLOW_PRIVATE is set."""

    def __init__(self, allow_private: bool, crawler: Crawler) -> None:
        self.allow_private = allow_private
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PrivateAddressGuardMiddleware":
        return cls(crawler.settings.getbool("CLINICWATCH_ALLOW_PRIVATE"), crawler)

    def process_request(self, request: Request) -> None:
        if self.allow_private:
            return None
        reason = non_public_reason(host_of(request.url))
        if reason:
            self.stats.inc_value("clinicwatch/refused_private")
            raise IgnoreRequest(f"refused: {reason} (use --allow-private for your own test sites)")
        return None


class ClinicScopeMiddleware:
    """Drop requests outside the clinic's domains, including redirects that leave them."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ClinicScopeMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        domains = request.meta.get("clinic_domains")
        if domains is None or in_domains(request.url, domains):
            return None
        self.stats.inc_value("clinicwatch/offsite_dropped")
        raise IgnoreRequest(f"offsite: {request.url} is outside {' '.join(domains)}")


class WarcArchiveMiddleware:
    """Write every response (with its request) to the WARC evidence archive.

    Sits just inside HttpCompressionMiddleware, so it stores the decoded body the classifier
    read (the archive notes the original Content-Encoding); redirects are followed before it and
    are not archived. The record's (file, offset) travels in request.meta["warc"] to the page
    version that stores the content.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: WarcArchive | None = None
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcArchiveMiddleware":
        return cls(crawler)

    def _open(self) -> WarcArchive:
        settings, spider = self.crawler.settings, self.crawler.spider
        directory = archive_dir_for(spider.db_path, settings.get("CLINICWATCH_ARCHIVE_DIR"))
        directory.mkdir(parents=True, exist_ok=True)
        prefix = f"run{getattr(spider, 'run_id', None) or 0:06d}"
        return WarcArchive(Path(directory), prefix, settings.getint("CLINICWATCH_WARC_MAX_BYTES"))

    def process_response(self, request: Request, response: Response) -> Response:
        if self.archive is None:
            self.archive = self._open()
        record = self.archive.write_exchange(
            url=response.url, method=request.method,
            request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, vs in request.headers.items() for v in vs],
            status=response.status, reason="",
            response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs],
            body=response.body, fetched_at=datetime.now(timezone.utc),
        )
        request.meta["warc"] = (record.file, record.offset)
        self.crawler.stats.inc_value("clinicwatch/archived_responses")
        return response

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None
