"""Re-crawl cost: crawl a generated loopback site twice and compare (a benchmark: prints figures, asserts nothing).

The script serves its own clinic-like web (default 1,500 pages of 8-10 KB HTML across 5 hosts,
127.0.0.41-45 on one free port, each with a link graph from `/` and a sitemap.xml), imports a
seeds CSV into a fresh DB and crawls it twice with nothing changed in between. With conditional
requests (ETag / Last-Modified -> 304) the second crawl should be much cheaper than the first.

    python benchmarks/recrawl.py [--pages 1500] [--hosts 5] [--out DIR]

Prints one `name=value` per line, then a short summary.
"""
from __future__ import annotations

import argparse
import csv
import errno
import html
import random
import tempfile
import time
from pathlib import Path

from crawler.demo_web.site_server import RouteIn, SiteServer
from crawler.seeds import read_seeds
from crawler.store.schema import open_db
from crawler.store.writer import import_seeds
from scheduler.crawl_process import LOOPBACK_SETTINGS, CrawlOutcome, run_crawl

HOST_PREFIX = "127.0.0."
FIRST_HOST = 41
FANOUT = 8  # children per page in the link tree: 1,000 pages fit in depth 4 (the crawler's cap)
SEEDS_HEADER = ["name", "country", "urls", "domains", "tags"]

CLINIC_NAMES = ["Regenova Clinic", "Vita Stem Institute", "Nordic Cell Care", "Helix Renewal Center",
                "Sunrise Biologics", "Cellara Health", "Apex Regenerative", "Lumen Cell Therapy"]
COUNTRIES = ["US", "DE", "MX", "PA", "UA", "TH", "CY", "ES"]
TOPICS = ["knee arthritis", "back pain", "multiple sclerosis", "autism", "diabetes", "COPD", "Parkinson's disease",
          "hair loss", "erectile dysfunction", "ageing skin", "rotator cuff tears", "heart failure"]
CLAIMS = [
    "Our stem cell therapy reverses {t}.",
    "Patients with {t} are cured after a single infusion of our mesenchymal cells.",
    "Stem cells regenerate damaged tissue and eliminate {t} permanently.",
    "Our exosome protocol stops the progression of {t} in nine out of ten patients.",
    "Umbilical cord cells repair the root cause of {t} without surgery.",
    "Clinically proven: our cell treatment restores full function in {t}.",
    "We guarantee lasting results for {t} or your next treatment is free.",
    "Stem cell injections make joint replacement for {t} unnecessary.",
]
NEUTRAL = [
    "Our clinic is open Monday to Friday from 8 am to 6 pm and on Saturdays by appointment.",
    "Free parking is available directly in front of the building.",
    "Please bring your previous imaging results and a list of current medications to your consultation.",
    "Our reception team speaks English, Spanish and German.",
    "Consultations last about forty-five minutes and include a review of your medical history.",
    "We accept payment by bank transfer and all major credit cards.",
    "The clinic was founded in 2012 and moved to its current location in 2019.",
    "Our nurses will call you the day before your appointment to confirm the time.",
    "Accommodation partners near the clinic offer discounted rates for international patients.",
    "Children must be accompanied by a parent or legal guardian at all times.",
    "Follow-up visits can be arranged by video call for patients who live abroad.",
    "All procedures take place in our outpatient suite on the second floor.",
    "Light refreshments are served in the waiting area.",
    "You can cancel or reschedule an appointment up to 48 hours in advance without charge.",
    "Our laboratory is certified under national tissue handling regulations.",
    "Read our privacy policy to learn how we store and protect your personal data.",
    "Airport transfers can be booked through our patient coordinator.",
    "Wheelchair access is available through the side entrance.",
    "The team attends international conferences on regenerative medicine every year.",
    "Ask our coordinators about the documents you need for travel.",
    "Research in this field is ongoing and individual outcomes vary.",
    "Talk to your own doctor before making decisions about treatment.",
]
SECTIONS = ["Treatments", "Conditions", "Patient stories", "About us", "Research", "Pricing", "FAQ", "Contact"]


def page_path(index: int) -> str:
    """URL path of page `index` on a host; page 0 is the home page."""
    return "/" if index == 0 else f"/pages/{index:04d}.html"


