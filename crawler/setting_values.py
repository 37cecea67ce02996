"""Settings written as text (environment, `scrapy crawl -s NAME=value`, a schedule file's `settings`)
read into typed values, or refused with one line naming the setting, the value and what is expected.

A tiny module of its own so that `scheduler/cli.py` can catch `SettingError` around the import of
crawler/settings.py, which reads the environment at import time (before click runs).
"""
from __future__ import annotations

import math
from typing import Callable

TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("0", "false", "no")


class SettingError(ValueError):
    """A setting whose value cannot be used; the message is one line for the user."""


def _bounds(minimum: float | None, maximum: float | None, above: float | None) -> str:
    if above is not None:
        return f"more than {above:g}" + (f" and at most {maximum:g}" if maximum is not None else "")
    if minimum is not None and maximum is not None:
        return f"between {minimum:g} and {maximum:g}"
    if minimum is not None:
        return f"{minimum:g} or more"
    return f"at most {maximum:g}" if maximum is not None else ""


def _check_range(name: str, text: str, value: float, minimum: float | None, maximum: float | None,
                 above: float | None) -> None:
    if ((minimum is not None and value < minimum) or (maximum is not None and value > maximum)
            or (above is not None and value <= above)):
        raise SettingError(f"{name}={text!r} is out of range (expected {_bounds(minimum, maximum, above)})")


def whole_number(name: str, text: str, minimum: int | None = 0, maximum: int | None = None) -> int:
    """`text` as an int within [minimum, maximum] (None: unbounded)."""
    try:
        value = int(str(text).strip())
    except ValueError:
        expected = _bounds(minimum, maximum, None)
        raise SettingError(f"{name}={text!r} is not a whole number" + (f" (expected {expected})" if expected
                                                                       else "")) from None
    _check_range(name, text, value, minimum, maximum, None)
    return value


def number(name: str, text: str, minimum: float | None = 0, maximum: float | None = None,
           above: float | None = None) -> float:
    """`text` as a finite float within the bounds; `above` is an exclusive minimum (e.g. a timeout > 0)."""
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        expected = _bounds(minimum, maximum, above)
        raise SettingError(f"{name}={text!r} is not a number" + (f" (expected {expected})" if expected else ""))
    _check_range(name, text, value, minimum, maximum, above)
    return value


def switch(name: str, text: str) -> bool:
    """1/true/yes or 0/false/no (any case); anything else is refused, never read as "off"."""
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name}={text!r} is not one of {'/'.join(TRUE_WORDS + FALSE_WORDS)}")


def choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (compared in upper case, as logging level names are)."""
    word = str(text).strip().upper()
    if word not in choices:
        raise SettingError(f"{name}={text!r} is not one of {', '.join(choices)}")
    return word


Reader = Callable[[str], object]
