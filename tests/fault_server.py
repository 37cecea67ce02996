"""A hostile little web on loopback: one path per fault, below and above HTTP, for crawl tests.

Why: a crawler that monitors hundreds of real sites meets every kind of broken server. This
module serves them all on 127.0.0.x so one crawl can visit every fault and the test can check
that the crawl finishes, records each failure and loses no good page. Raw sockets (not
http.server) because many faults are below HTTP: resets, hangs, drips, short bodies.

Hosts (all loopback, checked): the clinic's main host `MAIN` plus two more hosts of the same
clinic (`ROBOTS_ERROR`: robots.txt answers 500; `ROBOTS_CLOSED`: robots.txt disallows everything),
all on one port; `OFFSITE` (same port, not in the clinic's domains) and `OTHER_PORT` (another
address on another port) must never be contacted: redirects send the crawler there.

Every fault is bounded in time: a hanging or dripping connection ends after at most
`HOLD_SECONDS`, whatever the client does, and `stop()` closes everything.

    with FaultWeb() as web:
        web.url("/")            # the home page: links to every fault path and every good page
        web.requests_for(path)  # what the server was asked, to check retries and refusals
"""
from __future__ import annotations

import errno
import functools
import random
import select
import socket
import socketserver
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable

from crawler.demo_web.site_server import check_loopback

MAIN = "127.0.0.81"
OFFSITE = "127.0.0.82"  # same port, not one of the clinic's domains
OTHER_PORT = "127.0.0.83"  # another address on another port
ROBOTS_ERROR = "127.0.0.84"  # robots.txt answers 500
ROBOTS_CLOSED = "127.0.0.85"  # robots.txt: Disallow: /
CLINIC_DOMAINS = (MAIN, ROBOTS_ERROR, ROBOTS_CLOSED)

HOLD_SECONDS = 12.0  # longest any connection is kept open (timeout / drip faults)
MAX_REQUEST_HEAD = 16 * 1024
OVERSIZE_BYTES = 3 * 1024 * 1024  # the over-size pages: keep above the crawl's CLINICWATCH_MAX_PAGE_BYTES
BOMB_UNCOMPRESSED = 1 << 30  # the gzip bomb inflates to 1 GiB of zeros (~1 MB on the wire)

# Known non-ASCII sentences served in legacy encodings; they must be stored exactly like this.
ZH = "干细胞治疗糖尿病"
JA = "幹細胞治療"
RU = "лечение стволовыми клетками"
ES = "Años de experiencia con células madre, señor Muñoz."

MANY_ELEMENTS = 300_000  # <br> elements on /many-elements (1.5 MB)
LONG_TEXT_CHARS = 60_000  # characters of text on /long-text

HTML = "text/html"
HTML_UTF8 = "text/html; charset=utf-8"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa" + bytes(600)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(300) + b"\n%%EOF\n"