def make_page(rng: random.Random, clinic: str, index: int, total: int) -> str:
    """One 8-10 KB clinic-like HTML page linking to its tree children, a parent and a few others."""
    topic = rng.choice(TOPICS)
    title = f"{SECTIONS[index % len(SECTIONS)]}: {topic}" if index else f"{clinic}: regenerative medicine"
    children = [page_path(c) for c in range(index * FANOUT + 1, min(index * FANOUT + FANOUT + 1, total))]
    related = [page_path(rng.randrange(total)) for _ in range(4)]
    nav = "".join(f'<li><a href="{page_path(i)}">{SECTIONS[i % len(SECTIONS)]}</a></li>'
                  for i in range(1, min(total, 8)))
    links = "".join(f'<li><a href="{p}">More on {html.escape(rng.choice(TOPICS))}</a></li>' for p in children + related)
    claim_rate = 0.0 if rng.random() < 0.3 else 0.15  # about a third of the pages make no claims at all
    target = rng.randint(8 * 1024, 10 * 1024)
    head = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="description" content="{html.escape(clinic)} - {html.escape(topic)} treatment information.">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/site.css">'
        f'</head><body><header><a class="logo" href="/">{html.escape(clinic)}</a><nav><ul>{nav}</ul></nav></header>'
        f"<main><article><h1>{html.escape(title)}</h1>"
    )
    tail = (
        f'</article><aside><h2>Related pages</h2><ul>{links}</ul></aside></main>'
        f'<footer><p>{html.escape(clinic)} &middot; 12 Harbour Road &middot; +1 555 0100</p>'
        f'<p><a href="{page_path(7 % total)}">Contact</a> &middot; <a href="{page_path(6 % total)}">Privacy</a></p>'
        "</footer></body></html>\n"
    )
    body: list[str] = []
    size = len(head) + len(tail)
    while size < target:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            if rng.random() < claim_rate:
                sentences.append(rng.choice(CLAIMS).format(t=rng.choice(TOPICS)))
            else:
                sentences.append(rng.choice(NEUTRAL))
        block = f"<p>{html.escape(' '.join(sentences))}</p>"
        if rng.random() < 0.15:
            block = f"<h2>{html.escape(rng.choice(SECTIONS))}</h2>" + block
        body.append(block)
        size += len(block)
    return head + "".join(body) + tail


