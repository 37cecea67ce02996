"""All crawl settings in one place: Scrapy's and ClinicWatch's, with env overrides.

Every CLINICWATCH_* value below can be overridden by an environment variable of the same name
or per run with `scrapy crawl clinics -s NAME=value` (the `clinicwatch crawl` command passes its
options this way). Defaults are polite for real clinic sites.
"""
from __future__ import annotations

import os
from typing import Mapping

from crawler.setting_values import Reader, SettingError, choice, number, switch, whole_number

__all__ = ["READERS", "SettingError", "check_settings"]  # plus every setting below

# How each CLINICWATCH_* environment setting's text is read: `check_settings` validates overrides
# (`clinicwatch crawl` options, a schedule file's `settings`, `scrapy crawl -s`) with the same readers.
READERS: dict[str, Reader] = {}


def _env(name: str, default: str) -> str:
    READERS.setdefault(name, str)  # text settings: any value
    return os.environ.get(name, default)


def _read(name: str, default: object, reader: Reader):  # noqa: ANN202 - the reader's type
    READERS[name] = reader
    return reader(_env(name, str(default)))


def _int(name: str, default: int, minimum: int | None = 0, maximum: int | None = None) -> int:
    return _read(name, default, lambda text: whole_number(name, text, minimum, maximum))


def _float(name: str, default: float, minimum: float | None = 0, maximum: float | None = None,
           above: float | None = None) -> float:
    return _read(name, default, lambda text: number(name, text, minimum, maximum, above))


def _bool(name: str, default: bool) -> bool:
    return _read(name, "1" if default else "0", lambda text: switch(name, text))


def _guard_text(text: str, parser: str) -> str:
    """A guard setting's text, checked by the parser the crawl uses (crawler/netguard.py)."""
    from crawler import netguard

    parse = netguard.AllowList.parse if parser == "AllowList" else netguard.parse_pins
    try:
        parse(text)
    except ValueError as exc:
        raise SettingError(str(exc)) from None
    return text


def check_settings(values: Mapping[str, object]) -> None:
    """Raise SettingError (one line) for the first value a CLINICWATCH_* setting here would refuse."""
    for name, value in values.items():
        reader = READERS.get(name)
        if reader is not None:
            reader(value if isinstance(value, str) else _text(value))


