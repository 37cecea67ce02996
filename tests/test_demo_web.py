"""The bundled demo web must behave like a small real web: robots, sitemaps, redirects, 404s,
binary assets and off-site links, on loopback only. Other tests (crawler, reports) rely on it."""

from __future__ import annotations

import csv
import re
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.demo_web import SEEDS_HEADER, DemoSite, DemoWeb, SiteServer, check_loopback


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Fetch without following redirects; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.links.append(value)


def links_of(html: bytes) -> list[str]:
    parser = _Links()
    parser.feed(html.decode("utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb(port=0) as demo:
        yield demo


@pytest.fixture(scope="module")
def walks(web: DemoWeb) -> dict[str, dict[str, object]]:
    """Follow every root-relative link from each index (ignoring robots) and record outcomes."""
    result: dict[str, dict[str, object]] = {}
    for site in web.sites:
        statuses: dict[str, int] = {}
        ctypes: dict[str, str] = {}
        external: set[str] = set()
        html_pages: dict[str, bytes] = {}
        queue = [site.url("/")]
        while queue:
            url = queue.pop()
            if url in statuses:
                continue
            status, headers, body = fetch(url)
            statuses[url] = status
            ctypes[url] = headers.get("content-type", "")
            if status == 200 and ctypes[url].startswith("text/html"):
                html_pages[url] = body
                for link in links_of(body):
                    absolute = urljoin(url, link).split("#")[0]
                    if urlsplit(absolute).hostname != site.host:
                        external.add(absolute)
                    elif absolute not in statuses:
                        queue.append(absolute)
        result[site.slug] = {"statuses": statuses, "ctypes": ctypes, "external": external, "html": html_pages}
    return result


def test_at_least_seven_sites_on_distinct_loopback_hosts(web: DemoWeb) -> None:
    sites = web.sites
    assert len(sites) >= 7
    hosts = [s.host for s in sites]
    assert len(set(hosts)) == len(hosts)
    assert all(h.startswith("127.0.0.") and int(h.rsplit(".", 1)[1]) > 10 for h in hosts)
    assert web.port != 0
    assert all(s.base_url == f"http://{s.host}:{web.port}" for s in sites)
    assert {"en", "de"} <= {s.language.split("-")[0] for s in sites} and any(s.language.startswith("es") for s in sites)


def test_at_least_65_html_pages(web: DemoWeb) -> None:
    per_site = {s.slug: len(list(s.directory.rglob("*.html"))) for s in web.sites if s.directory}
    assert sum(per_site.values()) >= 65, per_site
    assert all(n >= 8 for n in per_site.values()), per_site


def test_index_pages_are_html(web: DemoWeb) -> None:
    for site in web.sites:
        status, headers, body = fetch(site.url("/"))
        assert status == 200, site.slug
        assert headers["content-type"].startswith("text/html")
        assert int(headers["content-length"]) == len(body)
        text = body.decode("utf-8")
        assert re.search(r'<html lang="[a-z]{2}', text)
        assert '<meta name="description"' in text and "<nav" in text and "<footer" in text


def test_robots_has_disallow_and_real_sitemap_url(web: DemoWeb) -> None:
    for site in web.sites:
        status, headers, body = fetch(site.url("/robots.txt"))
        assert status == 200 and headers["content-type"].startswith("text/plain")
        text = body.decode()
        assert re.search(r"^Disallow: /\S+", text, re.M), site.slug
        assert f"Sitemap: {site.base_url}/sitemap.xml" in text
        assert "{base}" not in text


def test_sitemap_absolute_urls_all_served(web: DemoWeb) -> None:
    for site in web.sites:
        status, headers, body = fetch(site.url("/sitemap.xml"))
        assert status == 200 and "xml" in headers["content-type"]
        locs = re.findall(r"<loc>([^<]+)</loc>", body.decode())
        assert len(locs) >= 8 and "{base}" not in body.decode()
        for loc in locs:
            assert loc.startswith(site.base_url + "/"), loc
            assert fetch(loc, "HEAD")[0] == 200, loc


def test_sitemap_only_page_is_not_linked(web: DemoWeb, walks: dict[str, dict[str, object]]) -> None:
    for site in web.sites:
        _, _, body = fetch(site.url("/sitemap.xml"))
        locs = re.findall(r"<loc>([^<]+)</loc>", body.decode())
        marked = [loc for loc in locs if b"SITEMAP-ONLY-MARKER" in fetch(loc)[2]]
        assert marked, site.slug
        reachable = walks[site.slug]["statuses"]
        assert isinstance(reachable, dict)
        assert not set(marked) & set(reachable), f"{site.slug}: sitemap-only page is linked"


def test_robots_disallowed_page_exists_and_is_linked(web: DemoWeb, walks: dict[str, dict[str, object]]) -> None:
    site = web.sites[0]
    url = site.url("/private/staff-notes.html")
    status, _, body = fetch(url)
    assert status == 200 and b"ROBOTS-DISALLOWED-MARKER" in body
    statuses = walks[site.slug]["statuses"]
    assert isinstance(statuses, dict) and url in statuses  # a crawler will see the link...
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch(site.url("/robots.txt"))[2].decode().splitlines())
    assert not robots.can_fetch("ClinicWatch", url)  # ...and must refuse it
    assert robots.can_fetch("ClinicWatch", site.url("/treatments.html"))
    others = [s for s in web.sites[1:] if b"ROBOTS-DISALLOWED-MARKER" in b"".join(walks[s.slug]["html"].values())]  # type: ignore[union-attr]
    assert not others


def test_every_site_has_redirect_404_pdf_png_and_external_link(web: DemoWeb, walks: dict[str, dict[str, object]]) -> None:
    for site in web.sites:
        walk = walks[site.slug]
        statuses, ctypes, external = walk["statuses"], walk["ctypes"], walk["external"]
        assert isinstance(statuses, dict) and isinstance(ctypes, dict) and isinstance(external, set)
        codes = sorted(statuses.values())
        assert 301 in codes and 404 in codes, (site.slug, codes)
        assert codes.count(404) <= 3, site.slug
        assert any(c == "application/pdf" for c in ctypes.values()), site.slug
        assert any(c == "image/png" for c in ctypes.values()), site.slug
        assert external and all(urlsplit(u).scheme == "https" and "example." in u for u in external), site.slug


def test_redirect_gives_301_with_absolute_location(web: DemoWeb) -> None:
    site = web.sites[0]
    status, headers, body = fetch(site.url("/old-treatments"))
    assert status == 301
    assert headers["location"] == site.url("/treatments.html")
    assert headers["content-length"] == "0" and body == b""
    assert fetch(headers["location"])[0] == 200


def test_missing_page_is_404_for_get_and_head(web: DemoWeb) -> None:
    for site in web.sites:
        status, headers, body = fetch(site.url("/no-such-page.html"))
        assert status == 404 and headers["content-type"].startswith("text/html") and body
        assert fetch(site.url("/no-such-page.html"), "HEAD")[0] == 404


def test_pdf_and_png_content_types(web: DemoWeb) -> None:
    site = web.sites[0]
    status, headers, body = fetch(site.url("/downloads/renewcell-brochure.pdf"))
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.") and body.rstrip().endswith(b"%%EOF")
    status, headers, body = fetch(site.url("/images/lab.png"))
    assert status == 200 and headers["content-type"] == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n") and int(headers["content-length"]) == len(body)


def test_head_matches_get_without_body(web: DemoWeb) -> None:
    url = web.sites[1].url("/diabetes.html")
    _, get_headers, get_body = fetch(url)
    status, head_headers, head_body = fetch(url, "HEAD")
    assert status == 200 and head_body == b""
    assert int(head_headers["content-length"]) == len(get_body) == int(get_headers["content-length"])


def test_hostile_snippet_is_escaped_text(web: DemoWeb) -> None:
    _, _, body = fetch(web.sites[0].url("/testimonials.html"))
    html = body.decode()
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_structured_data_and_dates_present(web: DemoWeb, walks: dict[str, dict[str, object]]) -> None:
    pages = [b for w in walks.values() for b in w["html"].values()]  # type: ignore[union-attr]
    blob = b"\n".join(pages).decode()
    assert blob.count('"@type": "MedicalClinic"') >= 4
    assert "<time datetime=" in blob and 'property="article:published_time"' in blob


def test_seeds_csv(web: DemoWeb, tmp_path: Path) -> None:
    path = web.write_seeds(tmp_path / "seeds" / "demo.csv")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert header == SEEDS_HEADER == ["name", "country", "urls", "domains", "tags"]
    assert len(rows) == len(web.sites)
    for row, site in zip(rows, web.sites):
        assert row == [site.name, site.country, site.base_url + "/", site.host, " ".join(site.tags)]


def test_demo_site_dataclass(web: DemoWeb) -> None:
    site = web.site("renewcell-institute")
    assert isinstance(site, DemoSite)
    assert site.url("faq.html") == site.base_url + "/faq.html"
    with pytest.raises(KeyError):
        web.site("nope")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "10.0.0.1", "::1", "example.com", ""])