def site_routes(base_url: str, clinic: str, n_pages: int, seed: int) -> dict[str, RouteIn]:
    """All routes of one clinic host: pages, robots.txt and a sitemap listing every page."""
    rng = random.Random(seed)
    routes: dict[str, RouteIn] = {page_path(i): (200, {}, make_page(rng, clinic, i, n_pages)) for i in range(n_pages)}
    locs = "".join(f"<url><loc>{base_url}{page_path(i)}</loc></url>" for i in range(n_pages))
    routes["/sitemap.xml"] = (200, {}, '<?xml version="1.0" encoding="UTF-8"?>'
                              f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')
    routes["/robots.txt"] = (200, {}, f"User-agent: *\nDisallow: /admin/\nSitemap: {base_url}/sitemap.xml\n")
    return routes


def start_servers(n_hosts: int, first_host: int = FIRST_HOST) -> list[SiteServer]:
    """Bind 127.0.0.<first_host>.. on one free port (retrying if a later host finds it taken), start them."""
    for attempt in range(8):
        servers: list[SiteServer] = []
        try:
            port = 0
            for i in range(n_hosts):
                servers.append(SiteServer(host=f"{HOST_PREFIX}{first_host + i}", port=port))
                port = servers[0].port
        except OSError as exc:
            for server in servers:
                server.stop()
            if exc.errno != errno.EADDRINUSE or attempt == 7:
                raise
            continue
        return [server.start() for server in servers]
    raise RuntimeError("unreachable")


def write_seeds(path: Path, servers: list[SiteServer]) -> Path:
    """The seeds CSV: one clinic per host, scoped to that host."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SEEDS_HEADER)
        for i, server in enumerate(servers):
            name = f"{CLINIC_NAMES[i % len(CLINIC_NAMES)]} {i + 1}"
            writer.writerow([name, COUNTRIES[i % len(COUNTRIES)], server.url("/"), server.host, "benchmark"])
    return path


def served(servers: list[SiteServer], status: int) -> int:
    """Responses with `status` served by all hosts since their logs were last reset."""
    return sum(server.count_requests(status=status) for server in servers)


def timed_crawl(db_path: Path) -> tuple[float, CrawlOutcome]:
    """One full crawl in its own process; wall time includes Scrapy's start-up."""
    settings = {**LOOPBACK_SETTINGS, "CLINICWATCH_MAX_PAGES_PER_CLINIC": "1000"}
    started = time.perf_counter()
    outcome = run_crawl(db_path, settings=settings)
    return time.perf_counter() - started, outcome


def new_versions(db_path: Path, run_id: int) -> int:
    """Page versions a run stored (content changed or first seen)."""
    db = open_db(db_path)
    try:
        row = db.execute("SELECT new_versions FROM runs WHERE id=?", [run_id]).fetchone()
    finally:
        db.close()
    return int(row[0] or 0) if row else 0


def run(n_pages: int, n_hosts: int, out: Path, keep: bool = True) -> None:
    """Serve the generated web, crawl it twice into `out`, print the figures."""
    out.mkdir(parents=True, exist_ok=True)
    servers = start_servers(n_hosts)
    try:
        sizes: list[int] = []
        for i, server in enumerate(servers):
            share = n_pages // n_hosts + (1 if i < n_pages % n_hosts else 0)
            routes = site_routes(server.base_url, f"{CLINIC_NAMES[i % len(CLINIC_NAMES)]} {i + 1}", share, seed=i)
            sizes += [len(str(body).encode()) for path, (_, _, body) in routes.items() if path.endswith(("/", ".html"))]
            server.set_routes(routes)
        seeds = write_seeds(out / "seeds.csv", servers)
        db_path = out / "recrawl.db"
        db = open_db(db_path)
        try:
            import_seeds(db, read_seeds(seeds))
        finally:
            db.close()

        for server in servers:
            server.reset_requests()
        first_s, first = timed_crawl(db_path)
        first_200, first_304 = served(servers, 200), served(servers, 304)
        for server in servers:
            server.reset_requests()
        again_s, again = timed_crawl(db_path)
        again_200, again_304 = served(servers, 200), served(servers, 304)
        figures = {
            "pages": len(sizes),
            "hosts": n_hosts,
            "avg_page_kb": f"{sum(sizes) / max(len(sizes), 1) / 1024:.1f}",
            "first_crawl_s": f"{first_s:.2f}",
            "recrawl_s": f"{again_s:.2f}",
            "recrawl_vs_first": f"{again_s / first_s:.3f}",
            "first_status": first.status,
            "recrawl_status": again.status,
            "served_200_first": first_200,
            "served_304_first": first_304,
            "served_200_recrawl": again_200,
            "served_304_recrawl": again_304,
            "pages_stored_first": first.pages_stored,
            "pages_stored_recrawl": again.pages_stored,
            "new_versions_first": new_versions(db_path, first.run_id),
            "new_versions_recrawl": new_versions(db_path, again.run_id),
            "errors_recrawl": again.errors,
        }
    finally:
        for server in servers:
            server.stop()
    for name, value in figures.items():
        print(f"{name}={value}")
    print()
    print(f"Crawled {figures['pages']} pages (~{figures['avg_page_kb']} KB each) on {n_hosts} hosts twice, "
          "nothing changed in between.")
    print(f"First crawl {first_s:.1f} s ({first_200} answered 200); re-crawl {again_s:.1f} s "
          f"({again_304} answered 304 Not Modified, {again_200} answered 200): {again_s / first_s:.0%} of the first.")
    print(f"Re-crawl stored {figures['new_versions_recrawl']} new page versions."
          + (f" Seeds, DB and crawl logs in {out}." if keep else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1500, help="total HTML pages across all hosts")
    parser.add_argument("--hosts", type=int, default=5, help="clinic hosts, 127.0.0.41 upwards")
    parser.add_argument("--out", type=Path, default=None, help="directory for seeds, DB and logs (default: temp)")
    args = parser.parse_args()
    if not 1 <= args.hosts <= 200 or args.pages < args.hosts:
        parser.error("need 1-200 hosts and at least one page per host")
    if args.out is not None:
        run(args.pages, args.hosts, args.out)
        return
    with tempfile.TemporaryDirectory(prefix="clinicwatch-recrawl-") as tmp:
        run(args.pages, args.hosts, Path(tmp), keep=False)


if __name__ == "__main__":
    main()
