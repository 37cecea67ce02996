"""Evidence archive: WARC files must round-trip exactly and stay readable after crashes."""
from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import ORIGINAL_ENCODING_HEADER, ArchivedRecord, WarcArchive, read_response

FETCHED = datetime(2024, 5, 1, 12, 30, 45, tzinfo=timezone.utc)
HTML = "<html><body><h1>Células madre — tratamiento milagroso</h1><p>Stammzellen für Ärzte ✓ 幹細胞</p></body></html>"
BINARY = bytes(range(256)) * 40 + b"\x1f\x8b\x08\x00\r\n\r\nWARC/1.0\r\n" + bytes(range(255, -1, -1))

EXCHANGES = [
    dict(url="https://clinic.example/es/tratamientos?lang=es", status=200, reason="OK",
         response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
                           ("Content-Length", "77"), ("Server", "nginx")],
         body=HTML.encode("utf-8")),
    dict(url="https://clinic.example/brochure.pdf", status=200, reason="OK",
         response_headers=[("Content-Type", "application/pdf"), ("Transfer-Encoding", "chunked")],
         body=BINARY),
    dict(url="https://clinic.example/missing", status=404, reason="Not Found",
         response_headers=[("Content-Type", "text/plain")], body=b"not here"),
    dict(url="https://clinic.example/", status=304, reason="",
         response_headers=[("ETag", '"abc"'), ("Content-Length", "1234")], body=b""),
]


def write(archive: WarcArchive, exchange: dict, fetched_at: datetime = FETCHED) -> ArchivedRecord:
    return archive.write_exchange(method="GET", request_headers=[("User-Agent", "ClinicWatch-test"),
                                                                 ("Accept-Encoding", "gzip, br")],
                                  fetched_at=fetched_at, **exchange)


def records(path: Path) -> list[tuple[str, dict[str, str], int, bytes]]:
    """(type, WARC headers, offset, payload) of every record, reading the file sequentially."""
    out = []
    with path.open("rb") as handle:
        it = ArchiveIterator(handle)
        for record in it:
            payload = record.content_stream().read()
            out.append((record.rec_type, dict(record.rec_headers.headers), it.get_record_offset(), payload))
    return out


def warc_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*.warc.gz"))


