"""The classifier mapped over many pages at once: rescoring the DB, scoring WARC collections.

Both run their CPU work as tasks on a runner (a local process pool or a Dask cluster, see
scheduler/cluster.py) while this process, the one writer, stores each result as it arrives,
the idempotent way: scores and claims are keyed by (version, classifier version) and WARC
results by (file, offset, classifier version), so a re-run or a re-delivered task adds nothing.
"""
from __future__ import annotations

from typing import Any, Callable

from crawler.classify import CLASSIFIER_VERSION
from crawler.rescore import already_scored, pending_batches, score_batch, store_batch
from crawler.store.warc_store import store_warc_result
from crawler.warc_score import WarcFileResult, score_warc_file
from scheduler.cluster import DaskRunner, LocalRunner


def rescore_on(db: Any, runner: LocalRunner | DaskRunner, *, force: bool = False,
               on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int, list[str]]:
    """Rescore versions not yet scored by this classifier, batches on `runner`; (scored, skipped, errors)."""
    batches = list(pending_batches(db, force=force))  # every task is submitted at once
    skipped = 0 if force else already_scored(db)
    total = sum(map(len, batches))
    scored, errors = 0, []
    for outcome in runner.map(score_batch, batches):
        if outcome.error:
            errors.append(f"versions {outcome.item[0].version_id}-{outcome.item[-1].version_id}: {outcome.error}")
            continue
        version, results = outcome.result
        if version != CLASSIFIER_VERSION:  # a worker with another ClinicWatch installed: do not mix
            errors.append(f"a worker runs classifier {version}, this is {CLASSIFIER_VERSION}: batch not stored")
            continue
        store_batch(db, outcome.item, results)
        scored += len(results)
        if on_progress is not None:
            on_progress(scored, total)
    return scored, skipped, errors


def score_warcs_on(db: Any, paths: list[str], runner: LocalRunner | DaskRunner, *,
                   on_file: Callable[[int, int, WarcFileResult | None, str], None] | None = None) -> tuple[int, int]:
    """Score WARC files (one task each), storing each file's results as it arrives; (pages, files failed)."""
    pages = failed = done = 0
    for outcome in runner.map(score_warc_file, paths):
        done += 1
        result: WarcFileResult | None = outcome.result
        if result is not None:
            pages += store_warc_result(db, result)
        failed += bool(outcome.error or (result is not None and result.error))
        if on_file is not None:
            on_file(done, len(paths), result, f"{outcome.item}: {outcome.error}" if outcome.error else outcome.item)
    return pages, failed
