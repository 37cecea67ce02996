"""Schedules as people write them: durations ("6h", "1d12h") and standard crontab lines.

APScheduler 3 reads weekday 0 as Monday; crontab (and everyone) reads it as Sunday. Weekday fields
are translated to day names here, so "0 7 * * 1" fires on Mondays as in any crontab.
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s)")
MAX_DURATION = timedelta(days=3650)  # an interval, time limit or grace period longer than this is a typo
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_CRON_ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                 "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *"}
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def parse_duration(value: Any) -> timedelta:
    """"6h", "90m", "1d12h", "2w", "45s" (or a number of seconds) -> timedelta > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is not a duration like \"6h\", \"30m\" or \"1d\"")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{value!r} is not a duration like \"6h\", \"30m\" or \"1d\"")
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if not math.isfinite(seconds):
        raise ValueError(f"{value!r} is not a duration like \"6h\", \"30m\" or \"1d\"")
    if seconds <= 0:
        raise ValueError(f"{value!r}: a duration must be more than 0")
    if seconds > MAX_DURATION.total_seconds():  # datetime arithmetic overflows long before timedelta's limit
        raise ValueError(f"{value!r} is too long: at most {format_duration(MAX_DURATION.total_seconds())}"
                         " (10 years)")
    return timedelta(seconds=seconds)


def format_duration(seconds: float) -> str:
    """3600 -> "1h", 5400 -> "1h30m", 2.5 -> "2.5s"."""
    if seconds < 60:
        return f"{seconds:g}s"
    parts, rest = [], int(round(seconds))
    for unit in ("d", "h", "m", "s"):
        amount, rest = divmod(rest, _UNIT_SECONDS[unit])
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


def _day_of_week(field_text: str) -> str:
    """Crontab day-of-week (0 or 7 = Sunday, names allowed) as APScheduler 3 names (it reads 0 as Monday)."""
    if field_text in ("*", "?"):
        return "*"
    days: set[int] = set()

    def day(token: str) -> int:
        token = token.lower()
        if token[:3] in _DAY_NAMES and len(token) == 3:
            return _DAY_NAMES.index(token)
        if token.isdigit() and 0 <= int(token) <= 7:
            return int(token) % 7
        raise ValueError(f"bad day of week {token!r} (0-7 or sun-sat)")

    for item in field_text.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"bad step in day of week {item!r}")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            low, high = base.split("-", 1)
            first, last = day(low), day(high)
            if high == "7":
                last = 7
            if last < first:
                raise ValueError(f"day-of-week range {base!r} runs backwards")
        else:
            first = last = day(base)
            if step:
                last = 6
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_DAY_NAMES[d] for d in (1, 2, 3, 4, 5, 6, 0) if d in days)


def cron_trigger(expression: str, tz: ZoneInfo) -> Any:
    """A standard 5-field crontab (minute hour day month weekday; 0/7 = Sunday) or @daily-style alias."""
    from apscheduler.triggers.cron import CronTrigger

    text = _CRON_ALIASES.get(expression.strip().lower(), expression)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} has {len(fields)} fields, expected 5 (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    trigger = CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_day_of_week(weekday),
                          timezone=tz)
    if trigger.get_next_fire_time(None, datetime.now(tz)) is None:
        raise ValueError(f"{expression!r} never fires")
    return trigger
