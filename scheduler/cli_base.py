"""What every `clinicwatch` command shares: one-line errors, the DB path, help settings."""
from __future__ import annotations

from pathlib import Path

import click

from crawler.seeds import SeedError
from crawler.store.schema import SchemaError
from scheduler.cluster import ClusterError
from scheduler.crawl_process import CrawlSettingError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class CleanErrors(click.Group):
    """Turn our expected errors into one `Error: ...` line and exit status 1 (no traceback)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except (SeedError, SchemaError, LookupError, CrawlSettingError, ClusterError, FileNotFoundError,
                PermissionError) as exc:
            message = str(exc) if not isinstance(exc, OSError) else f"{exc.filename}: {exc.strerror}"
            raise click.ClickException(message) from None


def db_path(ctx: click.Context) -> Path:
    return Path(ctx.find_root().params["db"])
