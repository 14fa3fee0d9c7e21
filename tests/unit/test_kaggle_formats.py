"""Header detection, row validation and normalisation of the three Kaggle datasets."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.collections import field_sources, track_features
from core.events import AUDIO_FEATURE_NAMES
from kaggle_seed import formats
from kaggle_seed.formats import FormatError, RowError, detect, merge_tracks, normalise_track, parse_list
from kaggle_seed.generate_sample import DEFAULT_OUT, HEADER
from tests.synthetic.kaggle import RODOLFO_HEADER, YAMA_ARTISTS, YAMA_TRACKS

TID = "4uLU6hMCjMI75M1A2tKUQC"


def test_detects_each_dataset_by_header() -> None:
    assert detect(HEADER) == "maharshipandya"
    assert detect(RODOLFO_HEADER) == "rodolfofigueroa"
    assert detect(YAMA_TRACKS) == "yamaerenay"
    assert detect(YAMA_ARTISTS) == "yamaerenay_artists"
    with pytest.raises(FormatError, match="unknown CSV header"):
        detect(["ts", "ms_played", "spotify_track_uri"])


def test_list_literals_with_quotes_and_commas() -> None:
    assert parse_list("['Guns N\\' Roses', \"Earth, Wind & Fire\"]") == [
        "Guns N' Roses",
        "Earth, Wind & Fire",
    ]
    assert parse_list("[]") == []
    with pytest.raises(RowError, match="bad_list_literal"):
        parse_list("['unterminated")


def _row(**over: str) -> dict[str, str]:
    base = {
        "track_id": TID,
        "artists": "A;B",
        "album_name": "Al",
        "track_name": "T",
        "explicit": "False",
        "duration_ms": "200000",
        "danceability": "0.5",
        "energy": "0.7",
        "key": "5",
        "loudness": "-6.1",
        "mode": "1",
        "speechiness": "0.05",
        "acousticness": "0.1",
        "instrumentalness": "1.01e-06",
        "liveness": "0.2",
        "valence": "0.4",
        "tempo": "120.0",
        "time_signature": "4",
        "track_genre": "pop",
    }
    return {**base, **over}


def test_maharshipandya_row_normalised_with_sources() -> None:
    doc = normalise_track("maharshipandya", _row())
    assert doc["_id"] == TID and doc["artist_names"] == ["A", "B"] and doc["genres"] == ["pop"]
    features = track_features(doc)
    assert features["instrumentalness"] == pytest.approx(1.01e-06) and features["key"] == 5
    assert doc["features"] == [features[n] for n in AUDIO_FEATURE_NAMES]  # stored as a list
    assert doc["explicit"] is False
    assert doc["sources"] == {"*": "kaggle:maharshipandya"}
    assert set(field_sources(doc)) == set(doc) - {"_id", "sources"}


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"track_id": "short"}, "bad_track_id"),
        ({"energy": "1.7"}, "out_of_range:energy"),
        ({"tempo": "fast"}, "not_a_number:tempo"),
        ({"key": "12"}, "out_of_range:key"),
        ({"explicit": "maybe"}, "bad_explicit"),
        ({"duration_ms": "0"}, "out_of_range:duration_ms"),
    ],
)
def test_bad_rows_rejected_with_reason(over: dict[str, str], reason: str) -> None:
    with pytest.raises(RowError) as err:
        normalise_track("maharshipandya", _row(**over))
    assert str(err.value) == reason


def test_empty_names_row_kept_without_names() -> None:
    doc = normalise_track("maharshipandya", _row(artists="", album_name="", track_name=""))
    assert "name" not in doc and "artist_names" not in doc and track_features(doc)["energy"] == 0.7


def test_mixed_precision_release_dates() -> None:
    row = {
        "id": TID,
        "name": "S",
        "album": "A",
        "album_id": TID,
        "artists": "['X']",
        "artist_ids": f"['{TID}']",
        "explicit": "True",
        "time_signature": "4.0",
        "energy": "0.5",
        "year": "1999",
        "release_date": "1999",
    }
    doc = normalise_track("rodolfofigueroa", row)
    assert (doc["release_date"], doc["release_year"], track_features(doc)["time_signature"]) == (
        "1999",
        1999,
        4,
    )
    doc = normalise_track("rodolfofigueroa", {**row, "release_date": "2001-07-04"})
    assert doc["release_year"] == 2001 and doc["artist_ids"] == [TID]
    with pytest.raises(RowError, match="bad_release_date"):
        normalise_track("rodolfofigueroa", {**row, "release_date": "04/07/2001"})


def test_merge_unites_genres_in_any_order() -> None:
    a = normalise_track("maharshipandya", _row(track_genre="pop"))
    b = normalise_track("maharshipandya", _row(track_genre="dance"))
    assert merge_tracks(a, b) == merge_tracks(b, a)
    assert merge_tracks(a, b)["genres"] == ["dance", "pop"]


def test_committed_sample_matches_schema_and_quirks() -> None:
    with Path(DEFAULT_OUT).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == HEADER and len(rows) == 3001
    ids = [r[1] for r in rows[1:]]
    assert all(formats.SPOTIFY_ID.fullmatch(i) for i in ids)
    assert 0 < len(ids) - len(set(ids)) < 300  # some tracks listed under two genres
    assert sum(1 for r in rows[1:] if r[2] == r[3] == r[4] == "") == 1
    assert {r[7] for r in rows[1:]} == {"True", "False"}
    assert len({r[20] for r in rows[1:]}) == 30
