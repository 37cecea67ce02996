"""HTML -> main text and metadata, for the classifier and the evidence record.

trafilatura finds the main text. It drops link-dense lists, and on clinic sites those lists are
evidence ("Conditions we treat: diabetes, autism, MS ..."), so the visible body lines it left
out (lists, headings, buttons; never scripts, styles, navigation or footers) are appended after
it. When trafilatura finds nothing, the visible body text is used alone. Plain text passes
through unchanged.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass

import trafilatura
from bs4 import BeautifulSoup

logger = logging.getLogger(__name__)

# JSON-LD, microdata and OpenGraph carry clinic metadata (MedicalClinic, offers, prices);
# the other extruct syntaxes cost more time than they give us.
STRUCTURED_SYNTAXES = ["json-ld", "microdata", "opengraph"]
# Below this many characters trafilatura's output is treated as "found nothing".
MIN_MAIN_TEXT_CHARS = 40
_NON_CONTENT_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "nav", "footer", "head",
                     "header", "form", "select"]
# Elements that end a line of text; inline elements (a, span, b...) stay inside their line.
_BLOCK_TAGS = ["p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
               "th", "table", "section", "article", "aside", "main", "blockquote", "pre", "figure",
               "figcaption", "address", "button", "label", "option", "summary", "details", "hr"]
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


@dataclass(frozen=True)
class ExtractedPage:
    """What we keep of a fetched page: the text the classifier reads, plus metadata."""

    title: str
    text: str
    language: str  # from <html lang>, "" when absent (the classifier detects its own)
    published: str  # ISO date from htmldate, "" when none found
    description: str
    structured: str  # JSON of JSON-LD/microdata/OpenGraph, "" when none
    extractor: str  # "trafilatura" | "trafilatura+structure" | "fallback" | "plain"

    @property
    def content_hash(self) -> str:
        """Identity of the content: a new page version is stored only when this changes."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode("utf-8")).hexdigest()


def _clean(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def _fallback_text(soup: BeautifulSoup) -> str:
    body = soup.body or soup
    for tag in body.find_all(_NON_CONTENT_TAGS):
        tag.decompose()
    for tag in body.find_all("br"):
        tag.replace_with("\n")
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_after("\n")
        tag.insert_before("\n")
    return _clean(body.get_text())


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


def extract_html(html: str, url: str = "") -> ExtractedPage:
    """Extract main text and metadata from an HTML document (never raises on bad markup)."""
    soup = BeautifulSoup(html, "lxml")
    title = _clean(soup.title.get_text(" ")) if soup.title else ""
    html_tag = soup.find("html")
    language = (html_tag.get("lang") or "").split("-")[0].lower() if html_tag else ""
    meta = soup.find("meta", attrs={"name": "description"})
    description = _clean(meta.get("content") or "") if meta else ""
    text = ""
    try:
        text = _clean(
            trafilatura.extract(html, url=url or None, favor_recall=True, include_comments=False,
                                include_tables=True, deduplicate=False) or ""
        )
    except Exception as exc:  # trafilatura can choke on pathological markup; fall back
        logger.debug("trafilatura failed on %s: %s", url, exc)
    visible = _fallback_text(soup)
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
        language=language,
        published=_published(html, url),
        description=description,
        structured=_structured(html, url),
        extractor=extractor,
    )


def looks_like_html(data: str) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<p>" in head


def extract_document(data: str, url: str = "") -> ExtractedPage:
    """Extract from HTML, or pass plain text through (used by `clinicwatch score FILE`)."""
    if looks_like_html(data):
        return extract_html(data, url)
    return ExtractedPage(title="", text=_clean(data), language="", published="", description="",
                         structured="", extractor="plain")
