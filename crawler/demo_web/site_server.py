"""Generic loopback HTTP server over an in-memory route table.

Why: tests (and the demo web) need tiny real websites with exact control over status codes,
headers and bodies, and they must never be reachable from outside the machine. Stdlib only.

Like a real server it answers conditional requests: every 200 carries a strong ETag and a
Last-Modified (when the route's body last changed), and `If-None-Match` / `If-Modified-Since`
get `304 Not Modified`. Every request is logged in `SiteServer.requests` for tests to count.
"""

from __future__ import annotations

import email.utils
import hashlib
import ipaddress
import re
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

Route = tuple[int, Mapping[str, str], bytes]
"""(status, extra headers, body). Content-Type is guessed from the path when absent."""
RouteIn = tuple[int, Mapping[str, str], "bytes | str"]
"""What callers may pass: like Route, but a str body is accepted and stored as UTF-8."""

_LOOPBACK = ipaddress.ip_network("127.0.0.0/8")

_TEXT = "; charset=utf-8"
CONTENT_TYPES = {
    ".html": "text/html" + _TEXT, ".htm": "text/html" + _TEXT, ".xml": "application/xml" + _TEXT,
    ".txt": "text/plain" + _TEXT, ".css": "text/css" + _TEXT, ".js": "text/javascript" + _TEXT,
    ".json": "application/json", ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml", ".ico": "image/x-icon",
}

_NOT_FOUND = (
    b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>404 Not Found</title>"
    b"</head><body><h1>Not Found</h1><p>The requested page does not exist.</p></body></html>"
)


# Headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5); never the body's.
_KEPT_ON_304 = ("cache-control", "content-location", "expires", "vary")
_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"')


class RequestRecord(NamedTuple):
    """One served request: method, decoded path (no query) and the status answered."""

    method: str
    path: str
    status: int


@dataclass(frozen=True)
class _Validators:
    """Per-route validators; `None` means the route does not send that header."""

    etag: str | None
    last_modified: str | None
    modified_at: int | None  # whole seconds since the epoch, for If-Modified-Since


def check_loopback(host: str) -> str:
    """Return `host` as an IPv4 string, or raise ValueError unless it lies in 127.0.0.0/8.

    The demo web must never be reachable from outside the machine.
    """
    if host == "localhost":
        host = "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"demo web binds only to 127.0.0.0/8 addresses, not {host!r}") from None
    if ip.version != 4 or ip not in _LOOPBACK:
        raise ValueError(f"demo web binds only to 127.0.0.0/8 addresses, not {host!r}")
    return str(ip)


