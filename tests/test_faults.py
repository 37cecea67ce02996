"""One real crawl over a hostile web (tests/fault_server.py): it finishes, records every failure, loses nothing.

The crawl runs in its own process the way users run it, with a low DOWNLOAD_TIMEOUT, one retry
and a 2 MiB page limit so the whole module stays around 10 s. Every fault path must end in
fetch_log with a meaningful outcome; every good page (wrong or missing charsets, a slow drip,
pathological markup) must be stored exactly once, whole and correctly decoded; nothing over the
limit is stored; the DB is intact; the crawl's peak memory stays bounded (a 1 GiB gzip bomb
never inflates); and the run's stats say what failed and how.

`EXPECTED` is the table the README's fault table is generated from:

    .venv/bin/python -m tests.test_faults      # prints the Markdown table
"""
from __future__ import annotations

import gzip
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.store.schema import open_db
from tests.conftest import crawl, seed_db, write_seeds
from tests.fault_server import (
    CLINIC_DOMAINS, MAIN, OFFSITE, OTHER_PORT, ROBOTS_CLOSED, ROBOTS_ERROR, FaultWeb, gzip_bomb,
)

LIMIT = 2 * 1024 * 1024  # CLINICWATCH_MAX_PAGE_BYTES: over the gzip bomb's 1 MB on the wire, under /huge
RETRIES = 1
TIMEOUT = 2
MAX_TEXT_CHARS = 20_000
SETTINGS = {
    "CLINICWATCH_DOWNLOAD_TIMEOUT": str(TIMEOUT),
    "CLINICWATCH_RETRY_TIMES": str(RETRIES),
    "CLINICWATCH_MAX_PAGE_BYTES": str(LIMIT),
    "CLINICWATCH_CONCURRENT_PER_DOMAIN": "8",  # the slow faults overlap instead of queueing
    "CLINICWATCH_MAX_PAGE_ELEMENTS": "250000",  # /deep (200,000 tags) takes the full path, /many-elements the lean one
    "CLINICWATCH_MAX_TEXT_CHARS": str(MAX_TEXT_CHARS),
}
PEAK_RSS_BOUND = 800 * 1024 * 1024  # an inflated 1 GiB bomb alone would be over this


@dataclass(frozen=True)
class Expect:
    outcome: tuple[str, ...]  # acceptable fetch_log outcomes
    status: int | None  # fetch_log.status
    fragments: tuple[str, ...]  # all must appear in fetch_log.error
    attempts: int | None  # requests the server saw for the path (None: not checked)
    recorded: str  # for the README table
    min_gap: float = 0.0  # seconds the crawler must have waited between attempts (Retry-After)


def _error(status: int | None, *fragments: str, attempts: int | None = 1 + RETRIES, recorded: str = "",
           min_gap: float = 0.0) -> Expect:
    return Expect(("error",), status, fragments, attempts, recorded, min_gap)


def _skipped(*fragments: str, attempts: int | None = 1, recorded: str = "") -> Expect:
    return Expect(("skipped",), None, fragments, attempts, recorded)


