"""Extraction's visible-text pass gives what a BeautifulSoup walk of the same page gives.

The crawler reads a page's visible lines, title, lang and description from lxml parse events
(no tree): about a quarter of the cost of building a BeautifulSoup tree. Content hashes are made
of that text, so the two must agree line for line, or every stored page would look changed
after an upgrade. The BeautifulSoup walk below is the reference the lean pass replaced.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from crawler.extract import _BLOCK_TAGS, _NON_CONTENT_TAGS, _clean, extract_html
from tests.hostile import payloads

DEMO_SITES = Path(__file__).resolve().parent.parent / "crawler" / "demo_web" / "sites"


def reference(html: str) -> tuple[str, str, str]:
    """(title, visible text, lang) the BeautifulSoup way: a newline around each block element, get_text()."""
    soup = BeautifulSoup(html, "lxml")
    title = _clean(soup.title.get_text(" ")) if soup.title else ""
    html_tag = soup.find("html")
    lang = (html_tag.get("lang") or "").split("-")[0].lower() if html_tag else ""
    body = soup.body or soup
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) in (body.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES):
                    parts.append(str(child))
            elif isinstance(child, Tag) and child.name not in _NON_CONTENT_TAGS:
                if child.name == "br":
                    parts.append("\n")
                elif child.name in _BLOCK_TAGS:
                    parts.append("\n")
                    walk(child)
                    parts.append("\n")
                else:
                    walk(child)

    walk(body)
    return title, _clean("".join(parts)), lang


EDGE_CASES = {
    "no_html_tag": "<p>First line</p><p>Second <b>bold</b> line</p>",
    "plain_text": "just words, no markup at all",
    "comments_scripts": "<html><body><!-- hidden --><p>a<br>b</p><script>var x = 1;</script><style>p{}</style></body></html>",
    "entities": "<title>A &amp; B</title><p>x &amp; y &lt;z&gt; &nbsp;caf&eacute;</p>",
    "nav_footer_form": "<body><nav>menu</nav><div>kept <span>inline</span></div><footer>f</footer><form>q</form></body>",
    "table": "<table><tr><td>cell a</td><td>cell b</td></tr></table>",
    "lang_region": "<html lang='pt-BR'><body><p>Olá</p></body></html>",
    "unclosed": "<div><p>open paragraph<li>item one<li>item two</div>",
    "frameset": "<frameset><frame src=x></frameset>",
    "empty": "",
    "whitespace": "<p>  spaced \t out \u00a0 words  </p>\n\n\n<p>\r\nnext</p>",
}


def documents() -> dict[str, str]:
    docs = {f"demo:{p.relative_to(DEMO_SITES)}": p.read_text(encoding="utf-8")
            for p in sorted(DEMO_SITES.rglob("*.html"))}
    docs.update({f"hostile:{name}": f"<html><head><title>T</title></head><body><p>before</p>{html}<p>after</p></body></html>"
                 for name, html in payloads(9).items()})
    docs.update({f"edge:{name}": html for name, html in EDGE_CASES.items()})
    return docs


DOCS = documents()


@pytest.mark.parametrize("name", sorted(DOCS))
def test_lean_pass_matches_the_beautifulsoup_walk(name):
    html = DOCS[name]
    page = extract_html(html, "http://127.0.0.1/x", max_elements=-1)  # -1: the lean pass alone
    assert page.extractor == "fallback-large"
    assert (page.title, page.text, page.language) == reference(html)


def test_demo_pages_keep_their_trafilatura_text_and_the_lines_it_drops():
    html = (DEMO_SITES / next(iter(sorted(p.relative_to(DEMO_SITES) for p in DEMO_SITES.rglob("index.html")))))
    page = extract_html(html.read_text(encoding="utf-8"), "http://127.0.0.1/")
    assert page.extractor in ("trafilatura", "trafilatura+structure")
    _, visible, _ = reference(html.read_text(encoding="utf-8"))
    assert set(visible.splitlines()) <= set(page.text.splitlines())  # nothing visible is lost


def test_description_is_read_whatever_the_case_of_its_name():
    page = extract_html("<html><head><meta name='Description' content=' Stem  cell clinic '></head>"
                        "<body><p>x</p></body></html>")
    assert page.description == "Stem cell clinic"