def content_type_for(path: str) -> str:
    """Guess a Content-Type from the URL path; directories and unknowns are treated as HTML."""
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return CONTENT_TYPES[".html"]
    return CONTENT_TYPES.get("." + name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def etag_for(body: bytes) -> str:
    """Strong entity tag of a body: the quoted first 16 hex chars of its SHA-1."""
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def _opaque(tag: str) -> str:
    """An entity tag without its weakness marker, for weak comparison."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(if_none_match: str, etag: str | None) -> bool:
    """Weak comparison of an If-None-Match value (list or `*`) against the current ETag.

    `*` matches any current representation, even one without an ETag.
    """
    if if_none_match.strip() == "*":
        return True
    if etag is None:
        return False
    current = _opaque(etag)
    return any(_opaque(tag) == current for tag in _ENTITY_TAG.findall(if_none_match))


def _parse_http_date(value: str) -> int | None:
    """Seconds since the epoch for an HTTP-date, or None when it is not one."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # asctime / RFC 850 forms carry no zone: HTTP dates are GMT
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def make_route(body: bytes | str, status: int = 200, headers: Mapping[str, str] | None = None) -> Route:
    """Build a route tuple, encoding text bodies as UTF-8."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return (status, dict(headers or {}), data)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its SiteServer and stays silent on client disconnects."""

    daemon_threads = True
    request_queue_size = 128  # the stdlib's 5 drops SYNs (1 s client retries) under crawler bursts

    def __init__(self, address: tuple[str, int], site: SiteServer) -> None:
        self.site = site
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Crawlers hang up mid-response all the time; that is not worth a traceback."""


class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD over the in-memory route table; everything else gets the stdlib's 501."""

    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "ClinicWatchDemo/1.0"
    timeout = 15  # idle keep-alive connections are dropped instead of pinning threads

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        site = self.server.site
        path = unquote(urlsplit(self.path).path) or "/"
        resolved = site.resolve(path)
        if resolved is None:
            status, headers, body, validators = 404, {}, _NOT_FOUND, None
            ctype = CONTENT_TYPES[".html"]
        else:
            (status, headers, body), validators = resolved
            ctype = content_type_for(path)
        if validators is not None and self._not_modified(validators):
            status = 304
        site.record_request(self.command, path, status)  # before answering: clients may check at once
        self.send_response(status)
        explicit = {k.lower(): k for k in headers}
        if status == 304:  # no body and no representation metadata, only the validators
            for key, value in headers.items():
                if key.lower() in _KEPT_ON_304:
                    self.send_header(key, value)
            self._send_validators(validators)
            self.end_headers()
            return
        if "content-type" not in explicit:
            self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            if key.lower() != "content-length" and not (key.lower() in ("etag", "last-modified") and not value):
                self.send_header(key, value)
        self._send_validators(validators, skip=explicit)  # explicit ones went out above
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _send_validators(self, validators: _Validators | None, skip: Collection[str] = ()) -> None:
        """Send ETag and Last-Modified (those the route does not suppress), except names in `skip`."""
        if validators is None:
            return
        for name, value in (("ETag", validators.etag), ("Last-Modified", validators.last_modified)):
            if value is not None and name.lower() not in skip:
                self.send_header(name, value)

    def _not_modified(self, validators: _Validators) -> bool:
        """RFC 9110 section 13.2.2: If-None-Match wins; If-Modified-Since only without it."""
        tags = self.headers.get_all("If-None-Match")
        if tags:
            return etag_matches(", ".join(tags), validators.etag)
        since_value = self.headers.get("If-Modified-Since")
        if since_value is None or validators.modified_at is None:
            return False
        since = _parse_http_date(since_value)
        return since is not None and validators.modified_at <= since

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: test output and the CLI should not be flooded with access logs."""


class SiteServer:
    """Serve a mutable in-memory `{path: (status, headers, body)}` mapping on one loopback host.

    The socket is bound in the constructor so `port`/`base_url` are known before routes that
    mention the base URL are built. Routes may be changed while serving (e.g. to edit a page
    between two crawls).

    200 responses carry `ETag` (strong, from the body) and `Last-Modified` (when the route's body
    last changed; always a later second than the previous body's) and honour conditional
    requests with 304. A route's own `ETag`/`Last-Modified` headers are kept; giving one as ""
    suppresses it, to imitate servers without validators. Redirects and errors get none.
    """

    def __init__(
        self,
        routes: Mapping[str, RouteIn] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = check_loopback(host)
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        # path -> (sha1 hex of the body, second it was last changed); survives remove() so a
        # page removed and re-added within one second still gets a newer Last-Modified.
        self._stamps: dict[str, tuple[str, int]] = {}
        self._log_lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self.set_routes(routes or {})
        self._httpd = _HTTPServer((self.host, port), self)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """`http://host:port` with no trailing slash."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- route table -------------------------------------------------------------------------
    def set_routes(self, routes: Mapping[str, RouteIn], replace: bool = False) -> None:
        """Add (or, with replace=True, swap in) a whole route table."""
        normalised = {p: make_route(b, s, h) for p, (s, h, b) in routes.items()}
        with self._lock:
            if replace:
                self._routes = {}
            for path, route in normalised.items():
                self._store(path, route)

    def set_page(
        self, path: str, body: bytes | str, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        """Create or overwrite one resource."""
        route = make_route(body, status, headers)
        with self._lock:
            self._store(path, route)

    def _store(self, path: str, route: Route) -> None:
        """Put a route in the table and restamp it if its body changed; caller holds the lock."""
        digest = hashlib.sha1(route[2]).hexdigest()
        previous = self._stamps.get(path)
        if previous is None or previous[0] != digest:
            now = int(time.time())
            self._stamps[path] = (digest, now if previous is None else max(now, previous[1] + 1))
        self._routes[path] = route

    def set_redirect(self, path: str, target: str, status: int = 301) -> None:
        """Redirect `path`; root-relative targets become absolute on this host."""
        location = self.url(target) if target.startswith("/") else target
        self.set_page(path, b"", status, {"Location": location})

    def remove(self, path: str) -> None:
        """Delete a resource so it starts answering 404."""
        with self._lock:
            self._routes.pop(path, None)

    def lookup(self, path: str) -> Route | None:
        """Exact match first; a path ending in '/' falls back to its index.html."""
        resolved = self.resolve(path)
        return None if resolved is None else resolved[0]

    def resolve(self, path: str) -> tuple[Route, _Validators | None] | None:
        """Like `lookup`, plus the validators a 200 sends (None for other statuses)."""
        with self._lock:
            key = path
            route = self._routes.get(key)
            if route is None and path.endswith("/"):
                key = path + "index.html"
                route = self._routes.get(key)
            if route is None:
                return None
            digest, modified_at = self._stamps[key]
        if route[0] != 200:
            return route, None
        explicit = {k.lower(): v for k, v in route[1].items()}
        etag: str | None = '"' + digest[:16] + '"'
        last_modified: str | None = email.utils.formatdate(modified_at, usegmt=True)
        since: int | None = modified_at
        if "etag" in explicit:
            etag = explicit["etag"] or None
        if "last-modified" in explicit:
            last_modified = explicit["last-modified"] or None
            since = None if last_modified is None else _parse_http_date(last_modified)
        return route, _Validators(etag, last_modified, since)

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return sorted(self._routes)

    # -- request log -------------------------------------------------------------------------
    def record_request(self, method: str, path: str, status: int) -> None:
        """Append one served request to the log (called by the handler, thread-safe)."""
        with self._log_lock:
            self._log.append(RequestRecord(method, path, status))

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request served since start or the last `reset_requests()`."""
        with self._log_lock:
            return list(self._log)

    def count_requests(self, status: int | None = None, method: str | None = None, path: str | None = None) -> int:
        """How many logged requests match all the given fields."""
        return sum(
            1
            for r in self.requests
            if (status is None or r.status == status)
            and (method is None or r.method == method)
            and (path is None or r.path == path)
        )

    def reset_requests(self) -> None:
        """Forget the request log (e.g. between two crawls)."""
        with self._log_lock:
            self._log.clear()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SiteServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"demo-web-{self.host}:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
