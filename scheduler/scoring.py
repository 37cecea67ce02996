"""Score saved files (HTML or plain text) with the classifier, as `clinicwatch score` does."""
from __future__ import annotations

from pathlib import Path

from bs4 import UnicodeDammit

from crawler.classify import PageScore, score
from crawler.extract import extract_document

# Bytes inspected to tell a binary file from text.
SNIFF_BYTES = 8192


class ScoreInputError(ValueError):
    """A file that cannot be scored; the message is one line naming the file."""


def score_file(path: Path) -> PageScore:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScoreInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise ScoreInputError(f"{path}: empty file, nothing to score")
    if b"\x00" in data[:SNIFF_BYTES]:
        raise ScoreInputError(f"{path}: looks binary (NUL bytes); give an HTML or text file")
    text = UnicodeDammit(data, ["utf-8"]).unicode_markup
    if text is None:
        raise ScoreInputError(f"{path}: cannot decode as text")
    page = extract_document(text, url=path.resolve().as_uri())
    return score(page.text, title=page.title)
