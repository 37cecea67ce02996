"""Read and validate a seeds CSV (`name,country,urls,domains,tags`) before anything is stored.

The whole file is validated first; any bad row rejects the file with one line naming the row
and the reason, so a file is either fully imported or not at all.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from crawler.scope import ascii_host, default_domain

SEED_COLUMNS = ("name", "country", "urls", "domains", "tags")
REQUIRED_COLUMNS = ("name", "urls")
# Characters per field. A clinic's URL list is a few hundred; Python's csv module stops at 131,072
# with a bare `_csv.Error`; anything near this is a broken file (an unclosed quote swallowing rows).
MAX_FIELD_CHARS = 100_000
_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#@]*@")


class SeedError(ValueError):
    """A seeds file that cannot be imported; the message is one line for the user."""


@dataclass(frozen=True)
class Seed:
    name: str
    country: str
    urls: tuple[str, ...]
    domains: tuple[str, ...]
    tags: tuple[str, ...]


def clinic_key(name: str) -> str:
    """A clinic's identity: its name case-folded, NFC-normalised, whitespace collapsed ("Clinic  A" is
    "clinic a"). Imports, --clinic and schedule files find clinics by this key."""
    return unicodedata.normalize("NFC", " ".join(unicodedata.normalize("NFC", name).casefold().split()))


def clean_name(name: str) -> str:
    """A clinic name as stored: NFC, single spaces (its case is kept)."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _shown(url: str) -> str:
    """A URL for an error message: user and password replaced, never echoed."""
    return _USERINFO.sub(r"\1***@", url)


def _check_url(url: str, row: int) -> str:
    """The URL with its host in IDNA form (what requests carry), or SeedError naming the row."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise SeedError(f"row {row}: bad URL {_shown(url)!r}") from None
    if parts.username is not None or parts.password is not None:
        who = f"{parts.username}:***" if parts.password is not None else "***"
        raise SeedError(f"row {row}: URL contains credentials ({who}); remove them")
    try:
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise SeedError(f"row {row}: bad URL {url!r}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise SeedError(f"row {row}: bad URL {url!r} (need http:// or https:// and a host)")
    wire = ascii_host(host)
    if not wire.isascii():
        raise SeedError(f"row {row}: bad URL {url!r} (host {host!r} is not a valid international domain name)")
    if not host.isascii():
        url = parts._replace(netloc=wire + (f":{port}" if port is not None else "")).geturl()
    return url


def parse_seeds(data: bytes, source: str = "seeds") -> list[Seed]:
    """Parse seeds CSV bytes; raise SeedError with a one-line reason on any problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(
            f"{source}: not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise SeedError(f"{source}: contains NUL bytes; is it a CSV file?")
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _parse_rows(reader, source)
    except csv.Error as exc:  # e.g. a field over csv's own limit: an unclosed quote swallowing the file
        line = reader.line_num + 1  # the line being read when csv gave up
        if "field larger than field limit" in str(exc):
            raise SeedError(f"{source}: line {line}: a field is longer than {MAX_FIELD_CHARS:,} characters"
                            " (an unclosed quote?)") from None
        raise SeedError(f"{source}: line {line}: not valid CSV ({exc})") from None


def _parse_rows(reader: csv.DictReader, source: str) -> list[Seed]:
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise SeedError(f"{source}: empty file; expected header {','.join(SEED_COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise SeedError(
            f"{source}: missing column {', '.join(missing)}; expected header {','.join(SEED_COLUMNS)}"
        )
    unknown = [h for h in header if h not in SEED_COLUMNS]
    if unknown:
        raise SeedError(f"{source}: unknown column {', '.join(unknown)}; allowed: {','.join(SEED_COLUMNS)}")
    reader.fieldnames = header
    seeds: list[Seed] = []
    seen: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row:
            raise SeedError(f"row {row_number}: more fields than columns (quote fields containing commas)")
        values = {k: (row.get(k) or "").strip() for k in SEED_COLUMNS}
        if not any(values.values()):
            continue
        for column, value in values.items():
            if len(value) > MAX_FIELD_CHARS:
                raise SeedError(f"row {row_number}: {column} is longer than {MAX_FIELD_CHARS:,} characters"
                                " (an unclosed quote?)")
        name = clean_name(values["name"])
        if not name:
            raise SeedError(f"row {row_number}: empty name")
        key = clinic_key(name)
        if key in seen:
            raise SeedError(f"row {row_number}: duplicate clinic {name!r} (first on row {seen[key]})")
        seen[key] = row_number
        urls = tuple(_check_url(u, row_number) for u in values["urls"].split())
        if not urls:
            raise SeedError(f"row {row_number}: clinic {name!r} has no URL")
        domains = tuple(ascii_host(d) for d in values["domains"].split())
        if not domains:
            domains = tuple(dict.fromkeys(default_domain(u) for u in urls))
        for written, domain in zip(values["domains"].split() or domains, domains):
            if any(c in domain for c in "/:@ ") or not domain.isascii():
                raise SeedError(f"row {row_number}: bad domain {_shown(written)!r} (a host name, no scheme or path)")
        seeds.append(Seed(name, values["country"], urls, domains, tuple(values["tags"].split())))
    if not seeds:
        raise SeedError(f"{source}: no clinics in file")
    return seeds


def read_seeds(path: str | Path) -> list[Seed]:
    """Read a seeds CSV file; raise SeedError (one line) when it cannot be used."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_seeds(data, source=str(path))
