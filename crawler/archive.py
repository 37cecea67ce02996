"""Evidence archive: every fetched page kept byte-for-byte in standard gzipped WARC files.

Extracted text and scores can be re-derived or disputed; the WARC record is what the clinic's
server actually sent, readable by any WARC tool (warcio, pywb, replayweb.page). A DB row only
needs (file, offset) to find it again.
"""
from __future__ import annotations

import http
import io
import os
import re
import socket
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

# Headers describing a transfer/content coding the stored body no longer has.
_DROPPED_RESPONSE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
ORIGINAL_ENCODING_HEADER = "X-ClinicWatch-Original-Content-Encoding"


@dataclass(frozen=True)
class ArchivedRecord:
    """Where a response record lives: `file` is relative to the archive directory."""
    file: str
    offset: int  # byte offset of the (gzip member of the) response record; seek here to read it
    length: int  # compressed length of the response record in the file


@dataclass(frozen=True)
class ArchivedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: str  # WARC-Date, ISO 8601 UTC


def _software() -> str:
    try:
        from importlib.metadata import version
        return f"ClinicWatch/{version('clinicwatch')} (warcio/{version('warcio')})"
    except Exception:  # not installed as a distribution: still say who wrote the file
        return "ClinicWatch"


def _clean(value: str) -> str:
    """A CR/LF in a header would let a server forge WARC/HTTP header lines: flatten it."""
    return value.replace("\r", " ").replace("\n", " ")


def _clean_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_clean(name), _clean(value)) for name, value in headers]


