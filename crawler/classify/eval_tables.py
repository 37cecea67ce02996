"""Render an Evaluation as Markdown tables (printed by `clinicwatch eval`, pasted in the README)."""
from __future__ import annotations

from crawler.classify.evaluate import (
    SYSTEMS, Evaluation, Predictions, category_scores, condition_accuracy, prf, stance_scores, summarise,
)
from crawler.classify.labelled_corpus import LANGUAGES


def _f(value: float) -> str:
    return f"{value:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def systems_table(evaluation: Evaluation) -> str:
    rows = []
    for protocol, results in (("5-fold CV (train)", evaluation.cv), ("held-out", evaluation.heldout)):
        for system in SYSTEMS:
            s = summarise(results[system])
            rows.append([protocol, system, *map(_f, s.asserted_sentence), _f(s.stance_macro_f1), _f(s.page_auc),
                         *map(_f, s.page), _f(s.false_flag_debunk), _f(s.false_flag_approved)])
    return _table(["protocol", "system", "asserted P", "asserted R", "asserted F1", "stance macro-F1",
                   "page ROC-AUC", "page P", "page R", "page F1", "false flags: regulator/debunk",
                   "false flags: approved transplant"], rows)


def _prf_table(label: str, tables: dict[str, dict[str, tuple[float, float, float, int]]]) -> str:
    keys = list(next(iter(tables.values())))
    rows = []
    for key in keys:
        row = [key]
        for table in tables.values():
            p, r, f, n = table[key]
            row += [_f(p), _f(r), _f(f)]
        row.append(str(next(iter(tables.values()))[key][3]))
        rows.append(row)
    header = [label] + [f"{system} {m}" for system in tables for m in ("P", "R", "F1")] + ["support"]
    return _table(header, rows)


def language_table(results: dict[str, Predictions]) -> str:
    rows = []
    for lang in LANGUAGES:
        row = [lang]
        for system in ("rules", "combined"):
            sentences = [p for p in results[system][0] if p.page.language == lang]
            pages = [p for p in results[system][1] if p.page.language == lang]
            gold = [p.page.sentences[p.index].stance == "asserts" for p in sentences]
            hat = [p.stance == "asserts" for p in sentences]
            tp = sum(g and h for g, h in zip(gold, hat))
            page_tp = sum(p.flagged and p.page.page_flagged for p in pages)
            row += [*map(_f, prf(tp, sum(hat) - tp, sum(gold) - tp)),
                    _f(prf(page_tp, sum(p.flagged for p in pages) - page_tp,
                           sum(p.page.page_flagged for p in pages) - page_tp)[2])]
        row.append(str(len(pages)))
        rows.append(row)
    return _table(["language", "rules asserted P", "R", "F1", "rules page F1", "combined asserted P", "R", "F1",
                   "combined page F1", "pages"], rows)


def render(evaluation: Evaluation, version: str) -> str:
    held = evaluation.heldout
    cv = evaluation.cv
    parts = [
        f"Classifier {version}. Corpus: {evaluation.n_pages['train']} train pages "
        f"({evaluation.n_sentences['train']} sentences), {evaluation.n_pages['heldout']} held-out pages "
        f"({evaluation.n_sentences['heldout']} sentences). 'asserted' = a sentence in which the page "
        "asserts a claim; page figures use the flag threshold.",
        "### Rules, learned model and their combination",
        systems_table(evaluation),
        "### Per stance (sentence level; held-out)",
        _prf_table("stance", {s: stance_scores(held[s][0]) for s in SYSTEMS}),
        "### Per category (asserted claims; pooled 5-fold CV + held-out)",
        _prf_table("category", {s: category_scores(cv[s][0] + held[s][0]) for s in SYSTEMS}),
        "### Per language (pooled 5-fold CV + held-out)",
        language_table({s: (cv[s][0] + held[s][0], cv[s][1] + held[s][1]) for s in SYSTEMS}),
        f"Condition agreement (asserted sentences where both name one; combined, held-out): "
        f"{_f(condition_accuracy(held['combined'][0]))}",
    ]
    return "\n\n".join(parts) + "\n"
