"""The classifier mapped over many pages at once: rescoring the DB, scoring WARC collections.

Both run their CPU work as tasks on a runner (a local process pool or a Dask cluster, see
scheduler/cluster.py) while this process, the one writer, stores each result as it arrives,
the idempotent way: scores and claims are keyed by (version, classifier version) and WARC
results by (file, offset, classifier version), so a re-run or a re-delivered task adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from crawler.classify import CLASSIFIER_VERSION, score
from crawler.classify.model import PageScore
from crawler.rescore import BATCH
from crawler.store.warc_store import store_warc_result
from crawler.store.writer import store_score
from crawler.warc_score import WarcFileResult, score_warc_file
from scheduler.cluster import DaskRunner, LocalRunner


@dataclass(frozen=True)
class VersionText:
    version_id: int
    clinic_id: int
    url: str
    fetched_at: str
    title: str
    text: str


def score_batch(batch: list[VersionText]) -> tuple[str, list[tuple[int, PageScore]]]:
    """Run on a worker: (classifier version, scores) of a batch of stored versions."""
    return CLASSIFIER_VERSION, [(v.version_id, score(v.text, title=v.title)) for v in batch]


def _batches(db: Any, force: bool) -> tuple[list[list[VersionText]], int]:
    done = set() if force else {r[0] for r in db.execute(
        "SELECT version_id FROM page_scores WHERE classifier_version = ?", [CLASSIFIER_VERSION])}
    batches: list[list[VersionText]] = [[]]
    skipped = 0
    for row in db.execute("SELECT id, clinic_id, url, fetched_at, title, text FROM page_versions ORDER BY id"):
        if row[0] in done:
            skipped += 1
            continue
        if len(batches[-1]) >= BATCH:
            batches.append([])
        batches[-1].append(VersionText(row[0], row[1], row[2], row[3], row[4] or "", row[5] or ""))
    return [b for b in batches if b], skipped


def rescore_on(db: Any, runner: LocalRunner | DaskRunner, *, force: bool = False,
               on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int, list[str]]:
    """Rescore versions not yet scored by this classifier, batches on `runner`; (scored, skipped, errors)."""
    batches, skipped = _batches(db, force)
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
        by_id = {v.version_id: v for v in outcome.item}
        with db.atomic():
            for version_id, result in results:
                v = by_id[version_id]
                store_score(db, version_id, v.clinic_id, v.url, v.fetched_at, result)
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
