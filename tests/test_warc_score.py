"""Scoring WARC collections: real WARC files (ours and another tool's), truncated and bogus ones, the DB."""
from __future__ import annotations

import dataclasses
import gzip
import io
import pickle
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.archive import ArchivedRecord, WarcArchive, read_response
from crawler.extract import extract_html
from crawler.store.schema import open_db
from crawler.store.warc_store import store_warc_result
from crawler.warc_score import WarcFileResult, score_warc_file, warc_files

FETCHED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
CLAIM_1 = "Our stem cell therapy cures type 2 diabetes and lets you stop insulin."
CLAIM_2 = "Stem cell injections reverse multiple sclerosis."
CLAIMS_HTML = (f"<html><head><title>Regenerative treatments</title></head><body><h1>Treatments</h1>"
               f"<p>{CLAIM_1}</p><p>{CLAIM_2}</p></body></html>").encode()
PLAIN_HTML = (b"<html><head><title>Opening hours</title></head><body><p>Our clinic is open Monday to Friday"
              b" from 9am to 5pm. Parking is available behind the building.</p></body></html>")
UNTYPED_HTML = f"<!doctype html><html><body><p>{CLAIM_2}</p></body></html>".encode()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
PAGES = {  # url: (status, content type, body)
    "https://clinic.example/treatments": (200, "text/html; charset=utf-8", CLAIMS_HTML),
    "https://clinic.example/hours": (200, "text/html", PLAIN_HTML),
    "https://clinic.example/logo.png": (200, "image/png", PNG),
    "https://clinic.example/fake.html": (200, "text/html", PNG),  # an image served as HTML
    "https://clinic.example/gone": (404, "text/html", b"<html><body><p>Not found</p></body></html>"),
    "https://clinic.example/untyped": (200, "", UNTYPED_HTML),  # no Content-Type: sniffed
}
SCORED = {"https://clinic.example/treatments", "https://clinic.example/hours", "https://clinic.example/untyped"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, ArchivedRecord]]:
    """Our own evidence archive, written the way the crawler writes it."""
    directory = tmp_path_factory.mktemp("warcs")
    with WarcArchive(directory, "crawl") as warc:
        stored = {url: warc.write_exchange(
            url=url, method="GET", request_headers=[("User-Agent", "test")], status=status, reason="",
            response_headers=[("Content-Type", ctype)] if ctype else [], body=body, fetched_at=FETCHED)
            for url, (status, ctype, body) in PAGES.items()}
    return directory, stored


@pytest.fixture(scope="module")
def scored(archive: tuple[Path, dict[str, ArchivedRecord]]) -> WarcFileResult:
    directory, stored = archive
    return score_warc_file(str(directory / "crawl-00001.warc.gz"))


