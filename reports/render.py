"""Write the report files: report.html, report.md, clinics.csv, claims.csv, changes.csv,
report.json, and one dossier per clinic (dossiers/<slug>.html and .md).

Crawled text (sentences, titles, URLs, clinic names, event details) is hostile input: HTML is
rendered with autoescape on and only http(s) URLs become links; Markdown neutralises HTML and
link syntax; CSV text cells that a spreadsheet would run as a formula get a leading apostrophe.
Every file is written with URL secrets redacted and terminal control characters neutralised
(reports/escaping.py: export_text, json_export_text, SafeCsvFile).
The HTML is self-contained (inline CSS, server-side SVG, no scripts, no external URLs) and
carries a CSP that forbids loading anything, so it opens offline and cannot phone home.
"""
from __future__ import annotations

import csv
import gc
import json
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from crawler.safe_write import atomic_write, make_dirs
from reports.data import open_source
from reports.db_read import open_readonly
from reports.model import (
    CLAIM_EVENTS, CLINIC_EVENTS, EVIDENCE_COLUMNS, NOTICE, ClaimChange, ClinicSummary, Dossier, Report,
)


from reports.charts import charts
from reports.dossier_html import dossier_history_html, dossier_history_md, dossier_pages_html, dossier_pages_md
from reports.escaping import (
    DOSSIER_DIR, FORMULA_START, SafeCsvFile, dossier_href, export_text, fmt_score, is_web_url, json_export_text,
    md_dossier, md_escape, md_link,
)

TEMPLATES = Path(__file__).with_name("templates")
MAX_FLAGGED_PAGES_SHOWN = 300  # per HTML/MD report; claims.csv and report.json hold all
MAX_CLAIMS_PER_PAGE_SHOWN = 25
MAX_CHANGES_SHOWN = 200  # rows per "what changed" list in HTML/MD; changes.csv holds all
MAX_CLINICS_SHOWN = 1000  # rows of the clinic ranking in HTML/MD; clinics.csv holds all
JSON_INDENT_MAX_CLAIMS = 20_000  # larger report.json files are written compact (5x faster)
CLINIC_COLUMNS = (
    "rank", "clinic", "country", "max_score", "breadth", "conditions", "flagged_pages", "pages",
    "scored_pages", "asserted_claims", "top_sentence", "top_url", "top_captured_at",
    "top_category", "top_condition", "top_classifier_version", "dossier", "not_scored_pages",
)
CHANGE_COLUMNS = ("run_id", "recorded_at", "clinic", "event", "sentence", "category",
                  "condition", "url", "detail", "dossier")
# One wording for the claim counts in every output (HTML, Markdown, the demo summary): the
# headline counts distinct claims, as What changed does, and says how many occurrences they have.
DISTINCT_CLAIMS = "distinct asserted claims detected"
OCCURRENCES = "occurrences across pages"
REPEAT_RULE = "a claim repeated on several pages counts once"
DISTINCT_NOTE = (
    "A distinct claim is one clinic's sentence with its category and condition, compared ignoring "
    "case, spacing and punctuation (the identity What changed uses for distinct claims added and "
    "removed): a claim repeated on several pages counts once among the distinct claims and once "
    "per repetition among the occurrences.")
EVENT_TITLES = {
    "added": "Distinct claims added", "removed": "Distinct claims removed",
    "newly_flagged": "Clinics newly flagged",
    "stopped_claiming": "Clinics that stopped making claims",
    "unreachable": "Clinics unreachable", "gone": "Clinics gone (unreachable in consecutive runs)",
    "moved": "Clinics that moved (the site sent the crawler to another domain)",
}
_DOSSIER_FILE = re.compile(r"^[a-z0-9-]+-\d+\.(html|md)$")



# --- rendering ---------------------------------------------------------------------------------

def _html_finalize(value: Any) -> Any:
    return "" if value is None else value


def _md_finalize(value: Any) -> Any:
    """Every `{{ }}` in the Markdown template is neutralised unless a filter returned Markup."""
    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return md_escape(value)


@lru_cache(maxsize=None)
def _environment(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=autoescape,
                      undefined=StrictUndefined,
                      finalize=_html_finalize if autoescape else _md_finalize, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(score=fmt_score, md=md_escape, md_link=md_link, md_dossier=md_dossier,
                       dossier_href=dossier_href)
    env.tests["web_url"] = is_web_url
    env.globals.update(notice=NOTICE, event_titles=EVENT_TITLES, claim_events=CLAIM_EVENTS,
                       clinic_events=CLINIC_EVENTS, distinct_claims=DISTINCT_CLAIMS,
                       occurrences=OCCURRENCES, distinct_note=DISTINCT_NOTE)
    return env


def _classifiers(report: Report) -> str:
    return ", ".join(report.classifier_versions) or "(none: nothing scored yet)"


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report, "h": report.headline, "ch": report.changes, "classifier": _classifiers(report),
        "charts": charts(report), "flagged": report.flagged_pages[:MAX_FLAGGED_PAGES_SHOWN],
        "max_claims": MAX_CLAIMS_PER_PAGE_SHOWN, "max_pages": MAX_FLAGGED_PAGES_SHOWN,
        "max_changes": MAX_CHANGES_SHOWN, "max_clinics": MAX_CLINICS_SHOWN,
        "not_scored": report.not_scored_pages[:MAX_FLAGGED_PAGES_SHOWN],
    }


def render_html(report: Report) -> str:
    return _environment(True).get_template("report.html.j2").render(_context(report))


