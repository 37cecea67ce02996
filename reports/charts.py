"""Charts as inline SVG computed server-side, so reports need no JavaScript and load nothing."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable


from reports.model import Report

from reports.escaping import fmt_score

MAX_CHART_BARS = 20  # bars per chart; the tables list everything
CHART_WIDTH = 720
CHART_LABEL_WIDTH = 230
CHART_VALUE_WIDTH = 50
CHART_BAR_HEIGHT = 16
CHART_BAR_GAP = 6
CHART_LABEL_CHARS = 34
COLUMN_CHART_HEIGHT = 180  # plot area of the vertical charts
COLUMN_CHART_MARGIN = 40  # left margin (values) and bottom margin (labels)
COLUMN_LABEL_WIDTH = 52  # room a "run 123" label needs under its column

# --- charts: SVG primitives computed here, so the HTML needs no JavaScript ----------------------

@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    cls: str
    title: str  # tooltip and accessible name of the bar


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    cls: str = ""


@dataclass
class Chart:
    """An inline SVG chart: title and description for assistive technology, and the same
    numbers as a table (`table_head`/`table_rows`), or a note saying which table holds them."""

    title: str
    desc: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rects


def _short(label: str) -> str:
    return label if len(label) <= CHART_LABEL_CHARS else label[:CHART_LABEL_CHARS - 1] + "…"


def bar_chart(title: str, items: Iterable[tuple[str, float, str]], max_value: float,
              desc: str = "") -> Chart:
    """Horizontal bars: a label, a bar scaled to `max_value` and the value as text."""
    room = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    chart = Chart(title, desc, CHART_WIDTH, 0)
    step = CHART_BAR_HEIGHT + CHART_BAR_GAP
    for i, (label, value, text) in enumerate(list(items)[:MAX_CHART_BARS]):
        y = i * step
        width = round(room * value / max_value, 1) if max_value > 0 else 0.0
        chart.rects.append(Rect(CHART_LABEL_WIDTH, y, width, CHART_BAR_HEIGHT, "bar",
                                f"{label}: {text}"))
        chart.texts.append(Text(CHART_LABEL_WIDTH - 6, y + CHART_BAR_HEIGHT - 4, _short(label),
                                "end"))
        chart.texts.append(Text(CHART_LABEL_WIDTH + width + 4, y + CHART_BAR_HEIGHT - 4, text))
    chart.height = max(len(chart.rects), 1) * step
    return chart


def score_histogram(report: Report) -> Chart:
    """Pages per score band (current page scores, 10 bands), as vertical columns."""
    bins = report.score_bins
    chart = Chart("Page score distribution",
                  "Number of scored pages in each page-score band of width 0.1; "
                  "the data table lists every band.",
                  CHART_WIDTH, COLUMN_CHART_HEIGHT + COLUMN_CHART_MARGIN + 20,
                  table_head=["Score band", "Pages"])
    top = max((b.pages for b in bins), default=0)
    if not top:
        return chart
    base = COLUMN_CHART_HEIGHT + 20  # room above the tallest column for its value
    slot = (CHART_WIDTH - COLUMN_CHART_MARGIN) / len(bins)
    for i, b in enumerate(bins):
        band = f"{b.low:.1f}–{b.high:.1f}"
        height = round(COLUMN_CHART_HEIGHT * b.pages / top, 1)
        x = round(COLUMN_CHART_MARGIN + i * slot + 3, 1)
        if b.pages:
            chart.rects.append(Rect(x, base - height, round(slot - 6, 1), height, "bar",
                                    f"score {band}: {b.pages} pages"))
        chart.texts.append(Text(x + (slot - 6) / 2, base - height - 3, str(b.pages), "middle"))
        chart.texts.append(Text(x + (slot - 6) / 2, base + 16, band, "middle"))
        chart.table_rows.append([band, str(b.pages)])
    chart.lines.append((COLUMN_CHART_MARGIN, base, CHART_WIDTH, base))
    chart.texts.append(Text(4, base + 32, "page score", "start", "axis"))
    return chart


def claims_over_time(report: Report) -> Chart:
    """Per run: distinct asserted claims added (above the line) and removed (below), from
    claim_events (one per clinic and claim, the way the headline counts distinct claims)."""
    series = report.timeline
    chart = Chart("Claims over time: distinct asserted claims added and removed per run",
                  "For each run, bars above the line count distinct claims added and bars below "
                  "count distinct claims removed; the data table also gives the distinct claims "
                  "tracked after each run.",
                  CHART_WIDTH, COLUMN_CHART_HEIGHT + COLUMN_CHART_MARGIN + 20,
                  table_head=["Run", "Started", "Status", "Added", "Removed",
                              "Distinct claims tracked"])
    for r in series:
        chart.table_rows.append([str(r.run_id), r.started_at or "", r.status or "",
                                 str(r.added), str(r.removed), str(r.tracked)])
    top = max((max(r.added, r.removed) for r in series), default=0)
    if not top:
        return chart
    half = COLUMN_CHART_HEIGHT / 2
    base = half + 16
    slot = (CHART_WIDTH - COLUMN_CHART_MARGIN) / max(len(series), 1)
    width = round(min(slot - 4, 48), 1)
    label_every = math.ceil(COLUMN_LABEL_WIDTH / slot)  # run labels must not overlap
    for i, r in enumerate(series):
        x = round(COLUMN_CHART_MARGIN + i * slot + (slot - width) / 2, 1)
        up = round(half * r.added / top, 1)
        down = round(half * r.removed / top, 1)
        if r.added:
            chart.rects.append(Rect(x, base - up, width, up, "added",
                                    f"run {r.run_id}: {r.added} distinct claims added"))
        if r.removed:
            chart.rects.append(Rect(x, base, width, down, "removed",
                                    f"run {r.run_id}: {r.removed} distinct claims removed"))
        if r.added and label_every == 1:
            chart.texts.append(Text(x + width / 2, base - up - 3, f"+{r.added}", "middle"))
        if r.removed and label_every == 1:
            chart.texts.append(Text(x + width / 2, base + down + 12, f"−{r.removed}", "middle"))
        if (len(series) - 1 - i) % label_every == 0:  # the newest run is always labelled
            chart.texts.append(Text(x + width / 2, COLUMN_CHART_HEIGHT + 48, f"run {r.run_id}",
                                    "middle", "axis"))
    chart.lines.append((COLUMN_CHART_MARGIN, base, CHART_WIDTH, base))
    return chart


def charts(report: Report) -> dict[str, Chart]:
    scored = [c for c in report.clinics if c.max_score is not None]
    named = [c for c in report.conditions if c.condition]
    top_condition = max((c.clinics for c in named), default=0)
    countries = [c for c in report.countries if c.asserted_claims]
    top_country = max((c.asserted_claims for c in countries), default=0)
    return {
        "scores": score_histogram(report),
        "timeline": claims_over_time(report),
        "clinics": bar_chart(
            "Highest page score per clinic",
            ((c.name, c.max_score or 0.0, fmt_score(c.max_score)) for c in scored), 1.0,
            f"The {min(len(scored), MAX_CHART_BARS)} highest-scoring clinics; the clinic table "
            "below lists every clinic with its score."),
        "conditions": bar_chart(
            "Top conditions claimed: clinics with asserted claims",
            ((c.condition or "", c.clinics, str(c.clinics)) for c in named), top_condition,
            "Distinct clinics with asserted claims per condition; the conditions table below "
            "lists every condition."),
        "countries": bar_chart(
            "Asserted claims by country",
            ((c.country or "(not given)", c.asserted_claims, str(c.asserted_claims))
             for c in countries), top_country,
            "Asserted claims per clinic country; the country table below gives clinics too."),
    }


