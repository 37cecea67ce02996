"""The spider against real loopback sites: scope, robots.txt, sitemaps, caps, skipped assets."""
from __future__ import annotations

import pytest

from crawler.demo_web.server import SiteServer
from crawler.store.schema import open_db
from tests.conftest import crawl, seed_db, write_seeds


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title></head><body><main>"
            f"<h1>{title}</h1><p>{body}</p></main></body></html>")


@pytest.fixture
def sites(tmp_path):
    """Clinic A on 127.0.0.31 (with www-style subdomain-free IP host), outsider B on 127.0.0.32."""
    a = SiteServer(host="127.0.0.31")
    b = SiteServer(host="127.0.0.32", port=a.port)

    a.set_routes({
        "/": (200, {}, page("Home", "Welcome. <a href='/about.html'>About</a> <a href='/private/secret.html'>x</a>"
                            f" <a href='{b.url('/offsite.html')}'>partner</a> <a href='/deep1.html'>deep</a>"
                            " <a href='/brochure.pdf'>pdf</a> <a href='/logo.png'>logo</a>"
                            " <a href='/missing.html'>broken</a> <a href='/old.html'>old</a>")),
        "/about.html": (200, {}, page("About", "We are a clinic offering consultations.")),
        "/private/secret.html": (200, {}, page("Secret", "ROBOTS-MARKER must never be stored.")),
        "/hidden.html": (200, {}, page("Hidden", "SITEMAP-MARKER only the sitemap links here.")),
        "/moved.html": (200, {}, page("Moved", "REDIRECT-TARGET reached through a redirect.")),
        "/old.html": (301, {"Location": a.url("/moved.html")}, b""),
        "/brochure.pdf": (200, {}, b"%PDF-1.4\n%%EOF\n"),
        "/logo.png": (200, {}, b"\x89PNG\r\n\x1a\n"),
        "/robots.txt": (200, {}, b"User-agent: *\nDisallow: /private/\n"),
        "/sitemap.xml": (200, {}, (
            "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<url><loc>{a.url('/hidden.html')}</loc></url><url><loc>{b.url('/from-sitemap.html')}</loc></url>"
            "</urlset>").encode()),
        **{f"/deep{i}.html": (200, {}, page(f"Deep {i}", f"DEPTH-{i} " + (f"<a href='/deep{i + 1}.html'>next</a>" if i < 7 else "")))
           for i in range(1, 8)},
    })
    b.set_routes({
        "/offsite.html": (200, {}, page("Offsite", "OFFSITE-MARKER from another host.")),
        "/from-sitemap.html": (200, {}, page("Offsite 2", "OFFSITE-MARKER listed in A's sitemap.")),
    })
    with a, b:
        seeds = write_seeds(tmp_path / "seeds.csv", [{"name": "Clinic A", "urls": a.url("/")}])
        seed_db(tmp_path / "t.db", seeds)
        yield a, b


def stored_texts(db_path) -> dict[str, str]:
    db = open_db(db_path)
    return {r["url"]: r["text"] for r in db.query(
        "SELECT p.url, v.text FROM pages p JOIN page_versions v ON v.id = p.current_version_id")}


def test_crawl_respects_scope_robots_sitemap_and_skips_assets(tmp_path, sites):
    a, b = sites
    outcome = crawl(tmp_path / "t.db", CLINICWATCH_MAX_DEPTH="3")
    assert outcome.status == "finished"
    texts = stored_texts(tmp_path / "t.db")
    everything = "\n".join(texts.values())
    assert a.url("/about.html") in texts
    assert "SITEMAP-MARKER" in everything  # found only through sitemap.xml
    assert "REDIRECT-TARGET" in everything  # redirect followed inside the domain
    assert "ROBOTS-MARKER" not in everything  # robots.txt obeyed
    assert "OFFSITE-MARKER" not in everything  # other hosts never stored (links and sitemap)
    assert all(url.startswith(a.base_url) for url in texts)
    assert not any(url.endswith((".pdf", ".png")) for url in texts)  # assets skipped
    assert "DEPTH-3" in everything and "DEPTH-4" not in everything  # depth cap
    db = open_db(tmp_path / "t.db")
    errors = {r["url"]: r["status"] for r in db.query(
        "SELECT url, status FROM fetch_log WHERE run_id = ? AND outcome = 'error'", [outcome.run_id])}
    assert errors.get(a.url("/missing.html")) == 404  # broken link recorded, not fatal


