"""Score the pages inside WARC files (our evidence archive, or any web-archive extract).

Pure functions with picklable inputs and outputs, no Scrapy and no DB: the coordinator maps
`score_warc_file` over files on Dask workers or a local process pool and stores the results
itself (crawler/store/warc_store.py). A bad file never raises: reading stops with a one-line
`error` and whatever was read before stays in the result.

warcio ends *quietly* at a truncated gzip member, so the end of the data is checked here: a
record shorter than its declared length, a last gzip member without its trailer, or bytes left
after the last readable record all count as truncation.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.classify import PageScore, score
from crawler.extract import decode_html, extract_html, looks_like_html, sniff_binary

logger = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Bodies above this are skipped, streamed past rather than held in memory (the crawler's
# DOWNLOAD_MAXSIZE is 5 MB by default); it also caps undoing a Content-Encoding a foreign WARC kept.
MAX_BODY_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class WarcPageScore:
    """One scored page, with the (file, offset) that finds its record again."""

    warc_file: str  # the path as given
    warc_offset: int  # offset of the response/resource record (of its gzip member)
    url: str
    captured_at: str  # WARC-Date as recorded
    http_status: int | None  # None for resource records (no HTTP exchange)
    content_hash: str
    title: str
    language: str
    result: PageScore


@dataclass(frozen=True)
class WarcFileResult:
    """What one file gave: its pages, counts, and why reading stopped early ("" if it did not)."""

    warc_file: str
    pages: list[WarcPageScore] = field(default_factory=list)
    records_read: int = 0  # complete WARC records of any type
    skipped: int = 0  # response/resource records not scored: not 200, not HTML, binary, too large
    error: str = ""
    failed: int = 0  # HTML records whose extraction or scoring raised (logged; a bug, not bad data)


def _one_line(exc: BaseException) -> str:
    """warcio's messages span lines and quote raw bytes: keep one short printable line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:200]


def _mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _candidate(record: Any) -> tuple[int | None, str] | None:
    """(HTTP status, content type) of a record that may hold a page to score, else None."""
    if record.rec_type == "response":
        if record.http_headers is None:  # dns: and other non-HTTP responses
            return None
        try:
            status: int | None = int(record.http_headers.get_statuscode())
        except (TypeError, ValueError):
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:  # resource: the WARC Content-Type describes the payload itself
        status, content_type = None, record.rec_headers.get_header("Content-Type") or ""
    if status not in (200, None) or (content_type and _mime(content_type) not in HTML_TYPES):
        return None
    return status, content_type


def _read_raw(record: Any) -> bytes | None:
    """The stored payload bytes; None when too large to score (then warcio streams past it)."""
    declared = record.payload_length if record.payload_length >= 0 else record.length
    if declared is not None and declared > MAX_BODY_BYTES:
        return None
    return record.raw_stream.read(MAX_BODY_BYTES + 1)


def _decoded(record: Any, raw: bytes) -> bytes:
    """The payload with a transfer/content coding a foreign WARC kept undone (ours stores none)."""
    http = record.http_headers
    if http is None or not (http.get_header("Content-Encoding") or http.get_header("Transfer-Encoding")):
        return raw
    record.raw_stream = io.BytesIO(raw)  # let warcio undo chunking/gzip/br on the bytes already read
    try:
        return record.content_stream().read(MAX_BODY_BYTES)
    except Exception:  # a mislabelled coding: the bytes as stored are the best we have
        return raw


def _score_body(body: bytes, content_type: str, url: str, max_text_chars: int) -> tuple[Any, PageScore] | None:
    """(ExtractedPage, PageScore) of an HTML body, None for binary or non-HTML bytes."""
    if sniff_binary(body):
        return None
    if not content_type and not looks_like_html(body[:4096].decode("utf-8", "replace")):
        return None
    html, _ = decode_html(body, content_type)
    page = extract_html(html, url)
    return page, score(page.text[:max_text_chars], title=page.title)


def _gzip_state(iterator: ArchiveIterator) -> tuple[bool, bool]:
    """(gzipped, member complete): a member without its trailer means the file was cut inside it."""
    decompressor = getattr(getattr(iterator, "reader", None), "decompressor", None)
    return decompressor is not None, decompressor is None or bool(getattr(decompressor, "eof", True))


