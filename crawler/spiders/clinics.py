"""The `clinics` spider: crawl each registered clinic's site inside its own domains.

Start URLs and domains come from the clinics table. Links and sitemap entries are followed
only inside the clinic's domains (www and subdomains count), up to a per-clinic page cap;
depth is capped by DEPTH_LIMIT; robots.txt is obeyed by Scrapy's RobotsTxtMiddleware.

    scrapy crawl clinics -a db=clinicwatch.db -a clinics="Clinic A;Clinic B" -s CLINICWATCH_ALLOW_PRIVATE=1
"""
from __future__ import annotations

import logging
from typing import Any, AsyncIterator
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, ResponseDataLossError
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from crawler.downloader import CRAWL_STOPPING
from crawler.extract import decode_html, sniff_binary
from crawler.items import FetchFailure, PageItem, PageNotModified
from crawler.pipelines import stop_for_write_failure
from crawler.retry import RETRY_AFTER_NOTE
from crawler.settings import READERS, check_settings
from crawler.scope import in_domains
from crawler.store.schema import CLINIC_NAME_SEPARATOR, open_db
from crawler.store.writer import KnownPage, clinics_to_crawl, known_pages, utc_now, write_failure
from crawler.text_safety import strip_userinfo

logger = logging.getLogger(__name__)

HTML_TYPES = (b"text/html", b"application/xhtml+xml")
NOT_MODIFIED = 304
MAX_STORED_LINKS = 500  # links kept per page for following again when it answers 304


def _header(response: Response, name: bytes) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else ""
SITEMAP_TYPES = (b"xml", b"text/plain", b"gzip")


