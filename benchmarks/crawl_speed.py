"""Crawl speed: bare Scrapy vs ClinicWatch's full pipeline on the same loopback site (a benchmark: prints figures, asserts nothing).

The script serves its own clinic-like web (default 2,000 pages of 8-10 KB HTML, some with claim
sentences, across 20 hosts 127.0.0.101-120 on one free port; page generator imported from
benchmarks/recrawl.py; every page reachable from `/` within depth 3 with 8 links per page) and
crawls it, each crawl in its own process:

1. bare Scrapy: a minimal spider (this file, `--bare` mode, run with `scrapy.crawler.CrawlerProcess`)
   that follows every link on the same hosts and saves (url, len(body)) per page to SQLite with
   sqlite-utils in an item pipeline; no extraction, no classification, no archive;
2. full pipeline: ClinicWatch's real crawl, `run_crawl(db, settings={**LOOPBACK_SETTINGS,
   "CLINICWATCH_MAX_PAGES_PER_CLINIC": "1000"})`, on a fresh DB seeded with the 20 hosts.

3. memory: the full pipeline again on a bigger web (default 10,000 pages on the same hosts),
   polling the summed PSS of the crawl process and its analysis workers every 0.1 s; the peak so
   far is noted when the servers have answered 1,000, 5,000 and 10,000 pages (flat = no leak).

Both use the concurrency, depth, robots.txt, retry, timeout, queue and reactor settings of
crawler/settings.py as LOOPBACK_SETTINGS leave them (no download delay, no autothrottle).
Elapsed times are wall time of the crawl process (Scrapy start-up included); `*_scrapy_s` is
Scrapy's own elapsed_time_seconds. The site server runs in this process, on the same cores.

    python benchmarks/crawl_speed.py [--pages 2000] [--hosts 20] [--memory-pages 10000] [--out DIR]

Prints one `name=value` per line, then a short table.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

HOST_PREFIX = "127.0.0."
FIRST_HOST = 101
# Scrapy settings copied from crawler/settings.py into the bare spider, so both crawls run alike.
SHARED_SETTINGS = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY", "DOWNLOADER",
                   "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY",
                   "DEPTH_LIMIT", "DEPTH_PRIORITY", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE",
                   "ROBOTSTXT_OBEY", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "RETRY_TIMES",
                   "REDIRECT_MAX_TIMES", "COOKIES_ENABLED", "TELNETCONSOLE_ENABLED", "TWISTED_REACTOR",
                   "USER_AGENT", "LOG_LEVEL")


def loopback_env() -> dict[str, str]:
    from scheduler.crawl_process import LOOPBACK_SETTINGS

    return {**os.environ, **LOOPBACK_SETTINGS}


# --- bare Scrapy (child process) ---------------------------------------------------------------

def bare_crawl(hosts_file: Path, db_path: Path, log_file: Path) -> None:
    """Run the minimal spider in this process and print one JSON line of results."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from sqlite_utils import Database

    import crawler.settings as cw  # read after LOOPBACK_SETTINGS are in the environment

    start_urls = json.loads(hosts_file.read_text())

    class SqlitePipeline:
        def open_spider(self, spider=None):
            self.db = Database(db_path)
            self.db.enable_wal()
            self.table = self.db["pages"]
            self.table.create({"url": str, "length": int}, pk="url", if_not_exists=True)

        def process_item(self, item, spider=None):
            self.table.insert(dict(item), replace=True)
            return item

        def close_spider(self, spider=None):
            self.db.close()

    class BareSpider(scrapy.Spider):
        name = "bare"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.start_urls = start_urls
            self.allowed_domains = sorted({u.split("//", 1)[1].split("/", 1)[0].split(":")[0] for u in start_urls})
            self.links = LinkExtractor()

        async def start(self):  # start requests through the dupefilter: `/` is not fetched twice
            for url in self.start_urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response):
            yield {"url": response.url, "length": len(response.body)}
            for link in self.links.extract_links(response):
                yield response.follow(link, callback=self.parse)

    settings = {name: getattr(cw, name) for name in SHARED_SETTINGS}
    settings.update({"ITEM_PIPELINES": {SqlitePipeline: 300}, "LOG_FILE": str(log_file),
                     "BOT_NAME": "bare"})
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({
        "items": stats.get("item_scraped_count", 0),
        "responses": stats.get("response_received_count", 0),
        "elapsed_scrapy_s": stats.get("elapsed_time_seconds"),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "settings": {k: settings[k] for k in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
                                              "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "DEPTH_LIMIT")},
    }))


