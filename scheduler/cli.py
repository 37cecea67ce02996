"""`clinicwatch`: one command-line tool for seeds, crawls, scoring, reports and datasette.

Every command exits non-zero with one clear line on bad input, and every help text carries an
example (tests/test_cli.py fails when one does not, or when the README does not mention it).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from crawler.setting_values import SettingError

try:  # crawler/settings.py reads the environment as it is imported, before click runs
    from crawler import settings as crawl_settings
except SettingError as exc:
    sys.exit(f"Error: {exc}")
from crawler.seeds import read_seeds
from crawler.store.schema import open_db
from crawler.store.events import run_event_counts
from crawler.store.writer import import_seeds
from crawler.text_safety import safe_json, safe_text
from scheduler.cli_base import CONTEXT, CleanErrors, date_option, db_path
from scheduler.cli_scoring import evaluate, rescore, score, score_warc, train
from scheduler.cli_monitoring import schedule, status
from scheduler.crawl_process import check_crawl_settings

@click.group(cls=CleanErrors, context_settings=CONTEXT)
@click.option("--db", type=click.Path(dir_okay=False), envvar="CLINICWATCH_DB", show_envvar=True,
              default=crawl_settings.CLINICWATCH_DB, show_default=True, help="SQLite database file.")
@click.version_option(package_name="clinicwatch")
def cli(db: str) -> None:
    """ClinicWatch: watch regenerative-medicine clinic websites for unproven-therapy claims.

    \b
    Example (your own seeds):
      clinicwatch seeds import seeds.csv
      clinicwatch crawl
      clinicwatch report --out report/
      clinicwatch serve
    Or try everything on the bundled demo web: clinicwatch demo
    """


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create (or upgrade) the database.

    \b
    Example:
      clinicwatch --db study.db init
    """
    path = db_path(ctx)
    open_db(path).close()
    click.echo(f"database ready: {path}")


@cli.group(cls=CleanErrors)
def seeds() -> None:
    """Register the clinics to watch.

    \b
    Example:
      clinicwatch seeds import seeds.csv && clinicwatch seeds list
    """


@seeds.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.pass_context
def seeds_import(ctx: click.Context, csv_file: str) -> None:
    """Import clinics from a CSV with header name,country,urls,domains,tags.

    `urls`: start URLs separated by spaces; `domains` (optional) the domains the crawl may
    visit, subdomains included (default: the start URLs' hosts without "www."); `tags`
    optional, space-separated. The whole file is checked first: a bad row rejects the file and
    nothing is imported. Importing the same file again changes nothing.

    \b
    Example:
      clinicwatch seeds import seeds.csv
    """
    parsed = read_seeds(csv_file)
    db = open_db(db_path(ctx))
    result = import_seeds(db, parsed)
    click.echo(f"{csv_file}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged")


@seeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per clinic.")
@click.pass_context
def seeds_list(ctx: click.Context, as_json: bool) -> None:
    """List registered clinics.

    \b
    Example:
      clinicwatch seeds list --json
    """
    db = open_db(db_path(ctx), readonly=True)
    rows = list(db.query("SELECT name, country, seed_urls, domains, tags, active FROM clinics ORDER BY name"))
    for row in rows:
        if as_json:
            click.echo(safe_json(json.dumps(row, ensure_ascii=False)))
        else:
            click.echo(safe_text(f"{row['name']}\t{row['country']}\t{row['seed_urls']}\t{row['domains']}"))
    if not rows and not as_json:
        click.echo("no clinics yet: clinicwatch seeds import seeds.csv", err=True)


@cli.command()
@click.option("--clinic", "clinics", multiple=True, metavar="NAME", help="Crawl only this clinic (repeatable).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
              help="Also allow this private/loopback host name, IP or CIDR network (repeatable); "
                   "the seeds' own hosts are always allowed.")
@click.option("--allow-private", is_flag=True,
              help="Allow every private/loopback target: for test rigs only (no delay either).")