RETRIED = f"after 1 + CLINICWATCH_RETRY_TIMES attempts ({1 + RETRIES} here)"
EXPECTED: dict[tuple[str, str], Expect] = {
    (MAIN, "/status/500"): _error(500, "HttpError", recorded=f"`error`, status 500, {RETRIED}"),
    (MAIN, "/status/500-retry-after"): _error(500, "HttpError", min_gap=1.0,
                                              recorded=f"`error`, status 500, {RETRIED}, each retry after the "
                                                       "1 s the site asked for"),
    (MAIN, "/status/503"): _error(503, "HttpError", recorded=f"`error`, status 503, {RETRIED}"),
    (MAIN, "/status/503-retry-after"): _error(503, "HttpError", "Retry-After asks 3600 s", "not retried",
                                              attempts=1,
                                              recorded="`error`, status 503, not retried: the hour the site asked "
                                                       "for is over CLINICWATCH_RETRY_AFTER_MAX (30 s)"),
    (MAIN, "/status/429"): _error(429, "HttpError", min_gap=1.0,
                                  recorded=f"`error`, status 429, {RETRIED}, each retry after the 1 s asked for"),
    (MAIN, "/reset"): _error(None, "ResponseDataLossError", "ConnectionLost",
                             recorded=f"`error` `ResponseDataLossError ... ConnectionLost`, {RETRIED}"),
    (MAIN, "/timeout"): _error(None, "DownloadTimeoutError", f"took longer than {TIMEOUT}",
                               recorded=f"`error` `DownloadTimeoutError` after DOWNLOAD_TIMEOUT, {RETRIED}"),
    (MAIN, "/drip/too-slow"): _error(None, "DownloadTimeoutError",
                                     recorded=f"`error` `DownloadTimeoutError` (the timeout covers the whole body), "
                                              f"{RETRIED}"),
    (MAIN, "/truncated"): _error(None, "ResponseDataLossError", "_DataLoss",
                                 recorded=f"`error` `ResponseDataLossError ... _DataLoss`, nothing stored, {RETRIED}"),
    (MAIN, "/gzip-bomb"): _error(None, "too large", "DOWNLOAD_MAXSIZE", "decompression", attempts=1,
                                 recorded="`error` `too large: ... exceeded DOWNLOAD_MAXSIZE during decompression` "
                                          "(inflation stops at the limit), nothing archived or stored"),
    (MAIN, "/redirect/loop-a"): _error(None, "redirect loop", "/redirect/loop-b", attempts=1,
                                       recorded="`error` `redirect loop: A -> B -> A` (was silently dropped by "
                                                "Scrapy's duplicate filter)"),
    (MAIN, "/redirect/chain/0"): _error(None, "too many redirects", "redirected from", attempts=1,
                                        recorded="`error` `too many redirects` (REDIRECT_MAX_TIMES = 5) on the last "
                                                 "URL, `redirected from` the first"),
    (MAIN, "/redirect/offsite"): _skipped("offsite:", "redirected from",
                                          recorded="`skipped` `offsite: ... (redirected from ...)`; the other host "
                                                   "is never contacted"),
    (MAIN, "/redirect/other-port"): _skipped("offsite:", "redirected from",
                                             recorded="`skipped` `offsite: ...`; the other address is never contacted"),
    (MAIN, "/garbage"): _skipped("not HTML", "binary data", recorded="`skipped` `not HTML (text/html): the body is "
                                                                     "binary data`"),
    (MAIN, "/fake/png"): _skipped("not HTML", "PNG image", recorded="`skipped` `... the body is a PNG image`"),
    (MAIN, "/fake/pdf"): _skipped("not HTML", "PDF document", recorded="`skipped` `... the body is a PDF document`"),
    (MAIN, "/huge"): _error(None, "too large", "larger than download max size", attempts=1,
                            recorded="`error` `too large: ... Expected to receive N bytes which is larger than download "
                                     "max size` (cancelled at the headers)"),
    (MAIN, "/huge-chunked"): _error(None, "too large", "DOWNLOAD_MAXSIZE", attempts=1,
                                    recorded="`error` `too large: ... the body grew past DOWNLOAD_MAXSIZE` (cancelled "
                                             "while reading)"),
    (ROBOTS_CLOSED, "/page.html"): _skipped("robots.txt", attempts=0,
                                            recorded="`skipped` `Forbidden by robots.txt`; the page is never requested"),
    # RFC 9309: a 5xx robots.txt means "assume complete disallow" (Scrapy alone would allow all).
    (ROBOTS_ERROR, "/page.html"): _skipped("robots.txt", attempts=0,
                                           recorded="`skipped` `Forbidden by robots.txt` (a 5xx robots.txt "
                                                    "disallows everything, RFC 9309); the page is never requested"),
}
GOOD_RECORDED = {
    "/drip/ok": "`stored` once, whole",
    "/deep": "`stored` once, the innermost marker included (about 1 s; was quadratic: 100,000 levels took minutes)",
    "/many-elements": "`stored` once, the marker after them included, extractor `fallback-large` (bounded memory)",
    "/long-text": f"`stored` whole; the classifier reads the first CLINICWATCH_MAX_TEXT_CHARS ({MAX_TEXT_CHARS:,} "
                  "here), stat `clinicwatch/text_truncated_for_classifier`",
}
GOOD_TEST = "test_good_pages_stored_once_whole_and_decoded"


@dataclass
class FaultCrawl:
    db_path: Path
    run_id: int
    status: str
    web: FaultWeb
    seconds: float


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory) -> FaultCrawl:
    out = tmp_path_factory.mktemp("faults")
    db_path = out / "faults.db"
    with FaultWeb() as web:
        seeds = write_seeds(out / "seeds.csv", [
            {"name": "Fault Clinic", "urls": web.url("/"), "domains": " ".join(CLINIC_DOMAINS)}])
        seed_db(db_path, seeds)
        started = time.monotonic()
        outcome = crawl(db_path, **SETTINGS)
        seconds = time.monotonic() - started
    return FaultCrawl(db_path, outcome.run_id, outcome.status, web, seconds)


def _rows(fc: FaultCrawl) -> list[dict]:
    return list(open_db(fc.db_path).query(
        "SELECT url, status, outcome, error FROM fetch_log WHERE run_id = ? ORDER BY id", [fc.run_id]))


