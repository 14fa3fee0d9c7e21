"""Damaged exports against the real broker: a history file cut short and a zip cut off inside a
member import every record before the cut, and `earshot import` reports it (plain lines when its
output is not a terminal) and exits with the documented status 3."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.events import PlayEvent
from core.topics import Topic
from producer.cli import EXIT_REJECTED
from producer.importer import import_path
from tests.fake_spotify.kafka_read import read_topic
from tests.synthetic.exports import account_music, extended_records

pytestmark = pytest.mark.integration


def _cut(records: list[dict], index: int) -> bytes:
    """Pretty JSON of `records`, cut in the middle of record `index` (an interrupted download)."""
    whole = json.dumps(records, indent=2).encode()
    return whole[: len(json.dumps(records[:index], indent=2).encode()) + 60]


def test_truncated_json_and_cut_zip_member_import_every_record_before_the_cut(stack, tmp_path: Path) -> None:
    extended = extended_records(400, "new", seed=21)
    (tmp_path / "Streaming_History_Audio_2021_3.json").write_bytes(_cut(extended, 263))
    account = account_music(200, seed=5)
    zpath = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("MyData/StreamingHistory_music_0.json", json.dumps(account[:80]))
        archive.writestr("MyData/StreamingHistory_music_1.json", json.dumps(account[80:], indent=2))
    whole = zpath.read_bytes()
    zpath.write_bytes(whole[: len(whole) * 7 // 10])  # cut inside the second member

    report = import_path(stack, tmp_path, "dmg-alice")
    files = {f.name.split("/")[-1]: f for f in report.files}
    cut_json = files["Streaming_History_Audio_2021_3.json"]
    assert cut_json.kind == "extended" and cut_json.records == 263
    assert cut_json.skipped["truncated"] == 1
    assert cut_json.errors[-1]["reason"].startswith("truncated after record 263: ")
    first, second = files["StreamingHistory_music_0.json"], files["StreamingHistory_music_1.json"]
    assert (first.records, first.published, dict(first.skipped)) == (80, 80, {})
    assert 0 < second.records < 120 and second.skipped["truncated"] == 1
    assert "zip is cut off" in second.errors[-1]["reason"]
    assert report.status == "done" and report.rejected == 2

    plays = [PlayEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYS, "dmg-alice")]
    published = sum(f.published for f in report.files)
    assert len(plays) == published == cut_json.published + 80 + second.published
    cut_tracks = {p.track_name for p in plays if p.source == "export_account"}
    assert {r["trackName"] for r in account[: 80 + second.records]} == cut_tracks


def test_import_cli_exit_status_and_plain_report_on_rejected_input(stack, tmp_path: Path) -> None:
    name = "Streaming_History_Audio_2019-2021_with_a_long_name_that_an_80_column_table_would_cut.json"
    (tmp_path / name).write_bytes(_cut(extended_records(50, "old", seed=3), 31))
    (tmp_path / "Userdata.json").write_text('{"username": "x"}')  # not listening data: no rejection
    earshot = str(Path(sys.executable).parent / "earshot")
    cut = subprocess.run(
        [earshot, "import", str(tmp_path), "--user", "dmg-cli"], capture_output=True, text=True, timeout=120
    )
    assert cut.returncode == EXIT_REJECTED == 3, cut.stderr[-2000:]
    lines = cut.stdout.splitlines()
    assert lines[1].split("\t") == ["file", "kind", "records", "published", "duplicates", "skipped"]
    row = next(line.split("\t") for line in lines if line.startswith(name + "\t"))
    assert row[1:3] == ["extended", "31"] and "truncated 1" in row[5]
    assert f"{name}\tfile: truncated after record 31: " in cut.stdout

    (tmp_path / name).unlink()
    clean = subprocess.run(
        [earshot, "import", str(tmp_path), "--user", "dmg-cli"], capture_output=True, text=True, timeout=120
    )
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert "Userdata.json\tunknown\t0\t0\t0\tnot_listening_data 1" in clean.stdout
