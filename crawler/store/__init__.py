"""Storage: the SQLite schema (schema.py) and the writes a crawl makes (writer.py)."""
from __future__ import annotations

from crawler.store.schema import SCHEMA_VERSION, SchemaError, open_db

__all__ = ["SCHEMA_VERSION", "SchemaError", "open_db"]