def test_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ValueError):
        check_loopback(host)
    with pytest.raises(ValueError):
        SiteServer({}, host=host, port=0)


def test_demo_web_refuses_non_loopback_prefix() -> None:
    with pytest.raises(ValueError):
        DemoWeb(port=0, host_prefix="10.0.0")
    with pytest.raises(ValueError):
        DemoWeb(port=0, host_prefix="0.0.0")


def test_site_server_serves_editable_mapping() -> None:
    routes = {
        "/": (200, {}, b"<html><body>home</body></html>"),
        "/data.json": (200, {}, b"{}"),
        "/robots.txt": (200, {}, b"User-agent: *\nDisallow: /secret/\n"),
        "/teapot": (418, {"Content-Type": "text/plain", "X-Test": "yes"}, b"short and stout"),
    }
    with SiteServer(routes, host="127.0.0.3", port=0) as server:
        assert server.base_url == f"http://127.0.0.3:{server.port}"
        status, headers, body = fetch(server.url("/?q=1"))
        assert status == 200 and body.endswith(b"home</body></html>") and headers["content-type"].startswith("text/html")
        assert fetch(server.url("/data.json"))[1]["content-type"] == "application/json"
        assert fetch(server.url("/robots.txt"))[1]["content-type"].startswith("text/plain")
        status, headers, body = fetch(server.url("/teapot"))
        assert (status, headers["x-test"], body) == (418, "yes", b"short and stout")

        server.set_page("/", "<html><body>edited ünïcode</body></html>")
        body = fetch(server.url("/"))[2]
        assert "edited ünïcode" in body.decode("utf-8")
        server.set_redirect("/old", "/")
        status, headers, _ = fetch(server.url("/old"))
        assert status == 301 and headers["location"] == server.url("/")
        server.remove("/data.json")
        assert fetch(server.url("/data.json"))[0] == 404
        assert "/old" in server.paths


def test_demo_web_fixed_port_and_stop(tmp_path: Path) -> None:
    """A second instance on an explicit port works and frees its sockets on stop()."""
    probe = SiteServer({}, host="127.0.0.2", port=0)
    port = probe.port
    probe.stop()
    web = DemoWeb(port=port).start()
    try:
        assert web.port == port and fetch(web.sites[-1].url("/"))[0] == 200
    finally:
        web.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(web.sites[0].url("/"), timeout=2)
    with pytest.raises(RuntimeError):
        _ = DemoWeb(port=0).sites
