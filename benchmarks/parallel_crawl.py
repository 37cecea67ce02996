"""Parallel crawls: politeness-bound sites crawled one by one, by a local pool, and by a 2-worker Dask cluster
(a benchmark: prints figures, asserts nothing).

The script serves 20 clinic sites (default: 8 pages each, on 127.0.0.121-140, one port) and crawls
them with a politeness delay (default 0.25 s between requests to a site, one request at a time
per site), so every crawl is bound by politeness, not CPU, as real crawls are. Each way is a
fresh DB, the same per-clinic crawl tasks (scheduler/sweep.py), the same settings:

1. sequential: one task per clinic, one after another;
2. local pool: one task per clinic, N at once on this machine (default 4);
3. cluster: one task per clinic on a real Dask cluster started here (`dask scheduler` + 2
   `dask worker` processes with 2 threads each, 127.0.0.1);
4. local pool, shared out (the default on one machine): N processes, each crawling its share of
   the clinics at once;
5. for reference, one crawl process for all clinics (one Scrapy process crawling every site at once).
The coordinator's merge rate (pages merged per second of merging) comes from the cluster run.

    python benchmarks/parallel_crawl.py [--sites 20] [--pages 8] [--delay 0.25] [--parallel 4]

Prints one `name=value` per line, then a table.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FIRST_HOST = 121


def timed(label: str, function) -> tuple[float, object]:
    started = time.perf_counter()
    outcome = function()
    elapsed = time.perf_counter() - started
    print(f"# {label}: {elapsed:.1f} s ({outcome.status}, {outcome.pages_stored} pages)", file=sys.stderr)
    return elapsed, outcome


def run(n_sites: int, n_pages: int, delay: float, parallel: int, out: Path) -> None:
    from recrawl import CLINIC_NAMES, site_routes, start_servers, write_seeds

    from crawler import settings as crawl_settings
    from crawler.seeds import read_seeds
    from crawler.store.schema import open_db
    from crawler.store.writer import import_seeds
    from scheduler.cluster import LocalDaskCluster
    from scheduler.crawl_process import LOOPBACK_SETTINGS, run_crawl
    from scheduler.sweep import run_sweep

    settings = {**LOOPBACK_SETTINGS, "CLINICWATCH_DOWNLOAD_DELAY": str(delay),
                "CLINICWATCH_CONCURRENT_PER_DOMAIN": "1", "CLINICWATCH_FOLLOW_SITEMAPS": "0"}
    servers = start_servers(n_sites, FIRST_HOST)
    try:
        for i, server in enumerate(servers):
            server.set_routes(site_routes(server.base_url, f"{CLINIC_NAMES[i % len(CLINIC_NAMES)]} {i + 1}",
                                          n_pages, seed=i))
        seeds = read_seeds(write_seeds(out / "seeds.csv", servers))

        def fresh(name: str) -> Path:
            path = out / name / "bench.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            db = open_db(path)
            import_seeds(db, seeds)
            db.close()
            return path

        results = {}
        crawl_settings.CLINICWATCH_CLINICS_PER_TASK = 1  # one task per clinic
        results["sequential"] = timed("sequential", lambda: run_sweep(fresh("sequential"), settings=settings,
                                                                      parallel=1))
        results["local_pool"] = timed(f"local pool of {parallel}, a task per clinic",
                                      lambda: run_sweep(fresh("pool"), settings=settings, parallel=parallel))
        with LocalDaskCluster(workers=2, threads=2, log_dir=out) as cluster:
            results["cluster"] = timed("2-worker cluster", lambda: run_sweep(fresh("cluster"), settings=settings,
                                                                             cluster=cluster.address))
        crawl_settings.CLINICWATCH_CLINICS_PER_TASK = 0  # auto: the clinics shared out among the processes
        results["local_pool_shared"] = timed(f"local pool of {parallel}, clinics shared out",
                                             lambda: run_sweep(fresh("shared"), settings=settings, parallel=parallel))
        results["one_process"] = timed("one crawl process", lambda: run_crawl(fresh("single"), settings=settings))
        merge = _merge_rate(out / "cluster" / "bench.db")
    finally:
        for server in servers:
            server.stop()

    sequential = results["sequential"][0]
    figures = {"sites": n_sites, "pages_per_site": n_pages, "delay_s": delay, "local_pool_size": parallel,
               "cluster_workers": 2, "cluster_threads_per_worker": 2}
    for name, (seconds, outcome) in results.items():
        figures[f"{name}_s"] = f"{seconds:.1f}"
        figures[f"{name}_pages"] = outcome.pages_stored
        figures[f"{name}_status"] = outcome.status
    for name in ("local_pool", "cluster", "local_pool_shared", "one_process"):
        figures[f"{name}_vs_sequential"] = f"{results[name][0] / sequential:.3f}"
    figures["merge_pages_per_s"] = f"{merge:.0f}"
    for name, value in figures.items():
        print(f"{name}={value}")
    print()
    print(f"{n_sites} politeness-bound sites x {n_pages} pages, {delay} s between requests to a site")
    print(f"{'way':<34}{'wall s':>8}{'pages':>7}{'vs sequential':>15}")
    labels = {"sequential": "sequential (a task per clinic)", "local_pool": f"local pool ({parallel} tasks at once)",
              "cluster": "Dask cluster (2 workers x 2)",
              "local_pool_shared": f"local pool, {parallel} shares (default)",
              "one_process": "one crawl process, all clinics"}
    for name, label in labels.items():
        seconds, outcome = results[name]
        print(f"{label:<34}{seconds:>8.1f}{outcome.pages_stored:>7}{seconds / sequential:>15.2f}")
    print(f"the coordinator merged task results at {merge:.0f} pages/s (one writer)")


def _merge_rate(db_path: Path) -> float:
    """Pages merged per second of merging, from the cluster run's stats."""
    import json
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        fetched, stats = conn.execute("SELECT pages_fetched, stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    seconds = json.loads(stats or "{}").get("clinicwatch/merge_seconds") or 0
    return fetched / seconds if seconds else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20, help="clinic sites, 127.0.0.121 upwards")
    parser.add_argument("--pages", type=int, default=8, help="pages per site")
    parser.add_argument("--delay", type=float, default=0.25, help="seconds between requests to one site")
    parser.add_argument("--parallel", type=int, default=4, help="tasks at once in the local pool")
    parser.add_argument("--out", type=Path, default=None, help="keep DBs and logs here (default: temp)")
    args = parser.parse_args()
    if not 1 <= args.sites <= 100 or args.pages < 1 or args.delay < 0 or args.parallel < 1:
        parser.error("need 1-100 sites, at least 1 page, a delay >= 0 and --parallel >= 1")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        run(args.sites, args.pages, args.delay, args.parallel, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="clinicwatch-parallel-") as tmp:
        run(args.sites, args.pages, args.delay, args.parallel, Path(tmp))


if __name__ == "__main__":
    main()
