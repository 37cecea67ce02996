"""Classifier throughput on 10 KB pages, one core (a benchmark: prints figures, asserts nothing).

Two page sets, each page about 10 KB of extracted text:
- typical: text extracted from the bundled demo web's pages (menus, plain text and claims mixed);
- dense: sentences of the labelled corpus only (nearly every sentence carries a claim).
Each is timed with the rules alone and with the shipped rules + learned model, after a warm-up
that compiles every language's lexicon.

    python benchmarks/classifier_speed.py [--pages 200] [--kb 10]
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from crawler.classify import CLASSIFIER_VERSION, score
from crawler.classify.labelled_corpus import load_corpus
from crawler.classify.language import detect_language
from crawler.extract import extract_html

DEMO_SITES = Path(__file__).resolve().parent.parent / "crawler" / "demo_web" / "sites"


def assemble(chunks: list[str], n_pages: int, size: int) -> list[str]:
    """Pages of about `size` bytes made of consecutive chunks (cycling)."""
    pages, i = [], 0
    for _ in range(n_pages):
        lines, length = [], 0
        while length < size:
            chunk = chunks[i % len(chunks)]
            lines.append(chunk)
            length += len(chunk.encode("utf-8")) + 1
            i += 1
        pages.append("\n".join(lines))
    return pages


def page_sets(n_pages: int, size: int) -> dict[str, list[str]]:
    typical = [extract_html(p.read_text(encoding="utf-8")).text for p in sorted(DEMO_SITES.rglob("*.html"))]
    dense = [s.text for page in load_corpus() for s in page.sentences]
    return {"typical": assemble(typical, n_pages, size), "dense": assemble(dense[::7] + dense, n_pages, size)}


def pages_per_second(pages: list[str], use_model: bool) -> float:
    started = time.perf_counter()
    for text in pages:
        score(text, use_model=use_model)
    return len(pages) / (time.perf_counter() - started)


def language_ms_per_page(pages: list[str]) -> float:
    """Milliseconds per page spent identifying its language (part of every score() call). The
    leading newline makes each sample new to detect_language's per-sample cache."""
    started = time.perf_counter()
    for text in pages:
        detect_language("\n" + text)
    return 1000 * (time.perf_counter() - started) / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--kb", type=float, default=10.0)
    args = parser.parse_args()
    sets = page_sets(args.pages, int(args.kb * 1024))
    for pages in sets.values():  # warm-up: lexicons compile on first use per language
        for text in pages[: args.pages // 4]:
            score(text)
    print(f"classifier_version={CLASSIFIER_VERSION}")
    print(f"machine={platform.machine()} python={platform.python_version()} (timed on one core)")
    print(f"pages_per_set={args.pages} page_kb={args.kb}")
    for name, pages in sets.items():
        print(f"classifier_pages_per_s_{name}_rules={pages_per_second(pages, False):.1f}")
        print(f"classifier_pages_per_s_{name}={pages_per_second(pages, True):.1f}")
    print(f"classifier_pages_per_s={pages_per_second(sets['typical'], True):.1f}")
    print(f"language_detect_ms_per_page={language_ms_per_page(sets['typical']):.3f}")


if __name__ == "__main__":
    main()
