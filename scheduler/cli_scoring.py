"""The classifier's commands: `score` files, `rescore` the DB, `score-warc` collections, `train`, `eval`.

`rescore` and `score-warc` run on this machine by default and on a Dask cluster with --cluster
(docs/cluster.md); this process stores every result, keyed so that running a command twice
changes nothing.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler import settings as crawl_settings
from crawler.store.schema import open_db
from crawler.text_safety import safe_json, safe_text
from scheduler.cli_base import db_path

CLUSTER_HELP = "Run on this Dask scheduler (tcp://HOST:8786); default CLINICWATCH_CLUSTER."


@click.command()
@click.option("--force", is_flag=True, help="Rescore versions already scored by this classifier version too.")
@click.option("--parallel", type=click.IntRange(1), default=1, show_default=True,
              help="Processes scoring at once on this machine.")
@click.option("--cluster", metavar="ADDRESS", default=None, help=CLUSTER_HELP)
@click.pass_context
def rescore(ctx: click.Context, force: bool, parallel: int, cluster: str | None) -> None:
    """Rescore every stored page version with the current classifier.

    Scores and claims are stored under the current classifier version; versions already scored
    by it are skipped, so running it twice changes nothing. With --parallel or --cluster the
    versions are scored in batches of 200 by worker processes (or Dask workers).

    \b
    Example:
      clinicwatch --db study.db rescore
      clinicwatch --db study.db rescore --cluster tcp://10.0.0.5:8786
    """
    from crawler.classify import CLASSIFIER_VERSION
    from scheduler.progress import count_progress

    cluster = crawl_settings.CLINICWATCH_CLUSTER if cluster is None else cluster
    db = open_db(db_path(ctx), create=False)
    errors: list[str] = []
    with count_progress("rescoring") as on_progress:
        if cluster or parallel > 1:
            from scheduler.bulk_scoring import rescore_on
            from scheduler.cluster import runner_for

            runner = runner_for(cluster, parallel, processes=True)
            try:
                scored, skipped, errors = rescore_on(db, runner, force=force, on_progress=on_progress)
            finally:
                runner.close()
        else:
            from crawler.rescore import rescore as rescore_versions

            scored, skipped = rescore_versions(db, force=force, on_progress=on_progress)
    click.echo(f"classifier {CLASSIFIER_VERSION}: {scored} page versions scored, {skipped} already scored")
    for error in errors:
        click.echo(safe_text(f"failed: {error}"), err=True)
    if errors:
        sys.exit(1)


@click.command("score-warc")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--archive", "own_archive", is_flag=True, help="Score this database's own evidence archive.")
@click.option("--parallel", type=click.IntRange(1), default=1, show_default=True,
              help="Files scored at once on this machine.")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help=CLUSTER_HELP + " Workers read the files at the same paths (shared storage).")
@click.pass_context
def score_warc(ctx: click.Context, paths: tuple[str, ...], own_archive: bool, parallel: int,
               cluster: str | None) -> None:
    """Score the HTML pages of WARC files (any crawler's, e.g. a web-archive extract).

    PATHS are WARC files or directories of them (*.warc, *.warc.gz). Results go to the tables
    warc_pages and warc_claims, keyed by file, record offset and classifier version.

    \b
    Example:
      clinicwatch --db study.db score-warc extracts/2021/
      clinicwatch --db study.db score-warc --archive --cluster tcp://10.0.0.5:8786
    """
    from crawler.store.history import archive_dir_for
    from crawler.warc_score import warc_files
    from scheduler.bulk_scoring import score_warcs_on
    from scheduler.cluster import runner_for

    roots = list(paths)
    if own_archive:
        roots.append(str(archive_dir_for(db_path(ctx), crawl_settings.CLINICWATCH_ARCHIVE_DIR)))
    if not roots:
        raise click.UsageError("give WARC files or directories, or --archive")
    files = warc_files(roots)
    if not files:
        raise click.ClickException(f"no WARC files (*.warc, *.warc.gz) in {', '.join(roots)}")
    cluster = crawl_settings.CLINICWATCH_CLUSTER if cluster is None else cluster
    db = open_db(db_path(ctx))

    def on_file(done: int, total: int, result, message: str) -> None:
        if result is None:
            click.echo(safe_text(f"[{done}/{total}] {message}"), err=True)
            return
        flagged = sum(p.result.flagged for p in result.pages)
        unread = sum(bool(p.result.not_scored) for p in result.pages)
        note = f"; stopped: {result.error}" if result.error else ""
        unread_note = f" ({unread} not scored: language outside the 8 supported)" if unread else ""
        click.echo(safe_text(f"[{done}/{total}] {result.warc_file}: {len(result.pages)} pages scored{unread_note}, "
                             f"{flagged} flagged, {result.skipped} records skipped{note}"), err=True)

    runner = runner_for(cluster, parallel, processes=True)
    try:
        pages, failed = score_warcs_on(db, files, runner, on_file=on_file)
    finally:
        runner.close()
    click.echo(f"{pages} pages from {len(files)} WARC files scored; {failed} files with errors")
    if failed:
        sys.exit(1)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (the stable output shape).")
def score(files: tuple[str, ...], as_json: bool) -> None:
    """Score saved HTML or text files with the classifier.

    JSON shape per file: {"path", "score", "flagged", "language", "classifier_version", "voice",
    "not_scored", "claims": [{"sentence", "category", "condition", "stance", "score"}]}.
    "not_scored" is null for a scored page, else why it was not read (e.g. "language pl": a
    language outside the 8 supported); its score 0 then means "not read", not "clean".

    \b
    Example:
      clinicwatch score --json page.html notes.txt
    """
    from crawler.classify.language import SUPPORTED
    from scheduler.scoring import ScoreInputError, score_file

    failed = 0
    for path in files:
        try:
            result = score_file(Path(path))
        except ScoreInputError as exc:
            click.echo(safe_text(f"Error: {exc}"), err=True)
            failed += 1
            continue
        if as_json:
            click.echo(safe_json(json.dumps(result.to_json(path), ensure_ascii=False)))
        elif result.not_scored:  # a 0 here would read as clean: say it was not read
            click.echo(safe_text(f"{path}: not scored: {result.not_scored} (supported: {' '.join(SUPPORTED)}), "
                                 f"classifier {result.classifier_version}"))
        else:
            state = "FLAGGED" if result.flagged else "not flagged"
            # the file's text is untrusted: no terminal control sequences, no URL secrets
            click.echo(safe_text(f"{path}: score {result.score:.2f} ({state}), {len(result.claims)} claims "
                                 f"detected, language {result.language}, classifier {result.classifier_version}"))
            for claim in result.claims:
                click.echo(safe_text(f"  [{claim.stance}] {claim.category}/{claim.condition or '-'}: {claim.sentence}"))
    if failed:
        sys.exit(1)


@click.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write the artifact here instead.")
@click.option("--check", is_flag=True,
              help="Retrain into a temporary file and compare its behaviour with the shipped artifact; "
                   "exit 1 if they differ. Writes nothing.")
def train(out_path: str | None, check: bool) -> None:
    """Train the learned stance model on the corpus's train split (reproducible).

    Writes crawler/classify/artifacts/stance-model.json, every number rounded to 4 decimals.
    The same corpus and code give the same behaviour on any machine: every sentence's stance and
    every page's flag, page scores within 0.01 (the last digit of a weight may differ between
    CPUs, so compare with --check, not byte for byte). Needs scikit-learn (installed with ClinicWatch).

    \b
    Example:
      clinicwatch train && clinicwatch eval
      clinicwatch train --check     # does a retrain here behave like the shipped model?
    """
    import tempfile

    from crawler.classify.learned import MODEL_PATH, LearnedModel
    from crawler.classify.model_check import compare_models
    from crawler.classify.train import train as train_model

    if check and out_path:
        raise click.UsageError("--check writes nothing; leave out --out")
    if not check:
        path, n = train_model(Path(out_path) if out_path else MODEL_PATH)
        click.echo(f"trained on {n} sentences: {path} ({path.stat().st_size // 1024} KiB)")
        return
    if not MODEL_PATH.exists():
        raise click.ClickException(f"no shipped artifact at {MODEL_PATH}: run `clinicwatch train` first")
    with tempfile.TemporaryDirectory(prefix="clinicwatch-train-") as tmp:
        path, n = train_model(Path(tmp) / "model.json")
        fresh = LearnedModel.load(path)
    shipped = LearnedModel.load(MODEL_PATH)
    comparison = compare_models(shipped, fresh)
    click.echo(f"retrained on {n} sentences (model-{fresh.digest}) vs shipped model-{shipped.digest}: "
               + comparison.describe())
    if not comparison.same_behaviour:
        sys.exit(1)


@click.command("eval")
@click.option("--passages", "passages_path", type=click.Path(dir_okay=False),
              help="A labelled JSONL/CSV of texts (fields text, label; optional language, genre, hard, url): "
                   "measure the shipped classifier on it instead of the team corpus.")
@click.option("--errors", is_flag=True, help="With --passages: also list the misclassified passages.")
def evaluate(passages_path: str | None, errors: bool) -> None:
    """Measure the classifier on the labelled corpus, or on your own labelled texts.

    Without options: per-category, per-stance and per-language precision/recall/F1, page ROC-AUC
    and F1, and the false-flag rate on regulator and debunking pages (5-fold CV and held-out split)
    for the rules, the learned model and their combination.

    With --passages FILE: the shipped classifier scores each text as it would a crawled page;
    prints page ROC-AUC, precision/recall/F1 at the flag, accuracy per language, per genre and on
    hard cases, and false flags by genre.

    \b
    Examples:
      clinicwatch eval > docs/eval.md
      clinicwatch eval --passages benchmarks/real_passages.jsonl
      clinicwatch eval --passages my-coded-sample.csv --errors
    """
    from crawler.classify import CLASSIFIER_VERSION

    if passages_path:
        from crawler.classify.passage_tables import render_passages
        from crawler.classify.passages import PassageError, load_passages, score_passages
        from crawler.text_safety import safe_text

        try:
            passages = load_passages(passages_path)
        except PassageError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(safe_text(render_passages(score_passages(passages), Path(passages_path).name,
                                             CLASSIFIER_VERSION, errors=errors)), nl=False)
        return
    if errors:
        raise click.UsageError("--errors goes with --passages FILE")
    from crawler.classify.eval_tables import render
    from crawler.classify.evaluate import run_evaluation

    click.echo(render(run_evaluation(), CLASSIFIER_VERSION), nl=False)