def _end_error(handle: Any, end: int, offset: int, read: int, gzipped: bool, complete: bool) -> str:
    """Why the file is not whole after the last record warcio read, or ""."""
    handle.seek(end)
    tail = handle.read(4096)
    if not complete:
        return f"truncated gzip member at offset {offset} after {read - 1} records"
    if tail.strip():
        return f"truncated or unreadable data at offset {end} after {read} records"
    if read and not gzipped and tail.count(b"\n") < 2:  # the CRLF CRLF that closes a record is cut
        return f"truncated record at offset {offset} after {read - 1} records"
    return "" if read else "empty file (no WARC records)"


def score_warc_file(path: str, *, max_text_chars: int = 500_000) -> WarcFileResult:
    """Score every 200 HTML response (and HTML resource record) of one WARC file; never raises."""
    path = str(path)
    pages: list[WarcPageScore] = []
    read = skipped = failed = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else _one_line(exc)
        return WarcFileResult(path, error=f"cannot open {path}: {reason}")
    error, offset, end, gzipped, complete = "", 0, 0, False, True
    with handle:
        iterator = ArchiveIterator(handle)
        try:
            for record in iterator:
                if record.format != "warc":  # warcio also reads ARC, and takes many a text line for an ARC header
                    raise ArchiveLoadFailed(f"{record.format or 'unknown'} record, not WARC")
                counted = record.rec_type in ("response", "resource")  # request, warcinfo...: not pages
                wanted = _candidate(record) if counted else None
                stream = record.raw_stream
                raw = _read_raw(record) if wanted else None
                offset = iterator.get_record_offset()  # only now: it reads (and drops) the rest of the record
                # warcio stops quietly where a file was cut: a record without its length or short of it
                if record.length is None or getattr(stream, "limit", 0) > 0:
                    error = f"truncated record at offset {offset} after {read} records"
                    break
                end, (gzipped, complete) = offset + iterator.get_record_length(), _gzip_state(iterator)
                read += 1
                if not wanted or raw is None:
                    skipped += counted
                    continue
                url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
                try:
                    page = _score_body(_decoded(record, raw), wanted[1], url, max_text_chars)
                except Exception as exc:  # an extraction/scoring bug: count it, keep reading the file
                    failed += 1
                    logger.warning("scoring %s@%d (%s) failed: %s", path, offset, url, _one_line(exc))
                    continue
                if page is None:
                    skipped += 1
                    continue
                extracted, result = page
                pages.append(WarcPageScore(
                    warc_file=path, warc_offset=offset, url=url,
                    captured_at=(record.rec_headers.get_header("WARC-Date") or "").strip(),
                    http_status=wanted[0], content_hash=extracted.content_hash, title=extracted.title,
                    language=result.language or extracted.language, result=result))
        except ArchiveLoadFailed as exc:
            reason = _one_line(exc)
            if "non-chunked gzip" in reason:
                error = (f"one gzip stream for the whole file, not one per record: stopped after {read} records"
                         " (`warcio recompress` fixes it)")
            elif read == 0:
                error = f"not a WARC file: {reason}"
            else:
                error = f"corrupt record at offset {end} after {read} records: {reason}"
        except Exception as exc:  # zlib/OS/parse errors inside warcio: stop, keep what was read
            error = f"unreadable data at offset {end} after {read} records: {_one_line(exc)}"
        if not error:
            try:
                error = _end_error(handle, end, offset, read, gzipped, complete)
            except (OSError, ValueError) as exc:
                error = f"cannot check the end of {path}: {_one_line(exc)}"
    return WarcFileResult(path, pages, read, skipped, error, failed)


def warc_files(paths: list[str]) -> list[str]:
    """Files to score: directories expanded (recursively) to their sorted *.warc / *.warc.gz files.

    Raises FileNotFoundError for a path that does not exist, before any work is scheduled.
    """
    found: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(sorted(str(p) for p in path.rglob("*")
                                if p.is_file() and p.name.endswith((".warc", ".warc.gz"))))
        elif path.exists():
            found.append(str(given))
        else:
            raise FileNotFoundError(f"no such WARC file or directory: {given}")
    return list(dict.fromkeys(found))