def test_round_trip_by_file_and_offset(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        assert warc_files(tmp_path) == []  # opened lazily
        stored = [write(archive, ex) for ex in EXCHANGES]
    assert {r.file for r in stored} == {"crawl-00001.warc.gz"}
    for ex, rec in zip(EXCHANGES, stored):
        got = read_response(tmp_path, rec.file, rec.offset)
        assert got.body == ex["body"]
        assert got.status == ex["status"]
        assert got.url == ex["url"]
        assert got.date == "2024-05-01T12:30:45Z"
        names = [n.lower() for n, _ in got.headers]
        assert "content-encoding" not in names and "transfer-encoding" not in names
        assert names.count("content-length") == 1
        assert dict(got.headers)["Content-Length"] == str(len(ex["body"]))
    first = dict(read_response(tmp_path, stored[0].file, stored[0].offset).headers)
    assert first[ORIGINAL_ENCODING_HEADER] == "gzip"
    assert first["Server"] == "nginx"
    assert ORIGINAL_ENCODING_HEADER not in dict(read_response(tmp_path, stored[1].file, stored[1].offset).headers)
    assert read_response(tmp_path, stored[0].file, stored[0].offset).body.decode("utf-8") == HTML


def test_offset_and_length_delimit_one_gzip_member(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        stored = [write(archive, ex) for ex in EXCHANGES]
    data = (tmp_path / stored[1].file).read_bytes()
    member = gzip.decompress(data[stored[1].offset:stored[1].offset + stored[1].length])
    assert member.startswith(b"WARC/1.") and b"WARC-Type: response" in member
    assert member.endswith(BINARY + b"\r\n\r\n")


def test_whole_file_structure_and_linkage(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        stored = [write(archive, ex) for ex in EXCHANGES]
    recs = records(tmp_path / "crawl-00001.warc.gz")
    assert [r[0] for r in recs] == ["warcinfo"] + ["request", "response"] * len(EXCHANGES)
    info = recs[0][3].decode()
    assert "software: ClinicWatch" in info and "format: WARC File Format" in info
    assert recs[0][1]["WARC-Filename"] == "crawl-00001.warc.gz"
    for i, ex in enumerate(EXCHANGES):
        (_, req, _, req_payload), (_, resp, resp_offset, _) = recs[1 + 2 * i], recs[2 + 2 * i]
        assert req["WARC-Target-URI"] == resp["WARC-Target-URI"] == ex["url"]
        assert req["WARC-Concurrent-To"] == resp["WARC-Record-ID"]
        assert resp["WARC-Concurrent-To"] == req["WARC-Record-ID"]
        assert req["WARC-Date"] == resp["WARC-Date"] == "2024-05-01T12:30:45Z"
        assert resp_offset == stored[i].offset
        assert req_payload == b""
    with (tmp_path / "crawl-00001.warc.gz").open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "request":
                assert record.http_headers.protocol == "GET"
                assert record.http_headers.get_header("Host") == "clinic.example"
                assert record.http_headers.get_header("User-Agent") == "ClinicWatch-test"
    assert [r[1]["WARC-Record-ID"] for r in recs] == list(dict.fromkeys(r[1]["WARC-Record-ID"] for r in recs))


def test_fetched_at_is_converted_to_utc_and_naive_refused(tmp_path: Path) -> None:
    paris = timezone(timedelta(hours=2))
    with WarcArchive(tmp_path, "crawl") as archive:
        rec = write(archive, EXCHANGES[2], fetched_at=datetime(2024, 5, 1, 14, 30, 45, tzinfo=paris))
        with pytest.raises(ValueError):
            write(archive, EXCHANGES[2], fetched_at=datetime(2024, 5, 1, 12, 30, 45))
    assert read_response(tmp_path, rec.file, rec.offset).date == "2024-05-01T12:30:45Z"


def test_rotation_keeps_pairs_together_and_offsets_resolve(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl", max_bytes=3000) as archive:
        stored = [write(archive, ex) for ex in EXCHANGES * 3]
    files = warc_files(tmp_path)
    assert len(files) >= 2 and files[:2] == ["crawl-00001.warc.gz", "crawl-00002.warc.gz"]
    assert {r.file for r in stored} == set(files)
    for ex, rec in zip(EXCHANGES * 3, stored):
        got = read_response(tmp_path, rec.file, rec.offset)
        assert (got.body, got.status, got.url) == (ex["body"], ex["status"], ex["url"])
    for name in files:
        types = [r[0] for r in records(tmp_path / name)]
        assert types[0] == "warcinfo" and types[1:] == ["request", "response"] * ((len(types) - 1) // 2)
        assert len(types) >= 3
    # Rotation happens once a file reaches max_bytes, so at most one exchange overshoots.
    for name in files[:-1]:
        assert (tmp_path / name).stat().st_size >= 3000


def test_new_archive_never_touches_existing_files(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as first:
        old = write(first, EXCHANGES[0])
    before = (tmp_path / old.file).read_bytes()
    (tmp_path / "crawl-00007.warc.gz").write_bytes(b"not ours")  # a gap: continue after the highest
    (tmp_path / "other-00001.warc.gz").write_bytes(b"other prefix")
    with WarcArchive(tmp_path, "crawl") as second:
        new = write(second, EXCHANGES[2])
        assert second.current_file == "crawl-00008.warc.gz"
    assert new.file == "crawl-00008.warc.gz"
    assert (tmp_path / old.file).read_bytes() == before
    assert (tmp_path / "crawl-00007.warc.gz").read_bytes() == b"not ours"
    assert read_response(tmp_path, old.file, old.offset).body == EXCHANGES[0]["body"]
    assert read_response(tmp_path, new.file, new.offset).body == EXCHANGES[2]["body"]
    assert records(tmp_path / new.file)[0][0] == "warcinfo"


@pytest.mark.parametrize("name", ["../crawl-00001.warc.gz", "sub/crawl-00001.warc.gz", "/etc/passwd", "..",
                                  "", ".", "a\\b.warc.gz", "x..warc.gz", "crawl\x00.warc.gz"])
def test_read_refuses_names_outside_directory(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        read_response(tmp_path, name, 0)


@pytest.mark.parametrize("prefix", ["../x", "a/b", "", ".."])
def test_prefix_must_be_a_plain_name(tmp_path: Path, prefix: str) -> None:
    with pytest.raises(ValueError):
        WarcArchive(tmp_path, prefix)


def test_read_refuses_offsets_that_are_not_responses(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        rec = write(archive, EXCHANGES[0])
    for offset in (0, 1, rec.offset + 5, rec.offset + rec.length, -1):
        with pytest.raises(ValueError):
            read_response(tmp_path, rec.file, offset)
    with pytest.raises(FileNotFoundError):
        read_response(tmp_path, "crawl-09999.warc.gz", 0)


@pytest.mark.parametrize("cut", [0.05, 0.5, 0.95])
def test_truncated_last_record_leaves_earlier_records_readable(tmp_path: Path, cut: float) -> None:
    """Simulate a crash while the last response (a binary body) was being written."""
    exchanges = [EXCHANGES[0], EXCHANGES[2], EXCHANGES[1]]
    with WarcArchive(tmp_path, "crawl") as archive:
        stored = [write(archive, ex) for ex in exchanges]
    path = tmp_path / stored[-1].file
    path.write_bytes(path.read_bytes()[:stored[-1].offset + int(stored[-1].length * cut)])

    seen: list[tuple[str, str, bytes]] = []
    with path.open("rb") as handle:
        try:
            for record in ArchiveIterator(handle):
                seen.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "",
                             record.content_stream().read()))
        except Exception:  # warcio may raise at the damaged tail, or just stop: both are fine
            pass
    complete = ["warcinfo", "request", "response", "request", "response", "request"]
    assert [t for t, _, _ in seen[:6]] == complete
    assert seen[2][1:] == (exchanges[0]["url"], exchanges[0]["body"])
    assert seen[4][1:] == (exchanges[1]["url"], exchanges[1]["body"])
    assert len(seen) <= 7  # at most the damaged response itself, possibly partial
    for ex, rec in zip(exchanges[:2], stored[:2]):
        assert read_response(tmp_path, rec.file, rec.offset).body == ex["body"]
    with pytest.raises(ValueError):  # a partial body is never returned as evidence
        read_response(tmp_path, stored[-1].file, stored[-1].offset)
    with WarcArchive(tmp_path, "crawl") as after_crash:  # the damaged file is left alone
        assert write(after_crash, EXCHANGES[3]).file == "crawl-00002.warc.gz"


def test_altered_body_fails_digest_check(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        rec = write(archive, EXCHANGES[0])
    path = tmp_path / rec.file
    data = path.read_bytes()
    member = gzip.decompress(data[rec.offset:rec.offset + rec.length])
    forged = gzip.compress(member.replace("milagroso".encode(), "honesto!!".encode()))
    path.write_bytes(data[:rec.offset] + forged + data[rec.offset + rec.length:])
    with pytest.raises(ValueError):
        read_response(tmp_path, rec.file, rec.offset)


def test_failed_write_does_not_corrupt_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        first = write(archive, EXCHANGES[0])
        writer = archive._writer
        real = writer.write_record

        def failing(record, params=None):
            if record.rec_type == "response":
                archive._file.write(b"\x1f\x8b partial garbage")
                raise OSError("disk full")
            real(record, params)

        monkeypatch.setattr(writer, "write_record", failing)
        with pytest.raises(OSError):
            write(archive, EXCHANGES[1])
        monkeypatch.setattr(writer, "write_record", real)
        last = write(archive, EXCHANGES[2])
    assert [r[0] for r in records(tmp_path / first.file)] == ["warcinfo"] + ["request", "response"] * 2
    assert read_response(tmp_path, last.file, last.offset).body == EXCHANGES[2]["body"]


def test_header_line_breaks_cannot_forge_headers(tmp_path: Path) -> None:
    with WarcArchive(tmp_path, "crawl") as archive:
        rec = write(archive, dict(url="https://clinic.example/x", status=200, reason="OK",
                                  response_headers=[("X-Evil", "a\r\nWARC-Type: metadata\r\nX: b")], body=b"ok"))
    got = read_response(tmp_path, rec.file, rec.offset)
    assert [n for n, _ in got.headers] == ["X-Evil", "Content-Length"]
    assert [r[0] for r in records(tmp_path / rec.file)] == ["warcinfo", "request", "response"]


def test_closed_archive_refuses_writes(tmp_path: Path) -> None:
    archive = WarcArchive(tmp_path, "crawl")
    archive.close()
    with pytest.raises(ValueError):
        write(archive, EXCHANGES[0])
    assert warc_files(tmp_path) == []
