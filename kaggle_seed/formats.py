"""The three common Kaggle audio-feature datasets: detection by header, row validation, normalisation.

Pure functions (no Spark, no Mongo) shared by the Spark loader and the tests:

- ``detect(header)`` → ``"maharshipandya"`` | ``"rodolfofigueroa"`` | ``"yamaerenay"`` |
  ``"yamaerenay_artists"`` (the artists.csv of the 600k dataset) or raises ``FormatError``;
- ``normalise_track(dataset, row)`` → a catalog track (``core/collections.py`` shape, only the
  fields the dataset has, plus ``sources``) or raises ``RowError(reason)``;
- ``normalise_artist(row)`` → an artist doc from yamaerenay ``artists.csv``;
- ``merge_tracks(a, b)`` → one track from two rows with the same id (genres united).

    from kaggle_seed.formats import detect, normalise_track
    dataset = detect(next(csv.reader(open("dataset.csv"))))
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.collections import ANY_FIELD, compact_sources, field_sources
from core.events import AUDIO_FEATURE_NAMES, AudioFeatures
from core.spotify_ids import SPOTIFY_ID

# a list literal of plain quoted strings (no escapes): parsed by regex, ~10x faster than ast
_PLAIN_LIST = re.compile(r"""\[(?:'[^'\\]*'|"[^"\\]*")(?:, (?:'[^'\\]*'|"[^"\\]*"))*\]""")
_PLAIN_ITEM = re.compile(r"'([^'\\]*)'|\"([^\"\\]*)\"")

HEADERS: dict[str, tuple[str, ...]] = {
    "maharshipandya": ("track_id", "artists", "album_name", "track_name", "track_genre", "danceability"),
    "rodolfofigueroa": ("id", "name", "album", "album_id", "artists", "artist_ids", "year", "release_date"),
    "yamaerenay": ("id", "name", "popularity", "artists", "id_artists", "release_date", "danceability"),
    "yamaerenay_artists": ("id", "followers", "genres", "name", "popularity"),
}
# which file of each dataset holds what, in the folder (first match wins)
FILE_NAMES: dict[str, tuple[str, ...]] = {
    "maharshipandya": ("dataset.csv", "sample_dataset.csv"),
    "rodolfofigueroa": ("tracks_features.csv",),
    "yamaerenay": ("tracks.csv",),
    "yamaerenay_artists": ("artists.csv",),
}
KAGGLE_HANDLES = {
    "maharshipandya": "maharshipandya/-spotify-tracks-dataset",
    "rodolfofigueroa": "rodolfofigueroa/spotify-12m-songs",
    "yamaerenay": "yamaerenay/spotify-dataset-19212020-600k-tracks",
}
_RANGES: dict[str, tuple[float, float]] = {
    name: (
        next(m.ge for m in info.metadata if getattr(m, "ge", None) is not None),
        next(m.le for m in info.metadata if getattr(m, "le", None) is not None),
    )
    for name, info in AudioFeatures.model_fields.items()
}
_INT_FEATURES = {"key", "mode", "time_signature"}


class FormatError(ValueError):
    """The file is none of the known datasets."""


class RowError(ValueError):
    """A row that cannot enter the catalog; ``str(exc)`` is the reject reason."""


def detect(header: Sequence[str]) -> str:
    cols = {c.strip() for c in header}
    for dataset, needed in HEADERS.items():
        if set(needed) <= cols and (dataset != "yamaerenay_artists" or "danceability" not in cols):
            if dataset == "yamaerenay" and "album_id" in cols:
                continue
            return dataset
    raise FormatError(
        "unknown CSV header (expected one of the maharshipandya, rodolfofigueroa or yamaerenay "
        f"Kaggle datasets): {', '.join(list(header)[:8])}…"
    )


def parse_list(text: str | None) -> list[str]:
    """``"['A', 'B']"`` (a Python list literal in a CSV cell) → ``['A', 'B']``."""
    if text is None or not text.strip():
        return []
    text = text.strip()
    if not text.startswith("["):
        return [text]
    if _PLAIN_LIST.fullmatch(text):
        return [a or b for a, b in _PLAIN_ITEM.findall(text) if a or b]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise RowError("bad_list_literal") from None
    if not isinstance(value, list):
        raise RowError("bad_list_literal")
    return [str(v) for v in value if v is not None and str(v) != ""]


def parse_bool(text: str | None) -> bool | None:
    value = (text or "").strip().lower()
    if value in {"true", "1", "1.0"}:
        return True
    if value in {"false", "0", "0.0"}:
        return False
    if not value:
        return None
    raise RowError("bad_explicit")


