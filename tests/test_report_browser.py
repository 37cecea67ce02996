"""The HTML report in a real browser: hostile crawled text stays inert and nothing phones home.

A DB full of hostile markup (tests/hostile.py) is rendered with `write_report`; the output
directory is served over loopback HTTP and every HTML page (report.html, dossiers/*.html) is
loaded by headless Chromium. The test checks the DOM Chromium ends up with (no script, no event
handlers, no frames, no refresh/base, no javascript: links, title untouched), that a beacon
server the hostile markup points at received no request at all, that the report server was
asked only for files it has, and that the hostile strings are shown verbatim as text. A
screenshot of report.html is kept in tests/artifacts/report.png.

Needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it). Without it the module
is skipped, except under CI (env CI set), where a missing browser is a failure.
"""
from __future__ import annotations

import functools
import http.server
import os
import signal
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup

from reports.render import write_report
from tests.hostile import MARK, HostileDb, build_hostile_db, payloads

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_TIMEOUT = 25  # seconds per browser run; a normal run takes about one
ARTIFACTS = Path(__file__).with_name("artifacts")
SCREENSHOT = ARTIFACTS / "report.png"
WINDOW = (1280, 2400)
MIN_SCREENSHOT_BYTES = 20_000  # a blank 1280x2400 PNG is a few KB; the report is far more
SECTIONS = ("Summary", "Clinics", "Flagged pages", "Crawl health")
# attributes whose value is only ever shown as text, never fetched
TEXT_ATTRS = {"title", "aria-label", "alt", "placeholder", "class", "lang", "id", "role"}
FRAME_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal",
              "base", "noscript")
LINK_SCHEMES = {"http", "https", "mailto", ""}  # "" = relative link within the report


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


if not os.access(CHROMIUM, os.X_OK) and not _in_ci():
    pytest.skip(f"{CHROMIUM} not installed (Debian: apt-get install chromium); the browser "
                "test runs under CI, where it is required", allow_module_level=True)


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"CI is set but {CHROMIUM} is missing: .ci/run must install chromium")
    return CHROMIUM


# --- loopback servers --------------------------------------------------------------------------

class _Server:
    """A stdlib HTTP server on 127.0.0.1 (free port) in a thread, recording every request."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.recorder = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def record(self, method: str, path: str, status: int) -> None:
        with self.lock:
            self.requests.append((method, path, status))

    def snapshot(self) -> list[tuple[str, str, int]]:
        with self.lock:
            return list(self.requests)

    def __enter__(self) -> "_Server":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _BeaconHandler(http.server.BaseHTTPRequestHandler):
    """Answers anything with 200: any request here means the page reached outside itself."""

    def _answer(self) -> None:
        self.server.recorder.record(self.command, self.path, 200)  # type: ignore[attr-defined]
        body = b"<!doctype html><title>beacon</title>beacon"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    def log_request(self, code: object = "-", size: object = "-") -> None:
        status = getattr(code, "value", code)
        self.server.recorder.record(  # type: ignore[attr-defined]
            self.command, self.path, int(status) if str(status).isdigit() else 0)

    def log_message(self, *args: object) -> None:
        pass


def static_server(directory: Path) -> _Server:
    handler = functools.partial(_StaticHandler, directory=str(directory))
    return _Server(handler)  # type: ignore[arg-type]


# --- the browser -------------------------------------------------------------------------------

def run_chromium(binary: str, scratch: Path, *args: str) -> str:
    """Run headless Chromium once (fresh profile) and return its stdout."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=scratch))
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-proxy-server", f"--user-data-dir={profile}",
           "--virtual-time-budget=3000", *args]
    env = {**os.environ, "HOME": str(profile), "XDG_CONFIG_HOME": str(profile / "config"),
           "XDG_CACHE_HOME": str(profile / "cache")}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish within {CHROMIUM_TIMEOUT}s: {' '.join(args)}")
    finally:
        try:  # helper processes of this run only (its own session/process group)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.returncode != 0:
        pytest.fail(f"chromium exited {proc.returncode} for {' '.join(args)}:\n{err[-2000:]}")
    return out


def dump_dom(binary: str, scratch: Path, url: str) -> str:
    dom = run_chromium(binary, scratch, "--dump-dom", url)
    assert "<html" in dom.lower(), f"chromium dumped no DOM for {url}: {dom[:300]!r}"
    return dom


