"""Datasette plugin for `clinicwatch serve`: only its own Host names, and exports a spreadsheet cannot run.

One ASGI wrapper (datasette's `asgi_wrapper` hook) around the whole app, so it covers every
view, datasette's streamed CSV included (no per-view hook reaches that stream):

* **Host check (DNS rebinding).** A web page the user visits can point its own name at
  127.0.0.1 and then read `http://evil.example:8001/...` from the user's browser: the request
  reaches datasette with `Host: evil.example:8001`. Only Host values naming the address the
  server listens on are answered: 127.0.0.1, localhost, [::1] (and the bound host itself) at the
  bound port; anything else gets `421 Misdirected Request`.
* **Formula cells.** CSV and JSON exports (`.csv`/`.json`, or `?_format=csv|json`) get the
  report CSVs' rule (reports/escaping.py): a text cell starting with = + - @ TAB or CR gets a
  leading apostrophe. CSV cells (their type is lost) that are plain numbers, such as -5, are
  left alone. CSV cells also get URL secrets redacted and control characters neutralised (a
  text export); JSON keeps the data exact, with DEL/C1/BiDi characters written as \\uXXXX.
  In JSON, only row data is changed (`rows` of the default shape, every value of the others).

Loaded with `datasette --plugins-dir reports/datasette_plugins` (reports/serve.py); tests
register it with `datasette.plugins.pm.register`.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from datasette import hookimpl

from crawler.text_safety import safe_json, safe_text
from reports.escaping import csv_cell, csv_text_cell

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MISDIRECTED = 421
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


# --- Host ---------------------------------------------------------------------------------------

def _split_host(value: str) -> tuple[str, int | None]:
    """("name", port or None) of a Host header value; IPv6 literals keep their brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value.partition("]")
        name += "]"
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port_text = value.partition(":")
    if not port_text:
        return name, None
    return (name, int(port_text)) if port_text.isdigit() else ("", None)


def host_allowed(host_header: str | None, server: tuple[str, int | None] | None, scheme: str = "http") -> bool:
    """Whether a request's Host names this server: a loopback name or the bound host, at its port."""
    if not host_header:
        return False
    name, port = _split_host(host_header)
    default = 443 if scheme in ("https", "wss") else 80
    bound_host, bound_port = (server or ("", None))
    bound_port = bound_port or default
    bound = bound_host.lower()
    names = set(LOOPBACK_NAMES) | {f"[{bound}]" if ":" in bound else bound}
    return name in names and (port or default) == bound_port


# --- formula cells ------------------------------------------------------------------------------

def export_format(scope: Scope) -> str:
    """"csv", "json" or "" for a request's response format (datasette: .ext or ?_format=)."""
    path = scope.get("path", "")
    if path.startswith("/-/"):
        return ""  # datasette's own metadata, versions, plugins: not data
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    fmt = (query.get("_format") or [""])[0].lower()
    for ext in ("csv", "json"):
        if fmt == ext or path.lower().endswith("." + ext):
            return ext
    return ""


def _cells(value: Any) -> Any:
    """`value` with every string made safe for a spreadsheet (csv_cell), recursively."""
    if isinstance(value, str):
        return csv_cell(value)
    if isinstance(value, list):
        return [_cells(v) for v in value]
    if isinstance(value, dict):
        return {k: _cells(v) for k, v in value.items()}
    return value


def neutralise_json(body: bytes) -> bytes:
    """A datasette JSON body with its row data made safe (newline-delimited JSON line by line)."""
    text = body.decode("utf-8")
    try:
        docs = [json.loads(text)]
        lines = False
    except ValueError:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]  # ?_nl=on
        lines = True
    out = []
    for doc in docs:
        if isinstance(doc, dict) and "rows" in doc:
            doc = {**doc, "rows": _cells(doc["rows"])}
        else:
            doc = _cells(doc)
        out.append(safe_json(json.dumps(doc, ensure_ascii=False)))
    return ("\n".join(out) + ("\n" if lines else "")).encode("utf-8")


class CsvRewriter:
    """Rewrites a streamed CSV body record by record (records may span chunks and lines)."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""

    def feed(self, chunk: bytes, final: bool = False) -> bytes:
        self.pending += self.decoder.decode(chunk, final=final)
        # complete records: the text so far ends with a line break outside quotes
        if not final and not (self.pending.endswith("\n") and self.pending.count('"') % 2 == 0):
            return b""
        text, self.pending = self.pending, ""
        if not text:
            return b""
        out = io.StringIO()
        writer = csv.writer(out)
        for row in csv.reader(io.StringIO(text, newline="")):
            writer.writerow([safe_text(csv_text_cell(cell)) for cell in row])
        return out.getvalue().encode("utf-8")


# --- the wrapper --------------------------------------------------------------------------------

def guard(app: App) -> App:
    """The ASGI app `app` behind the Host check and the export rewriting."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if not host_allowed(host, scope.get("server"), scope.get("scheme", "http")):
            await _refuse(send)
            return
        fmt = export_format(scope)
        if not fmt:
            await app(scope, receive, send)
            return
        await app(scope, receive, _rewriting_send(send, fmt))

    return wrapped


async def _refuse(send: Send) -> None:
    body = b"421 Misdirected Request: this server answers only to its own host names (127.0.0.1, localhost)\n"
    await send({"type": "http.response.start", "status": MISDIRECTED,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _rewriting_send(send: Send, fmt: str) -> Send:
    start: Message | None = None
    active = False
    rewriter = CsvRewriter()
    buffered: list[bytes] = []

    async def send_wrapped(message: Message) -> None:
        nonlocal start, active
        if message["type"] == "http.response.start":
            content_type = dict(message.get("headers") or []).get(b"content-type", b"").decode("latin-1")
            # text/plain is datasette's CSV without ?_dl; text/html is ?_trace=1 or an error page
            active = message.get("status") == 200 and (
                content_type.startswith(("text/csv", "text/plain")) if fmt == "csv"
                else "json" in content_type or content_type.startswith("text/plain"))
            if not active:
                await send(message)
                return
            start = {**message, "headers": [(k, v) for k, v in message.get("headers") or []
                                            if k.lower() != b"content-length"]}
            if fmt == "csv":
                await send(start)
            return
        if message["type"] != "http.response.body" or not active:
            await send(message)
            return
        more = message.get("more_body", False)
        if fmt == "csv":
            await send({**message, "body": rewriter.feed(message.get("body", b""), final=not more)})
            return
        buffered.append(message.get("body", b""))
        if more:
            return
        try:
            body = neutralise_json(b"".join(buffered))
        except ValueError:  # not JSON after all (an error text): shown, never run
            body = safe_text(b"".join(buffered).decode("utf-8", errors="replace")).encode("utf-8")
        assert start is not None
        await send({**start, "headers": [*start["headers"], (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return send_wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    return guard
