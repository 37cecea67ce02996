"""Scheduler logging: logs/scheduler.log beside the DB (rotated) and stderr, with secrets redacted.

Alert URLs, tokens and passwords come from the config; every formatted line (tracebacks included)
has them replaced before it is written anywhere.
"""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Callable, Iterator

from crawler import settings as crawl_settings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redactor(secrets: tuple[str, ...]) -> Callable[[str], str]:
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(text: str) -> str:
        for secret in ordered:
            text = text.replace(secret, "[redacted]")
        return text

    return redact


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then removes every configured secret from the whole line (tracebacks too)."""

    def __init__(self, fmt: str, redact: Callable[[str], str]) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def log_path_for(db_path: Path) -> Path:
    return db_path.parent / "logs" / "scheduler.log"


@contextmanager
def scheduler_logging(db_path: Path, redact: Callable[[str], str]) -> Iterator[Path]:
    path = log_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = RedactingFormatter(LOG_FORMAT, redact)
    handlers: list[logging.Handler] = [
        RotatingFileHandler(path, maxBytes=crawl_settings.CLINICWATCH_SCHEDULER_LOG_BYTES,
                            backupCount=crawl_settings.CLINICWATCH_SCHEDULER_LOG_BACKUPS, encoding="utf-8"),
        logging.StreamHandler(sys.stderr),
    ]
    for handler in handlers:
        handler.setFormatter(formatter)
    loggers = [logging.getLogger("clinicwatch"), logging.getLogger("apscheduler")]
    saved = [(lg, lg.level, lg.propagate) for lg in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.propagate = False
        for handler in handlers:
            logger.addHandler(handler)
    try:
        yield path
    finally:
        for logger, level, propagate in saved:
            for handler in handlers:
                logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        for handler in handlers:
            handler.close()