def _warc_date(moment: datetime) -> str:
    """WARC dates are UTC; a naive datetime is ambiguous, so refuse it rather than guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    return datetime_to_iso_date(moment.astimezone(timezone.utc).replace(tzinfo=None))


def _check_name(name: str, what: str) -> None:
    """Names come from config or DB rows; keep them from escaping the archive directory."""
    if (not name or name in {".", ".."} or ".." in name or "/" in name or "\\" in name
            or "\x00" in name or os.sep in name or (os.altsep and os.altsep in name)):
        raise ValueError(f"invalid archive {what}: {name!r}")


class WarcArchive:
    """Append-only writer of rotating `{prefix}-{seq:05d}.warc.gz` files in one directory.

    Each process starts a new file (never appends to an older one, whose tail may be truncated
    by a crash). Files are opened lazily, so a run that fetches nothing leaves no file.
    """

    def __init__(self, directory: Path, prefix: str, max_bytes: int = 100 * 1024 * 1024) -> None:
        _check_name(prefix, "prefix")
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.directory.mkdir(parents=True, exist_ok=True)
        self._pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{5,}})\.warc\.gz$")
        self._lock = threading.Lock()  # Scrapy pipelines may hand work to threads
        self._file: BinaryIO | None = None
        self._name = ""
        self._writer: WARCWriter | None = None
        self._closed = False

    @property
    def current_file(self) -> str | None:
        """Name of the file being written, if any."""
        return self._name if self._file is not None else None

    def _open_next(self) -> None:
        """Create the next free seq with O_EXCL so two processes can never share a file."""
        taken = [int(m.group(1)) for p in self.directory.iterdir() if (m := self._pattern.match(p.name))]
        seq = max(taken, default=0) + 1
        while True:
            name = f"{self.prefix}-{seq:05d}.warc.gz"
            try:
                handle = open(self.directory / name, "xb")
                break
            except FileExistsError:
                seq += 1
        self._file, self._name = handle, name
        self._writer = WARCWriter(handle, gzip=True)
        info = {
            "software": _software(),
            "format": "WARC File Format 1.0",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
            "hostname": socket.gethostname(),
            "isPartOf": self.prefix,
            "description": "ClinicWatch evidence archive: decoded HTTP bodies as the crawler received them",
        }
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        self._sync()

    def _sync(self) -> None:
        """Flush and fsync: a DB row may point here right after, so the bytes must be durable."""
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file, self._writer, self._name = None, None, ""

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]],
                       status: int, reason: str, response_headers: list[tuple[str, str]],
                       body: bytes, fetched_at: datetime) -> ArchivedRecord:
        """Store one request/response pair (request first) and return where the response is."""
        date = _warc_date(fetched_at)
        url = _clean(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = _clean_headers(request_headers)
        if parts.netloc and not any(n.lower() == "host" for n, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
        req_http = StatusAndHeaders(f"{_clean(method).upper()} {target} HTTP/1.1", req_headers,
                                    is_http_request=True)

        # The body is already decoded: headers must describe the bytes actually stored.
        resp_headers = _clean_headers(response_headers)
        encodings = [v for n, v in resp_headers if n.lower() == "content-encoding"]
        resp_headers = [(n, v) for n, v in resp_headers if n.lower() not in _DROPPED_RESPONSE_HEADERS]
        if encodings:
            resp_headers.append((ORIGINAL_ENCODING_HEADER, ", ".join(encodings)))
        resp_headers.append(("Content-Length", str(len(body))))
        if not reason:
            try:
                reason = http.HTTPStatus(status).phrase
            except ValueError:
                reason = ""
        resp_http = StatusAndHeaders(f"{status} {_clean(reason)}".rstrip(), resp_headers, protocol="HTTP/1.1")

        with self._lock:
            if self._closed:
                raise ValueError("archive is closed")
            if self._file is not None and self._file.tell() >= self.max_bytes:
                self._close_file()
            if self._file is None:
                self._open_next()
            assert self._file is not None and self._writer is not None
            writer, handle = self._writer, self._file
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), length=0,
                                                warc_headers_dict={"WARC-Date": date}, http_headers=req_http)
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                 warc_headers_dict={"WARC-Date": date}, http_headers=resp_http)
            req_id = request.rec_headers.get_header("WARC-Record-ID")
            resp_id = response.rec_headers.get_header("WARC-Record-ID")
            request.rec_headers.add_header("WARC-Concurrent-To", resp_id)
            response.rec_headers.add_header("WARC-Concurrent-To", req_id)
            start = handle.tell()
            try:
                writer.write_record(request)
                offset = handle.tell()
                writer.write_record(response)
                end = handle.tell()
                self._sync()
            except BaseException:
                # Don't leave a half record in the middle of the file: later records would be
                # unreachable by sequential readers. If even that fails, start a new file.
                try:
                    handle.truncate(start)
                    handle.seek(start)
                except OSError:
                    self._close_file()
                raise
            return ArchivedRecord(file=self._name, offset=offset, length=end - offset)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_file()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def read_response(directory: Path, file: str, offset: int) -> ArchivedResponse:
    """Read the response record at `offset` of `file` (a bare name inside `directory`).

    Raises ValueError for an unsafe name, a bad offset, a record that is not a response or
    fails its digest check; FileNotFoundError if the file is missing.
    """
    _check_name(file, "file name")
    if offset < 0:
        raise ValueError(f"invalid offset: {offset}")
    with open(Path(directory) / file, "rb") as handle:
        handle.seek(offset)
        try:
            records = ArchiveIterator(handle, check_digests="raise")
            record = next(records, None)
            if record is None:
                raise ValueError(f"no WARC record at {file}@{offset}")
            if record.rec_type != "response" or record.http_headers is None:
                raise ValueError(f"record at {file}@{offset} is {record.rec_type!r}, not a response")
            # Raw payload: our bodies are stored decoded, so this is exactly what was archived.
            body = record.raw_stream.read()
            # warcio ends quietly at a truncated gzip member (crash mid-write), skipping the
            # digest check: compare with the declared length so a partial body is never served.
            if record.payload_length >= 0 and len(body) != record.payload_length:
                raise ValueError(f"record at {file}@{offset} is truncated")
            headers = record.rec_headers
            return ArchivedResponse(
                url=headers.get_header("WARC-Target-URI") or "",
                status=int(record.http_headers.get_statuscode()),
                headers=list(record.http_headers.headers),
                body=body,
                date=headers.get_header("WARC-Date") or "",
            )
        except (ArchiveLoadFailed, EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"cannot read WARC record at {file}@{offset}: {str(exc)[:200]}") from exc