def parse_release(text: str | None) -> tuple[str | None, int | None]:
    """Mixed-precision dates: 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' → (date as given, year)."""
    value = (text or "").strip()
    if not value:
        return None, None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise RowError("bad_release_date")
    year = int(value[:4])
    if not 1900 <= year <= 2100:
        raise RowError("bad_release_date")
    return value, year


def _number(row: Mapping[str, Any], name: str) -> float | None:
    text = row.get(name)
    if text is None or str(text).strip() == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(f"not_a_number:{name}") from None


def parse_features(row: Mapping[str, Any]) -> dict[str, float | int | None]:
    features: dict[str, float | int | None] = {}
    for name in AUDIO_FEATURE_NAMES:
        value = _number(row, name)
        if value is not None:
            lo, hi = _RANGES[name]
            if not lo <= value <= hi:
                raise RowError(f"out_of_range:{name}")
            if name in _INT_FEATURES:
                value = int(value)
        features[name] = value
    return features


def _text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _track_id(row: Mapping[str, Any], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not SPOTIFY_ID.fullmatch(value):
        raise RowError("bad_track_id")
    return value


def _duration(row: Mapping[str, Any]) -> int | None:
    value = _number(row, "duration_ms")
    if value is not None and value <= 0:
        raise RowError("out_of_range:duration_ms")
    return None if value is None else int(value)


def normalise_track(dataset: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """One CSV row (a dict by header) → a catalog track with ``sources`` for each field set."""
    doc: dict[str, Any]
    if dataset == "maharshipandya":
        artists = [a for a in (row.get("artists") or "").split(";") if a.strip()]
        genre = _text(row, "track_genre")
        doc = {
            "_id": _track_id(row, "track_id"),
            "name": _text(row, "track_name"),
            "artist_names": [a.strip() for a in artists],
            "album_name": _text(row, "album_name"),
            "duration_ms": _duration(row),
            "explicit": parse_bool(row.get("explicit")),
            "genres": [genre] if genre else [],
        }
    elif dataset == "rodolfofigueroa":
        release_date, year = parse_release(row.get("release_date"))
        doc = {
            "_id": _track_id(row, "id"),
            "name": _text(row, "name"),
            "artist_names": parse_list(row.get("artists")),
            "artist_ids": parse_list(row.get("artist_ids")),
            "album_id": _text(row, "album_id"),
            "album_name": _text(row, "album"),
            "release_date": release_date,
            "release_year": year,
            "duration_ms": _duration(row),
            "explicit": parse_bool(row.get("explicit")),
        }
    elif dataset == "yamaerenay":
        release_date, year = parse_release(row.get("release_date"))
        doc = {
            "_id": _track_id(row, "id"),
            "name": _text(row, "name"),
            "artist_names": parse_list(row.get("artists")),
            "artist_ids": parse_list(row.get("id_artists")),
            "release_date": release_date,
            "release_year": year,
            "duration_ms": _duration(row),
            "explicit": parse_bool(row.get("explicit")),
        }
    else:
        raise FormatError(f"not a track dataset: {dataset}")
    features = parse_features(row)
    has_any = any(v is not None for v in features.values())
    doc["features"] = [features.get(name) for name in AUDIO_FEATURE_NAMES] if has_any else None
    doc = {k: v for k, v in doc.items() if k == "_id" or v not in (None, [])}
    doc["sources"] = {ANY_FIELD: f"kaggle:{dataset}"}
    return doc


def normalise_artist(row: Mapping[str, Any]) -> dict[str, Any]:
    """A yamaerenay ``artists.csv`` row → ``{_id, name, genres, sources}``."""
    artist_id = (row.get("id") or "").strip()
    if not SPOTIFY_ID.fullmatch(artist_id):
        raise RowError("bad_artist_id")
    doc: dict[str, Any] = {
        "_id": artist_id,
        "name": _text(row, "name"),
        "genres": parse_list(row.get("genres")),
    }
    doc = {k: v for k, v in doc.items() if k == "_id" or v not in (None, [])}
    doc["sources"] = {ANY_FIELD: "kaggle:yamaerenay"}
    return doc


def merge_tracks(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two rows with one id → one doc: genres united (sorted), other fields from the smaller row."""
    first = min((a, b), key=lambda d: repr(sorted((k, v) for k, v in d.items() if k != "genres")))
    merged = dict(first)
    genres = sorted(set(a.get("genres", [])) | set(b.get("genres", [])))
    if genres:
        merged["genres"] = genres
        genre_source = field_sources(a).get("genres") or field_sources(b).get("genres")
        merged["sources"] = compact_sources(field_sources(merged) | {"genres": str(genre_source)})
    return merged
