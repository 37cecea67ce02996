"""Render a passage evaluation as Markdown (printed by `clinicwatch eval --passages FILE`).

Same shape as the team-corpus tables (crawler/classify/eval_tables.py) so the two can sit side by
side in the README: a summary row, then accuracy per language, per genre and for hard cases, and
the false flags by genre. `--errors` adds the misclassified passages, each with its score and the
sentences behind a false flag, for error study (never for tuning to single pages).
"""
from __future__ import annotations

from crawler.classify.eval_tables import _f, _table
from crawler.classify.passages import (
    NON_SELLING_GENRES, GroupFigures, ScoredPassage, by, summarise_passages,
)
from crawler.classify.weights import FLAG_THRESHOLD


def summary_table(scored: list[ScoredPassage], name: str) -> str:
    s = summarise_passages(scored)
    return _table(["set", "passages", "page ROC-AUC", "precision", "recall", "F1", "accuracy",
                   "hard-case accuracy", f"false flags: {'/'.join(NON_SELLING_GENRES)}"],
                  [[name, str(s.n), _f(s.auc), _f(s.precision), _f(s.recall), _f(s.f1), _f(s.accuracy),
                    _f(s.hard_accuracy), _f(s.non_selling_false_flag_rate)]])


def _group_table(label: str, groups: dict[str, GroupFigures]) -> str:
    rows = [[name, str(g.n), str(g.positives), _f(g.accuracy), str(g.flagged), str(g.false_flags),
             _f(g.false_flags / (g.n - g.positives)) if g.n > g.positives else "-"]
            for name, g in groups.items()]
    return _table([label, "passages", "label 1", "accuracy", "flagged", "false flags", "false-flag rate"], rows)


def error_listing(scored: list[ScoredPassage], limit: int = 200) -> str:
    wrong = sorted((s for s in scored if not s.correct), key=lambda s: (s.passage.label, -s.score))
    lines = []
    for s in wrong[:limit]:
        kind = "false flag" if s.flagged else "missed"
        lines.append(f"- {kind} {s.score:.2f} [{s.passage.language or s.language_detected}/{s.passage.genre or '-'}] "
                     f"{s.passage.ident}")
        lines += [f"    - {sentence[:200]}" for sentence in s.top_sentences]
    return "\n".join(lines) or "(none)"


def render_passages(scored: list[ScoredPassage], name: str, version: str, errors: bool = False) -> str:
    parts = [f"## Passages: {name} (classifier {version}, flag at score >= {FLAG_THRESHOLD})",
             summary_table(scored, name),
             "### Per language", _group_table("language", by(scored, "language")),
             "### Per genre", _group_table("genre", by(scored, "genre")),
             "### Hard cases", _group_table("hard", {("hard" if k == "True" else "not hard"): v
                                                      for k, v in by(scored, "hard").items()})]
    if errors:
        parts += ["### Errors", error_listing(scored)]
    return "\n\n".join(parts) + "\n"
