"""HTML -> main text and metadata, for the classifier and the evidence record.

trafilatura finds the main text. It drops link-dense lists, and on clinic sites those lists are
evidence ("Conditions we treat: diabetes, autism, MS ..."), so the visible body lines it left
out (lists, headings, buttons; never scripts, styles, navigation or footers) are appended after
it. When trafilatura finds nothing, the visible body text is used alone. Plain text passes
through unchanged. Pages with very many elements take a lean path (visible text only).

Before that, bytes become text: `sniff_binary` catches images, PDFs and garbage served as
text/html, and `decode_html` survives wrong and missing charset declarations.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import lxml.etree
import trafilatura
from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

logger = logging.getLogger(__name__)

# JSON-LD, microdata and OpenGraph carry clinic metadata (MedicalClinic, offers, prices);
# the other extruct syntaxes cost more time than they give us.
STRUCTURED_SYNTAXES = ["json-ld", "microdata", "opengraph"]
# Below this many characters trafilatura's output is treated as "found nothing".
MIN_MAIN_TEXT_CHARS = 40
# Pages with more elements than this (counted cheaply as "<" characters) skip trafilatura,
# htmldate and extruct, which build trees: only the lean pass over lxml's parse events runs
# (extractor "fallback-large": the visible text, title, lang and description). A BeautifulSoup
# tree costs about 2 KB and 15-30 us per element: 650,000 tiny elements (5 MB) took 32 s and
# 1.5 GB that way, 0.4 s and 30 MB this way. Ordinary pages have a few thousand elements.
MAX_ELEMENTS = 100_000
_NON_CONTENT_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "nav", "footer", "head",
                     "header", "form", "select"]
# Elements that end a line of text; inline elements (a, span, b...) stay inside their line.
_BLOCK_TAGS = ["p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
               "th", "table", "section", "article", "aside", "main", "blockquote", "pre", "figure",
               "figcaption", "address", "button", "label", "option", "summary", "details", "hr"]
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


# A declared charset is trusted when at most this share of the body's non-ASCII bytes fail to
# decode with it (a UTF-8 page with a stray Latin-1 byte is still UTF-8; GB2312 read as UTF-8
# fails on ~90% of them).
MAX_INVALID_SHARE = 0.1
# Charsets servers send when nobody configured one (Apache's old AddDefaultCharset): a <meta>
# charset or valid UTF-8 is better evidence than these.
_WESTERN_DEFAULTS = {"cp1252", "latin_1", "iso8859_1", "iso8859_15", "ascii"}
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes surrogateescape could not decode
# Magic numbers of what servers send as text/html by mistake (or to hurt a crawler).
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"%PDF-", "a PDF document"), (b"GIF87a", "a GIF image"),
          (b"GIF89a", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"), (b"PK\x03\x04", "a ZIP archive"),
          (b"\x1f\x8b", "gzip data"), (b"BZh", "bzip2 data"), (b"\xfd7zXZ\x00", "xz data"),
          (b"7z\xbc\xaf\x27\x1c", "a 7z archive"), (b"Rar!", "a RAR archive"), (b"\x7fELF", "an executable"),
          (b"wOFF", "a font"), (b"wOF2", "a font"), (b"OggS", "Ogg media"), (b"ID3", "MP3 audio"),
          (b"\x00\x00\x01\x00", "an icon"), (b"\xd0\xcf\x11\xe0", "an Office document"))
# WHATWG MIME sniffing's "binary data bytes": control characters no text format uses.
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
SNIFF_BYTES = 8192
MAX_BINARY_SHARE = 0.01


@dataclass(frozen=True)
class ExtractedPage:
    """What we keep of a fetched page: the text the classifier reads, plus metadata."""

    title: str
    text: str
    language: str  # from <html lang>, "" when absent (the classifier detects its own)
    published: str  # ISO date from htmldate, "" when none found
    description: str
    structured: str  # JSON of JSON-LD/microdata/OpenGraph, "" when none
    extractor: str  # "trafilatura" | "trafilatura+structure" | "fallback" | "fallback-large" | "plain"

    @property
    def content_hash(self) -> str:
        """Identity of the content: a new page version is stored only when this changes."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode("utf-8")).hexdigest()


