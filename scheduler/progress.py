"""Progress display for long work (rich on a terminal, silent when output is piped)."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextlib.contextmanager
def crawl_progress() -> Iterator[Callable[[int, int], None]]:
    """Yield an `on_progress(fetched, stored)` callback that drives a live status line."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda fetched, stored: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("crawling", total=None)

        def update(fetched: int, stored: int) -> None:
            progress.update(task, description=f"crawling: {fetched} fetched, {stored} pages stored")

        yield update


@contextlib.contextmanager
def count_progress(description: str) -> Iterator[Callable[[int, int], None]]:
    """Yield an `on_progress(done, total)` callback that drives a progress bar."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
