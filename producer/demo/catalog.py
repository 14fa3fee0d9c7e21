"""The demo listener's catalogue: tracks from a Kaggle CSV in the maharshipandya schema.

    tracks = load_catalog(settings.kaggle_dir / "sample_dataset.csv")

Columns used: track_id, artists (';'-joined), album_name, track_name, duration_ms, explicit,
track_genre and the audio features. Rows repeat a track under several genres; they are merged
(genres become a list). Rows without a track id, name or artist are dropped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from core.errors import EarshotError
from core.events import AUDIO_FEATURE_NAMES, AudioFeatures, CatalogEvent, stable_id, utc_now

CANDIDATES = ("dataset.csv", "sample_dataset.csv")


@dataclass
class DemoTrack:
    track_id: str
    name: str
    artists: list[str]
    album: str | None
    duration_ms: int
    explicit: bool | None
    genres: list[str] = field(default_factory=list)
    features: AudioFeatures | None = None

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.track_id}"


def find_catalog(kaggle_dir: Path) -> Path:
    for name in CANDIDATES:
        if (kaggle_dir / name).is_file():
            return kaggle_dir / name
    raise EarshotError(
        f"the demo needs a track catalogue: none of {', '.join(CANDIDATES)} in {kaggle_dir} "
        "(run `python -m kaggle_seed.generate_sample` or point EARSHOT_KAGGLE_DIR at the Kaggle data)"
    )


def _features(row: dict[str, str]) -> AudioFeatures | None:
    values: dict[str, Any] = {}
    for name in AUDIO_FEATURE_NAMES:
        raw = (row.get(name) or "").strip()
        if raw:
            values[name] = int(float(raw)) if name in ("key", "mode", "time_signature") else float(raw)
    try:
        return AudioFeatures(**values) if values else None
    except ValidationError:
        return None  # out-of-range values in the source: keep the track, drop its features


def load_catalog(path: Path, limit: int | None = None) -> list[DemoTrack]:
    tracks: dict[str, DemoTrack] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            track_id = (row.get("track_id") or "").strip()
            artists = [a.strip() for a in (row.get("artists") or "").split(";") if a.strip()]
            name = (row.get("track_name") or "").strip()
            if not track_id or not artists or not name:
                continue
            genre = (row.get("track_genre") or "").strip()
            if track_id in tracks:
                if genre and genre not in tracks[track_id].genres:
                    tracks[track_id].genres.append(genre)
                continue
            try:
                duration = int(float(row.get("duration_ms") or 0))
            except ValueError:
                continue
            if duration < 30_000:
                continue
            tracks[track_id] = DemoTrack(
                track_id=track_id,
                name=name,
                artists=artists,
                album=(row.get("album_name") or None),
                duration_ms=duration,
                explicit={"True": True, "False": False}.get(row.get("explicit", "")),
                genres=[genre] if genre else [],
                features=_features(row),
            )
            if limit and len(tracks) >= limit:
                break
    if not tracks:
        raise EarshotError(f"no usable tracks in {path} (expected the maharshipandya Kaggle columns)")
    return list(tracks.values())


def catalog_event(track: DemoTrack) -> CatalogEvent:
    return CatalogEvent(
        event_id=stable_id("demo-catalog", track.track_id),
        user_id="demo",
        entity="track",
        entity_id=track.track_id,
        source="demo",
        fetched_at=utc_now(),
        name=track.name,
        artist_names=track.artists,
        album_name=track.album,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        genres=track.genres,
        features=track.features,
    )
