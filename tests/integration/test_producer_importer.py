"""The importer against the real broker and database: every file kind, malformed input, zip
safety, the stored report, and re-import publishing identical event ids."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from core.collections import Coll
from core.events import PlayEvent, PlaylistTrackEvent
from core.topics import Topic
from producer.importer import import_path
from tests.fake_spotify.kafka_read import read_topic
from tests.synthetic.exports import account_music, extended_records, write_export, write_json

pytestmark = pytest.mark.integration


def test_every_kind_imports_and_reimport_publishes_identical_ids(stack, mongo_db, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", extended=400, account=120)
    calls: list[tuple[int, int]] = []
    report = import_path(stack, export, "imp-alice", progress=lambda done, total: calls.append((done, total)))

    kinds = Counter(f.kind for f in report.files)
    assert kinds == {"extended": 4, "account": 3, "playlists": 1, "library": 1, "unknown": 1}
    assert report.status == "done"
    totals = report.totals
    assert totals["records"] == 400 + 120 + 20 + 5 + 24 + 10
    assert totals["published"] + totals["duplicates"] + totals["skipped"] >= totals["records"]
    assert calls and calls[-1][0] == calls[-1][1] == 400 + 120 + 20 + 5

    plays = [PlayEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYS, "imp-alice")]
    assert len(plays) == sum(f.published for f in report.files if f.kind in ("extended", "account"))
    assert len({p.event_id for p in plays}) == len(plays)
    assert {p.kind for p in plays} == {"track", "episode", "audiobook"}
    assert {p.source for p in plays} == {"export_extended", "export_account"}
    tracks = [
        PlaylistTrackEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYLIST_TRACKS, "imp-alice")
    ]
    assert len(tracks) == 24 + 10 and {t.source for t in tracks} == {"export"}

    stored = mongo_db[Coll.IMPORTS.value].find_one({"_id": report.import_id})
    assert stored["status"] == "done" and stored["totals"] == totals
    assert len(stored["files"]) == len(report.files)
    playlists = list(mongo_db[Coll.PLAYLISTS.value].find({"user_id": "imp-alice"}))
    assert sorted(p["name"] for p in playlists) == ["Export mix 0", "Export mix 1", "Liked Songs (export)"]
    assert all(p["status"] == "ready" and p["connected"] for p in playlists)
    assert mongo_db[Coll.USERS.value].find_one({"_id": "imp-alice"})["demo"] is False

    again = import_path(stack, export, "imp-alice")
    assert again.import_id != report.import_id and again.totals == totals
    replayed = [PlayEvent.model_validate(v) for v in read_topic(stack, Topic.PLAYS, "imp-alice")]
    assert len(replayed) == 2 * len(plays)
    assert Counter(p.event_id for p in replayed) == Counter({p.event_id: 2 for p in plays})


def test_malformed_files_and_records_are_reported_and_the_rest_imports(
    stack, mongo_db, tmp_path: Path
) -> None:
    good = extended_records(50, "new", seed=9)
    bad = [
        *good[:10],
        {"ts": "not a time", "ms_played": 5},
        "junk",
        {**good[10], "ms_played": -1},
        *good[10:],
    ]
    bad.append(dict(good[0]))  # an exact duplicate inside the files
    zpath = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "Spotify Extended Streaming History/Streaming_History_Audio_2020_0.json", json.dumps(bad)
        )
        archive.writestr("Spotify Extended Streaming History/broken.json", '[{"ts": "2020-01-01T00:00:00Z",')
        archive.writestr("../../escape.json", json.dumps(good[:3]))
        archive.writestr("MyData/StreamingHistory_music_0.json", json.dumps(account_music(30)))
        archive.writestr("MyData/bomb.json", b"[" + b" " * 3_000_000 + b"]")
    write_json(tmp_path / "unused.json", [])
    report = import_path(stack, zpath, "imp-bob")

    files = {f.name.split("/")[-1]: f for f in report.files}
    history = files["Streaming_History_Audio_2020_0.json"]
    assert history.records == 54 and history.published == 50 and history.duplicates == 1
    assert history.skipped == {"malformed": 3}
    assert [e["record"] for e in history.errors] == [10, 11, 12]
    assert "not a timestamp" in history.errors[0]["reason"] and "out of range" in history.errors[2]["reason"]
    assert files["broken.json"].skipped == {"not_json": 1}
    assert files["escape.json"].skipped == {"unsafe_path": 1}
    assert files["bomb.json"].skipped == {"zip_bomb": 1}
    assert files["StreamingHistory_music_0.json"].published == 30
    plays = read_topic(stack, Topic.PLAYS, "imp-bob")
    assert len(plays) == 80
    dead = read_topic(stack, Topic.DEADLETTER, "imp-bob")
    assert len(dead) == 3 and all(d["stage"] == "producer.import" for d in dead)
    assert "record 10" in dead[0]["reason"]
    stored = mongo_db[Coll.IMPORTS.value].find_one({"_id": report.import_id})
    assert stored["skipped_by_reason"] == {"malformed": 3, "not_json": 1, "unsafe_path": 1, "zip_bomb": 1}