def _rows_for(rows: list[dict], url: str) -> list[dict]:
    """The fetch_log rows a requested URL ended in: its own, or those of the redirects it started."""
    return [r for r in rows if r["url"] == url or f"redirected from {url})" in (r["error"] or "")]


def test_crawl_finishes_in_bounded_time(fault_crawl):
    assert fault_crawl.status == "finished"
    run = next(open_db(fault_crawl.db_path).query("SELECT * FROM runs WHERE id = ?", [fault_crawl.run_id]))
    assert run["finish_reason"] == "finished"
    assert fault_crawl.seconds < 60, fault_crawl.seconds


@pytest.mark.parametrize("host,path", list(EXPECTED), ids=[f"{h}{p}" for h, p in EXPECTED])
def test_every_fault_is_recorded(fault_crawl, host, path):
    expect = EXPECTED[(host, path)]
    url = fault_crawl.web.url(path, host)
    rows = _rows_for(_rows(fault_crawl), url)
    assert len(rows) == 1, rows  # recorded once: never lost, never twice
    row = rows[0]
    assert row["outcome"] in expect.outcome, row
    if expect.outcome == ("error",) or expect.status is not None:
        assert row["status"] == expect.status, row
    for fragment in expect.fragments:
        assert fragment in row["error"], (fragment, row)
    if expect.attempts is not None:
        assert fault_crawl.web.requests_for(path, host) == expect.attempts
    if expect.min_gap:
        gaps = fault_crawl.web.gaps_for(path, host)
        assert gaps and min(gaps) >= expect.min_gap * 0.95, gaps  # Retry-After waited out


def test_fault_table_covers_every_fault_path(fault_crawl):
    assert {(f.host, f.path) for f in fault_crawl.web.faults} == set(EXPECTED)


def test_good_pages_stored_once_whole_and_decoded(fault_crawl):
    db = open_db(fault_crawl.db_path)
    rows = _rows(fault_crawl)
    for good in fault_crawl.web.good:
        url = fault_crawl.web.url(good.path, good.host)
        versions = [r["text"] for r in db.query(
            "SELECT v.text FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.url = ?", [url])]
        assert len(versions) == 1, (url, len(versions))
        assert [r["outcome"] for r in rows if r["url"] == url] == ["stored"], url
        text = versions[0]
        assert good.marker in text, url
        if good.sentence:
            assert good.sentence in text, (url, text[:300])  # verbatim: decoded with the right charset
        assert "\ufffd" not in text, url  # no replacement characters: nothing misdecoded
    # /long-text: stored whole, but claims only come from the first CLINICWATCH_MAX_TEXT_CHARS
    long_url = fault_crawl.web.url("/long-text")
    spans = [r[0] for r in db.execute("SELECT span_end FROM claims WHERE url = ?", [long_url])]
    assert all(end <= MAX_TEXT_CHARS for end in spans)
    extractors = dict(db.execute("SELECT url, extractor FROM page_versions").fetchall())
    assert extractors[fault_crawl.web.url("/many-elements")] == "fallback-large"
    assert extractors[fault_crawl.web.url("/deep")].startswith("trafilatura")


def test_every_link_ends_in_the_fetch_log(fault_crawl):
    """Lose nothing: each of the home page's links (faults and good pages) has an outcome."""
    rows = _rows(fault_crawl)
    missing = [x.path for x in [*fault_crawl.web.faults, *fault_crawl.web.good]
               if not _rows_for(rows, fault_crawl.web.url(x.path, x.host))]
    assert missing == []