def foreign_warc(path: Path, *, gzipped: bool) -> Path:
    """A WARC from another tool: a resource record, and a response that kept chunking and gzip."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    writer.write_record(writer.create_warc_record(
        "https://other.example/page", "resource", payload=io.BytesIO(CLAIMS_HTML), length=len(CLAIMS_HTML),
        warc_content_type="text/html; charset=utf-8"))
    writer.write_record(writer.create_warc_record(
        "https://other.example/logo.png", "resource", payload=io.BytesIO(PNG), length=len(PNG),
        warc_content_type="image/png"))
    packed = gzip.compress(PLAIN_HTML)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                                       ("Transfer-Encoding", "chunked")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        "https://other.example/hours", "response", payload=io.BytesIO(chunked), length=len(chunked),
        http_headers=http))
    path.write_bytes(buffer.getvalue())
    return path


def by_url(result: WarcFileResult) -> dict:
    return {page.url: page for page in result.pages}


def test_claim_pages_flagged_plain_page_clean_rest_skipped(scored: WarcFileResult) -> None:
    assert scored.error == "" and scored.failed == 0
    pages = by_url(scored)
    assert set(pages) == SCORED
    assert scored.skipped == len(PAGES) - len(SCORED)  # PNG, PNG-as-HTML, 404
    assert scored.records_read == 1 + 2 * len(PAGES)  # warcinfo + request/response pairs
    claims = pages["https://clinic.example/treatments"]
    assert claims.result.flagged and claims.http_status == 200
    assert {CLAIM_1, CLAIM_2} <= {c.sentence for c in claims.result.claims}
    assert {"diabetes", "multiple_sclerosis"} <= set(claims.result.conditions)
    assert claims.title == "Regenerative treatments" and claims.captured_at == "2026-03-04T05:06:07Z"
    assert pages["https://clinic.example/untyped"].result.flagged
    plain = pages["https://clinic.example/hours"]
    assert plain.result.claims == [] and not plain.result.flagged
    assert plain.content_hash == extract_html(PLAIN_HTML.decode(), plain.url).content_hash


def test_offsets_read_back_with_read_response(archive, scored: WarcFileResult) -> None:
    directory, stored = archive
    for page in scored.pages:
        assert page.warc_offset == stored[page.url].offset
        response = read_response(directory, "crawl-00001.warc.gz", page.warc_offset)
        assert response.url == page.url and response.body == PAGES[page.url][2]


@pytest.mark.parametrize("gzipped", [True, False])
def test_foreign_warc_resource_and_coded_response(tmp_path: Path, gzipped: bool) -> None:
    result = score_warc_file(str(foreign_warc(tmp_path / "other.warc", gzipped=gzipped)))
    assert result.error == "" and result.records_read == 3 and result.skipped == 1
    pages = by_url(result)
    assert set(pages) == {"https://other.example/page", "https://other.example/hours"}
    resource = pages["https://other.example/page"]
    assert resource.result.flagged and resource.http_status is None and resource.warc_offset == 0
    assert CLAIM_1 in {c.sentence for c in resource.result.claims}
    assert pages["https://other.example/hours"].title == "Opening hours"  # un-chunked and gunzipped


def test_truncated_copy_keeps_pages_before_the_cut(tmp_path: Path, archive, scored: WarcFileResult) -> None:
    directory, stored = archive
    data = (directory / "crawl-00001.warc.gz").read_bytes()
    hours = stored["https://clinic.example/hours"]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:hours.offset + hours.length // 2])
    result = score_warc_file(str(cut))
    assert "truncated" in result.error and "\n" not in result.error
    assert [p.url for p in result.pages] == ["https://clinic.example/treatments"]
    # Wherever the file is cut, it never raises; only a cut between gzip members reads as whole.
    with (directory / "crawl-00001.warc.gz").open("rb") as handle:
        records = ArchiveIterator(handle)
        members = {records.get_record_offset() for _ in records} | {len(data)}
    requests = [p.warc_offset for p in scored.pages]
    for size in range(1, len(data), 41):
        cut.write_bytes(data[:size])
        result = score_warc_file(str(cut))
        assert [p.warc_offset for p in result.pages] == [o for o in requests if o < size][:len(result.pages)]
        if size not in members:
            assert result.error and "\n" not in result.error, size


def test_uncompressed_truncation_detected(tmp_path: Path) -> None:
    data = foreign_warc(tmp_path / "other.warc", gzipped=False).read_bytes()
    for size in range(1, len(data), 29):
        (tmp_path / "cut.warc").write_bytes(data[:size])
        assert score_warc_file(str(tmp_path / "cut.warc")).error, size


def test_bad_files_give_one_line_errors(tmp_path: Path, archive) -> None:
    directory, _ = archive
    text = tmp_path / "notes.warc"
    text.write_text("this is not a WARC file\nat all\n")  # five words: warcio takes it for an ARC header
    whole = tmp_path / "whole.warc.gz"  # one gzip stream for many records: not seekable per record
    whole.write_bytes(gzip.compress(foreign_warc(tmp_path / "plain.warc", gzipped=False).read_bytes()))
    (tmp_path / "empty.warc").write_bytes(b"")
    cases = {str(text): "not a WARC file", str(tmp_path / "missing.warc.gz"): "no such file",
             str(tmp_path): "cannot open", str(whole): "one gzip stream", str(tmp_path / "empty.warc"): "empty"}
    for path, expected in cases.items():
        result = score_warc_file(path)
        assert expected in result.error and "\n" not in result.error and len(result.error) < 300
        assert result.warc_file == path
    assert len(score_warc_file(str(whole)).pages) == 1  # the first record was fine


def test_warc_files_expands_directories(tmp_path: Path) -> None:
    for name in ("b.warc.gz", "sub/a.warc", "sub/deeper/c.warc.gz", "notes.txt", "sub/x.warc.gz.tmp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    single = tmp_path / "notes.txt"
    assert warc_files([str(tmp_path), str(single), str(tmp_path / "b.warc.gz")]) == [
        str(tmp_path / "b.warc.gz"), str(tmp_path / "sub/a.warc"), str(tmp_path / "sub/deeper/c.warc.gz"),
        str(single)]
    with pytest.raises(FileNotFoundError, match="nope") as info:
        warc_files([str(tmp_path), str(tmp_path / "nope")])
    assert "\n" not in str(info.value)


def counts(db) -> tuple[int, int]:
    return db["warc_pages"].count, db["warc_claims"].count


def test_store_is_idempotent_and_keeps_other_versions(tmp_path: Path, scored: WarcFileResult) -> None:
    db = open_db(tmp_path / "x.db")
    n_claims = sum(len(p.result.claims) for p in scored.pages)
    assert store_warc_result(db, scored) == len(scored.pages)
    assert counts(db) == (len(scored.pages), n_claims)
    store_warc_result(db, pickle.loads(pickle.dumps(scored)))  # as it comes back from a Dask worker
    assert counts(db) == (len(scored.pages), n_claims)
    row = db.execute("SELECT flagged, n_asserted, conditions, captured_at FROM warc_pages WHERE url = ?",
                     ["https://clinic.example/treatments"]).fetchone()
    assert row[0] == 1 and row[1] >= 2 and "multiple_sclerosis" in row[2].split() and row[3] == "2026-03-04T05:06:07Z"
    assert db.execute("SELECT COUNT(*) FROM warc_claims WHERE sentence = ?", [CLAIM_2]).fetchone()[0] >= 1

    def relabel(result: WarcFileResult, version: str, drop_claims: bool = False) -> WarcFileResult:
        return dataclasses.replace(result, pages=[dataclasses.replace(p, result=dataclasses.replace(
            p.result, classifier_version=version, claims=[] if drop_claims else p.result.claims))
            for p in result.pages])

    store_warc_result(db, relabel(scored, "other-version"))
    assert counts(db) == (2 * len(scored.pages), 2 * n_claims)
    store_warc_result(db, relabel(scored, "other-version", drop_claims=True))  # rescored: claims replaced
    assert counts(db) == (2 * len(scored.pages), n_claims)
    versions = db.execute("SELECT DISTINCT classifier_version FROM warc_claims").fetchall()
    assert versions == [(scored.pages[0].result.classifier_version,)]
