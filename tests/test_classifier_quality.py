"""Quality floors on the held-out part of the labelled corpus (never used for tuning).

Floors sit a little below the figures measured when they were set (README, "Classifier
quality"); a change that drops below one fails here. Models are trained on the train split
inside the test, exactly as `clinicwatch eval` does.
"""
from __future__ import annotations

import pytest

from crawler.classify.evaluate import category_scores, heldout_predictions, prepare, summarise
from crawler.classify.labelled_corpus import LANGUAGES


@pytest.fixture(scope="module")
def heldout():
    pages, analyses, rows = prepare()
    assert len(pages) >= 120 and sum(len(p.sentences) for p in pages) >= 600
    assert {p.language for p in pages} == set(LANGUAGES)
    assert sum(p.hard for p in pages) * 3 >= len(pages)  # at least a third hard cases
    return heldout_predictions(pages, analyses, rows)


def test_combined_meets_floors(heldout):
    s = summarise(heldout["combined"])
    assert s.page[2] >= 0.65, f"page F1 {s.page[2]:.2f}"
    assert s.page_auc >= 0.85, f"page ROC-AUC {s.page_auc:.2f}"
    assert s.asserted_sentence[2] >= 0.55, f"asserted-sentence F1 {s.asserted_sentence[2]:.2f}"
    assert s.stance_macro_f1 >= 0.45, f"stance macro-F1 {s.stance_macro_f1:.2f}"
    assert s.false_flag_debunk <= 0.35, f"false flags on regulator/debunking pages {s.false_flag_debunk:.2f}"
    assert s.false_flag_approved <= 0.2, f"false flags on approved-transplant pages {s.false_flag_approved:.2f}"


def test_combination_beats_either_alone_on_pages(heldout):
    rules, learned, combined = (summarise(heldout[s]) for s in ("rules", "learned", "combined"))
    assert combined.page[2] > max(rules.page[2], learned.page[2])
    # Page ROC-AUC is not asserted: on the 753-page corpus the learned model alone ranks pages
    # better (0.95 vs 0.91 held-out) but flags most debunking and approved-transplant pages at the
    # threshold; what users act on is the flag, so the flag's F1 and false flags are what must win.
    assert combined.false_flag_approved <= learned.false_flag_approved
    assert combined.false_flag_debunk < learned.false_flag_debunk
    assert combined.stance_macro_f1 > rules.stance_macro_f1  # the learned model alone is better here (0.57 vs 0.47)
    assert combined.false_flag_debunk <= rules.false_flag_debunk


def test_every_category_is_found_sometimes(heldout):
    table = category_scores(heldout["combined"][0])
    missing = [c for c, (p, r, f, n) in table.items() if n and r == 0.0]
    assert len(missing) <= 1, missing