def test_nothing_over_the_limit_is_stored_and_the_db_is_intact(fault_crawl):
    db = open_db(fault_crawl.db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT MAX(body_bytes) FROM page_versions").fetchone()[0] <= LIMIT
    assert db.execute("SELECT MAX(LENGTH(text)) FROM page_versions").fetchone()[0] <= LIMIT
    everything = "\n".join(r[0] for r in db.execute("SELECT text FROM page_versions"))
    for never in ("OVERSIZE-MARKER", "OFFSITE-MARKER", "ROBOTS-CLOSED-MARKER", "RESET-PARTIAL", "TRUNCATED-PARTIAL",
                  "DRIP-SLOW-MARKER", "STATUS-500", "PNG", "PDF-1.4"):
        assert never not in everything, never
    # The evidence archive holds what was downloaded, not what a bomb inflates to.
    archived = sum(p.stat().st_size for p in (fault_crawl.db_path.parent / "archive").rglob("*") if p.is_file())
    assert 0 < archived < 8 * 1024 * 1024, archived


def test_other_hosts_never_contacted(fault_crawl):
    contacted = fault_crawl.web.hosts_contacted()
    assert OFFSITE not in contacted and OTHER_PORT not in contacted
    assert contacted <= set(CLINIC_DOMAINS)


def test_run_stats_record_the_failures_and_bounded_memory(fault_crawl):
    db = open_db(fault_crawl.db_path)
    stats = json.loads(db.execute("SELECT stats FROM runs WHERE id = ?", [fault_crawl.run_id]).fetchone()[0])
    status = lambda code: stats.get(f"downloader/response_status_count/{code}", 0)  # noqa: E731
    assert status(500) == 3 * (1 + RETRIES)  # two pages and the robots.txt of ROBOTS_ERROR, each retried
    # /status/503 retried; /status/503-retry-after asked for an hour: not retried
    assert status(503) == (1 + RETRIES) + 1 and status(429) == 1 + RETRIES
    assert stats["retry/count"] >= 6 and stats["retry/max_reached"] >= 6
    assert stats["clinicwatch/retry_after_too_long"] == 1
    assert stats["clinicwatch/retry_after_waited"] == 2 * RETRIES  # /status/500-retry-after and /status/429
    exceptions = {k.rsplit(".", 1)[-1]: v for k, v in stats.items() if k.startswith("downloader/exception_type_count/")}
    # /timeout and /drip/too-slow; at least: on a loaded machine a slow good page may time out once too
    assert exceptions["DownloadTimeoutError"] >= 2 * (1 + RETRIES)
    assert exceptions["ResponseDataLossError"] == 2 * (1 + RETRIES)  # /reset and /truncated
    assert exceptions["DownloadCancelledError"] == 2  # /huge, /huge-chunked
    assert stats["robotstxt/response_status_count/500"] == 1
    assert stats["robotstxt/forbidden"] == 2  # Disallow: / and the 5xx robots.txt (RFC 9309)
    assert stats["clinicwatch/skipped_non_html"] == 3
    assert stats["clinicwatch/redirect_loop"] == 1
    assert stats["clinicwatch/offsite_dropped"] == 2
    assert stats["clinicwatch/charset_corrected"] >= 4
    assert stats["clinicwatch/text_truncated_for_classifier"] >= 1
    errors = sum(1 for e in EXPECTED.values() if e.outcome == ("error",))
    assert stats["clinicwatch/fetch_error"] + stats["clinicwatch/redirect_loop"] == errors
    assert next(db.query("SELECT errors FROM runs WHERE id = ?", [fault_crawl.run_id]))["errors"] == errors
    assert 0 < stats["clinicwatch/peak_rss_bytes"] < PEAK_RSS_BOUND, stats["clinicwatch/peak_rss_bytes"]


def test_gzip_bomb_is_a_valid_gzip_stream():
    """The bomb is real: the same construction at 16 MiB inflates to exactly that many zeros."""
    small = gzip_bomb(16 << 20)
    assert len(small) < 20_000
    assert gzip.decompress(small) == bytes(16 << 20)
    assert 900_000 < len(gzip_bomb()) < 1_200_000


def test_retry_after_values_are_read_like_http_says():
    from datetime import datetime, timezone

    from crawler.retry import retry_after_seconds

    now = datetime(2026, 11, 22, 3, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120", now) == 120
    assert retry_after_seconds(b"Sun, 22 Nov 2026 03:00:30 GMT", now) == 30  # an HTTP date
    assert retry_after_seconds("Sun, 22 Nov 2026 02:00:00 GMT", now) == 0  # in the past: now
    assert retry_after_seconds(b"soon", now) is None and retry_after_seconds(None, now) is None
    assert retry_after_seconds(b"-5", now) is None


def fault_table() -> str:
    """The README table: one row per fault, from the fault server and EXPECTED."""
    web = FaultWeb()
    web.port, web.other_port = 8080, 8081
    web._build()
    lines = ["| fault kind | what the server does | outcome recorded | test |", "|---|---|---|---|"]
    for fault in web.faults:
        expect = EXPECTED[(fault.host, fault.path)]
        lines.append(f"| {fault.kind} | `{fault.path}`: {fault.does} | {expect.recorded} | "
                     f"`test_every_fault_is_recorded[{fault.host}{fault.path}]` |")
    for good in web.good:
        if not good.kind:
            continue
        recorded = GOOD_RECORDED.get(good.path) or f"`stored` once, \"{good.sentence}\" verbatim"
        lines.append(f"| {good.kind} | `{good.path}`: {good.does} | {recorded} | `{GOOD_TEST}` |")
    return "\n".join(re.sub(r"\s+", " ", line) for line in lines)


if __name__ == "__main__":
    print(fault_table())