def _text(value: object) -> str:
    """A typed value (a Scrapy setting, a TOML value) as it would be written in the environment."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (tuple, list)):
        return " ".join(map(str, value))
    return str(value)


BOT_NAME = "clinicwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- ClinicWatch -------------------------------------------------------------------------------
# Where results go. Relative paths are resolved against the working directory.
CLINICWATCH_DB = _env("CLINICWATCH_DB", "clinicwatch.db")
# Who to contact about the crawler; goes into the User-Agent so site owners can reach us.
CLINICWATCH_CONTACT = _env("CLINICWATCH_CONTACT", "https://github.com/clinicwatch/clinicwatch")
# Caps per clinic per run: page URLs requested (robots-refused ones count) and link depth.
CLINICWATCH_MAX_PAGES_PER_CLINIC = _int("CLINICWATCH_MAX_PAGES_PER_CLINIC", 200, minimum=1)
CLINICWATCH_MAX_DEPTH = _int("CLINICWATCH_MAX_DEPTH", 4, minimum=0)
# SSRF guard (crawler/netguard.py). Private, loopback and link-local targets are refused unless a
# clinic's seeds name the host (start-URL hosts and `domains` entries are trusted) or it is in
# the allow-list: space-separated host names, IPs or CIDR networks (`clinicwatch crawl --allow-host`).
CLINICWATCH_ALLOWED_PRIVATE_HOSTS = _read("CLINICWATCH_ALLOWED_PRIVATE_HOSTS", "", lambda text: _guard_text(text, "AllowList"))
# All-or-nothing switch for test rigs: allow every private target (`--allow-private`).
CLINICWATCH_ALLOW_PRIVATE = _bool("CLINICWATCH_ALLOW_PRIVATE", False)
# Fixed DNS answers, `HOST=IP ...` (like curl --resolve): staging copies and tests. Pinned
# addresses still pass the guard above.
CLINICWATCH_RESOLVE = _read("CLINICWATCH_RESOLVE", "", lambda text: _guard_text(text, "parse_pins"))
# Pages whose body is larger than this are not stored (bytes).
CLINICWATCH_MAX_PAGE_BYTES = _int("CLINICWATCH_MAX_PAGE_BYTES", 5 * 1024 * 1024, minimum=1)
# Pages with more HTML elements than this are extracted by a lean path (visible text only, no
# main-text detection or metadata) so time and memory stay bounded; see crawler/extract.py.
CLINICWATCH_MAX_PAGE_ELEMENTS = _int("CLINICWATCH_MAX_PAGE_ELEMENTS", 100000, minimum=1)
# Characters of a page's text the classifier reads (the whole text is stored): bounds the time,
# memory and claims one enormous page can cost (4 MB of claim sentences: 14 s, 1.3 GB, 300,000 claims).
CLINICWATCH_MAX_TEXT_CHARS = _int("CLINICWATCH_MAX_TEXT_CHARS", 500000, minimum=1)
# Also fetch /sitemap.xml (and sitemap indexes) of each clinic's start hosts.
CLINICWATCH_FOLLOW_SITEMAPS = _bool("CLINICWATCH_FOLLOW_SITEMAPS", True)

# Evidence archive: rotating gzipped WARC files of every response. Empty = "archive/" beside the DB.
CLINICWATCH_ARCHIVE_DIR = _env("CLINICWATCH_ARCHIVE_DIR", "")
CLINICWATCH_WARC_MAX_BYTES = _int("CLINICWATCH_WARC_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
# WARC file names are PREFIX-00001.warc.gz; empty = "run<run id>". Crawl tasks of a parallel run
# set "run<id>-c<clinic>-<attempt>" so files from many machines never collide in one archive.
CLINICWATCH_WARC_PREFIX = _env("CLINICWATCH_WARC_PREFIX", "")
# Retention (`clinicwatch prune`): newest versions kept per page; versions with claims are always kept.
CLINICWATCH_KEEP_VERSIONS = _int("CLINICWATCH_KEEP_VERSIONS", 10, minimum=1)
# A clinic unreachable in this many consecutive runs gets a "gone" event.
CLINICWATCH_GONE_AFTER_RUNS = _int("CLINICWATCH_GONE_AFTER_RUNS", 3, minimum=1)

# Crawl health checks after each run (crawler/store/health.py; statuses documented there).
# A covered clinic with fewer pages fetched OK (stored + unchanged) than this gets a warning (0: fail).
CLINICWATCH_HEALTH_MIN_PAGES = _int("CLINICWATCH_HEALTH_MIN_PAGES", 3, minimum=0)
# Share of a clinic's fetch attempts (stored + unchanged + error) that may fail before a warning.
CLINICWATCH_HEALTH_MAX_ERROR_RATE = _float("CLINICWATCH_HEALTH_MAX_ERROR_RATE", 0.5, minimum=0, maximum=1)
# Days an active clinic may go without any page fetched OK before the check fails.
CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS = _float("CLINICWATCH_HEALTH_MAX_DAYS_SINCE_SUCCESS", 14, above=0)
# Scrapy finish reasons that count as a complete run (space-separated); any other reason fails.
CLINICWATCH_HEALTH_FINISH_REASONS = tuple(_env("CLINICWATCH_HEALTH_FINISH_REASONS", "finished").split())

# Alerts (scheduler/alerts.py): defaults for the [alerts] table of the scheduler's config.
# A claim added in a run is alerted when its score reaches this or its page is flagged.
CLINICWATCH_ALERT_MIN_SCORE = _float("CLINICWATCH_ALERT_MIN_SCORE", 0.8, minimum=0, maximum=1)
# Seconds per webhook request / SMTP connection / Apprise notification.
CLINICWATCH_ALERT_TIMEOUT = _float("CLINICWATCH_ALERT_TIMEOUT", 10, above=0)

# Scheduled monitoring (`clinicwatch schedule run`): logs/scheduler.log beside the DB is rotated at
# this size, keeping this many old files.
CLINICWATCH_SCHEDULER_LOG_BYTES = _int("CLINICWATCH_SCHEDULER_LOG_BYTES", 5 * 1024 * 1024, minimum=1)
CLINICWATCH_SCHEDULER_LOG_BACKUPS = _int("CLINICWATCH_SCHEDULER_LOG_BACKUPS", 5, minimum=0)

# Worker processes that extract and classify pages beside the crawl (the reactor keeps downloading);
# 0 = inline in the crawl process. Default: one per spare core.
CLINICWATCH_ANALYSIS_WORKERS = int(_env("CLINICWATCH_ANALYSIS_WORKERS", str(max(0, (os.cpu_count() or 1) - 1))))
# Pages are written in batched transactions (one commit per page cost ~10% of a fast crawl):
# a batch commits after this many pages or this many seconds, whichever comes first, so readers
# (reports, datasette) see a crawl's progress within about a second and a SIGKILL loses at most
# one batch of the run (those pages are fetched again next time; nothing half-written remains).
CLINICWATCH_COMMIT_EVERY_PAGES = _int("CLINICWATCH_COMMIT_EVERY_PAGES", 200, minimum=1)
CLINICWATCH_COMMIT_EVERY_SECONDS = _float("CLINICWATCH_COMMIT_EVERY_SECONDS", 1.0, above=0)
# Seconds a command that writes (seeds import, rescore, a second crawl's batch...) waits for another
# writer's transaction to end before giving up with one line naming it (crawler/store/db_lock.py).
CLINICWATCH_BUSY_TIMEOUT = _float("CLINICWATCH_BUSY_TIMEOUT", 30, minimum=0, maximum=86400)

# Past one machine (scheduler/sweep.py, docs/cluster.md). Clinic crawls run at once, each its own
# process, merged into the DB by one writer; crawls are politeness-bound, so the default is the
# core count (1 = one crawl process for all clinics, as before).
CLINICWATCH_PARALLEL_CRAWLS = _int("CLINICWATCH_PARALLEL_CRAWLS", os.cpu_count() or 1, minimum=1)
# Clinics per crawl task. 0 = auto: on this machine the clinics are shared out among the parallel
# processes (each Scrapy process crawls its share at once); on a cluster each clinic is a task
# (finer rescheduling when a worker dies). Clinics sharing a domain always share a task.
CLINICWATCH_CLINICS_PER_TASK = _int("CLINICWATCH_CLINICS_PER_TASK", 0, minimum=0)
# A Dask scheduler (tcp://HOST:8786 or tls://...) to send clinic crawls, rescoring and WARC scoring
# to; empty = run them on this machine. TLS files are used for tls:// addresses (mutual auth).
CLINICWATCH_CLUSTER = _env("CLINICWATCH_CLUSTER", "")
CLINICWATCH_CLUSTER_CONNECT_TIMEOUT = _float("CLINICWATCH_CLUSTER_CONNECT_TIMEOUT", 10, above=0)
CLINICWATCH_CLUSTER_TLS_CA_FILE = _env("CLINICWATCH_CLUSTER_TLS_CA_FILE", "")
CLINICWATCH_CLUSTER_TLS_CERT = _env("CLINICWATCH_CLUSTER_TLS_CERT", "")
CLINICWATCH_CLUSTER_TLS_KEY = _env("CLINICWATCH_CLUSTER_TLS_KEY", "")
# Where a crawl task keeps its scratch DB and WARC files until the coordinator has them (empty: temp dir).
CLINICWATCH_SCRATCH_DIR = _env("CLINICWATCH_SCRATCH_DIR", "")
# Set by crawl tasks to the pid of the process that starts the crawl: the crawl stops (gracefully)
# when that process is no longer its parent, so a Dask worker killed mid-task leaves no crawl
# running on for nobody. 0 = never.
CLINICWATCH_STOP_WITH_PARENT = _int("CLINICWATCH_STOP_WITH_PARENT", 0, minimum=0)

# --- Scrapy ------------------------------------------------------------------------------------
USER_AGENT = f"ClinicWatch/0.1 (research crawler; +{CLINICWATCH_CONTACT})"
ROBOTSTXT_OBEY = True
# Scrapy checks every callback for `return value` inside a generator by parsing its source with
# `ast`; its cache is keyed on the callable, and each request holds a new bound method, so the
# check re-parses parse_page for every response (7% of a re-crawl's CPU, profiled). Our callbacks
# return nothing (tests/test_spider.py would show lost items); the check is a development aid.
WARN_ON_GENERATOR_RETURN_VALUE = False
DEPTH_LIMIT = CLINICWATCH_MAX_DEPTH
DEPTH_PRIORITY = 1  # breadth-first: shallow pages (menus, treatment lists) first
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
CONCURRENT_REQUESTS = _int("CLINICWATCH_CONCURRENT_REQUESTS", 16, minimum=1)
CONCURRENT_REQUESTS_PER_DOMAIN = _int("CLINICWATCH_CONCURRENT_PER_DOMAIN", 2, minimum=1)
DOWNLOAD_DELAY = _float("CLINICWATCH_DOWNLOAD_DELAY", 1.0, minimum=0)
AUTOTHROTTLE_ENABLED = _bool("CLINICWATCH_AUTOTHROTTLE", True)
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = _int("CLINICWATCH_DOWNLOAD_TIMEOUT", 30, minimum=1)
# Hostile sites: DOWNLOAD_MAXSIZE also caps the *decompressed* body (HttpCompressionMiddleware stops
# a gzip/deflate/br/zstd bomb at this size), like the redirect, time and URL-length (2083) caps.
DOWNLOAD_MAXSIZE = CLINICWATCH_MAX_PAGE_BYTES
DOWNLOAD_WARNSIZE = CLINICWATCH_MAX_PAGE_BYTES // 2
# Retries of a failed download (5xx, 429, 408, timeouts, resets, truncated bodies) before it is an error.
RETRY_TIMES = _int("CLINICWATCH_RETRY_TIMES", 2, minimum=0)
# A 429/503 (or other retried status) with Retry-After up to this many seconds is retried after
# that wait; a longer Retry-After is not retried in this crawl (crawler/retry.py).
CLINICWATCH_RETRY_AFTER_MAX = _float("CLINICWATCH_RETRY_AFTER_MAX", 30, minimum=0)
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
EXTENSIONS = {"crawler.parent_watch.ParentWatch": 100, "crawler.text_safety.SafeLogs": 0}
DOWNLOADER = "crawler.downloader.PoliteDownloader"  # per-domain concurrency kept at zero delay (see there)
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's code-running control server: never on by default
# Connect only to the addresses the private-address guard checked (DNS rebinding): see netresolver.
TWISTED_DNS_RESOLVER = "crawler.netresolver.GuardedResolver"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _read("CLINICWATCH_LOG_LEVEL", "INFO",
                  lambda text: choice("CLINICWATCH_LOG_LEVEL", text, ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")))

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.StripUserinfoMiddleware": 40,  # credentials in a redirect target: never sent
    "crawler.middlewares.PrivateAddressGuardMiddleware": 50,
    "crawler.middlewares.ClinicScopeMiddleware": 60,
    "crawler.middlewares.WarcArchiveMiddleware": 580,  # just inside HttpCompressionMiddleware (590)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.ServerErrorDisallowsRobotsTxtMiddleware": 100,  # Scrapy's slot for robots.txt
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.RetryAfterMiddleware": 550,  # Scrapy's slot for retries; waits out Retry-After
}
ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}