def test_page_cap_per_clinic(tmp_path, sites):
    outcome = crawl(tmp_path / "t.db", CLINICWATCH_MAX_PAGES_PER_CLINIC="3", CLINICWATCH_FOLLOW_SITEMAPS="0")
    assert outcome.status == "finished"
    db = open_db(tmp_path / "t.db")
    attempted = [r[0] for r in db.execute("SELECT url FROM fetch_log WHERE run_id = ?", [outcome.run_id])]
    assert len(attempted) == 3  # the cap counts page URLs requested (robots-refused ones too)
    assert 1 <= len(stored_texts(tmp_path / "t.db")) <= 3


def test_seed_hosts_trusted_other_private_targets_refused(tmp_path, sites):
    """Without --allow-private the clinic's own (loopback) seed host is crawled; a redirect to
    another private address is refused before any connection (tests/test_security.py has more)."""
    a, b = sites
    a.set_redirect("/partner.html", b.url("/offsite.html"))
    a.set_page("/about.html", page("About", "We are a clinic. <a href='/partner.html'>partner</a>"))
    outcome = crawl(tmp_path / "t.db", CLINICWATCH_ALLOW_PRIVATE="0")
    assert outcome.status == "finished"
    texts = stored_texts(tmp_path / "t.db")
    assert a.url("/about.html") in texts
    assert "OFFSITE-MARKER" not in "\n".join(texts.values())
    db = open_db(tmp_path / "t.db")
    refused = {r["url"]: (r["outcome"], r["error"]) for r in db.query(
        "SELECT url, outcome, error FROM fetch_log WHERE run_id = ? AND error LIKE 'IgnoreRequest: refused:%'",
        [outcome.run_id])}
    assert list(refused) == [b.url("/offsite.html")]
    assert refused[b.url("/offsite.html")][0] == "skipped" and "non-public address" in refused[b.url("/offsite.html")][1]
    assert b.count_requests() == 0


@pytest.mark.parametrize("per_domain", [1, 2])
def test_per_domain_concurrency_holds_without_a_download_delay(tmp_path, per_domain):
    """Politeness: never more requests at once to one site than CLINICWATCH_CONCURRENT_PER_DOMAIN,
    measured at the server (Scrapy 2.19 alone sends its whole queue at once when the delay is 0)."""
    import threading

    from tests.conftest import SlowSite

    counts = {"now": 0, "max": 0}
    lock = threading.Lock()

    class CountingSite(SlowSite):
        def resolve(self, path):
            with lock:
                counts["now"] += 1
                counts["max"] = max(counts["max"], counts["now"])
            try:
                return super().resolve(path)
            finally:
                with lock:
                    counts["now"] -= 1

    routes = {"/": (200, {}, page("Home", "".join(f"<a href='/p{i}.html'>p{i}</a> " for i in range(12))))}
    routes.update({f"/p{i}.html": (200, {}, page(f"P{i}", "Opening hours.")) for i in range(12)})
    site = CountingSite(routes, host="127.0.0.74").start()
    site.delay = 0.1
    try:
        db = tmp_path / "p.db"
        seed_db(db, write_seeds(tmp_path / "s.csv", [{"name": "Polite", "urls": site.url("/")}]))
        outcome = crawl(db, CLINICWATCH_CONCURRENT_PER_DOMAIN=str(per_domain), CLINICWATCH_ANALYSIS_WORKERS="0")
    finally:
        site.stop()
    assert outcome.pages_stored == 13
    assert counts["max"] == per_domain
