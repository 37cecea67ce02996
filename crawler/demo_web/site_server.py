"""Generic loopback HTTP server over an in-memory route table.

Why: tests (and the demo web) need tiny real websites with exact control over status codes,
headers and bodies, and they must never be reachable from outside the machine. Stdlib only.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def make_route(body: bytes | str, status: int = 200, headers: Mapping[str, str] | None = None) -> Route:
    """Build a route tuple, encoding text bodies as UTF-8."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return (status, dict(headers or {}), data)


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its SiteServer and stays silent on client disconnects."""

    daemon_threads = True

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
        path = unquote(urlsplit(self.path).path) or "/"
        route = self.server.site.lookup(path)
        if route is None:
            status, headers, body = 404, {}, _NOT_FOUND
            ctype = CONTENT_TYPES[".html"]
        else:
            status, headers, body = route
            ctype = content_type_for(path)
        self.send_response(status)
        lowered = {k.lower() for k in headers}
        if "content-type" not in lowered:
            self.send_header("Content-Type", ctype)
        for key, value in headers.items():
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: test output and the CLI should not be flooded with access logs."""


class SiteServer:
    """Serve a mutable in-memory `{path: (status, headers, body)}` mapping on one loopback host.

    The socket is bound in the constructor so `port`/`base_url` are known before routes that
    mention the base URL are built. Routes may be changed while serving (e.g. to edit a page
    between two crawls).
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
                self._routes = normalised
            else:
                self._routes.update(normalised)

    def set_page(
        self, path: str, body: bytes | str, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        """Create or overwrite one resource."""
        with self._lock:
            self._routes[path] = make_route(body, status, headers)

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
        with self._lock:
            route = self._routes.get(path)
            if route is None and path.endswith("/"):
                route = self._routes.get(path + "index.html")
            return route

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return sorted(self._routes)

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
