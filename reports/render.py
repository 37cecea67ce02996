"""Write the report files: report.html, report.md, clinics.csv, claims.csv, report.json.

Crawled text (sentences, titles, URLs, clinic names) is hostile input: HTML is rendered with
autoescape on and only http(s) URLs become links; Markdown neutralises HTML and link syntax;
CSV text cells that a spreadsheet would run as a formula get a leading apostrophe. The HTML is
self-contained (inline CSS, server-side SVG, no scripts, no external URLs) and carries a CSP
that forbids loading anything, so it opens offline and cannot phone home.
"""
from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from reports.data import build_report, iter_claims, open_readonly, read_snapshot
from reports.model import EVIDENCE_COLUMNS, NOTICE, ClinicSummary, Report

TEMPLATES = Path(__file__).with_name("templates")
MAX_CHART_BARS = 20  # bars per chart; the tables list everything
MAX_FLAGGED_PAGES_SHOWN = 300  # per HTML/MD report; claims.csv and report.json hold all
MAX_CLAIMS_PER_PAGE_SHOWN = 25
CHART_WIDTH = 720
CHART_LABEL_WIDTH = 230
CHART_VALUE_WIDTH = 50
CHART_BAR_HEIGHT = 16
CHART_BAR_GAP = 6
CHART_LABEL_CHARS = 34
SCORE_DIGITS = 2
CLINIC_COLUMNS = (
    "rank", "clinic", "country", "max_score", "breadth", "conditions", "flagged_pages", "pages",
    "scored_pages", "asserted_claims", "top_sentence", "top_url", "top_captured_at",
    "top_category", "top_condition", "top_classifier_version",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WEB_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f\\<>\"']+$", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_URL_SAFE = ":/?#@!$&*+,;=%~-._"


# --- escaping helpers --------------------------------------------------------------------------

def is_web_url(url: object) -> bool:
    """Only absolute http(s) URLs with a host may become links (no javascript:, data:, ...)."""
    if not isinstance(url, str) or not _WEB_URL.match(url):
        return False
    return bool(urlsplit(url).netloc)


def md_escape(text: object) -> str:
    """Neutralise crawled text for Markdown: no raw HTML, no links/emphasis, no table breaks."""
    s = " ".join(str(text).split())  # newlines would end a table row or start a block
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_link(url: object) -> Markup:
    """A Markdown link for http(s) URLs, escaped plain text for anything else."""
    text = md_escape(url or "")
    if not is_web_url(url):
        return Markup(text)
    return Markup(f"[{text}]({quote(str(url), safe=_MD_URL_SAFE)})")


def csv_cell(value: object) -> object:
    """Stop spreadsheets from executing crawled text as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def fmt_score(value: float | None) -> str:
    return "–" if value is None else f"{value:.{SCORE_DIGITS}f}"


# --- charts ------------------------------------------------------------------------------------

@dataclass
class Bar:
    label: str
    full_label: str
    value_text: str
    y: int
    width: float


@dataclass
class Chart:
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def bar_chart(title: str, items: Iterable[tuple[str, float, str]], max_value: float) -> Chart:
    """Horizontal bar geometry computed here, so the HTML needs no JavaScript."""
    room = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    bars = []
    for i, (label, value, text) in enumerate(list(items)[:MAX_CHART_BARS]):
        short = label if len(label) <= CHART_LABEL_CHARS else label[:CHART_LABEL_CHARS - 1] + "…"
        width = room * value / max_value if max_value > 0 else 0.0
        bars.append(Bar(short, label, text, i * (CHART_BAR_HEIGHT + CHART_BAR_GAP),
                        round(width, 1)))
    height = max(len(bars), 1) * (CHART_BAR_HEIGHT + CHART_BAR_GAP)
    return Chart(title, CHART_WIDTH, height, CHART_LABEL_WIDTH, CHART_BAR_HEIGHT, bars)


def _charts(report: Report) -> list[Chart]:
    scored = [c for c in report.clinics if c.max_score is not None]
    charts = [bar_chart("Highest page score per clinic",
                        ((c.name, c.max_score or 0.0, fmt_score(c.max_score)) for c in scored),
                        1.0)]
    named = [c for c in report.conditions if c.condition]
    top = max((c.clinics for c in named), default=0)
    charts.append(bar_chart("Conditions: clinics with asserted claims",
                            ((c.condition or "", c.clinics, str(c.clinics)) for c in named), top))
    return [c for c in charts if c.bars]


# --- rendering ---------------------------------------------------------------------------------

def _environment(autoescape: bool, finalize: Callable[[Any], Any]) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=autoescape,
                      undefined=StrictUndefined, finalize=finalize, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(score=fmt_score, md=md_escape, md_link=md_link)
    env.tests["web_url"] = is_web_url
    return env


def _html_finalize(value: Any) -> Any:
    return "" if value is None else value


def _md_finalize(value: Any) -> Any:
    """Every `{{ }}` in the Markdown template is neutralised unless a filter returned Markup."""
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return md_escape(value)


def _context(report: Report) -> dict[str, Any]:
    versions = ", ".join(report.classifier_versions) or "(none: nothing scored yet)"
    return {
        "r": report, "h": report.headline, "notice": NOTICE, "classifier": versions,
        "charts": _charts(report), "flagged": report.flagged_pages[:MAX_FLAGGED_PAGES_SHOWN],
        "max_claims": MAX_CLAIMS_PER_PAGE_SHOWN, "max_pages": MAX_FLAGGED_PAGES_SHOWN,
    }


def render_html(report: Report) -> str:
    return _environment(True, _html_finalize).get_template("report.html.j2").render(
        _context(report))


def render_markdown(report: Report) -> str:
    return _environment(False, _md_finalize).get_template("report.md.j2").render(
        _context(report))


def _clinic_row(c: ClinicSummary) -> dict[str, Any]:
    top = c.top_claim
    return {
        "rank": c.rank, "clinic": c.name, "country": c.country,
        "max_score": None if c.max_score is None else round(c.max_score, 4),
        "breadth": c.breadth, "conditions": " ".join(c.conditions),
        "flagged_pages": c.flagged_pages, "pages": c.pages, "scored_pages": c.scored_pages,
        "asserted_claims": c.asserted_claims,
        "top_sentence": top.sentence if top else None, "top_url": top.url if top else None,
        "top_captured_at": top.captured_at if top else None,
        "top_category": top.category if top else None,
        "top_condition": top.condition if top else None,
        "top_classifier_version": top.classifier_version if top else None,
    }


# --- files -------------------------------------------------------------------------------------

def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write to a temp file then rename: a served report directory never shows half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> None:
    def write(fh: Any) -> None:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row[c]) for c in columns])
    _atomic_write(path, write)


def write_report(db_path: str | Path, out_dir: str | Path,
                 run_id: int | None = None) -> dict[str, Path]:
    """Write all report files for `run_id` (None = latest run) and return them by kind.

    The report and claims.csv are read in one transaction, so they agree even mid-crawl.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / "report.html", "md": out / "report.md",
             "clinics_csv": out / "clinics.csv", "claims_csv": out / "claims.csv",
             "json": out / "report.json"}
    conn = open_readonly(db_path)
    try:
        with read_snapshot(conn):
            report = build_report(conn, run_id)
            _write_csv(paths["claims_csv"], EVIDENCE_COLUMNS,
                       ({c: getattr(row, c) for c in EVIDENCE_COLUMNS}
                        for row in iter_claims(conn, run_id)))
    finally:
        conn.close()
    _write_csv(paths["clinics_csv"], CLINIC_COLUMNS, (_clinic_row(c) for c in report.clinics))
    html, md = render_html(report), render_markdown(report)
    _atomic_write(paths["html"], lambda fh: fh.write(html))
    _atomic_write(paths["md"], lambda fh: fh.write(md))
    payload = {"notice": f"Claims detected; {NOTICE}.", **report.to_dict()}
    _atomic_write(paths["json"],
                  lambda fh: json.dump(payload, fh, ensure_ascii=False, indent=2))
    return paths
