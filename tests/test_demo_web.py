"""The bundled demo web must behave like a small real web: robots, sitemaps, redirects, 404s,
binary assets and off-site links, on loopback only. Other tests (crawler, reports) rely on it."""

from __future__ import annotations

import csv
import hashlib
import re
import time
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate, parsedate_to_datetime
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


# -- conditional requests and the request log ------------------------------------------------------


def fetch_if(url: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Fetch with extra request headers (underscores become dashes), without following redirects."""
    req = urllib.request.Request(url, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.fixture
def cond_server() -> Iterator[SiteServer]:
    routes = {
        "/": (200, {}, "<html><body>home</body></html>"),
        "/page.html": (200, {}, "<html><body>version one</body></html>"),
        "/old": (301, {"Location": "/page.html"}, b""),
        "/own.html": (200, {"ETag": 'W/"v7"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}, "own validators"),
        "/bare.html": (200, {"ETag": "", "Last-Modified": ""}, "no validators at all"),
    }
    with SiteServer(routes, host="127.0.0.4", port=0) as server:
        yield server


def test_etag_and_last_modified_present_and_stable(cond_server: SiteServer) -> None:
    url = cond_server.url("/page.html")
    status, headers, body = fetch(url)
    assert status == 200
    etag = headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag)  # strong, quoted
    assert etag == '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    modified = parsedate_to_datetime(headers["last-modified"])
    assert abs(modified.timestamp() - time.time()) < 60
    for _ in range(3):
        again = fetch(url)[1]
        assert (again["etag"], again["last-modified"]) == (etag, headers["last-modified"])
    head = fetch(url, "HEAD")[1]
    assert (head["etag"], head["last-modified"]) == (etag, headers["last-modified"])
    assert fetch(cond_server.url("/"))[1]["etag"] != etag  # per body, not per server


def test_redirects_and_errors_carry_no_validators(cond_server: SiteServer) -> None:
    for path, expected in (("/old", 301), ("/missing.html", 404)):
        status, headers, _ = fetch(cond_server.url(path))
        assert status == expected
        assert "etag" not in headers and "last-modified" not in headers
    # ...and conditional headers never turn them into 304s
    assert fetch_if(cond_server.url("/old"), If_None_Match="*")[0] == 301
    assert fetch_if(cond_server.url("/missing.html"), If_None_Match="*")[0] == 404


def test_if_none_match_gives_304_without_body(cond_server: SiteServer) -> None:
    url = cond_server.url("/page.html")
    _, headers, _ = fetch(url)
    etag, last_modified = headers["etag"], headers["last-modified"]
    for method in ("GET", "HEAD"):
        status, h304, body = fetch_if(url, method, If_None_Match=etag)
        assert status == 304 and body == b""
        assert h304["etag"] == etag and h304["last-modified"] == last_modified
        assert "content-type" not in h304
    for value in (f'"nope", {etag}', f"W/{etag}", "*", f' "a" ,W/"b",{etag} '):
        assert fetch_if(url, If_None_Match=value)[0] == 304, value
    status, _, body = fetch_if(url, If_None_Match='"0000000000000000", W/"other"')
    assert status == 200 and b"version one" in body


def test_changed_page_gets_new_etag_and_200(cond_server: SiteServer) -> None:
    url = cond_server.url("/page.html")
    _, first, _ = fetch(url)
    cond_server.set_page("/page.html", "<html><body>same length? no: version two</body></html>")
    status, second, body = fetch_if(url, If_None_Match=first["etag"])
    assert status == 200 and b"version two" in body
    assert second["etag"] != first["etag"]
    assert parsedate_to_datetime(second["last-modified"]) > parsedate_to_datetime(first["last-modified"])
    assert fetch_if(url, If_None_Match=second["etag"])[0] == 304
    # re-setting an identical body changes nothing
    cond_server.set_routes({"/page.html": (200, {}, "<html><body>same length? no: version two</body></html>")})
    third = fetch(url)[1]
    assert (third["etag"], third["last-modified"]) == (second["etag"], second["last-modified"])


def test_if_modified_since(cond_server: SiteServer) -> None:
    url = cond_server.url("/page.html")
    _, headers, _ = fetch(url)
    last_modified = headers["last-modified"]
    status, h304, body = fetch_if(url, If_Modified_Since=last_modified)
    assert status == 304 and body == b"" and h304["last-modified"] == last_modified
    later = formatdate(parsedate_to_datetime(last_modified).timestamp() + 3600, usegmt=True)
    assert fetch_if(url, If_Modified_Since=later)[0] == 304
    earlier = formatdate(parsedate_to_datetime(last_modified).timestamp() - 1, usegmt=True)
    assert fetch_if(url, If_Modified_Since=earlier)[0] == 200
    assert fetch_if(url, If_Modified_Since="not a date")[0] == 200
    # If-None-Match takes precedence over If-Modified-Since
    assert fetch_if(url, If_None_Match='"different"', If_Modified_Since=last_modified)[0] == 200

    cond_server.set_page("/page.html", "<html><body>edited within the same second</body></html>")
    status, headers, body = fetch_if(url, If_Modified_Since=last_modified)
    assert status == 200 and b"edited" in body
    assert fetch_if(url, If_Modified_Since=headers["last-modified"])[0] == 304


def test_explicit_validators_are_kept_or_suppressed(cond_server: SiteServer) -> None:
    url = cond_server.url("/own.html")
    _, headers, _ = fetch(url)
    assert headers["etag"] == 'W/"v7"' and headers["last-modified"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert fetch_if(url, If_None_Match='"v7"')[0] == 304  # weak comparison
    assert fetch_if(url, If_Modified_Since="Tue, 02 Jan 2024 00:00:00 GMT")[0] == 304
    assert fetch_if(url, If_Modified_Since="Sun, 31 Dec 2023 23:59:59 GMT")[0] == 200
    bare = cond_server.url("/bare.html")
    _, headers, _ = fetch(bare)
    assert "etag" not in headers and "last-modified" not in headers
    assert fetch_if(bare, If_Modified_Since="Fri, 01 Jan 2100 00:00:00 GMT")[0] == 200
    assert fetch_if(bare, If_None_Match='"anything"')[0] == 200


def test_request_log_counts_200s_and_304s(cond_server: SiteServer) -> None:
    cond_server.reset_requests()
    assert cond_server.requests == []
    url = cond_server.url("/page.html")
    etag = fetch(url)[1]["etag"]
    fetch(url, "HEAD")
    for _ in range(3):
        fetch_if(url, If_None_Match=etag)
    fetch(cond_server.url("/missing.html?x=1"))
    log = cond_server.requests
    assert log[0] == ("GET", "/page.html", 200) and log[1] == ("HEAD", "/page.html", 200)
    assert log[-1] == ("GET", "/missing.html", 404)
    assert len(log) == 6
    assert cond_server.count_requests(status=200) == 2
    assert cond_server.count_requests(status=304) == 3
    assert cond_server.count_requests(method="HEAD") == 1
    assert cond_server.count_requests(status=304, path="/page.html", method="GET") == 3

    with ThreadPoolExecutor(max_workers=8) as pool:  # thread-safe under concurrent requests
        list(pool.map(lambda _: fetch(cond_server.url("/")), range(40)))
    assert cond_server.count_requests(path="/", status=200) == 40
    cond_server.reset_requests()
    assert cond_server.requests == [] and cond_server.count_requests() == 0