@click.option("--max-pages", type=click.IntRange(1), help="Page cap per clinic for this run.")
@click.option("--depth", type=click.IntRange(0), help="Link depth cap for this run.")
@click.option("--delay", type=click.FloatRange(0), help="Seconds between requests to one site.")
@click.option("--timeout", type=click.FloatRange(1), help="Stop the crawl gracefully after this many seconds.")
@click.option("--parallel", type=click.IntRange(1), default=None,
              help="Clinic crawls at once, each its own process (default CLINICWATCH_PARALLEL_CRAWLS: the core "
                   "count; 1 = one process for all clinics).")
@click.option("--cluster", metavar="ADDRESS", default=None,
              help="Send the clinic crawls to this Dask scheduler (tcp://HOST:8786); default CLINICWATCH_CLUSTER.")
@click.pass_context
def crawl(ctx: click.Context, clinics: tuple[str, ...], allow_hosts: tuple[str, ...], allow_private: bool,
          max_pages: int | None, depth: int | None, delay: float | None, timeout: float | None,
          parallel: int | None, cluster: str | None) -> None:
    """Crawl registered clinics, classify every page, store the results.

    Runs in its own process; the log goes to logs/crawl-RUN.log beside the database.
    Private, loopback and link-local addresses are refused (SSRF guard) unless a clinic's seeds
    name the host (its start-URL hosts and domains) or --allow-host / CLINICWATCH_ALLOWED_PRIVATE_HOSTS
    lists it.

    With --parallel N (N > 1) or --cluster, each clinic is crawled by its own task (clinics that
    share a domain together) and only this process writes the database (docs/cluster.md).

    \b
    Example:
      clinicwatch crawl --clinic "Harbor Regenerative" --max-pages 50
      clinicwatch crawl --allow-host 10.0.0.8 --allow-host intranet.example
      clinicwatch crawl --parallel 8
      clinicwatch crawl --cluster tcp://10.0.0.5:8786
    """
    from crawler.store.writer import clinics_to_crawl
    from scheduler.crawl_process import LOOPBACK_SETTINGS, run_crawl
    from scheduler.locks import clinic_locks
    from scheduler.progress import crawl_progress

    overrides: dict[str, str] = dict(LOOPBACK_SETTINGS) if allow_private else {}
    if not allow_private:
        overrides["CLINICWATCH_ALLOW_PRIVATE"] = "0"
    for name, value in (("CLINICWATCH_MAX_PAGES_PER_CLINIC", max_pages), ("CLINICWATCH_MAX_DEPTH", depth),
                        ("CLINICWATCH_DOWNLOAD_DELAY", delay)):
        if value is not None:
            overrides[name] = str(value)
    if allow_hosts:
        listed = os.environ.get("CLINICWATCH_ALLOWED_PRIVATE_HOSTS", "").split()
        overrides["CLINICWATCH_ALLOWED_PRIVATE_HOSTS"] = " ".join(dict.fromkeys([*listed, *allow_hosts]))
    check_crawl_settings(overrides)  # a bad --allow-host: one line, before the DB is touched
    db = open_db(db_path(ctx))
    try:
        chosen = clinics_to_crawl(db, list(clinics))
    finally:
        db.close()
    with clinic_locks(db_path(ctx).resolve(), chosen) as locks:  # never two crawls of one clinic at once
        for clinic in locks.busy:
            click.echo(safe_text(f"skipped {clinic['name']!r}: another crawl of it is running"), err=True)
        if chosen and not locks.held:
            raise click.ClickException("every clinic to crawl is being crawled by another process; try again later")
        names = locks.names if locks.busy else list(clinics)
        cluster = crawl_settings.CLINICWATCH_CLUSTER if cluster is None else cluster
        parallel = parallel or crawl_settings.CLINICWATCH_PARALLEL_CRAWLS
        if cluster or (parallel > 1 and len(locks.held or chosen) > 1):
            from scheduler.sweep import run_sweep

            def on_task(done: int, total: int, clinic: str, line: str) -> None:
                click.echo(safe_text(f"[{done}/{total}] {clinic}: {line}"), err=True)

            outcome = run_sweep(db_path(ctx), names, settings=overrides, parallel=parallel, cluster=cluster,
                                timeout=timeout, on_task=on_task)
        else:
            with crawl_progress() as on_progress:
                outcome = run_crawl(db_path(ctx), names, settings=overrides, on_progress=on_progress,
                                    timeout=timeout, pass_fds=locks.fds)
    click.echo(f"run {outcome.run_id} {outcome.status}: {outcome.pages_stored} pages "
               f"({outcome.new_versions} new versions), {outcome.errors} errors; log: {outcome.log_path}")
    events = run_event_counts(open_db(db_path(ctx), readonly=True), outcome.run_id)
    if events:
        click.echo("changes: " + ", ".join(f"{n} {kind}" for kind, n in events.items()))
    if outcome.status != "finished":
        error = click.ClickException(f"crawl {outcome.status} ({outcome.reason or f'exit {outcome.returncode}'});"
                                     f" the pages stored so far are kept; see {outcome.log_path}")
        error.exit_code = 128 + outcome.signum if outcome.signum else 1  # stopped by a signal: 130 SIGINT, 143 SIGTERM
        raise error


