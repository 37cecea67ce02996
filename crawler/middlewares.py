"""Downloader middlewares that keep every request (redirects included) where it belongs."""
from __future__ import annotations

import logging

from datetime import datetime, timezone
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.archive import WarcArchive
from crawler.store.history import archive_dir_for

from crawler import netguard
from crawler.scope import host_of, in_domains
from crawler.text_safety import strip_userinfo

logger = logging.getLogger(__name__)


class PrivateAddressGuardMiddleware:
    """Refuse private/loopback/link-local targets a clinic's seeds did not name (SSRF guard).

    Allowed: public addresses; the clinic's own seed hosts (start-URL hosts and `domains`
    entries, exactly); hosts or addresses in CLINICWATCH_ALLOWED_PRIVATE_HOSTS (`--allow-host`).
    Everything else that resolves to a non-public address is refused before any connection,
    with a reason the spider records in fetch_log (outcome "skipped"). CLINICWATCH_ALLOW_PRIVATE
    turns the guard off. Rules and normalisation: crawler/netguard.py; the crawl's DNS resolver
    (crawler/netresolver.py) connects only to the addresses checked here.
    """

    def __init__(self, allow_private: bool, crawler: Crawler,
                 allowed: netguard.AllowList | None = None) -> None:
        self.allow_private = allow_private
        self.allowed = allowed or netguard.AllowList()
        self.crawler = crawler
        self.stats = crawler.stats
        self._trusted: dict[int | None, frozenset[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "PrivateAddressGuardMiddleware":
        from crawler.netresolver import guard_from_settings

        allow_private, allowed = guard_from_settings(crawler.settings)
        return cls(allow_private, crawler, allowed)

    def trusted_for(self, clinic_id: int | None) -> frozenset[str]:
        """The hosts the user wrote for this clinic (all clinics' for requests without one, e.g. robots.txt)."""
        if clinic_id not in self._trusted:
            clinics = getattr(self.crawler.spider, "clinics_by_id", None) or {}
            chosen = [clinics[clinic_id]] if clinic_id in clinics else list(clinics.values())
            self._trusted[clinic_id] = frozenset().union(*(
                netguard.trusted_hosts(str(c.get("seed_urls") or "").split(), str(c.get("domains") or "").split())
                for c in chosen))
        return self._trusted[clinic_id]

    async def process_request(self, request: Request) -> None:
        if self.allow_private:
            return None
        host = host_of(request.url)
        if netguard.needs_lookup(host):  # a DNS query: off the reactor thread
            from twisted.internet import reactor
            from twisted.internet.threads import deferToThreadPool
            from scrapy.utils.defer import maybe_deferred_to_future

            await maybe_deferred_to_future(deferToThreadPool(reactor, reactor.getThreadPool(), netguard.resolve, host))
        trusted = self.trusted_for(request.meta.get("clinic_id"))
        reason = netguard.check(host, trusted=trusted, allowed=self.allowed)
        if reason:
            self.stats.inc_value("clinicwatch/refused_private")
            raise IgnoreRequest(f"refused: {reason}")
        if host and not all(netguard.is_public_ip(a) for a in netguard.resolve(host)):
            netguard.clear(host)  # a seed or allowed host: the crawl's resolver may connect to it
        return None


class StripUserinfoMiddleware:
    """Re-issue a request whose URL carries `user:pass@` (a redirect target) without it.

    The spider strips credentials from seeds, links and sitemap entries; a redirect's
    Location is the one URL it never sees. Credentials a site hands out are never sent, and
    never reach fetch_log, pages or the logs (crawler/text_safety.py).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StripUserinfoMiddleware":
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        stripped = strip_userinfo(request.url)
        if stripped == request.url:
            return None
        self.stats.inc_value("clinicwatch/userinfo_stripped")
        return request.replace(url=stripped)


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
        prefix = settings.get("CLINICWATCH_WARC_PREFIX") or f"run{getattr(spider, 'run_id', None) or 0:06d}"
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


class ServerErrorDisallowsRobotsTxtMiddleware(RobotsTxtMiddleware):
    """robots.txt per RFC 9309: a 5xx answer means "disallow everything" (Scrapy reads it as allow-all).

    A site whose robots.txt is failing may be struggling; crawling it anyway is not polite.
    """

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self.crawler.stats.inc_value("clinicwatch/robotstxt_5xx_disallow_all")
            response = response.replace(body=b"User-agent: *\nDisallow: /\n")
        await super()._parse_robots(response, netloc, request)