@functools.lru_cache(maxsize=2)
def gzip_bomb(size: int = BOMB_UNCOMPRESSED, chunk: int = 1 << 20) -> bytes:
    """A valid gzip member of `size` zero bytes, built without compressing them all.

    After a full flush deflate forgets everything, so each further chunk of zeros compresses
    to the same bytes: compress two chunks, repeat the second. The CRC is computed over the
    zeros (about 0.4 s for 1 GiB). 1 GiB -> about 1 MB.
    """
    if size % chunk:
        raise ValueError("size must be a multiple of chunk")
    zeros = bytes(chunk)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    steady = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    if steady != compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH):
        raise RuntimeError("deflate did not reach a steady state")
    tail = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, mtime 0, max compression
    return b"".join([header, first, steady * (size // chunk - 1), tail, struct.pack("<II", crc, size & 0xFFFFFFFF)])


def page(title: str, body_html: str, *, head: str = "", lang: str = "en") -> str:
    return (f"<!doctype html><html lang='{lang}'><head>{head}<title>{title}</title></head><body><main>"
            f"<h1>{title}</h1>{body_html}</main></body></html>")


@dataclass(frozen=True)
class Fault:
    """One path of the hostile web and what the crawl must record for it."""

    path: str
    kind: str
    does: str  # what the server does (README table)
    handler: Callable[["_Handler"], None]
    host: str = MAIN


@dataclass
class Good:
    """A page that must be stored exactly once, correctly decoded."""

    path: str
    marker: str
    sentence: str = ""  # non-ASCII sentence that must appear verbatim in the stored text
    host: str = MAIN
    kind: str = ""  # the fault it carries, if any (README table)
    does: str = ""


# --- raw responses ------------------------------------------------------------------------------

class _Handler(socketserver.BaseRequestHandler):
    """Reads one request head, answers it through the route table, closes the connection."""

    server: "_Server"

    def setup(self) -> None:
        self.request.settimeout(HOLD_SECONDS)
        self.method, self.path, self.headers = "", "", {}

    def handle(self) -> None:
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < MAX_REQUEST_HEAD:
                data = self.request.recv(4096)
                if not data:
                    return
                head += data
        except OSError:
            return
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        try:
            self.method, target, _ = lines[0].split(" ", 2)
        except ValueError:
            return
        self.path = target.split("?", 1)[0]
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        host = self.server.server_address[0]
        self.server.web.log(host, self.path)
        route = self.server.web.routes.get((host, self.path))
        try:
            if route is None:
                self.send(404, {"Content-Type": HTML_UTF8}, page("Not found", "<p>No such page.</p>").encode())
            else:
                route(self)
        except OSError:  # the crawler hung up (timeouts, size limits): that is the point of some faults
            pass

    # helpers used by the routes
    def write_head(self, status: int, headers: dict[str, str]) -> None:
        reason = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 429: "Too Many Requests",
                  500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Status")
        lines = [f"HTTP/1.1 {status} {reason}", "Connection: close", "Server: fault-web", *(f"{k}: {v}" for k, v in headers.items())]
        self.request.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.write_head(status, {**headers, "Content-Length": str(len(body))})
        if self.method != "HEAD":
            self.request.sendall(body)

    def hold(self, seconds: float) -> None:
        """Keep the connection open, answering nothing, until the client leaves or `seconds` pass."""
        deadline = time.monotonic() + min(seconds, HOLD_SECONDS)
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.request], [], [], min(left, 0.2))
            if readable and not self.request.recv(4096):
                return  # the client closed
            if self.server.web.stopping.is_set():
                return

    def reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()


def status(code: int, retry_after: str | None = None) -> Callable[[_Handler], None]:
    def route(h: _Handler) -> None:
        headers = {"Content-Type": HTML_UTF8, **({"Retry-After": retry_after} if retry_after else {})}
        h.send(code, headers, page(f"Error {code}", f"<p>STATUS-{code} failing on purpose.</p>").encode())
    return route


def body(content: bytes | str, content_type: str = HTML_UTF8, **headers: str) -> Callable[[_Handler], None]:
    data = content.encode("utf-8") if isinstance(content, str) else content

    def route(h: _Handler) -> None:
        h.send(200, {"Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}, data)
    return route


def redirect(location: Callable[[], str] | str, code: int = 302) -> Callable[[_Handler], None]:
    def route(h: _Handler) -> None:
        h.send(code, {"Location": location() if callable(location) else location, "Content-Type": HTML_UTF8}, b"")
    return route


def reset_mid_response(h: _Handler) -> None:
    h.write_head(200, {"Content-Type": HTML_UTF8, "Content-Length": "20000"})
    h.request.sendall(page("Reset", "<p>RESET-PARTIAL this body is cut off by a reset").encode())
    time.sleep(0.05)
    h.reset()


def never_answer(h: _Handler) -> None:
    h.hold(HOLD_SECONDS)


def drip(total_seconds: float, pieces: int, marker: str) -> Callable[[_Handler], None]:
    """Send a page in `pieces` pieces spread over `total_seconds` (bounded by HOLD_SECONDS)."""
    data = page("Slow page", f"<p>{marker} arrived a few bytes at a time.</p>" + "<p>padding</p>" * 40).encode()

    def route(h: _Handler) -> None:
        h.write_head(200, {"Content-Type": HTML_UTF8, "Content-Length": str(len(data))})
        step = -(-len(data) // pieces)
        pause = min(total_seconds, HOLD_SECONDS) / pieces
        for start in range(0, len(data), step):
            if h.server.web.stopping.is_set():
                return
            time.sleep(pause)
            h.request.sendall(data[start:start + step])
    return route


def truncated(h: _Handler) -> None:
    data = page("Truncated", "<p>TRUNCATED-PARTIAL the rest never comes.</p>").encode()
    h.write_head(200, {"Content-Type": HTML_UTF8, "Content-Length": str(len(data) + 50_000)})
    h.request.sendall(data)
    h.request.shutdown(socket.SHUT_WR)  # a clean FIN, 50 KB short


def bomb(h: _Handler) -> None:
    data = gzip_bomb()
    h.write_head(200, {"Content-Type": HTML_UTF8, "Content-Encoding": "gzip", "Content-Length": str(len(data))})
    h.request.sendall(data)


def oversize(chunked: bool) -> Callable[[_Handler], None]:
    """OVERSIZE_BYTES of valid HTML, with a Content-Length or chunked (size known only by reading)."""
    filler = ("<p>OVERSIZE-MARKER " + "stem cell filler text " * 40 + "</p>\n").encode()

    def route(h: _Handler) -> None:
        head = b"<!doctype html><html><head><title>Huge</title></head><body>"
        count = OVERSIZE_BYTES // len(filler) + 1
        if not chunked:
            h.write_head(200, {"Content-Type": HTML_UTF8, "Content-Length": str(len(head) + count * len(filler))})
            h.request.sendall(head)
            for _ in range(count):
                h.request.sendall(filler)
            return
        h.write_head(200, {"Content-Type": HTML_UTF8, "Transfer-Encoding": "chunked"})
        for piece in [head] + [filler] * count:
            h.request.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        h.request.sendall(b"0\r\n\r\n")
    return route


def deep_nesting(depth: int = 100_000) -> bytes:
    return ("<!doctype html><html lang='en'><head><title>Deep</title></head><body>"
            "<p>DEEP-TOP-MARKER a page of 100,000 nested div elements follows.</p>"
            + "<div>" * depth + "DEEP-INNER-MARKER" + "</div>" * depth
            + "<p>DEEP-TAIL-MARKER after the nesting.</p></body></html>").encode()


# Surrounding text per sentence, as a clinic page would carry it: detectors need more than one
# sentence to tell Shift_JIS from Korean or windows-1252 from windows-1250.
_CONTEXT = {
    ZH: "我们的干细胞治疗糖尿病方案由专业医生团队提供，欢迎预约免费咨询。",
    JA: "当院の幹細胞治療は、ひざの痛みや糖尿病に悩む方のための再生医療です。カウンセリングは無料です。",
    RU: "Наша клиника предлагает лечение стволовыми клетками при диабете и болезнях суставов.",
}


def legacy_page(title: str, marker: str, sentence: str, encoding: str, head: str = "") -> bytes:
    """A page whose bytes are in `encoding`, carrying `sentence` verbatim among some context."""
    context = _CONTEXT.get(sentence, "")
    text = f"<p>{marker}</p><p>{sentence}</p><p>{context}</p><ul><li>{sentence}</li></ul>"
    return page(title, text, head=head).encode(encoding)


def many_elements(count: int) -> bytes:
    """A flat page of `count` elements (<br>): cheap on the wire, costly as a Python tree."""
    return ("<!doctype html><html lang='en'><head><title>Many</title></head><body><p>MANY-TOP-MARKER</p><p>"
            + "<br>." * count + "</p><p>MANY-END-MARKER</p></body></html>").encode()


def long_text(chars: int) -> bytes:
    """A page with `chars` characters of ordinary text, a claim only at its very end."""
    filler = "".join(f"<p>Paragraph {n}: our team welcomes you to the clinic for a consultation.</p>\n"
                     for n in range(chars // 70 + 1))
    return page("Long", "<p>LONG-TOP-MARKER</p>" + filler
                + "<p>LONG-END-MARKER Our stem cell therapy cures type 2 diabetes.</p>").encode()


# --- the web ------------------------------------------------------------------------------------

class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], web: "FaultWeb") -> None:
        self.web = web
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Hostile answers end in broken connections; nothing to report."""


@dataclass
class FaultWeb:
    """Every fault on loopback; `faults` and `good` say what the crawl must record and store."""

    faults: list[Fault] = field(default_factory=list)
    good: list[Good] = field(default_factory=list)
    routes: dict[tuple[str, str], Callable[[_Handler], None]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    request_times: list[tuple[str, str, float]] = field(default_factory=list)  # (host, path, monotonic)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        for host in (MAIN, OFFSITE, OTHER_PORT, ROBOTS_ERROR, ROBOTS_CLOSED):
            check_loopback(host)
        self._lock = threading.Lock()
        self._servers: list[_Server] = []
        self.port = self.other_port = 0

    # addresses
    def url(self, path: str = "/", host: str = MAIN) -> str:
        return f"http://{host}:{self.other_port if host == OTHER_PORT else self.port}{path}"

    def log(self, host: str, path: str) -> None:
        with self._lock:
            self.requests.append((host, path))
            self.request_times.append((host, path, time.monotonic()))

    def requests_for(self, path: str, host: str = MAIN) -> int:
        with self._lock:
            return sum(1 for h, p in self.requests if (h, p) == (host, path))

    def gaps_for(self, path: str, host: str = MAIN) -> list[float]:
        """Seconds between consecutive requests for the path (how long retries waited)."""
        with self._lock:
            times = [t for h, p, t in self.request_times if (h, p) == (host, path)]
        return [b - a for a, b in zip(times, times[1:])]

    def hosts_contacted(self) -> set[str]:
        with self._lock:
            return {h for h, _ in self.requests}

    # lifecycle
    def start(self) -> "FaultWeb":
        gzip_bomb()  # build it before the crawl starts (0.4 s), not inside its first request
        for attempt in range(8):
            try:
                main = _Server((MAIN, 0), self)
                self._servers = [main]
                self.port = main.server_address[1]
                self._servers += [_Server((host, self.port), self) for host in (OFFSITE, ROBOTS_ERROR, ROBOTS_CLOSED)]
                other = _Server((OTHER_PORT, 0), self)
                self._servers.append(other)
                self.other_port = other.server_address[1]
                break
            except OSError as exc:
                self._close()
                if exc.errno != errno.EADDRINUSE or attempt == 7:
                    raise
        self._build()
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def _close(self) -> None:
        for server in self._servers:
            server.server_close()
        self._servers = []

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
        self._close()

    def __enter__(self) -> "FaultWeb":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # content
    def _fault(self, path: str, kind: str, does: str, handler: Callable[[_Handler], None], host: str = MAIN) -> None:
        self.faults.append(Fault(path, kind, does, handler, host))
        self.routes[(host, path)] = handler

    def _good(self, path: str, marker: str, content: bytes | str, content_type: str = HTML_UTF8,
              sentence: str = "", host: str = MAIN, kind: str = "", does: str = "") -> None:
        self.good.append(Good(path, marker, sentence, host, kind, does))
        self.routes[(host, path)] = body(content, content_type)

    def _build(self) -> None:
        f, g = self._fault, self._good
        # HTTP errors
        f("/status/500", "HTTP 500", "500 Internal Server Error", status(500))
        f("/status/500-retry-after", "HTTP 500 + Retry-After", "500 with `Retry-After: 1`", status(500, "1"))
        f("/status/503", "HTTP 503", "503 Service Unavailable", status(503))
        f("/status/503-retry-after", "HTTP 503 + Retry-After", "503 with `Retry-After: 3600`", status(503, "3600"))
        f("/status/429", "HTTP 429", "429 Too Many Requests with `Retry-After: 1`", status(429, "1"))
        # below HTTP
        f("/reset", "connection reset", "headers and part of the body, then close with SO_LINGER 0 (RST)",
          reset_mid_response)
        f("/timeout", "timeout", f"accepts, reads the request, never answers (hangs up after {HOLD_SECONDS:.0f} s "
          "or when the client leaves)", never_answer)
        f("/drip/too-slow", "slow drip over the timeout", "the page in 30 pieces over 9 s (over DOWNLOAD_TIMEOUT)",
          drip(9.0, 30, "DRIP-SLOW-MARKER"))
        f("/truncated", "truncated body", "`Content-Length` 50 KB larger than the bytes sent, then FIN", truncated)
        f("/gzip-bomb", "gzip bomb", f"`Content-Encoding: gzip` body of ~{len(gzip_bomb()) // 1_000_000} MB that "
          "inflates to 1 GiB of zeros", bomb)
        # redirects
        f("/redirect/loop-a", "redirect loop", "302 /redirect/loop-a -> /redirect/loop-b -> /redirect/loop-a ...",
          redirect(lambda: self.url("/redirect/loop-b")))
        self.routes[(MAIN, "/redirect/loop-b")] = redirect(lambda: self.url("/redirect/loop-a"))
        f("/redirect/chain/0", "endless redirect chain", "302 to /redirect/chain/N+1, for ever",
          redirect(lambda: self.url("/redirect/chain/1")))
        for n in range(1, 40):
            self.routes[(MAIN, f"/redirect/chain/{n}")] = redirect(functools.partial(self.url, f"/redirect/chain/{n + 1}"))
        f("/redirect/offsite", "redirect to another domain", f"302 to a page on {OFFSITE} (same port, not a clinic "
          "domain)", redirect(lambda: self.url("/offsite.html", OFFSITE)))
        f("/redirect/other-port", "redirect to another address and port",
          f"302 to {OTHER_PORT} on another port", redirect(lambda: self.url("/elsewhere.html", OTHER_PORT)))
        self.routes[(OFFSITE, "/offsite.html")] = body(page("Offsite", "<p>OFFSITE-MARKER</p>"))
        self.routes[(OTHER_PORT, "/elsewhere.html")] = body(page("Elsewhere", "<p>OFFSITE-MARKER</p>"))
        # bodies that lie
        f("/garbage", "garbage bytes as text/html", "20 KB of random bytes, `Content-Type: text/html`",
          body(random.Random(7).randbytes(20_000), HTML))
        f("/fake/png", "PNG as text/html", "a PNG image, `Content-Type: text/html; charset=utf-8`", body(PNG))
        f("/fake/pdf", "PDF as text/html", "a PDF document, `Content-Type: text/html`", body(PDF, HTML))
        f("/huge", "over-size page (Content-Length)", f"{OVERSIZE_BYTES // 2**20} MiB of HTML with a `Content-Length`",
          oversize(chunked=False))
        f("/huge-chunked", "over-size page (chunked)", f"{OVERSIZE_BYTES // 2**20} MiB of HTML, chunked (no length)",
          oversize(chunked=True))
        # robots.txt faults, on two more hosts of the clinic
        self.routes[(ROBOTS_ERROR, "/robots.txt")] = status(500)
        self.routes[(ROBOTS_CLOSED, "/robots.txt")] = body("User-agent: *\nDisallow: /\n", "text/plain")
        f("/page.html", "robots.txt disallows everything", f"{ROBOTS_CLOSED}/robots.txt is `Disallow: /`",
          body(page("Closed", "<p>ROBOTS-CLOSED-MARKER</p>")), host=ROBOTS_CLOSED)
        self.routes[(MAIN, "/robots.txt")] = body("User-agent: *\nDisallow: /private/\n", "text/plain")
        # pages that must be stored, correctly decoded
        f("/page.html", "robots.txt answers 500", f"{ROBOTS_ERROR}/robots.txt answers 500 (every retry)",
          body(page("Robots error host", "<p>ROBOTS-500-HOST-MARKER</p>")), host=ROBOTS_ERROR)
        # pages that must be stored once, whole and correctly decoded
        g("/drip/ok", "DRIP-OK-MARKER", "", kind="slow drip under the timeout",
          does="the page in 10 pieces over 1 s (under DOWNLOAD_TIMEOUT)")
        self.routes[(MAIN, "/drip/ok")] = drip(1.0, 10, "DRIP-OK-MARKER")
        g("/charset/gb2312", "CHARSET-GB2312-MARKER",
          legacy_page("GB2312", "CHARSET-GB2312-MARKER", ZH, "gb2312", head="<meta charset='gb2312'>"),
          HTML_UTF8, sentence=ZH, kind="wrong header charset (GB2312)",
          does="GB2312 bytes, header `charset=utf-8`, `<meta charset='gb2312'>`")
        g("/charset/shift-jis", "CHARSET-SJIS-MARKER",
          legacy_page("Shift_JIS", "CHARSET-SJIS-MARKER", JA, "shift_jis",
                      head="<meta http-equiv='Content-Type' content='text/html; charset=Shift_JIS'>"),
          "text/html; charset=iso-8859-1", sentence=JA, kind="wrong header charset (Shift_JIS)",
          does="Shift_JIS bytes, header `charset=iso-8859-1`, `<meta http-equiv>` Shift_JIS")
        g("/charset/windows-1251", "CHARSET-CP1251-MARKER",
          legacy_page("Windows-1251", "CHARSET-CP1251-MARKER", RU, "cp1251"), HTML_UTF8, sentence=RU,
          kind="wrong header charset (Windows-1251)", does="Windows-1251 bytes, header `charset=utf-8`, no <meta>")
        g("/charset/meta-only", "CHARSET-META-MARKER",
          legacy_page("Meta only", "CHARSET-META-MARKER", RU, "cp1251", head="<meta charset='windows-1251'>"),
          HTML, sentence=RU, kind="no header charset, <meta charset>",
          does="Windows-1251 bytes, `Content-Type: text/html`, `<meta charset='windows-1251'>`")
        g("/charset/undeclared-sjis", "CHARSET-UNDECLARED-SJIS-MARKER",
          legacy_page("Undeclared", "CHARSET-UNDECLARED-SJIS-MARKER", JA, "shift_jis"), HTML, sentence=JA,
          kind="no charset anywhere (Shift_JIS)", does="Shift_JIS bytes, no charset in header or markup")
        g("/charset/undeclared-latin1", "CHARSET-UNDECLARED-LATIN1-MARKER",
          legacy_page("Sin declarar", "CHARSET-UNDECLARED-LATIN1-MARKER", ES, "cp1252"), HTML, sentence=ES,
          kind="no charset anywhere (Windows-1252)", does="Spanish in Windows-1252, no charset in header or markup")
        g("/charset/undeclared-utf8", "CHARSET-UNDECLARED-UTF8-MARKER",
          legacy_page("Undeclared UTF-8", "CHARSET-UNDECLARED-UTF8-MARKER", ZH, "utf-8"), HTML, sentence=ZH,
          kind="no charset anywhere (UTF-8)", does="UTF-8 Chinese, no charset in header or markup")
        # pathological markup and size: stored whole, in bounded time and memory
        g("/deep", "DEEP-INNER-MARKER", deep_nesting(), kind="deeply nested HTML",
          does="100,000 nested `<div>` (1.1 MB), a marker at the innermost level")
        g("/many-elements", "MANY-END-MARKER", many_elements(MANY_ELEMENTS), kind="very many elements",
          does=f"{MANY_ELEMENTS:,} sibling `<br>` (1.5 MB), a marker after them")
        g("/long-text", "LONG-END-MARKER", long_text(LONG_TEXT_CHARS), kind="very long text",
          does=f"{LONG_TEXT_CHARS // 1000} KB of text, a claim and a marker at its end")
        for n in range(1, 4):
            g(f"/good/{n}.html", f"GOOD-PAGE-MARKER-{n}",
              page(f"Good {n}", f"<p>GOOD-PAGE-MARKER-{n} an ordinary page of the clinic.</p>"))
        links = [self.url(x.path, x.host) for x in [*self.faults, *self.good]]
        home = page("Fault clinic", "<p>HOME-MARKER every fault is one link away.</p><ul>"
                    + "".join(f"<li><a href='{u}'>{u}</a></li>" for u in links) + "</ul>")
        g("/", "HOME-MARKER", home)

    def fault(self, path: str, host: str = MAIN) -> Fault:
        return next(x for x in self.faults if (x.path, x.host) == (path, host))
