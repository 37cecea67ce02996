"""Typed, checked access to one table of the monitoring config: every problem is one ConfigError line."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.timing import cron_trigger, format_duration, parse_duration

_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", dict: "a table"}


class ConfigError(ValueError):
    """A bad monitoring config: one line naming the file, the table/key and the problem."""


class TableReader:
    """Typed access to one TOML table, raising ConfigError with the file and table in the message."""

    def __init__(self, path: Path, where: str, table: Any, allowed: set[str]) -> None:
        self.path, self.where = path, where
        if not isinstance(table, dict):
            self.fail("", "must be a table")
        self.table = table
        for key in table:
            if key not in allowed:
                self.fail("", f"unknown key {key!r} (known: {', '.join(sorted(allowed))})")

    def fail(self, key: str, problem: str) -> None:
        place = f"{self.where} {key}:" if key else self.where  # "[crawl.x] cron: ..." / "[crawl.x] unknown key"
        raise ConfigError(f"{self.path}: {place.strip() + ' ' if place.strip() else ''}{problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.table.get(key, default)
        if value is not default and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            self.fail(key, f"must be {' or '.join(_TYPE_NAMES[k] for k in kinds)}, not {value!r}")
        return value

    def duration(self, key: str, default: timedelta) -> float:
        if key not in self.table:
            return default.total_seconds()
        try:
            return parse_duration(self.table[key]).total_seconds()
        except ValueError as exc:
            self.fail(key, str(exc))

    def names(self, key: str) -> tuple[str, ...]:
        value = self.table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, f"must be a list of names, not {value!r}")
        return tuple(v.strip() for v in value)

    def timezone(self, default: str) -> tuple[ZoneInfo, str]:
        name = self.get("timezone", str, default)
        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("timezone", f"unknown timezone {name!r} (use an IANA name like \"Europe/Berlin\" or \"UTC\")")

    def trigger(self, default_tz: str, default_every: timedelta | None = None) -> tuple[Any, str, str]:
        from apscheduler.triggers.interval import IntervalTrigger

        tz, tz_name = self.timezone(default_tz)
        cron, every = self.get("cron", str), self.table.get("every")
        if cron is not None and every is not None:
            self.fail("", "give cron or every, not both")
        if cron is not None:
            try:
                return cron_trigger(cron, tz), f"cron {cron.strip()}", tz_name
            except ValueError as exc:
                self.fail("cron", f"bad cron expression: {exc}")
        if every is None and default_every is None:
            self.fail("", "needs a schedule: cron = \"0 3 * * *\" or every = \"6h\"")
        try:
            interval = parse_duration(every) if every is not None else default_every
        except ValueError as exc:
            self.fail("every", str(exc))
        text = every.strip() if isinstance(every, str) else format_duration(interval.total_seconds())
        return IntervalTrigger(seconds=interval.total_seconds(), timezone=tz), f"every {text}", tz_name

    def path_value(self, key: str, default: str | None) -> Path | None:
        value = self.get(key, str, default)
        if value is None:
            return None
        if not value.strip():
            self.fail(key, "must not be empty")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.path.parent / path).resolve()
