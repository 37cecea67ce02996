"""`clinicwatch demo`: the whole path on the bundled demo web, ending with where to look."""
from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.demo_web.server import DemoWeb
from crawler.seeds import read_seeds
from crawler.store.schema import open_db
from crawler.store.writer import import_seeds
from crawler.text_safety import safe_text
from scheduler.crawl_process import LOOPBACK_SETTINGS, CrawlOutcome, run_crawl
from scheduler.progress import crawl_progress

if TYPE_CHECKING:
    from reports.model import Report

DEMO_DB = "demo.db"
TOP_CLINICS_SHOWN = 3
DATASETTE_PORT = 8001


def _start_demo_web(port: int) -> DemoWeb:
    """Start on the requested port; fall back to any free port if it is taken."""
    try:
        return DemoWeb(port=port).start()
    except OSError:
        click.echo(f"port {port} is busy; serving the demo web on a free port instead", err=True)
        return DemoWeb(port=0).start()


def run_demo(out_dir: Path, port: int) -> None:
    from reports.data import build_report
    from reports.render import write_report
    from reports.datasette_meta import write_metadata
    from reports.serve import datasette_command, metadata_path_for

    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = (out_dir / DEMO_DB).resolve()
    started = time.monotonic()
    web = _start_demo_web(port)
    try:
        seeds_path = web.write_seeds(out_dir / "demo-seeds.csv")
        db = open_db(db_path)
        imported = import_seeds(db, read_seeds(seeds_path))
        db.close()
        click.echo(f"demo web: {len(web.sites)} clinic sites on 127.0.0.x:{web.port}; "
                   f"seeds {seeds_path} ({imported.added} added, {imported.updated} updated)")
        with crawl_progress() as on_progress:
            outcome = run_crawl(db_path, settings=LOOPBACK_SETTINGS, on_progress=on_progress)
    finally:
        web.stop()
    if outcome.status != "finished":
        raise click.ClickException(f"demo crawl {outcome.status}; see {outcome.log_path}")
    written = write_report(db_path, out_dir / "report", run_id=outcome.run_id)
    summary = build_report(db_path, outcome.run_id)
    metadata = write_metadata(metadata_path_for(db_path), db_path.stem)
    datasette = datasette_command(db_path, metadata, DATASETTE_PORT)
    _print_summary(summary, outcome, written, db_path, datasette, time.monotonic() - started)


def _recrawl_note(db_path: Path, run_id: int) -> str:
    """On a re-crawl: this run's duration against the first run's (history makes it cheap)."""
    db = open_db(db_path, create=False)
    try:
        durations = dict(db.execute(
            "SELECT id, (julianday(finished_at) - julianday(started_at)) * 86400 FROM runs"
            " WHERE status = 'finished' AND id IN ((SELECT MIN(id) FROM runs WHERE status = 'finished'), ?)",
            [run_id]).fetchall())
    finally:
        db.close()
    first = min(durations) if durations else None
    if first is None or first == run_id or not durations.get(first):
        return ""
    ratio = durations[run_id] / durations[first]
    return f"; re-crawl took {durations[run_id]:.1f} s vs {durations[first]:.1f} s for the first crawl ({ratio:.0%})"


def _print_summary(summary: Report, outcome: CrawlOutcome, written: dict[str, Path], db_path: Path,
                   datasette: list[str], seconds: float) -> None:
    from reports.render import DISTINCT_CLAIMS, OCCURRENCES, REPEAT_RULE

    h = summary.headline
    click.echo("")
    click.echo(f"ClinicWatch demo: run {outcome.run_id} {outcome.status} in {seconds:.1f} s")
    click.echo(f"  clinics: {h.clinics}   pages: {h.pages}   flagged pages: {h.flagged_pages}   "
               f"fetch errors: {outcome.errors}")
    # the report's headline words: distinct claims (as What changed counts them), then occurrences
    click.echo(f"  {DISTINCT_CLAIMS}: {h.asserted_claims_distinct} "
               f"({h.asserted_claims} {OCCURRENCES}: {REPEAT_RULE})")
    click.echo(f"  this run: {outcome.pages_stored} pages fetched, {outcome.new_versions} new versions"
               + _recrawl_note(db_path, outcome.run_id))
    click.echo("  highest-scoring clinics (claims detected, not verdicts):")
    for clinic in summary.clinics[:TOP_CLINICS_SHOWN]:
        example = (clinic.top_claim.sentence if clinic.top_claim else "").replace("\n", " ")
        if len(example) > 140:
            example = example[:137] + "..."
        click.echo(safe_text(f"    {clinic.max_score or 0:.2f}  {clinic.name} ({clinic.country or '-'}), "
                             f"{clinic.breadth} conditions"))
        if example:
            click.echo(safe_text(f"          e.g. \"{example}\""))
    click.echo(f"  database: {db_path}")
    for kind, path in written.items():
        click.echo(f"  {kind}: {path.resolve()}")
    click.echo("  browse with datasette (then open http://127.0.0.1:%d/):" % DATASETTE_PORT)
    click.echo(f"    .venv/bin/clinicwatch --db {shlex.quote(str(db_path))} serve --port {DATASETTE_PORT}")
    click.echo(f"    (the same as: {shlex.join(datasette)})")
    sys.stdout.flush()