def render_markdown(report: Report) -> str:
    return _environment(False).get_template("report.md.j2").render(_context(report))


def _dossier_context(dossier: Dossier, report: Report) -> dict[str, Any]:
    return {"d": dossier, "r": report, "s": dossier.summary, "classifier": _classifiers(report)}


def render_dossier_html(dossier: Dossier, report: Report) -> str:
    return _environment(True).get_template("dossier.html.j2").render(
        _dossier_context(dossier, report),
        asserted_html=dossier_pages_html(dossier.asserted_pages),
        context_html=dossier_pages_html(dossier.context_pages),
        history_html=dossier_history_html(dossier.history))


def render_dossier_markdown(dossier: Dossier, report: Report) -> str:
    return _environment(False).get_template("dossier.md.j2").render(
        _dossier_context(dossier, report),
        asserted_md=dossier_pages_md(dossier.asserted_pages),
        context_md=dossier_pages_md(dossier.context_pages),
        history_md=dossier_history_md(dossier.history))


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
        "dossier": dossier_href(c.slug), "not_scored_pages": c.not_scored_pages,
    }


def _change_row(c: Any) -> tuple[Any, ...]:
    if isinstance(c, ClaimChange):
        return (c.run_id, c.at, c.clinic, c.event, c.sentence, c.category, c.condition, c.url,
                None, dossier_href(c.slug))
    return (c.run_id, c.at, c.clinic, c.event, None, None, None, None, c.detail,
            dossier_href(c.slug))


# --- files -------------------------------------------------------------------------------------

def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write to a temp file then rename: a served report directory never shows half a file, and an
    unwritable path is one OutputError line naming it."""
    atomic_write(path, write, what="report")


def _write_text(path: Path, text: str) -> None:
    """Every text file of a report passes here: URL secrets redacted, control characters shown."""
    clean = json_export_text(text) if path.suffix == ".json" else export_text(text)
    _atomic_write(path, lambda fh: fh.write(clean))


def _write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[Iterable[Any]], *,
               safe: bool = False) -> None:
    """Rows are sequences in `columns` order; `safe`: cells already went through csv_cell."""
    starts = frozenset(FORMULA_START)

    def write(fh: Any) -> None:
        writer = csv.writer(SafeCsvFile(fh))  # URL secrets and control characters, row by row
        writer.writerow(columns)
        if safe:
            writer.writerows(rows)
        else:  # csv_cell, inlined: this loop runs once per cell
            writer.writerows([("'" + v if v[:1] in starts else v) if type(v) is str
                              else ("" if v is None else v) for v in row] for row in rows)
    _atomic_write(path, write)


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """A report allocates many small objects that all live until it is written; the cyclic
    GC would rescan them again and again (about a third of the time at 100k pages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_dossiers(directory: Path, dossiers: Iterable[Dossier], report: Report) -> int:
    """Write dossiers/<slug>.html and .md; remove dossier files of clinics no longer present."""
    make_dirs(directory, "report")
    written: set[str] = set()
    for dossier in dossiers:
        for suffix, render in (("html", render_dossier_html), ("md", render_dossier_markdown)):
            name = f"{dossier.slug}.{suffix}"
            _write_text(directory / name, render(dossier, report))
            written.add(name)
    for stale in directory.iterdir():  # a renamed or deleted clinic: its old slug
        if _DOSSIER_FILE.match(stale.name) and stale.name not in written and stale.is_file():
            stale.unlink()
    return len(written) // 2


def write_report(db_path: str | Path, out_dir: str | Path, run_id: int | None = None, *,
                 since: str | None = None) -> dict[str, Path]:
    """Write all report files for `run_id` (None = latest run) and return them by kind.

    `since` (ISO date, e.g. from `reports.db_read.period_start("week", date.today())`): "what
    changed" covers every run started on or after it, instead of the selected run alone.
    Everything is read in one transaction, so the files agree even mid-crawl.
    """
    out = make_dirs(out_dir, "report")  # OutputError: one line naming the path and the reason
    paths = {"html": out / "report.html", "md": out / "report.md",
             "clinics_csv": out / "clinics.csv", "claims_csv": out / "claims.csv",
             "changes_csv": out / "changes.csv", "json": out / "report.json",
             "dossiers": out / DOSSIER_DIR}
    conn = open_readonly(db_path)
    try:
        with _no_gc_pauses(), open_source(conn, run_id, since=since) as source:
            report = source.report()
            _write_csv(paths["claims_csv"], EVIDENCE_COLUMNS,
                       source.iter_claim_tuples(FORMULA_START), safe=True)
            _write_csv(paths["changes_csv"], CHANGE_COLUMNS,
                       (_change_row(c) for c in source.iter_changes()))
            _write_dossiers(paths["dossiers"], source.iter_dossiers(report.clinics), report)
    finally:
        conn.close()
    with _no_gc_pauses():
        _write_csv(paths["clinics_csv"], CLINIC_COLUMNS,
                   ([row[c] for c in CLINIC_COLUMNS] for row in map(_clinic_row, report.clinics)))
        _write_text(paths["html"], render_html(report))
        _write_text(paths["md"], render_markdown(report))
        payload = {"notice": f"Claims detected; {NOTICE}.", **report.to_dict()}
        small = sum(len(p.asserted) + len(p.context)
                    for p in report.flagged_pages) <= JSON_INDENT_MAX_CLAIMS
        # dumps, not dump: only a one-shot encode without indent uses the C encoder
        _write_text(paths["json"], json.dumps(payload, ensure_ascii=False,
                                              indent=2 if small else None))
    return paths

