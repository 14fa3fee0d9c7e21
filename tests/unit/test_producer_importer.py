"""Importer logic without services: kind detection, both generations, units, dedup keys, safety."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from producer.importer.detect import detect, is_video_file
from producer.importer.history import AccountParser, RecordError, Skip, epoch_start, extended_play
from producer.importer.library import library_playlist, playlists_from_export
from producer.importer.sources import Limits, Rejected, SourceFile, iter_sources, unsafe_member_name
from tests.synthetic.exports import (
    account_audiobooks,
    account_music,
    account_podcasts,
    extended_records,
    library_doc,
    playlist_doc,
)

OLD = {
    "ts": "2016-03-04T10:20:30Z",
    "username": "x",
    "platform": "iOS 9.2 (iPhone7,2)",
    "ms_played": "215000",
    "conn_country": "DE",
    "ip_addr_decrypted": "203.0.113.x",
    "user_agent_decrypted": "unknown",
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Band",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
    "episode_name": None,
    "episode_show_name": None,
    "spotify_episode_uri": None,
    "reason_start": "trackdone",
    "reason_end": "trackdone",
    "shuffle": False,
    "skipped": None,
    "offline": False,
    "offline_timestamp": 1457086615000,
    "incognito_mode": False,
}


def test_detects_every_kind_by_content() -> None:
    assert detect(extended_records(3, "new")) == "extended"
    assert detect(extended_records(3, "old")) == "extended"
    assert detect(account_music(3)) == "account"
    assert detect(account_podcasts(3)) == "account"
    assert detect(account_audiobooks(3)) == "account"
    assert detect(playlist_doc()) == "playlists"
    assert detect(library_doc()) == "library"
    assert detect([]) == "empty"
    assert detect({"username": "x"}) == "unknown"
    assert detect([{"searchQuery": "x"}]) == "unknown"
    assert is_video_file("a/Streaming_History_Video_2019-2024.json")
    assert is_video_file("MyData/endvideo.json")
    assert not is_video_file("Streaming_History_Audio_2023_0.json")


def test_old_generation_record_with_string_ms_and_null_skipped() -> None:
    play = extended_play(OLD, "alice")
    assert play.ms_played == 215000 and play.skipped is None
    assert play.ended_at == datetime(2016, 3, 4, 10, 20, 30, tzinfo=UTC)
    assert play.track_id == "4uLU6hMCjMI75M1A2tKUQC" and play.artist_names == ["Band"]
    assert play.platform == "iOS 9.2 (iPhone7,2)" and play.source == "export_extended"


def test_early_utc_suffix_format_gives_the_same_id_as_iso() -> None:
    a = extended_play(OLD, "alice")
    b = extended_play({**OLD, "ts": "2016-03-04 10:20:30 UTC"}, "alice")
    assert a.event_id == b.event_id and a.ended_at == b.ended_at
    assert extended_play(OLD, "bob").event_id != a.event_id


def test_offline_timestamp_units_date_an_offline_play() -> None:
    start = datetime(2020, 5, 1, 8, 0, tzinfo=UTC)
    assert epoch_start(int(start.timestamp() * 1000)) == start  # old files: milliseconds
    assert epoch_start(int(start.timestamp())) == start  # new files: seconds
    assert epoch_start(0) is None and epoch_start(None) is None
    synced = {
        **OLD,
        "ts": "2020-05-03T12:00:00Z",
        "ms_played": 200_000,
        "offline": True,
        "offline_timestamp": int(start.timestamp()),
    }
    play = extended_play(synced, "alice")
    assert play.ended_at == datetime(2020, 5, 1, 8, 3, 20, tzinfo=UTC)
    ms_variant = extended_play({**synced, "offline_timestamp": int(start.timestamp() * 1000)}, "alice")
    assert ms_variant.ended_at == play.ended_at


def test_new_generation_podcast_video_and_audiobook_rows() -> None:
    podcast = {
        **OLD,
        "ts": "2024-01-01T00:00:00Z",
        "ms_played": 1000,
        "spotify_track_uri": None,
        "master_metadata_track_name": None,
        "episode_name": "Ep 1",
        "episode_show_name": "Show",
        "spotify_episode_uri": "spotify:episode:abc",
    }
    play = extended_play(podcast, "alice")
    assert (play.kind, play.track_name, play.album_name, play.artist_names) == (
        "episode",
        "Ep 1",
        "Show",
        ["Show"],
    )
    assert extended_play(podcast, "alice", video_file=True).kind == "video"
    book = {
        **podcast,
        "episode_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": "Book",
        "audiobook_uri": "spotify:audiobook:b1",
        "audiobook_chapter_uri": "spotify:chapter:c1",
        "audiobook_chapter_title": "Chapter 1",
    }
    play = extended_play(book, "alice")
    assert (play.kind, play.track_uri, play.track_name, play.album_name) == (
        "audiobook",
        "spotify:chapter:c1",
        "Chapter 1",
        "Book",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ts": "yesterday"}, "not a timestamp"),
        ({"ts": None}, "missing"),
        ({"ms_played": -5}, "out of range"),
        ({"ms_played": "lots"}, "not a whole number"),
        ({"ts": "1999-01-01T00:00:00Z"}, "out of range"),
    ],
)
def test_malformed_records_raise_with_a_reason(change: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        extended_play({**OLD, **change}, "alice")


def test_rows_without_content_are_skipped_not_errors() -> None:
    empty = {**OLD, "spotify_track_uri": None, "master_metadata_track_name": None}
    with pytest.raises(Skip, match="no_content"):
        extended_play(empty, "alice")
    with pytest.raises(RecordError):
        extended_play(["not", "an", "object"], "alice")


def test_account_rows_identical_in_a_file_are_numbered_not_collapsed() -> None:
    row = {"endTime": "2024-03-01 10:15", "artistName": "Band", "trackName": "Song", "msPlayed": 5000}
    parser = AccountParser("alice")
    first, second = parser.play(row), parser.play(dict(row))
    assert first.event_id != second.event_id
    assert first.ended_at == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    again = AccountParser("alice")  # the same file imported again → the same ids
    assert [again.play(row).event_id, again.play(row).event_id] == [first.event_id, second.event_id]


def test_account_podcast_and_audiobook_rows() -> None:
    parser = AccountParser("alice")
    ep = parser.play(account_podcasts(1)[0])
    assert ep.kind == "episode" and ep.album_name == "Show 0" and ep.track_name == "Episode 0"
    book = parser.play(account_audiobooks(1)[0])
    assert (
        book.kind == "audiobook" and book.artist_names == ["A. Writer"] and book.album_name == "The Long Book"
    )


def test_export_playlists_are_deterministic_and_report_bad_entries() -> None:
    doc = playlist_doc(playlists=2, size=5)
    doc["playlists"].append({"items": []})
    doc["playlists"][0]["items"].insert(1, "garbage")
    found, errors = playlists_from_export(doc, "alice")
    assert [p.name for p in found] == ["Export mix 0", "Export mix 1"]
    assert errors == [(2, "playlist without a name")]
    assert found[0].errors == [(1, "item is not a JSON object")]
    assert [e.position for e in found[0].events] == [0, 1, 2, 3, 4]
    again, _ = playlists_from_export(doc, "alice")
    assert [e.event_id for e in again[0].events] == [e.event_id for e in found[0].events]
    liked = library_playlist(library_doc(size=3), "alice")
    assert liked.name == "Liked Songs (export)" and len(liked.events) == 3


def test_zip_slip_names_are_recognised() -> None:
    assert unsafe_member_name("../../etc/passwd.json")
    assert unsafe_member_name("/abs/x.json")
    assert unsafe_member_name("C:\\x.json")
    assert unsafe_member_name("a/..\\..\\b.json")
    assert not unsafe_member_name("MyData/StreamingHistory_music_0.json")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_bomb_and_size_limits(tmp_path: Path) -> None:
    bomb = _zip(
        tmp_path / "bomb.zip",
        {
            "x.json": b"[" + b" " * 5_000_000 + b"]",
            "../evil.json": b"[]",
            "ok.json": b"[]",
            "ReadMe.pdf": b"%PDF",
        },
    )
    found = list(iter_sources(bomb))
    by_name = {s.name: s for s in found}
    assert set(by_name) == {"bomb.zip/x.json", "bomb.zip/../evil.json", "bomb.zip/ok.json"}
    assert isinstance(by_name["bomb.zip/x.json"], Rejected) and by_name["bomb.zip/x.json"].code == "zip_bomb"
    assert by_name["bomb.zip/../evil.json"].code == "unsafe_path"  # type: ignore[union-attr]
    ok = by_name["bomb.zip/ok.json"]
    assert isinstance(ok, SourceFile) and ok.read() == b"[]"
    small = list(iter_sources(bomb, Limits(max_file_bytes=1, max_ratio=1e9)))
    assert all(isinstance(s, Rejected) for s in small if s.name.endswith("x.json"))


def test_folder_with_nested_zip(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[]")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("MyData/b.json", "[]")
    (tmp_path / "export.zip").write_bytes(buf.getvalue())
    names = [s.name for s in iter_sources(tmp_path)]
    assert names == ["a.json", "export.zip/MyData/b.json"]
