"""The real-text development set: a committed manifest, texts kept out of the repository.

The classifier is measured on passages nobody on the team wrote: opening excerpts of real public
web pages about stem-cell and regenerative treatments, labelled by the rule in the README
("The classifier" > "Real-text development set"). Their words belong to others, so the repository
holds only facts about them (`real_passages.csv`: URL, language, genre, label, hard); the texts (and
the search queries that found them) live in the git-ignored `real_passages.jsonl` beside it.

    python -m benchmarks.real_passages check                 # the manifest's invariants and counts
    python -m benchmarks.real_passages join ANSWERS.jsonl    # rebuild real_passages.jsonl
    clinicwatch eval --passages benchmarks/real_passages.jsonl

Rebuilding the texts: the excerpts come from a stored-pages search service (no live fetching).
Search it for each manifest row (the page's host plus a few topic words of your own in the row's
language, e.g. "stem cell clinic knee" for an English clinic page) and save every JSON answer as
one line of ANSWERS.jsonl (`{"query": ..., "results": [{"address": URL, "excerpt": TEXT}, ...]}`);
`join` keeps, for each manifest row, the excerpt whose address is the row's URL and lists the rows
still missing, to search again. Never train on this set, never copy its sentences into the corpus, tests or docs: it
measures and shows kinds of errors, nothing else.
"""
from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "real_passages.csv"
TEXTS = HERE / "real_passages.jsonl"
FIELDS = ("url", "language", "genre", "label", "hard")
LANGUAGES = ("en", "es", "fr", "de", "zh", "ja", "pt", "ru")
GENRES = ("clinic", "hedged_clinic", "vendor", "news_debunk", "news_credulous", "academic", "regulator",
          "hospital_approved", "patient_blog", "directory", "legal", "education")
MIN_PASSAGES, MIN_PER_LANGUAGE, MIN_HARD_SHARE = 240, 20, 0.40


def load_manifest(path: Path = MANIFEST) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    if tuple(reader.fieldnames or ()) != FIELDS:  # facts only: no column may carry a page's words
        raise SystemExit(f"{path}: columns must be {', '.join(FIELDS)}")
    return rows


def problems(rows: list[dict[str, str]]) -> list[str]:
    """Everything that breaks the set's rules (empty when it is sound)."""
    out = []
    if len(rows) < MIN_PASSAGES:
        out.append(f"{len(rows)} passages, fewer than {MIN_PASSAGES}")
    urls = Counter(r["url"] for r in rows)
    out += [f"duplicate URL {u}" for u, n in urls.items() if n > 1]
    languages = Counter(r["language"] for r in rows)
    out += [f"{lang}: {languages[lang]} passages, fewer than {MIN_PER_LANGUAGE}" for lang in LANGUAGES
            if languages[lang] < MIN_PER_LANGUAGE]
    for number, r in enumerate(rows, start=2):
        if r["language"] not in LANGUAGES or r["genre"] not in GENRES or r["label"] not in "01" \
                or r["hard"] not in "01" or not r["url"].startswith(("http://", "https://")):
            out.append(f"row {number}: bad value in {r}")
    hard = sum(r["hard"] == "1" for r in rows) / max(len(rows), 1)
    if hard < MIN_HARD_SHARE:
        out.append(f"hard share {hard:.2f} under {MIN_HARD_SHARE}")
    return out


def join(answers: list[Path], manifest: Path = MANIFEST, out: Path = TEXTS) -> tuple[int, list[str]]:
    """Write the texts file from saved search answers; returns (written, manifest URLs not found)."""
    excerpts: dict[str, str] = {}
    for path in answers:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for result in json.loads(line).get("results", []):
                    excerpts.setdefault(result.get("address", ""), result.get("excerpt", ""))
    rows = load_manifest(manifest)
    missing = [r["url"] for r in rows if not excerpts.get(r["url"])]
    with out.open("w", encoding="utf-8") as handle:
        for r in rows:
            if excerpts.get(r["url"]):
                handle.write(json.dumps({**r, "text": excerpts[r["url"]]}, ensure_ascii=False) + "\n")
    return len(rows) - len(missing), missing


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        rows = load_manifest()
        for problem in problems(rows):
            print(problem)
        print(f"passages={len(rows)} hard_share={sum(r['hard'] == '1' for r in rows) / len(rows):.2f} "
              f"label1_share={sum(r['label'] == '1' for r in rows) / len(rows):.2f}")
        print(" ".join(f"{k}={v}" for k, v in sorted(Counter(r['language'] for r in rows).items())))
        print(" ".join(f"{k}={v}" for k, v in sorted(Counter(r['genre'] for r in rows).items())))
        return 1 if problems(rows) else 0
    if argv[:1] == ["join"] and len(argv) > 1:
        written, missing = join([Path(a) for a in argv[1:]])
        print(f"wrote {written} passages to {TEXTS}; {len(missing)} not found in the answers")
        for url in missing:
            print(f"missing: {url}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
