"""`clinicwatch eval --passages FILE`: the classifier measured on any labelled texts.

Users measure on their own hand-coded pages; we measure on the real-text development set. The
figures must be right (checked against values worked out by hand), both file formats must give the
same result, and a bad file must be one line.
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.classify.passages import (
    Passage, PassageError, ScoredPassage, by, load_passages, score_passages, summarise_passages,
)

ROOT = Path(__file__).resolve().parent.parent

# Our own texts: two sellers making claims, a regulator warning, an approved-transplant page.
TEXTS = [
    {"url": "https://seller-a.example/", "label": 1, "language": "en", "genre": "clinic", "hard": 0,
     "text": "Our stem cell therapy reverses type 2 diabetes. 92% of our patients stop insulin within "
             "three months. Book your consultation today: packages from $9,900."},
    {"url": "https://seller-b.example/", "label": 1, "language": "es", "genre": "clinic", "hard": 0,
     "text": "Nuestras células madre curan la artrosis de rodilla sin cirugía. Sin efectos secundarios. "
             "Reserve hoy su consulta gratuita."},
    {"url": "https://agency.example/warning", "label": 0, "language": "en", "genre": "regulator", "hard": 1,
     "text": "Consumer warning: no stem cell product is approved to treat autism, diabetes or arthritis. "
             "Report clinics that advertise such treatments."},
    {"url": "https://hospital.example/bmt", "label": 0, "language": "en", "genre": "hospital_approved", "hard": 1,
     "text": "Our transplant unit performs bone marrow transplants for leukaemia and lymphoma, an "
             "established treatment. Ask your haematologist whether a transplant is right for you."},
]


def scored(score: float, label: bool, genre: str = "", hard: bool = False, language: str = "en") -> ScoredPassage:
    return ScoredPassage(Passage(f"p{score}", "text", label, "", language, genre, hard), score, language, ())


def test_summary_figures_match_hand_computed_values() -> None:
    # positives 0.9, 0.6, 0.3; negatives 0.7, 0.2. Flag at 0.5: TP 2, FP 1, FN 1.
    # AUC: pairs won (0.9>0.7, 0.9>0.2, 0.6>0.2, 0.3>0.2) = 4 of 6.
    data = [scored(0.9, True, hard=True), scored(0.6, True), scored(0.3, True, hard=True),
            scored(0.7, False, genre="regulator", hard=True), scored(0.2, False, genre="academic")]
    s = summarise_passages(data)
    assert s.n == 5
    assert s.auc == pytest.approx(4 / 6)
    assert (s.precision, s.recall, s.f1) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert s.accuracy == pytest.approx(3 / 5)
    assert s.hard_accuracy == pytest.approx(1 / 3)  # 0.9 right; 0.3 missed; 0.7 false flag
    assert s.non_selling_false_flag_rate == pytest.approx(1 / 2)
    genres = by(data, "genre")
    assert genres["regulator"].false_flags == 1 and genres["academic"].false_flags == 0
    assert by(data, "hard")["True"].n == 3


def test_jsonl_and_csv_give_the_same_passages(tmp_path: Path) -> None:
    jsonl = tmp_path / "set.jsonl"
    jsonl.write_text("".join(json.dumps(t) + "\n" for t in TEXTS), encoding="utf-8")
    csv_path = tmp_path / "set.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(TEXTS[0]))
        writer.writeheader()
        writer.writerows(TEXTS)
    assert load_passages(jsonl) == load_passages(csv_path)


def test_the_shipped_classifier_separates_our_own_examples(tmp_path: Path) -> None:
    passages = load_passages(_write(tmp_path, TEXTS))
    results = {s.passage.ident: s for s in score_passages(passages)}
    assert results["https://seller-a.example/"].flagged
    assert results["https://seller-b.example/"].flagged
    assert not results["https://agency.example/warning"].flagged
    assert not results["https://hospital.example/bmt"].flagged
    assert summarise_passages(list(results.values())).auc == 1.0


def _write(tmp_path: Path, rows: list[dict], name: str = "set.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("content, fragment", [
    ('{"text": "Stem cells cure everything."}\n', "no label"),
    ('{"text": "Stem cells.", "label": "maybe"}\n', "label must be 1 or 0"),
    ('{"label": 1}\n', "no text"),
    ("not json\n", "not JSON"),
    ("", "no passages"),
])
def test_bad_passage_files_are_one_clear_line(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PassageError, match=fragment):
        load_passages(path)
    run = subprocess.run([sys.executable, "-m", "scheduler.cli", "eval", "--passages", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and fragment in run.stderr and "Traceback" not in run.stderr


def test_cli_prints_the_tables_and_the_errors_without_raw_control_characters(tmp_path: Path) -> None:
    rows = TEXTS + [{"url": "https://news.example/\x1b]0;pwned\x07", "label": 0, "language": "en",
                     "genre": "news_debunk", "hard": 1,
                     "text": "Our stem cell therapy cures Parkinson's disease in 9 of 10 patients.\x1b[31m"}]
    run = subprocess.run([sys.executable, "-m", "scheduler.cli", "eval", "--passages", str(_write(tmp_path, rows)),
                          "--errors"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    for heading in ("page ROC-AUC", "### Per language", "### Per genre", "### Hard cases", "### Errors"):
        assert heading in run.stdout
    assert "| news_debunk | 1 | 0 |" in run.stdout
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