def screenshot(binary: str, scratch: Path, url: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    run_chromium(binary, scratch, f"--screenshot={path}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                 "--hide-scrollbars", url)


# --- what counts as live markup ----------------------------------------------------------------

def _scheme(url: str) -> str:
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f")  # browsers drop these
    return urlsplit(cleaned).scheme.lower()


def live_markup(soup: BeautifulSoup, beacon_origin: str) -> list[str]:
    """Everything in a dumped DOM that would run, navigate, frame or fetch on its own."""
    beacon = beacon_origin.split("//")[-1]  # 127.0.0.1:PORT, with or without scheme
    problems = []
    for tag in soup.find_all(FRAME_TAGS):
        problems.append(f"<{tag.name}> element: {str(tag)[:120]}")
    for meta in soup.find_all("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "refresh":
            problems.append(f"meta refresh: {meta}")
    for el in soup.find_all(True):
        for name, value in el.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            lname = name.lower()
            if lname.startswith("on"):
                problems.append(f"<{el.name} {name}=...> event handler: {text[:80]}")
            elif lname in ("href", "xlink:href", "action", "formaction") and \
                    _scheme(text) not in LINK_SCHEMES:
                problems.append(f"<{el.name} {name}={text[:80]!r}> non-http URL")
            elif beacon in text and lname not in TEXT_ATTRS and not lname.startswith("data-") \
                    and not (el.name == "a" and lname == "href"):
                problems.append(f"<{el.name} {name}={text[:80]!r}> points outside the report")
        if el.name == "style" and (beacon in el.get_text() or "@import" in el.get_text()):
            problems.append(f"<style> loading from outside: {el.get_text()[:120]}")
        if el.name == "link" and beacon in str(el.get("href", "")):
            problems.append(f"<link> to outside: {el}")
    title = soup.head.title.get_text() if soup.head and soup.head.title else ""
    if MARK in title:  # hostile script sets exactly this
        problems.append(f"document.title was changed by script: {title!r}")
    return problems


# --- one browser pass over the hostile report, shared by the tests -----------------------------

@dataclass
class PageResult:
    name: str  # path relative to the report directory
    url: str
    dom: str
    soup: BeautifulSoup
    server_requests: list[tuple[str, str, int]]  # what loading this page asked the report server


@dataclass
class BrowserRun:
    hostile: HostileDb
    out_dir: Path
    pages: list[PageResult]
    beacon_requests: list[tuple[str, str, int]]
    screenshot: Path
    seconds: float
    report_files: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def browser_run(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserRun]:
    started = time.monotonic()
    tmp = tmp_path_factory.mktemp("browser")
    with _Server(_BeaconHandler) as beacon:
        hostile = build_hostile_db(tmp / "hostile.db", beacon.port)
        out = tmp / "report"
        write_report(hostile.path, out)
        html_files = [out / "report.html", *sorted((out / "dossiers").glob("*.html"))]
        files = {"/" + quote(p.relative_to(out).as_posix())
                 for p in out.rglob("*") if p.is_file()}
        pages = []
        with static_server(out) as site:
            for path in html_files:
                rel = path.relative_to(out).as_posix()
                url = f"{site.origin}/{quote(rel)}"
                before = len(site.snapshot())
                dom = dump_dom(chromium, tmp, url)
                pages.append(PageResult(rel, url, dom, BeautifulSoup(dom, "html.parser"),
                                        site.snapshot()[before:]))
            screenshot(chromium, tmp, f"{site.origin}/report.html", SCREENSHOT)
            time.sleep(0.2)  # let a straggling request (if any) reach the beacon
        yield BrowserRun(hostile, out, pages, beacon.snapshot(), SCREENSHOT,
                         time.monotonic() - started, files)


# --- the tests ---------------------------------------------------------------------------------

def _title(soup: BeautifulSoup) -> str | None:
    if soup.head is None or soup.head.title is None:
        return None
    return " ".join(soup.head.title.get_text().split())


def test_every_page_was_loaded(browser_run: BrowserRun) -> None:
    """Each dumped DOM is the page itself: not blank, and not navigated away (which would
    also blind the DOM checks)."""
    names = [p.name for p in browser_run.pages]
    assert names[0] == "report.html"
    for page in browser_run.pages:
        source = BeautifulSoup((browser_run.out_dir / page.name).read_text(encoding="utf-8"),
                               "html.parser")
        assert page.soup.body is not None and page.soup.body.get_text(strip=True), page.name
        got, want = _title(page.soup), _title(source)
        assert got == want, (f"{page.name}: <title> is {got!r} but the file says {want!r}: "
                             f"script changed it or the browser left the page: "
                             f"{page.dom[:300]!r}")
    assert browser_run.seconds < 60, f"browser pass took {browser_run.seconds:.1f}s"


def test_hostile_text_stays_inert_in_the_browser(browser_run: BrowserRun) -> None:
    failures = {}
    for page in browser_run.pages:
        problems = live_markup(page.soup, f"127.0.0.1:{browser_run.hostile.beacon_port}")
        if problems:
            failures[page.name] = problems
    assert not failures, "live markup from crawled text:\n" + "\n".join(
        f"{name}: {p}" for name, problems in failures.items() for p in problems)


def test_no_request_leaves_the_report(browser_run: BrowserRun) -> None:
    assert browser_run.beacon_requests == [], \
        f"the beacon was contacted: {browser_run.beacon_requests}"
    for page in browser_run.pages:
        own = "/" + quote(page.name)
        stray = [r for r in page.server_requests
                 if r[1] not in (own, "/favicon.ico") and r[1] not in browser_run.report_files]
        assert not stray, f"{page.name} made the browser fetch unknown paths: {stray}"
        if page.name == "report.html":  # documented as self-contained
            extra = [r for r in page.server_requests if r[1] not in (own, "/favicon.ico")]
            assert not extra, f"report.html loaded more than itself: {extra}"


def test_report_sections_and_hostile_text_are_visible(browser_run: BrowserRun) -> None:
    report = browser_run.pages[0]
    headings = {h.get_text(" ", strip=True) for h in report.soup.find_all(["h1", "h2"])}
    missing = [s for s in SECTIONS if s not in headings]
    assert not missing, f"sections missing from the rendered report: {missing} (have {headings})"
    assert report.soup.head.title.get_text().startswith("ClinicWatch report")
    csp = report.soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp is not None and "default-src 'none'" in csp.get("content", "")
    text = report.soup.get_text()
    shown = [s for s in browser_run.hostile.expected_text if s not in text]
    assert not shown, f"hostile strings not shown verbatim as text: {shown}"
    for page in browser_run.pages[1:]:  # a dossier names its clinic, verbatim
        text = page.soup.get_text()
        assert any(name in text for name in browser_run.hostile.clinic_names), \
            f"{page.name} shows no clinic name as text: {text[:300]!r}"


def test_screenshot_artefact(browser_run: BrowserRun) -> None:
    png = browser_run.screenshot
    assert png.is_file(), f"no screenshot at {png}"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= WINDOW[0] * 0.9 and height >= WINDOW[1] * 0.9, (width, height)
    assert len(data) > MIN_SCREENSHOT_BYTES, f"screenshot is only {len(data)} bytes: blank?"


def test_harness_catches_unescaped_markup(chromium: str, tmp_path: Path) -> None:
    """Control: the same checks on a page that pastes the payloads raw must all go off."""
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    with _Server(_BeaconHandler) as beacon:
        # no refresh (it would navigate away from the DOM under test); the comment opener last
        raw = {k: v for k, v in payloads(beacon.port).items()
               if k not in ("meta_refresh", "comment_break")}
        (site_dir / "raw.html").write_text(
            "<!doctype html><html><head><title>raw</title></head><body>"
            + "".join(raw.values()) + "</body></html>", encoding="utf-8")
        with static_server(site_dir) as site:
            dom = dump_dom(chromium, tmp_path, f"{site.origin}/raw.html")
        time.sleep(0.2)
        hits = beacon.snapshot()
    problems = live_markup(BeautifulSoup(dom, "html.parser"), f"127.0.0.1:{beacon.port}")
    assert any("document.title was changed" in p for p in problems), problems
    for needle in ("<script>", "<iframe>", "<base>", "event handler", "non-http URL",
                   "points outside"):
        assert any(needle in p for p in problems), f"control missed {needle}: {problems}"
    assert hits, "control page fetched nothing from the beacon: the beacon check is blind"
