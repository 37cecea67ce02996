"""Neutralising crawled text for HTML, Markdown, CSV and JSON: one place, shared by every renderer.

Field by field: HTML autoescape, `md_escape`, `csv_cell` (formula cells). Whole document, at the
moment a text export is written (`export_text`, `json_export_text`, `SafeCsvFile`): URL secrets
redacted and terminal/BiDi control characters neutralised (the primitives are in
crawler/text_safety.py, shared with the crawler's logs and the CLI).
"""
from __future__ import annotations

import re
from typing import Any, TextIO
from urllib.parse import quote

from markupsafe import Markup

from crawler.text_safety import safe_json, safe_text


DOSSIER_DIR = "dossiers"
SCORE_DIGITS = 2
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# http(s), a non-empty host part, nothing that could end an attribute or start a tag
_URL_CHAR = r"[^\s\x00-\x1f\x7f\\<>\"']"
_WEB_URL = re.compile(rf"https?://(?:(?![/?#]){_URL_CHAR})+(?:[/?#]{_URL_CHAR}*)?\Z", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_PLAIN = re.compile(r"[^\s&<>\\`*_\[\]|~]+(?: [^\s&<>\\`*_\[\]|~]+)*\Z")
_MD_URL_SAFE = ":/?#@!$&*+,;=%~-._"
_SLUG = re.compile(r"^[a-z0-9-]+-\d+$")  # model.clinic_slug output: safe in paths and hrefs
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
# --- escaping helpers --------------------------------------------------------------------------

def is_web_url(url: object) -> bool:
    """Only absolute http(s) URLs with a host may become links (no javascript:, data:, ...)."""
    return isinstance(url, str) and _WEB_URL.match(url) is not None


def md_escape(text: object) -> str:
    """Neutralise crawled text for Markdown: no raw HTML, no links/emphasis, no table breaks."""
    s = str(text)
    if _MD_PLAIN.match(s):  # fast path: single-spaced text without special characters
        return s
    s = " ".join(s.split())  # newlines would end a table row or start a block
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_link(url: object) -> Markup:
    """A Markdown link for http(s) URLs, escaped plain text for anything else."""
    text = md_escape(url or "")
    if not is_web_url(url):
        return Markup(text)
    return Markup(f"[{text}]({quote(str(url), safe=_MD_URL_SAFE)})")


def dossier_href(slug: str, suffix: str = "html", prefix: str = f"{DOSSIER_DIR}/") -> str:
    """Relative link to a dossier; slugs are checked, so nothing crawled reaches an href."""
    if not _SLUG.match(slug):
        raise ValueError(f"not a dossier slug: {slug!r}")
    return f"{prefix}{slug}.{suffix}"


def md_dossier(name: object, slug: str, prefix: str = f"{DOSSIER_DIR}/") -> Markup:
    """A Markdown link to a clinic's dossier with the (escaped) clinic name as text."""
    return Markup(f"[{md_escape(name or '(unnamed)')}]({dossier_href(slug, 'md', prefix)})")


def csv_cell(value: object) -> object:
    """Stop spreadsheets from executing crawled text as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def csv_text_cell(text: str) -> str:
    """`csv_cell` for a cell whose type is lost (a CSV read back): numbers such as -5 stay numbers."""
    if text.startswith(FORMULA_START) and _NUMBER.match(text) is None:
        return "'" + text
    return text


# --- whole text exports ------------------------------------------------------------------------

def export_text(text: str) -> str:
    """A Markdown/HTML/text document as written: URL secrets redacted, control characters shown."""
    return safe_text(text)


def json_export_text(text: str) -> str:
    """A JSON document (from json.dumps, ensure_ascii=False) as written: URL secrets redacted, and
    the control characters JSON leaves raw (DEL, C1, BiDi) written as \\uXXXX escapes (lossless)."""
    return safe_json(text)


class SafeCsvFile:
    """A file for csv.writer: each row written with URL secrets redacted and control characters
    neutralised in its cells; the row terminator (\\r\\n) is kept."""

    def __init__(self, fh: TextIO) -> None:
        self.fh = fh

    def write(self, row: str) -> Any:
        if row.endswith("\r\n"):
            return self.fh.write(safe_text(row[:-2]) + "\r\n")
        return self.fh.write(safe_text(row))


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:.{SCORE_DIGITS}f}"
    return str(value)  # not a number (a hand-edited DB): shown as text, escaped by the caller