# --- parent ------------------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (the crawl process and its analysis workers)."""
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        try:
            queue += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
    return tree


def pss_bytes(pid: int) -> int:
    """Proportional set size: the process's own pages plus its share of pages shared with others
    (forked workers share the crawl process's pages; summing their RSS would count those twice)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory:
    """Poll the memory (summed PSS) of a crawl's process tree until it exits, noting it at page milestones.

    `progress()` returns pages crawled so far (the benchmark's servers count them), so the
    memory curve can be read against crawl size: flat memory means no per-page leak.
    """

    def __init__(self, progress=lambda: 0, milestones: tuple[int, ...] = ()) -> None:
        self.peak = 0
        self.at: dict[int, int] = {}  # milestone pages -> peak memory up to then
        self._progress, self._milestones = progress, milestones
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._poll, args=(pid,), daemon=True)
        self._thread.start()

    def _poll(self, pid: int) -> None:
        while not self._stop.is_set() and Path(f"/proc/{pid}").exists():
            self.peak = max(self.peak, sum(pss_bytes(p) for p in process_tree(pid)))
            pages = self._progress()
            for milestone in self._milestones:
                if pages >= milestone and milestone not in self.at:
                    self.at[milestone] = self.peak
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak


def children_cpu_s() -> float:
    """CPU seconds (user + system) of this process's finished children and their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_bare(out: Path, start_urls: list[str]) -> dict:
    hosts_file = out / "bare-start-urls.json"
    hosts_file.write_text(json.dumps(start_urls))
    db_path = out / "bare.db"
    db_path.unlink(missing_ok=True)
    cpu_before, started = children_cpu_s(), time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--bare", str(hosts_file), str(db_path),
                           str(out / "bare-crawl.log")], env=loopback_env(), capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - started, children_cpu_s() - cpu_before
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bare crawl failed (exit {proc.returncode}); log in {out / 'bare-crawl.log'}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    from sqlite_utils import Database
    result["rows"] = Database(db_path)["pages"].count
    result["elapsed_s"] = elapsed
    result["cpu_s"] = cpu
    return result


def run_pipeline(out: Path, servers, name: str = "pipeline", milestones: tuple[int, ...] = ()) -> dict:
    from recrawl import write_seeds

    from crawler.seeds import read_seeds
    from crawler.store.schema import open_db
    from crawler.store.writer import import_seeds
    from scheduler.crawl_process import LOOPBACK_SETTINGS, run_crawl

    db_path = out / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    try:
        import_seeds(db, read_seeds(write_seeds(out / "seeds.csv", servers)))
    finally:
        db.close()
    from recrawl import served

    memory = TreeMemory(lambda: served(servers, 200), milestones)
    cpu_before, started = children_cpu_s(), time.perf_counter()
    outcome = run_crawl(db_path, settings={**LOOPBACK_SETTINGS, "CLINICWATCH_MAX_PAGES_PER_CLINIC": "1000"},
                        on_start=lambda run_id, pid: memory.watch(pid))
    elapsed, cpu = time.perf_counter() - started, children_cpu_s() - cpu_before
    tree_peak = memory.stop()
    db = open_db(db_path)
    try:
        stats = json.loads(db.execute("SELECT stats FROM runs WHERE id=?", [outcome.run_id]).fetchone()[0] or "{}")
    finally:
        db.close()
    return {"status": outcome.status, "pages_fetched": outcome.pages_fetched, "pages_stored": outcome.pages_stored,
            "errors": outcome.errors, "elapsed_s": elapsed, "cpu_s": cpu, "elapsed_scrapy_s": stats.get("elapsed_time_seconds"),
            "responses": stats.get("response_received_count"),
            "crawl_process_peak_rss_bytes": stats.get("clinicwatch/peak_rss_bytes") or 0,
            "tree_peak_bytes": tree_peak, "tree_at": dict(memory.at)}


