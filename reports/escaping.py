"""Neutralising crawled text for HTML, Markdown and CSV: one place, shared by every renderer."""
from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import Markup


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


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:.{SCORE_DIGITS}f}"
    return str(value)  # not a number (a hand-edited DB): shown as text, escaped by the caller