@cli.command()
@click.argument("url")
@click.option("--at", "at", metavar="DATE", help="The page as it was at this UTC date or time (default: newest).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Save the archived body to this file.")
@click.option("--headers", is_flag=True, help="Print the archived status line and headers instead of the body.")
@click.pass_context
def snapshot(ctx: click.Context, url: str, at: str | None, out_path: str | None, headers: bool) -> None:
    """Print or save a page as it was captured (from the WARC evidence archive).

    --out saves the exact bytes; printed, the page is decoded and its terminal control
    characters are shown as symbols (crawled text never drives your terminal).

    \b
    Example:
      clinicwatch snapshot https://clinic.example/diabetes --at 2026-11-01 --out diabetes-nov.html
    """
    from crawler.archive import read_response
    from crawler.safe_write import atomic_write
    from crawler.store.history import archive_dir_for, version_at

    at = date_option("--at", at)  # a bad date: one line, never "the newest"
    path = db_path(ctx)
    db = open_db(path, readonly=True)
    version = version_at(db, url, at)
    if version is None:
        raise click.ClickException(f"no stored version of {url}" + (f" at or before {at}" if at else ""))
    if not version["warc_file"]:
        raise click.ClickException(f"version {version['id']} of {url} has no archived copy")
    record = read_response(archive_dir_for(path, crawl_settings.CLINICWATCH_ARCHIVE_DIR), version["warc_file"],
                           version["warc_offset"])
    if headers:
        click.echo(safe_text(f"{record.status} {record.url} captured {version['fetched_at']}"))
        for name, value in record.headers:
            click.echo(safe_text(f"{name}: {value}"))
    elif out_path:
        atomic_write(out_path, lambda fh: fh.write(record.body), what="snapshot", binary=True)
        click.echo(safe_text(f"{out_path}: {len(record.body)} bytes of {url} as captured {version['fetched_at']}"))
    else:  # to a terminal or a pipe (`| head` ends on a terminal too): never raw crawled bytes
        from crawler.extract import decode_html

        content_type = next((v for k, v in record.headers if k.lower() == "content-type"), "")
        click.echo(safe_text(decode_html(record.body, content_type)[0]))


