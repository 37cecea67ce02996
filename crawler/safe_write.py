"""Writing output files (reports, snapshots, model artifacts) whole or not at all, with one-line errors.

A file is written to a temp file beside it and renamed over the target, so a reader (a served
report directory, a script polling the file) never sees half of it and a failure (disk full,
read-only filesystem, a file where a directory should be) leaves nothing half-written behind.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any, Callable


class OutputError(ValueError):
    """An output path that cannot be written; the message is one line naming the path and the reason."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def make_dirs(directory: str | Path, what: str) -> Path:
    """Create `directory` (and parents) for `what` ("report"...); OutputError instead of a raw OSError."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot write {what} to {directory}: a file of that name exists") from None
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {directory}: {_reason(exc)}") from None
    return directory


def atomic_write(path: str | Path, write: Callable[[IO[Any]], None], *, what: str, binary: bool = False) -> None:
    """Call `write(file)` on a temp file beside `path`, then rename it over `path`.

    Raises OutputError naming `what` and the path when the directory or file cannot be written;
    the temp file is removed whatever happens.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {_reason(exc)}") from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {what} to {path}: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