class ClinicsSpider(scrapy.Spider):
    name = "clinics"
    allowed_domains: list[str] = []  # scope is per clinic: see ClinicScopeMiddleware

    def __init__(self, db: str | None = None, clinics: str = "", run_id: str | int | None = None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.db_path = db
        self.clinic_names = [n.strip() for n in clinics.split(CLINIC_NAME_SEPARATOR) if n.strip()]
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.link_extractor = LinkExtractor(deny_extensions=IGNORED_EXTENSIONS + ["xml", "json", "txt"])
        self.max_pages = 0
        self.clinics: list[dict[str, Any]] = []
        self.clinics_by_id: dict[int, dict[str, Any]] = {}
        self.known: dict[str, KnownPage] = {}  # stored pages: validators and links for re-crawls
        self._seen: dict[int, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "ClinicsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        # `scrapy crawl clinics -s NAME=value` bypasses the environment: the same readers check it
        check_settings({n: crawler.settings.get(n) for n in READERS if crawler.settings.get(n) is not None})
        spider.db_path = spider.db_path or crawler.settings.get("CLINICWATCH_DB")
        spider.max_pages = crawler.settings.getint("CLINICWATCH_MAX_PAGES_PER_CLINIC")
        spider.follow_sitemaps = crawler.settings.getbool("CLINICWATCH_FOLLOW_SITEMAPS")
        db = open_db(spider.db_path)
        try:
            spider.clinics = clinics_to_crawl(db, spider.clinic_names)
            spider.clinics_by_id = {c["id"]: c for c in spider.clinics}
            spider.known = known_pages(db, list(spider.clinics_by_id))
        finally:
            db.close()
        return spider

    # -- requests --------------------------------------------------------------------------
    def _request(self, clinic: dict[str, Any], url: str, callback: Any, **meta: Any) -> scrapy.Request | None:
        """A request for `url` on behalf of `clinic`, or None when out of scope or over the cap.

        Credentials in a URL (`http://user:pass@host/`, from a seed, a link or a sitemap) are
        dropped: the page is fetched without them, so they are neither sent nor stored.
        """
        url = url.split("#", 1)[0]
        if "@" in url:
            stripped = strip_userinfo(url)
            if stripped != url:
                self.crawler.stats.inc_value("clinicwatch/userinfo_stripped")
                url = stripped
        domains = clinic["domains"].split()
        if not url.startswith(("http://", "https://")) or not in_domains(url, domains):
            return None
        seen = self._seen.setdefault(clinic["id"], set())
        if url in seen:
            return None
        if callback == self.parse_page:
            if len(seen) >= self.max_pages:
                self.crawler.stats.inc_value("clinicwatch/page_cap_reached")
                return None
            seen.add(url)
        headers = {}
        known = self.known.get(url) if callback == self.parse_page else None
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
            if headers:
                meta["handle_httpstatus_list"] = [NOT_MODIFIED]
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, headers=headers,
            meta={"clinic_id": clinic["id"], "clinic_domains": domains, **meta},
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.clinics:
            logger.warning("no clinics to crawl in %s (import seeds first)", self.db_path)
        for clinic in self.clinics:
            for url in clinic["seed_urls"].split():
                request = self._request(clinic, url, self.parse_page)
                if request is not None:
                    yield request
                if self.follow_sitemaps:
                    sitemap = self._request(clinic, urljoin(url, "/sitemap.xml"), self.parse_sitemap,
                                            sitemap_depth=0)
                    if sitemap is not None:
                        sitemap.priority = -1
                        yield sitemap

    def _clinic(self, response: Response) -> dict[str, Any]:
        return self.clinics_by_id[response.meta["clinic_id"]]

    # -- callbacks -------------------------------------------------------------------------
    def parse_page(self, response: Response) -> Any:
        clinic = self._clinic(response)
        if response.status == NOT_MODIFIED:
            self.crawler.stats.inc_value("clinicwatch/not_modified")
            yield PageNotModified(clinic["id"], response.url, utc_now())
            known = self.known.get(response.url)
            for url in known.links if known else ():
                request = self._request(clinic, url, self.parse_page)
                if request is not None:
                    yield request
            return
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        declared_html = isinstance(response, TextResponse) and any(t in content_type for t in HTML_TYPES)
        body_kind = sniff_binary(response.body) if declared_html else ""  # images, PDFs, garbage sent as HTML
        if not declared_html or body_kind:
            self.crawler.stats.inc_value("clinicwatch/skipped_non_html")
            reason = f"not HTML ({content_type.decode('latin-1') or 'no type'})"
            yield FetchFailure(response.meta["clinic_id"], response.url, response.status,
                               reason + (f": the body is {body_kind}" if body_kind else ""), utc_now(),
                               outcome="skipped")
            return
        html, encoding = decode_html(response.body, content_type.decode("latin-1"))
        if html != response.text:  # Scrapy misread a wrong or missing charset: read the links right too
            self.crawler.stats.inc_value("clinicwatch/charset_corrected")
            response = response.replace(encoding=encoding)
        domains = clinic["domains"].split()
        links = list(dict.fromkeys(strip_userinfo(link.url.split("#", 1)[0])
                                   for link in self.link_extractor.extract_links(response)
                                   if in_domains(link.url, domains)))[:MAX_STORED_LINKS]
        archived = response.meta.get("warc") or ("", None)
        yield PageItem(
            clinic_id=clinic["id"], url=response.url, status=response.status,
            html=html, body_bytes=len(response.body), fetched_at=utc_now(),
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            links=links, warc_file=archived[0], warc_offset=archived[1],
        )
        for url in links:
            request = self._request(clinic, url, self.parse_page)
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response) -> Any:
        clinic = self._clinic(response)
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:  # a broken sitemap is a site problem, not a crawl failure
            yield FetchFailure(clinic["id"], response.url, response.status, f"bad sitemap: {exc}", utc_now())
            return
        depth = response.meta.get("sitemap_depth", 0)
        for entry in sitemap:
            loc = entry.get("loc", "")
            if sitemap.type == "sitemapindex":
                if depth < 2:
                    request = self._request(clinic, loc, self.parse_sitemap, sitemap_depth=depth + 1)
                    if request is not None:
                        yield request
            else:
                request = self._request(clinic, loc, self.parse_page)
                if request is not None:
                    yield request

    def on_error(self, failure: Failure) -> Any:
        request = failure.request
        if failure.check(IgnoreRequest) and str(failure.value) == CRAWL_STOPPING:
            return  # dropped unfetched by a stopping crawl: nothing happened to record
        full = write_failure(failure.value)  # the WARC archive could not be written: no page can be kept
        if full:
            stop_for_write_failure(self.crawler, full)
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        if request.callback == self.parse_sitemap and status == 404:
            return  # most sites have no sitemap.xml: not an error
        message = _failure_message(failure)
        limit = _limit_hit(failure, message)
        if limit == "too large" and not message:  # Scrapy cancels a body growing past the limit silently
            maxsize = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            message = f"the body grew past DOWNLOAD_MAXSIZE ({maxsize} B) while downloading"
        error = f"{limit + ': ' if limit else ''}{failure.type.__name__}: {message}"
        if request.meta.get(RETRY_AFTER_NOTE):
            error = f"{error} ({request.meta[RETRY_AFTER_NOTE]})"
        chain = request.meta.get("redirect_urls")
        if chain:  # the URL the crawl asked for, where the failure happened is `request.url`
            error = f"{error[:380]} (redirected from {chain[0]})"
        # HttpError (4xx/5xx) subclasses IgnoreRequest but is a real failure, and so is a limit hit
        # (too large, too many redirects); robots/scope refusals are skips.
        outcome = "skipped" if failure.check(IgnoreRequest) and not failure.check(HttpError) and not limit else "error"
        self.crawler.stats.inc_value(f"clinicwatch/fetch_{outcome}")
        yield FetchFailure(request.meta.get("clinic_id"), request.url, status, error[:500], utc_now(), outcome)


def _limit_hit(failure: Failure, message: str) -> str:
    """Which crawl limit a failed download ran into ("" for other failures)."""
    if failure.check(DownloadCancelledError) and (not message or "max size" in message):
        return "too large"  # Content-Length over DOWNLOAD_MAXSIZE, or the body grew past it
    if "DOWNLOAD_MAXSIZE" in message:
        return "too large"  # a decompression bomb (HttpCompressionMiddleware)
    if failure.check(IgnoreRequest) and "max redirections" in message:
        return "too many redirects"
    return ""


def _failure_message(failure: Failure) -> str:
    """The failure's message or, for Scrapy's message-less errors, what caused them."""
    message = failure.getErrorMessage()
    if message or failure.check(DownloadCancelledError):
        return message
    cause = failure.value.__cause__
    reasons = getattr(cause, "reasons", None)  # Twisted's ResponseFailed carries the underlying failures
    if reasons:
        message = "; ".join(f"{r.type.__name__}: {r.getErrorMessage()}" for r in reasons)
    elif cause is not None:
        message = f"{type(cause).__name__}: {cause}"
    if failure.check(ResponseDataLossError):
        return "the connection ended before the whole body arrived" + (f" ({message})" if message else "")
    return message