@cli.command()
@click.option("--keep", type=click.IntRange(1), default=crawl_settings.CLINICWATCH_KEEP_VERSIONS, show_default=True,
              help="Newest versions kept per page (versions that carried a claim are always kept).")
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_context
def prune(ctx: click.Context, keep: int, dry_run: bool) -> None:
    """Delete old page versions: keeps the newest N per page, the current one and every one with a claim.

    Evidence behind a reported claim is never deleted. WARC files are left alone.

    \b
    Example:
      clinicwatch --db study.db prune --keep 5 --dry-run
    """
    from crawler.store.history import prunable_versions, prune_versions

    db = open_db(db_path(ctx), create=False, readonly=dry_run)
    if dry_run:
        click.echo(f"{len(prunable_versions(db, keep))} page versions would be deleted")
    else:
        click.echo(f"{prune_versions(db, keep)} page versions deleted")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="report", show_default=True,
              help="Directory for report.html, report.md, CSV and JSON files.")
@click.option("--run", "run_id", type=int, help="Report on this run (default: the latest).")
@click.option("--since", metavar="DATE", help="'What changed' covers every run since this date (YYYY-MM-DD).")
@click.option("--period", type=click.Choice(["week", "month"]), help="Shorthand for --since 7 or 30 days ago.")
@click.pass_context
def report(ctx: click.Context, out_dir: str, run_id: int | None, since: str | None, period: str | None) -> None:
    """Write the report: HTML (self-contained), Markdown, CSV, JSON, and a dossier per clinic.

    \b
    Example:
      clinicwatch report --out reports/2026-11 --period month
    """
    from datetime import date

    from reports.db_read import ReportError, period_start
    from reports.render import write_report

    if since and period:
        raise click.ClickException("give --since or --period, not both")
    since = date_option("--since", since)
    path = db_path(ctx)
    db = open_db(path, readonly=True)
    try:
        if run_id is not None and db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
            raise click.ClickException(f"no run with id {run_id}")  # before the report directory is made
    finally:
        db.close()
    try:
        written = write_report(path, Path(out_dir), run_id=run_id,
                               since=since or (period_start(period, date.today()) if period else None))
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    for kind, file in written.items():
        click.echo(f"{kind}: {file}")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.pass_context
def serve(ctx: click.Context, port: int) -> None:
    """Browse and query the database with datasette (127.0.0.1 only, read-only).

    \b
    Example:
      clinicwatch --db study.db serve --port 8001
    """
    from reports.serve import serve as serve_datasette

    path = db_path(ctx)
    open_db(path, readonly=True).close()
    status = serve_datasette(path, port)
    if status != 0:  # e.g. it could not bind after all: not a success
        raise click.ClickException(f"datasette exited with status {status}")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="clinicwatch-demo", show_default=True,
              help="Directory for the demo database, logs and report.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port of the demo web (0 = any free port).")
def demo(out_dir: str, port: int) -> None:
    """Crawl the bundled demo web on 127.0.0.x, classify, store, report, print a summary.

    \b
    Example:
      clinicwatch demo --out /tmp/cw-demo
    """
    from scheduler.demo import run_demo

    run_demo(Path(out_dir), port)


@cli.command("demo-web")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--seeds", "seeds_path", type=click.Path(dir_okay=False), default="demo-seeds.csv",
              show_default=True, help="Where to write the demo's seeds CSV.")
def demo_web(port: int, seeds_path: str) -> None:
    """Serve the demo clinic sites on 127.0.0.x until interrupted.

    \b
    Example:
      clinicwatch demo-web --port 8765 &
      clinicwatch seeds import demo-seeds.csv && clinicwatch crawl --delay 0
    """
    from crawler.demo_web.server import DemoWeb

    with DemoWeb(port=port) as web:
        seeds_file = web.write_seeds(Path(seeds_path))
        for site in web.sites:
            click.echo(f"{site.base_url}/\t{site.name}")
        click.echo(f"seeds: {seeds_file.resolve()}  (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped")


cli.add_command(schedule)
cli.add_command(status)
for command in (score, rescore, score_warc, train, evaluate):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="clinicwatch")


if __name__ == "__main__":
    main()
