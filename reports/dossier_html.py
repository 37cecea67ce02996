"""Dossier bodies (evidence pages, history) rendered in Python: the hot loops of a large report."""
from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any, Callable, Iterable

from markupsafe import Markup

from reports.model import CLAIM_EVENTS, EvidencePage, HistoryEntry

from reports.escaping import fmt_score, is_web_url, md_escape, md_link

# --- dossier bodies: the hot loops, rendered here -------------------------------------------------
# A large DB has hundreds of thousands of claim and history rows across the dossiers; through
# Jinja (per-expression getattr, finalize, Markup objects) they took most of the report time.
# These functions produce the same markup with the same rule: EVERY value from the DB passes
# through _h (HTML: stdlib html.escape, quotes included) or md_escape (Markdown), and only
# is_web_url URLs become links. Repeated values (URLs, times, categories, versions) are
# memoised; sentences are not (they are nearly all distinct).

_MEMO_SIZE = 1 << 16
_HTML_SPECIAL = re.compile(r"[&<>\"']")


def _h(value: object) -> str:
    """HTML-escape (quotes too); strings without special characters are returned as they are."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    return html.escape(text, quote=True) if _HTML_SPECIAL.search(text) else text


_hc = lru_cache(maxsize=_MEMO_SIZE)(_h)  # for low-cardinality values: categories, versions...


def _m(value: object) -> str:
    return "" if value is None else md_escape(value)


_mc = lru_cache(maxsize=_MEMO_SIZE)(_m)


@lru_cache(maxsize=_MEMO_SIZE)
def _score_h(value: object) -> str:
    return _h(fmt_score(value))  # type: ignore[arg-type]


@lru_cache(maxsize=_MEMO_SIZE)
def _score_m(value: object) -> str:
    return md_escape(fmt_score(value))  # type: ignore[arg-type]


@lru_cache(maxsize=_MEMO_SIZE)
def link_html(url: object) -> str:
    """Same markup as the template macro `link`: an anchor only for http(s) URLs."""
    text = _h(url)
    if is_web_url(url):
        return f'<a class="url" href="{text}" rel="noopener noreferrer nofollow">{text}</a>'
    return f'<span class="nolink" title="not an http(s) URL: shown as text">{text}</span>'


@lru_cache(maxsize=_MEMO_SIZE)
def _md_link_c(url: object) -> str:
    return str(md_link(url))


def _links_html(text: str | None) -> str:
    return " ".join(link_html(t) if is_web_url(t) else _h(t) for t in (text or "").split())


def _page_meta(p: EvidencePage, link: Callable[[Any], str], esc: Callable[[Any], str],
               cached: Callable[[Any], str], score: Callable[[Any], str]) -> str:
    return (f"{link(p.url)} · captured {esc(p.captured_at)} · page score {score(p.score)}"
            f"{' (flagged)' if p.flagged else ''} · classifier {cached(p.classifier_version)}"
            + (f" · language {cached(p.language)}" if p.language else "") + f" · voice {cached(p.voice)}")


def dossier_pages_html(pages: Iterable[EvidencePage]) -> Markup:
    out: list[str] = []
    add = out.append
    for p in pages:
        add(f'<section class="page">\n<h3>{_h(p.title or "(untitled page)")}</h3>\n'
            f'<p class="meta">{_page_meta(p, link_html, _h, _hc, _score_h)}</p>\n')
        if p.warc_file:
            add(f'<p class="meta">archived: {_h(p.warc_file)} @ {_h(p.warc_offset)} · '
                f'<code>{_h(p.snapshot_command)}</code></p>\n')
        else:
            add('<p class="meta">No archived copy recorded for this capture.</p>\n')
        if p.asserted:
            add('<table>\n<tr><th>Sentence</th><th>Category</th><th>Condition</th>'
                '<th>Stance</th><th class="n">Score</th><th>Captured</th><th>Classifier</th>'
                '</tr>\n')
            for c in p.asserted:
                other = (f'<br><span class="meta">{link_html(c.url)}</span>'
                         if c.url != p.url else "")
                add(f'<tr><td class="sentence">{_h(c.sentence)}{other}</td>'
                    f'<td>{_hc(c.category)}</td><td>{_hc(c.condition)}</td>'
                    f'<td>{_hc(c.stance)}</td><td class="n">{_score_h(c.score)}</td>'
                    f'<td>{_hc(c.captured_at)}</td><td>{_hc(c.classifier_version)}</td></tr>\n')
            add("</table>\n")
        if p.mitigations:
            add('<p class="meta">Mitigating sentences on this page (they lower the page score, '
                'never hide a claim):</p>\n<ul class="mitigations">')
            out.extend(f"<li>{_h(line)}</li>" for line in p.mitigations)
            add("</ul>\n")
        elif p.asserted:
            add('<p class="meta">No mitigating sentences detected on this page.</p>\n')
        if p.context:
            n = len(p.context)
            add(f'<p class="meta">Context, not counted: {n} negated or attributed '
                f'sentence{"s" if n != 1 else ""}.</p>\n<table>\n<tr><th>Sentence</th>'
                '<th>Category</th><th>Condition</th><th>Stance</th><th class="n">Score</th>'
                '<th>Classifier</th></tr>\n')
            for c in p.context:
                add(f'<tr><td class="sentence">{_h(c.sentence)}</td><td>{_hc(c.category)}</td>'
                    f'<td>{_hc(c.condition)}</td><td>{_hc(c.stance)}</td>'
                    f'<td class="n">{_score_h(c.score)}</td>'
                    f'<td>{_hc(c.classifier_version)}</td></tr>\n')
            add("</table>\n")
        add("</section>\n")
    return Markup("".join(out))


def dossier_history_html(history: Iterable[HistoryEntry]) -> Markup:
    out: list[str] = []
    add = out.append
    for e in history:
        kind = e.event if e.event in CLAIM_EVENTS else "clinic"
        head = (f'<tr><td class="n">{_h(e.run_id)}</td><td>{_hc(e.at)}</td>'
                f'<td class="ev-{kind}">{_hc(e.event)}</td>')
        if e.detail is None:
            add(f'{head}<td class="sentence">{_h(e.sentence)}</td><td>{_hc(e.category)}</td>'
                f'<td>{_hc(e.condition)}</td><td>{link_html(e.url)}</td></tr>\n')
        else:
            detail = _links_html(e.detail) if e.event == "newly_flagged" else _h(e.detail)
            add(f'{head}<td colspan="4">{detail}</td></tr>\n')
    return Markup("".join(out))


def dossier_pages_md(pages: Iterable[EvidencePage]) -> Markup:
    out: list[str] = []
    add = out.append
    for p in pages:
        meta = _page_meta(p, _md_link_c, _m, _mc, _score_m)
        add(f"### {_m(p.title or '(untitled page)')}\n\n{meta}\n\n")
        if p.warc_file:
            add(f"archived: {_m(p.warc_file)} @ {_m(p.warc_offset)} · command: "
                f"{_m(p.snapshot_command)}\n\n")
        else:
            add("No archived copy recorded for this capture.\n\n")
        if p.asserted:
            add("| Sentence | Category | Condition | Stance | Score | Captured | Classifier |\n"
                "|---|---|---|---|---:|---|---|\n")
            for c in p.asserted:
                other = f" ({_md_link_c(c.url)})" if c.url != p.url else ""
                add(f"| {_m(c.sentence)}{other} | {_mc(c.category)} | {_mc(c.condition)} | "
                    f"{_mc(c.stance)} | {_score_m(c.score)} | {_mc(c.captured_at)} | "
                    f"{_mc(c.classifier_version)} |\n")
            add("\n")
        if p.mitigations:
            add("Mitigating sentences on this page (they lower the page score, never hide a "
                "claim):\n\n")
            out.extend(f"- {_m(line)}\n" for line in p.mitigations)
            add("\n")
        elif p.asserted:
            add("No mitigating sentences detected on this page.\n\n")
        if p.context:
            add(f"Context, not counted ({len(p.context)} negated or attributed sentences):\n\n")
            for c in p.context:
                condition = f", {_mc(c.condition)}" if c.condition else ""
                add(f"- {_mc(c.stance)}: {_m(c.sentence)} ({_mc(c.category)}{condition}, "
                    f"score {_score_m(c.score)}, classifier {_mc(c.classifier_version)})\n")
            add("\n")
    return Markup("".join(out))


def dossier_history_md(history: Iterable[HistoryEntry]) -> Markup:
    out: list[str] = []
    add = out.append
    for e in history:
        head = f"| {_m(e.run_id)} | {_mc(e.at)} | {_mc(e.event)} |"
        if e.detail is None:
            add(f"{head} {_m(e.sentence)} | {_mc(e.category)} | {_mc(e.condition)} | "
                f"{_md_link_c(e.url)} |\n")
        else:
            add(f"{head} {_m(e.detail)} | | | |\n")
    return Markup("".join(out))