def serve_pages(servers, n_pages: int) -> list[int]:
    """Give the hosts `n_pages` pages between them; returns the HTML pages' sizes in bytes."""
    from recrawl import CLINIC_NAMES, site_routes

    sizes: list[int] = []
    for i, server in enumerate(servers):
        share = n_pages // len(servers) + (1 if i < n_pages % len(servers) else 0)
        routes = site_routes(server.base_url, f"{CLINIC_NAMES[i % len(CLINIC_NAMES)]} {i + 1}", share, seed=i)
        sizes += [len(str(body).encode()) for path, (_, _, body) in routes.items() if path.endswith(("/", ".html"))]
        server.set_routes(routes)
        server.reset_requests()
    return sizes


def run(n_pages: int, n_hosts: int, memory_pages: int, out: Path) -> None:
    from recrawl import served, start_servers

    out.mkdir(parents=True, exist_ok=True)
    servers = start_servers(n_hosts, FIRST_HOST)
    milestones = tuple(m for m in (1000, 5000, 10000) if m < memory_pages) + (memory_pages,)
    memory: dict = {}
    try:
        sizes = serve_pages(servers, n_pages)
        for server in servers:
            server.reset_requests()
        bare = run_bare(out, [server.url("/") for server in servers])
        bare_200 = served(servers, 200)
        for server in servers:
            server.reset_requests()
        full = run_pipeline(out, servers)
        full_200 = served(servers, 200)
        if memory_pages:  # a bigger crawl for the memory curve: is memory flat as pages grow?
            serve_pages(servers, memory_pages)
            memory = run_pipeline(out, servers, name="memory", milestones=milestones)
    finally:
        for server in servers:
            server.stop()

    bare_pages, full_pages = bare["rows"], full["pages_fetched"]
    bare_rate = bare_pages / bare["elapsed_s"]
    full_rate = full_pages / full["elapsed_s"]
    shared = bare["settings"]

    def rate(pages: int, seconds) -> str:
        return f"{pages / seconds:.1f}" if seconds else "n/a"

    figures = {
        "pages": len(sizes),
        "hosts": n_hosts,
        "avg_page_kb": f"{sum(sizes) / max(len(sizes), 1) / 1024:.1f}",
        "concurrent_requests": shared["CONCURRENT_REQUESTS"],
        "concurrent_per_domain": shared["CONCURRENT_REQUESTS_PER_DOMAIN"],
        "download_delay": shared["DOWNLOAD_DELAY"],
        "autothrottle": int(bool(shared["AUTOTHROTTLE_ENABLED"])),
        "depth_limit": shared["DEPTH_LIMIT"],
        "bare_pages": bare_pages,
        "bare_elapsed_s": f"{bare['elapsed_s']:.2f}",
        "bare_scrapy_s": f"{bare['elapsed_scrapy_s']:.2f}" if bare["elapsed_scrapy_s"] else "n/a",
        "bare_pages_per_s": f"{bare_rate:.1f}",
        "bare_pages_per_s_scrapy": rate(bare_pages, bare["elapsed_scrapy_s"]),
        "bare_served_200": bare_200,
        "bare_cpu_ms_per_page": f"{bare['cpu_s'] * 1000 / max(bare_pages, 1):.2f}",
        "bare_peak_rss_mb": f"{bare['peak_rss_bytes'] / 1e6:.0f}",
        "pipeline_status": full["status"],
        "pipeline_pages": full_pages,
        "pipeline_pages_stored": full["pages_stored"],
        "pipeline_errors": full["errors"],
        "pipeline_elapsed_s": f"{full['elapsed_s']:.2f}",
        "pipeline_scrapy_s": f"{full['elapsed_scrapy_s']:.2f}" if full["elapsed_scrapy_s"] else "n/a",
        "pipeline_pages_per_s": f"{full_rate:.1f}",
        "pipeline_pages_per_s_scrapy": rate(full_pages, full["elapsed_scrapy_s"]),
        "pipeline_served_200": full_200,
        "pipeline_cpu_ms_per_page": f"{full['cpu_s'] * 1000 / max(full_pages, 1):.2f}",
        "pipeline_vs_bare": f"{full_rate / bare_rate:.3f}",
        "pipeline_peak_mb": f"{full['tree_peak_bytes'] / 1e6:.0f}",
        "pipeline_crawl_process_peak_rss_mb": f"{full['crawl_process_peak_rss_bytes'] / 1e6:.0f}",
    }
    if memory:
        figures.update({
            "memory_crawl_pages": memory["pages_fetched"],
            "memory_crawl_status": memory["status"],
            "memory_crawl_pages_per_s": f"{memory['pages_fetched'] / memory['elapsed_s']:.1f}",
            **{f"peak_mb_at_{m}_pages": f"{memory['tree_at'].get(m, memory['tree_peak_bytes']) / 1e6:.0f}"
               for m in milestones},
            "peak_rss_mb": f"{memory['tree_peak_bytes'] / 1e6:.0f}",
        })
    for name, value in figures.items():
        print(f"{name}={value}")
    print()
    print(f"{figures['pages']} pages (~{figures['avg_page_kb']} KB) on {n_hosts} hosts; "
          f"CONCURRENT_REQUESTS={figures['concurrent_requests']}, per domain {figures['concurrent_per_domain']}, "
          f"delay {figures['download_delay']}, depth {figures['depth_limit']}")
    print(f"{'crawl':<14}{'pages':>7}{'wall s':>9}{'pages/s':>9}{'scrapy s':>10}{'pages/s':>9}{'peak RSS MB':>13}")
    for label, key, pages in (("bare Scrapy", "bare", bare_pages), ("full pipeline", "pipeline", full_pages)):
        print(f"{label:<14}{pages:>7}{figures[key + '_elapsed_s']:>9}{figures[key + '_pages_per_s']:>9}"
              f"{figures[key + '_scrapy_s']:>10}{figures[key + '_pages_per_s_scrapy']:>9}"
              f"{figures['bare_peak_rss_mb' if key == 'bare' else 'pipeline_peak_mb']:>13}")
    print(f"full pipeline runs at {full_rate / bare_rate:.0%} of bare Scrapy's pages/s (wall time).")
    if memory:
        curve = ", ".join(f"{m:,} pages {figures[f'peak_mb_at_{m}_pages']} MB" for m in milestones)
        print(f"memory of the crawl (crawl process + analysis workers, summed PSS), peak so far at: {curve}")


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--bare":
        bare_crawl(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="total HTML pages across all hosts")
    parser.add_argument("--hosts", type=int, default=20, help="clinic hosts, 127.0.0.101 upwards")
    parser.add_argument("--memory-pages", type=int, default=10000,
                        help="pages of the extra crawl that measures memory as pages grow (0: skip it)")
    parser.add_argument("--out", type=Path, default=None, help="directory for DBs and logs (default: temp)")
    args = parser.parse_args()
    if not 1 <= args.hosts <= 150 or args.pages < args.hosts:
        parser.error("need 1-150 hosts and at least one page per host")
    if max(args.pages, args.memory_pages) > args.hosts * 1000:
        parser.error("at most 1,000 pages per host (the pipeline's per-clinic page cap in this benchmark)")
    if args.out is not None:
        run(args.pages, args.hosts, args.memory_pages, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="clinicwatch-crawlspeed-") as tmp:
        run(args.pages, args.hosts, args.memory_pages, Path(tmp))


if __name__ == "__main__":
    main()
