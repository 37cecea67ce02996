"""What every `clinicwatch` command shares: one-line errors, the DB path, help settings."""
from __future__ import annotations

from pathlib import Path

import click

from crawler.ports import PortError
from crawler.safe_write import OutputError
from crawler.seeds import SeedError
from crawler.setting_values import SettingError
from crawler.store.schema import DatabaseBusy, SchemaError
from scheduler.cluster import ClusterError
from scheduler.crawl_process import CrawlSettingError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CleanErrors(click.Group):
    """Turn our expected errors into one `Error: ...` line and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (SeedError, SchemaError, DatabaseBusy, LookupError, CrawlSettingError, ClusterError, SettingError,
                OutputError, PortError, OSError) as exc:
            if isinstance(exc, OSError) and exc.filename is None:
                raise  # not about a path the user gave: a bug or a system failure, keep the traceback
            message = str(exc) if not isinstance(exc, OSError) else f"{exc.filename}: {exc.strerror}"
            raise click.ClickException(message) from None
        except click.BadParameter as exc:  # a value click refused (--out names a file...): one line, no usage
            raise click.ClickException(exc.format_message()) from None


def date_option(option: str, text: str | None) -> str | None:
    """A --since/--at value checked up front (a bad date is one line, never "no filter"): an ISO
    date stays a date; a date-time (UTC unless it has an offset) becomes YYYY-MM-DDTHH:MM:SSZ,
    the form stored timestamps compare as text."""
    from datetime import date, datetime, timezone

    if text is None:
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option}: {text!r} is not a date like 2026-11-01 (or 2026-11-01T08:30Z)") from None
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def db_path(ctx: click.Context) -> Path:
    return Path(ctx.find_root().params["db"])
