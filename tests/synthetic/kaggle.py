"""Synthetic files in the Kaggle datasets' schemas (tests and the benchmark).

    from tests.synthetic.kaggle import write_tracks_features, write_yamaerenay
    write_tracks_features(Path("tracks_features.csv"), rows=1_200_000, seed=1)
    write_yamaerenay(Path("folder"), rows=500, seed=1)  # tracks.csv + artists.csv
    write_catalog_of(Path("dataset.csv"), Library().tracks[:200])  # tracks of a generated export

Both reuse the genre profiles of `generate_sample`, and reproduce the quirks: list-literal artist
columns (names with quotes and commas), mixed-precision release dates, float time signatures.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from kaggle_seed.generate_sample import GENRES, base62_id, make_artists, make_features, write_csv

RODOLFO_HEADER = [
    "id",
    "name",
    "album",
    "album_id",
    "artists",
    "artist_ids",
    "track_number",
    "disc_number",
    "explicit",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
    "time_signature",
    "year",
    "release_date",
]
YAMA_TRACKS = [
    "id",
    "name",
    "popularity",
    "duration_ms",
    "explicit",
    "artists",
    "id_artists",
    "release_date",
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
]
YAMA_ARTISTS = ["id", "followers", "genres", "name", "popularity"]
_ODD_NAMES = ["Guns N' Roses", 'The "Quoted" Band', "Earth, Wind & Fire"]


def _release(rng: random.Random) -> str:
    year = rng.randint(1960, 2020)
    return str(year) if rng.random() < 0.4 else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _artist_pool(rng: random.Random, n: int) -> list[tuple[str, str, tuple[str, ...]]]:
    artists = make_artists(rng, n)
    pool = [(base62_id(rng), a.name, a.genres) for a in artists]
    for i, name in enumerate(_ODD_NAMES):
        pool[i] = (pool[i][0], name, pool[i][2])
    return pool


def write_tracks_features(path: Path, rows: int, seed: int = 1, n_artists: int = 2000) -> Path:
    """`tracks_features.csv` of `rows` rows (streamed: memory stays small for millions)."""
    rng = random.Random(seed)
    pool = _artist_pool(rng, n_artists)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(RODOLFO_HEADER)
        album_id, album, album_left = "", "", 0
        for _ in range(rows):
            if album_left == 0:
                album_id, album, album_left = (
                    base62_id(rng),
                    f"Album {rng.randrange(10**6)}",
                    rng.randint(1, 12),
                )
                artists = rng.sample(pool, 2 if rng.random() < 0.1 else 1)
                release = _release(rng)
            album_left -= 1
            f = make_features(rng, artists[0][2][0])
            out.writerow(
                [
                    base62_id(rng),
                    f"Song {rng.randrange(10**7)}",
                    album,
                    album_id,
                    repr([a[1] for a in artists]),
                    repr([a[0] for a in artists]),
                    rng.randint(1, 12),
                    1,
                    f["explicit"],
                    f["danceability"],
                    f["energy"],
                    float(max(f["key"], 0)),
                    f["loudness"],
                    f["mode"],
                    f["speechiness"],
                    f["acousticness"],
                    f["instrumentalness"],
                    f["liveness"],
                    f["valence"],
                    f["tempo"],
                    f["duration_ms"],
                    float(f["time_signature"]),
                    release[:4],
                    release,
                ]
            )
    return path


def write_catalog_of(path: Path, tracks: list[dict], seed: int = 1) -> Path:
    """A maharshipandya `dataset.csv` (features and a genre per track) of exactly these tracks
    ({id, name, artist, album, duration}, e.g. `tests.synthetic.exports.Library().tracks`):
    a catalog that knows some of a generated export's tracks, by id and by artist + name."""
    rng = random.Random(seed)
    rows = []
    for t in tracks:
        genre = rng.choice(sorted(GENRES))
        features = {**make_features(rng, genre), "duration_ms": t["duration"]}
        rows.append(
            {
                "track_id": t["id"],
                "artists": t["artist"],
                "album_name": t["album"],
                "track_name": t["name"],
                "popularity": rng.randint(0, 90),
                **features,
                "track_genre": genre,
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(rows, path)
    return path


def write_yamaerenay(folder: Path, rows: int, seed: int = 1, n_artists: int = 100) -> Path:
    """`tracks.csv` + `artists.csv` (artist genres as list literals, often empty)."""
    rng = random.Random(seed)
    pool = _artist_pool(rng, n_artists)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "artists.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(YAMA_ARTISTS)
        for aid, name, genres in pool:
            shown = [] if rng.random() < 0.3 else [g.replace("-", " ") for g in genres]
            out.writerow([aid, float(rng.randint(0, 10**6)), repr(shown), name, rng.randint(0, 90)])
    with (folder / "tracks.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(YAMA_TRACKS)
        for _ in range(rows):
            artists = rng.sample(pool, 2 if rng.random() < 0.1 else 1)
            f = make_features(rng, artists[0][2][0])
            out.writerow(
                [
                    base62_id(rng),
                    f"Song {rng.randrange(10**7)}",
                    rng.randint(0, 80),
                    f["duration_ms"],
                    int(bool(f["explicit"])),
                    repr([a[1] for a in artists]),
                    repr([a[0] for a in artists]),
                    _release(rng),
                    f["danceability"],
                    f["energy"],
                    f["key"],
                    f["loudness"],
                    f["mode"],
                    f["speechiness"],
                    f["acousticness"],
                    f["instrumentalness"],
                    f["liveness"],
                    f["valence"],
                    f["tempo"],
                    f["time_signature"],
                ]
            )
    return folder


__all__ = ["GENRES", "write_catalog_of", "write_tracks_features", "write_yamaerenay"]