def _clean(text: str) -> str:
    """One space between words, one line per line of text, no blank lines (one regex pass, not one per line)."""
    lines = _SPACES.sub(" ", "\n".join(text.splitlines())).split("\n")
    return _BLANK_LINES.sub("\n", "\n".join(line.strip() for line in lines if line.strip())).strip()


def _published(html: str, url: str) -> str:
    try:
        from htmldate import find_date

        return find_date(html, url=url, extensive_search=False, original_date=True) or ""
    except Exception as exc:  # htmldate is best-effort metadata; never lose the page for it
        logger.debug("htmldate failed on %s: %s", url, exc)
        return ""


def _structured(html: str, url: str) -> str:
    try:
        import extruct

        data = extruct.extract(html, base_url=url, syntaxes=STRUCTURED_SYNTAXES, uniform=True, errors="ignore")
    except Exception as exc:  # malformed JSON-LD is common; keep the page without it
        logger.debug("extruct failed on %s: %s", url, exc)
        return ""
    data = {k: v for k, v in data.items() if v}
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if data else ""


class _LeanText:
    """lxml parser target: the visible body lines, title, lang and description, from parse events.

    No tree is built, so memory is the text itself and any nesting depth is fine.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.title: list[str] = []
        self.language = self.description = ""
        self._skip = 0  # depth inside a non-content element (head, script, nav ...)
        self._in_title = False  # inside the first <title>
        self._title_seen = False
        self._non_content, self._blocks = set(_NON_CONTENT_TAGS), set(_BLOCK_TAGS)

    def start(self, tag: str, attrib: Any) -> None:
        if tag == "html" and not self.language:
            self.language = (attrib.get("lang") or "").split("-")[0].lower()
        elif tag == "title" and not self._title_seen:
            self._in_title = self._title_seen = True
        elif tag == "meta" and (attrib.get("name") or "").lower() == "description" and not self.description:
            self.description = _clean(attrib.get("content") or "")
        if self._skip or tag in self._non_content:
            self._skip += 1
        elif tag == "br" or tag in self._blocks:
            self.parts.append("\n")

    def end(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._skip:
            self._skip -= 1
        elif tag in self._blocks:
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if self._in_title:
            self.title.append(text)
        if not self._skip:
            self.parts.append(text)

    def comment(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def _visible(html: str) -> _LeanText:
    """One lxml pass over the page: visible body text (one line per block element), title, lang, description.

    Linear in the page's size whatever its nesting (no tree, no recursion). It yields the same
    title and text as walking a BeautifulSoup tree built from the same parser events (tested
    against that walk), at about a quarter of the cost.
    """
    target = _LeanText()
    parser = lxml.etree.HTMLParser(target=target, recover=True, huge_tree=True)
    try:
        for start in range(0, len(html), 1 << 16):
            parser.feed(html[start:start + (1 << 16)])
        parser.close()
    except (lxml.etree.LxmlError, ValueError) as exc:  # keep what was read before the parser gave up
        logger.debug("visible-text pass stopped: %s", exc)
    return target


def extract_html(html: str, url: str = "", max_elements: int = MAX_ELEMENTS) -> ExtractedPage:
    """Extract main text and metadata from an HTML document (never raises on bad markup).

    Time and memory stay linear in the page's size whatever its shape (100,000 nested
    elements: about 1 s); above `max_elements` elements only the lean visible-text pass runs
    (extractor "fallback-large": no trafilatura, htmldate or extruct).
    """
    lean = _visible(html)
    title, visible = _clean("".join(lean.title)), _clean("".join(lean.parts))
    if html.count("<") > max_elements:
        return ExtractedPage(title=title, text=visible, language=lean.language, published="",
                             description=lean.description, structured="", extractor="fallback-large")
    text = ""
    try:
        text = _clean(
            trafilatura.extract(html, url=url or None, favor_recall=True, include_comments=False,
                                include_tables=True, deduplicate=False) or ""
        )
    except Exception as exc:  # trafilatura can choke on pathological markup; fall back
        logger.debug("trafilatura failed on %s: %s", url, exc)
    extractor = "trafilatura"
    if len(text) < MIN_MAIN_TEXT_CHARS:
        text, extractor = visible, "fallback"
    else:
        kept = set(text.splitlines())
        dropped = [line for line in visible.splitlines() if line not in kept]
        if dropped:
            text, extractor = text + "\n" + "\n".join(dict.fromkeys(dropped)), "trafilatura+structure"
    return ExtractedPage(
        title=title,
        text=text,
        language=lean.language,
        published=_published(html, url),
        description=lean.description,
        structured=_structured(html, url),
        extractor=extractor,
    )


def sniff_binary(body: bytes) -> str:
    """What a body is when it is not text ("a PNG image", "binary data"), or "" for text.

    For bodies served as HTML: servers send images, PDFs, archives and plain garbage as
    text/html. A known magic number names the format; otherwise a NUL byte, or more than 1% of
    control characters no text uses (WHATWG's binary data bytes), in the first 8 KB means binary.
    UTF-16/32 text (with its BOM) is text.
    """
    if read_bom(body)[0]:
        return ""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if body[4:8] == b"ftyp":
        return "an MP4/QuickTime video"
    head = body[:SNIFF_BYTES]
    if b"\x00" in head:
        return "binary data"
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return "binary data" if head and controls / len(head) > MAX_BINARY_SHARE else ""


def _codec(encoding: str | None) -> str | None:
    try:
        return codecs.lookup(encoding).name.replace("-", "_") if encoding else None
    except LookupError:
        return None


def _invalid_share(body: bytes, encoding: str, high: int) -> float:
    """Share of the non-ASCII bytes that do not decode with `encoding` (0.0: decodes cleanly)."""
    text = body.decode(encoding, "surrogateescape")
    bad = len(_ESCAPED.findall(text))
    return bad / max(high, 1) if bad else 0.0


def _detect(body: bytes) -> str | None:
    """The most likely charset of an undeclared body, preferring windows-1252 among look-alikes.

    charset_normalizer cannot tell Western single-byte code pages apart on short text (it reads
    "señor" in cp1252 as cp1250 "seńor"); when windows-1252, the WHATWG default for undeclared
    pages, reads the body about as cleanly as the best guess, it wins.
    """
    matches = from_bytes(body)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if match.chaos <= best.chaos + 0.05 and "cp1252" in (match.encoding, *match.could_be_from_charset):
            return "cp1252"
    return best.encoding


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding) of an HTML body, robust to wrong and missing charset declarations.

    Order: a BOM; the charset of the Content-Type header; the <meta> charset; UTF-8; detection
    (charset_normalizer). A declared charset is used only when the body decodes with it (at most
    MAX_INVALID_SHARE of its non-ASCII bytes failing), so a GB2312 page sent as "charset=utf-8"
    is read as GB2312. A header naming a Western default (ISO-8859-1, windows-1252, ASCII) is the
    weakest evidence: a different <meta> charset, or a body that is valid UTF-8, wins over it.
    Whatever is chosen, bytes that still do not decode become U+FFFD; this never raises.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom or b""):].decode(bom_encoding, "replace"), bom_encoding
    header = http_content_type_encoding(content_type)
    meta = html_body_declared_encoding(body)
    high = len(body.translate(None, bytes(range(128))))  # non-ASCII bytes
    if _codec(header) in _WESTERN_DEFAULTS:
        strict_utf8 = "utf-8" if high and _invalid_share(body, "utf-8", high) == 0.0 else None
        candidates = [meta if _codec(meta) not in _WESTERN_DEFAULTS else None, strict_utf8, header, meta]
    else:
        candidates = [header, meta, "utf-8"]
    for encoding in dict.fromkeys(c for c in candidates if _codec(c)):
        if _invalid_share(body, encoding, high) <= MAX_INVALID_SHARE:
            return body.decode(encoding, "replace"), encoding
    encoding = _detect(body) or next((c for c in (header, meta) if _codec(c)), "cp1252")
    return body.decode(encoding, "replace"), encoding


def looks_like_html(data: str) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head


def extract_document(data: str, url: str = "") -> ExtractedPage:
    """Extract from HTML, or pass plain text through (used by `clinicwatch score FILE`)."""
    if looks_like_html(data):
        return extract_html(data, url)
    return ExtractedPage(title="", text=_clean(data), language="", published="", description="",
                         structured="", extractor="plain")
