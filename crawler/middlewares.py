"""Downloader middlewares that keep every request (redirects included) where it belongs."""
from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

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
