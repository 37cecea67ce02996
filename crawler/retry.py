"""Retries that wait as long as the site asks (Retry-After), and give up when it asks too much.

Scrapy's RetryMiddleware retries a 429/503 at once, whatever the site said: impolite, and
usually useless (the site just told us when it will answer). A `Retry-After` of up to
CLINICWATCH_RETRY_AFTER_MAX seconds (delta-seconds or an HTTP date) is waited out before the
retry (asyncio sleep: the rest of the crawl goes on); a longer one means "not in this crawl":
no retry, and the fetch_log error says why. Without the header, retries are Scrapy's.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.response import response_status_message

RETRY_AFTER_NOTE = "clinicwatch_retry_after"  # request.meta: why a retry was not made


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (0 for a past date); None when absent or unreadable."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("CLINICWATCH_RETRY_AFTER_MAX", 30.0)

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.max_wait:
            self.crawler.stats.inc_value("clinicwatch/retry_after_too_long")
            request.meta[RETRY_AFTER_NOTE] = (f"not retried: Retry-After asks {wait:.0f} s, over "
                                              f"CLINICWATCH_RETRY_AFTER_MAX ({self.max_wait:g} s)")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            self.crawler.stats.inc_value("clinicwatch/retry_after_waited")
            await asyncio.sleep(wait)
        return retry
