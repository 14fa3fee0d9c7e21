"""Damaged import files keep what precedes the damage: a JSON array cut short, a zip member
cut off (directory intact or the whole zip cut before its directory), and the plain report."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from rich.console import Console

from producer.importer.files import Cut, Rejected, SourceFile
from producer.importer.report import FileReport, ImportReport
from producer.importer.salvage import salvage_array
from producer.importer.sources import iter_sources
from tests.synthetic.exports import extended_records

RECORDS = extended_records(300, "new", seed=4)


def _cut_inside(records: list[dict], index: int, pretty: bool = False) -> bytes:
    """The JSON of `records` cut in the middle of record `index`."""
    text = json.dumps(records, indent=2 if pretty else None).encode()
    head = json.dumps(records[:index], indent=2 if pretty else None).encode()[:-1]  # without ']'
    return text[: len(head) + 40]


@pytest.mark.parametrize("pretty", [False, True])
def test_a_cut_array_keeps_every_complete_record(pretty: bool) -> None:
    records, damage = salvage_array(_cut_inside(RECORDS, 137, pretty)) or ([], "")
    assert records == RECORDS[:137]
    assert "cut off" in damage


@pytest.mark.parametrize(
    ("data", "count", "damage"),
    [
        (b'[{"a": 1}, {"a": 2}', 2, "closing ']'"),
        (b'[{"a": 1}, {"a": 2},', 2, "cut off"),
        (b'\xef\xbb\xbf[{"a": 1}] trailing', 1, "after the array"),
        (b'[{"a": 1} {"a": 2}]', 1, "expected ','"),
        ('[{"a": "é"}, {"a": "é'.encode()[:-1], 1, "cut off"),  # cut inside a UTF-8 character
        (b"[", 0, "closing ']'"),
    ],
)
def test_salvage_edge_cases(data: bytes, count: int, damage: str) -> None:
    records, found = salvage_array(data) or ([], "")
    assert len(records) == count and damage in found


def test_not_an_array_is_not_salvaged() -> None:
    assert salvage_array(b'{"playlists": [') is None
    assert salvage_array(b"hello") is None


def _member_json(n: int) -> bytes:
    return json.dumps(RECORDS[:n]).encode()


def _zip_bytes(members: dict[str, bytes], stream: bool = False) -> bytes:
    """A deflated zip; `stream` writes it to an unseekable stream (sizes in data descriptors)."""
    buf = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # type: ignore[no-untyped-def]
            return buf.write(b)

    with zipfile.ZipFile(Unseekable() if stream else buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("stream", [False, True])
def test_a_zip_cut_before_its_directory_is_read_from_the_front(tmp_path: Path, stream: bool) -> None:
    first, second = _member_json(120), _member_json(300)
    whole = _zip_bytes(
        {"a/Streaming_History_Audio_0.json": first, "a/Streaming_History_Audio_1.json": second}, stream
    )
    path = tmp_path / "my_spotify_data.zip"
    path.write_bytes(whole[: int(len(whole) * 0.75)])  # inside the second member
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path)
    found = list(iter_sources(path))
    assert [s.name for s in found] == [
        "my_spotify_data.zip/a/Streaming_History_Audio_0.json",
        "my_spotify_data.zip/a/Streaming_History_Audio_1.json",
    ]
    intact, cut = found
    assert isinstance(intact, SourceFile) and intact.read() == first
    assert isinstance(cut, SourceFile)
    with pytest.raises(Cut) as caught:
        cut.read()
    assert 0 < len(caught.value.data) < len(second) and second.startswith(caught.value.data)
    records, _ = salvage_array(caught.value.data) or ([], "")
    assert 0 < len(records) < 300 and records == RECORDS[: len(records)]


def test_a_member_with_damaged_data_keeps_what_came_before(tmp_path: Path) -> None:
    data = _member_json(300)
    whole = bytearray(_zip_bytes({"h.json": data}))
    middle = 30 + len("h.json") + 4000  # inside the deflated data; the directory stays intact
    whole[middle : middle + 64] = b"\xff" * 64
    path = tmp_path / "export.zip"
    path.write_bytes(bytes(whole))
    (src,) = iter_sources(path)
    assert isinstance(src, SourceFile)
    with pytest.raises(Cut) as caught:
        src.read()
    assert "damaged" in caught.value.reason and data.startswith(caught.value.data)


def test_a_cut_zip_without_any_member_header_is_rejected(tmp_path: Path) -> None:
    for content in (b"this is not a zip at all", b""):
        path = tmp_path / "not.zip"
        path.write_bytes(content)
        (found,) = iter_sources(path)
        assert isinstance(found, Rejected) and found.code == "bad_zip"


def test_rejected_count_leaves_out_ads_and_other_files() -> None:
    report = ImportReport(user_id="u", path="/x")
    benign = FileReport("Userdata.json", "unknown")
    benign.skipped.update({"not_listening_data": 1})
    history = FileReport("a/Streaming_History_Audio_0.json", "extended", records=10, published=7)
    history.skipped.update({"no_content": 2})
    report.files += [benign, history]
    assert report.rejected == 0
    history.error(None, "truncated after record 10: the next record is cut off", "truncated")
    assert report.rejected == 1


def test_plain_report_when_output_is_not_a_terminal() -> None:
    from producer.importer.render import render_report

    report = ImportReport(user_id="alice", path="/x", status="done")
    name = "my_spotify_data.zip/Spotify Extended Streaming History/Streaming_History_Audio_2019-2021_7.json"
    fr = FileReport(name, "extended", records=137, published=130, duplicates=2)
    fr.skipped.update({"no_content": 5})
    fr.error(None, "truncated after record 137: the next record is cut off", "truncated")
    report.files.append(fr)
    out = io.StringIO()
    render_report(report, Console(file=out, width=80))  # a StringIO is no terminal
    lines = out.getvalue().splitlines()
    assert lines[1].split("\t") == ["file", "kind", "records", "published", "duplicates", "skipped"]
    assert lines[2].split("\t") == [name, "extended", "137", "130", "2", "no_content 5, truncated 1"]
    assert lines[3].split("\t")[:3] == ["total", "", "137"]
    assert lines[4] == f"{name}\tfile: truncated after record 137: the next record is cut off"
