"""`clinicwatch schedule run|list` and `clinicwatch status`: unattended monitoring from the CLI."""
from __future__ import annotations

import sys

import click

from crawler.store.schema import open_db
from crawler.text_safety import safe_text
from scheduler.cli_base import CleanErrors, db_path

def _monitoring(ctx: click.Context, config_path: str, *, readonly: bool = True):
    """The checked config and the DB it monitors (--db or CLINICWATCH_DB if given, else the config's db)."""
    from scheduler.config import ConfigError, check_clinics, load_config

    try:
        config = load_config(config_path)
        root = ctx.find_root()
        given = root.get_parameter_source("db") not in (click.core.ParameterSource.DEFAULT, None)
        path = (db_path(ctx) if given or config.db_path is None else config.db_path).resolve()
        db = open_db(path, create=False, readonly=readonly)  # `schedule run` writes: it may migrate
        try:
            check_clinics(config, db)
        finally:
            db.close()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return config, path


def _now_option(text: str | None):
    from datetime import datetime, timezone

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO date-time", param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


CONFIG_OPTION = click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False),
                             metavar="TOML", help="The monitoring config (see README: Scheduled monitoring).")
NOW_OPTION = click.option("--now", "now_text", hidden=True, help="Pretend it is this UTC time (tests).")


@click.group(cls=CleanErrors)
def schedule() -> None:
    """Unattended monitoring: crawls, reports and rescoring on a schedule from a TOML config.

    Jobs persist in a SQLite job store beside the DB (<db>-jobs.sqlite), so a restart keeps the
    schedule; runs missed while it was down run once (within misfire_grace_time).

    \b
    Example:
      clinicwatch --db study.db schedule list --config monitoring.toml
      clinicwatch --db study.db schedule run --config monitoring.toml
    """


@schedule.command("run")
@CONFIG_OPTION
@click.option("--once", is_flag=True, help="Run the jobs due now and exit (for cron or a systemd timer).")
@NOW_OPTION
@click.pass_context
def schedule_run(ctx: click.Context, config_path: str, once: bool, now_text: str | None) -> None:
    """Run the schedule until SIGTERM or Ctrl-C (or, with --once, what is due now).

    One scheduler per database (a second one is refused). Each crawl runs in its own process
    with a time limit; a clinic already being crawled is skipped. SIGTERM stops gracefully: the
    running crawl is closed as interrupted and the job runs again at the next start. Logs go to
    logs/scheduler.log beside the database and to stderr.

    \b
    Due (with --once): the job's next run time has come (missed runs count once, if missed by
    less than misfire_grace_time), or it never ran, or its last run was cut short.

    \b
    Example:
      clinicwatch --db study.db schedule run --config monitoring.toml
      clinicwatch --db study.db schedule run --config monitoring.toml --once   # from cron
    """
    from scheduler.locks import SchedulerLocked
    from scheduler.service import run_forever, run_once

    config, path = _monitoring(ctx, config_path, readonly=False)
    now = _now_option(now_text)
    try:
        if not once:
            sys.exit(run_forever(config, path))
        result = run_once(config, path, now=now)
    except SchedulerLocked as exc:
        raise click.ClickException(str(exc)) from None
    for job_id, status, detail in result.ran:
        click.echo(safe_text(f"{job_id}: {status}: {detail}"))
    for job_id in result.missed:
        click.echo(f"{job_id}: missed by more than misfire_grace_time: skipped until its next run")
    if not result.ran and not result.missed:
        click.echo("nothing due")
    if not result.stopped and any(status == "error" for _, status, _ in result.ran):
        sys.exit(1)


@schedule.command("list")
@CONFIG_OPTION
@NOW_OPTION
@click.pass_context
def schedule_list(ctx: click.Context, config_path: str, now_text: str | None) -> None:
    """Show each job of the config: schedule, next run time (in its timezone), what it does, last run.

    \b
    Example:
      clinicwatch --db study.db schedule list --config monitoring.toml
    """
    from scheduler.status import render_schedule

    config, path = _monitoring(ctx, config_path)
    click.echo(safe_text(render_schedule(config, path, now=_now_option(now_text))))


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="TOML",
              help="The monitoring config: its DB and job store (default: --db and <db>-jobs.sqlite).")
@click.option("--runs", type=click.IntRange(1), default=10, show_default=True, help="How many recent runs to show.")
@NOW_OPTION
@click.pass_context
def status(ctx: click.Context, config_path: str | None, runs: int, now_text: str | None) -> None:
    """How monitoring goes: last runs, recent failures and failing health checks, next scheduled runs.

    \b
    Example:
      clinicwatch --db study.db status
      clinicwatch status --config monitoring.toml --runs 20
    """
    from scheduler.status import render_status

    job_store = None
    path = db_path(ctx)
    if config_path:
        config, path = _monitoring(ctx, config_path)
        job_store = config.job_store_for(path)
    click.echo(safe_text(render_status(path, job_store=job_store, runs=runs, now=_now_option(now_text))))
