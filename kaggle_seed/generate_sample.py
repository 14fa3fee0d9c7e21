"""Generate the offline sample catalog in the maharshipandya "Spotify Tracks Dataset" schema.

The real dataset (Kaggle `maharshipandya/-spotify-tracks-dataset`, file `dataset.csv`) cannot be
committed, so earshot ships a small *synthetic* file with the exact same header and quirks:

- an unnamed leading index column (pandas reads it as ``Unnamed: 0``);
- ``track_id`` is a 22-character base62 string; ``artists`` joins several artists with ``;``;
- ``explicit`` is ``True``/``False``; ``key`` -1..11, ``mode`` 0/1, ``time_signature`` in {0,1,3,4,5};
- the same track sometimes appears twice under two genres (same id, same features);
- exactly one row has empty ``artists``/``album_name``/``track_name``, like the real file.

Artists have a home genre (and sometimes a second one), and every genre has an audio-feature
profile, so artists have consistent tendencies (metal is loud and energetic, ambient is
acoustic and instrumental, ...). The output is fully determined by ``--seed``.

Usage::

    python -m kaggle_seed.generate_sample                       # -> kaggle_seed/data/sample_dataset.csv
    python -m kaggle_seed.generate_sample --tracks 3000 --artists 300 --seed 7 --out /tmp/x.csv
"""

from __future__ import annotations

import argparse
import csv
import logging
import random
from dataclasses import dataclass
from pathlib import Path

from kaggle_seed import sample_names

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).parent / "data" / "sample_dataset.csv"
HEADER = [
    "",
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
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
    "time_signature",
    "track_genre",
]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# genre -> (danceability, energy, loudness dB, speechiness, acousticness, instrumentalness,
#           valence, tempo BPM, explicit probability, mean duration s)
GENRES: dict[str, tuple[float, float, float, float, float, float, float, float, float, int]] = {
    "acoustic": (0.55, 0.40, -10.0, 0.04, 0.70, 0.02, 0.45, 112, 0.02, 215),
    "alt-rock": (0.48, 0.75, -6.0, 0.05, 0.08, 0.05, 0.42, 126, 0.15, 235),
    "ambient": (0.30, 0.20, -20.0, 0.04, 0.85, 0.85, 0.15, 95, 0.00, 300),
    "blues": (0.52, 0.50, -9.0, 0.05, 0.45, 0.10, 0.55, 110, 0.03, 260),
    "classical": (0.28, 0.15, -22.0, 0.04, 0.93, 0.80, 0.20, 100, 0.00, 320),
    "country": (0.58, 0.62, -7.0, 0.04, 0.25, 0.01, 0.58, 120, 0.05, 205),
    "dance": (0.75, 0.80, -5.0, 0.07, 0.05, 0.10, 0.60, 124, 0.10, 200),
    "deep-house": (0.78, 0.70, -7.0, 0.06, 0.05, 0.55, 0.45, 122, 0.02, 330),
    "disco": (0.75, 0.72, -8.0, 0.05, 0.15, 0.05, 0.80, 118, 0.01, 245),
    "drum-and-bass": (0.55, 0.90, -4.5, 0.08, 0.02, 0.40, 0.35, 174, 0.05, 280),
    "edm": (0.65, 0.85, -4.0, 0.07, 0.03, 0.20, 0.40, 128, 0.08, 210),
    "folk": (0.50, 0.35, -11.0, 0.04, 0.75, 0.05, 0.45, 108, 0.01, 225),
    "funk": (0.78, 0.68, -7.5, 0.07, 0.15, 0.10, 0.80, 108, 0.05, 240),
    "gospel": (0.50, 0.50, -8.0, 0.05, 0.45, 0.00, 0.50, 100, 0.00, 280),
    "hip-hop": (0.78, 0.65, -6.5, 0.25, 0.15, 0.01, 0.50, 98, 0.70, 205),
    "indie": (0.55, 0.58, -8.0, 0.04, 0.30, 0.10, 0.45, 118, 0.10, 220),
    "jazz": (0.55, 0.35, -12.0, 0.05, 0.70, 0.35, 0.50, 115, 0.01, 290),
    "k-pop": (0.70, 0.78, -4.5, 0.08, 0.12, 0.00, 0.60, 122, 0.05, 205),
    "latin": (0.75, 0.75, -5.0, 0.09, 0.20, 0.00, 0.70, 100, 0.20, 210),
    "metal": (0.38, 0.93, -4.0, 0.09, 0.01, 0.20, 0.30, 135, 0.20, 270),
    "piano": (0.40, 0.15, -20.0, 0.04, 0.95, 0.85, 0.25, 100, 0.00, 200),
    "pop": (0.68, 0.68, -5.5, 0.06, 0.15, 0.00, 0.55, 120, 0.15, 200),
    "punk": (0.45, 0.92, -4.5, 0.07, 0.02, 0.01, 0.55, 160, 0.25, 160),
    "r-n-b": (0.68, 0.55, -7.0, 0.10, 0.20, 0.01, 0.50, 100, 0.35, 220),
    "reggae": (0.78, 0.60, -7.5, 0.12, 0.15, 0.02, 0.75, 90, 0.05, 230),
    "rock": (0.50, 0.78, -6.0, 0.05, 0.10, 0.05, 0.50, 125, 0.05, 240),
    "sad": (0.50, 0.35, -10.0, 0.06, 0.55, 0.02, 0.25, 110, 0.20, 200),
    "soul": (0.60, 0.50, -8.5, 0.06, 0.35, 0.02, 0.60, 105, 0.01, 225),
    "techno": (0.70, 0.85, -8.0, 0.06, 0.03, 0.80, 0.30, 130, 0.00, 360),
    "world-music": (0.60, 0.55, -9.0, 0.06, 0.45, 0.15, 0.60, 112, 0.01, 250),
}


@dataclass(frozen=True)
class Artist:
    name: str
    genres: tuple[str, ...]
    popularity: int


def base62_id(rng: random.Random) -> str:
    """A Spotify-like 22-character base62 id."""
    return "".join(rng.choice(BASE62) for _ in range(22))


def make_artists(rng: random.Random, n: int) -> list[Artist]:
    """Artists with a home genre (round-robin, so every genre has artists) and sometimes a second."""
    genres = list(GENRES)
    taken: set[str] = set()
    artists = []
    for i in range(n):
        home = genres[i % len(genres)]
        extra = (rng.choice(genres),) if rng.random() < 0.25 else ()
        pop = max(0, min(95, int(rng.gauss(40, 20))))
        artists.append(
            Artist(sample_names.artist_name(rng, taken), (home, *[g for g in extra if g != home]), pop)
        )
    return artists


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def make_features(rng: random.Random, genre: str) -> dict[str, object]:
    """Audio features drawn around the genre profile."""
    dance, energy, loud, speech, acoustic, instr, valence, tempo, p_explicit, dur_s = GENRES[genre]
    instrumentalness = (
        _clip(rng.gauss(instr, 0.15)) if rng.random() < 0.6 or instr > 0.3 else rng.random() * 1e-4
    )
    return {
        "duration_ms": max(30_000, int(rng.gauss(dur_s, dur_s * 0.2) * 1000)),
        "explicit": rng.random() < p_explicit,
        "danceability": round(_clip(rng.gauss(dance, 0.1)), 3),
        "energy": round(_clip(rng.gauss(energy, 0.12)), 3),
        "key": rng.choice(range(-1, 12)) if rng.random() < 0.01 else rng.randrange(12),
        "loudness": round(_clip(rng.gauss(loud, 2.5), -45.0, 1.5), 3),
        "mode": 1 if rng.random() < 0.62 else 0,
        "speechiness": round(_clip(rng.gauss(speech, 0.03), 0.022, 0.96), 4),
        "acousticness": float(f"{_clip(rng.gauss(acoustic, 0.15), 1e-6, 0.996):.3g}"),
        "instrumentalness": float(f"{instrumentalness:.3g}"),
        "liveness": round(_clip(rng.lognormvariate(-1.8, 0.6), 0.01, 0.99), 4),
        "valence": round(_clip(rng.gauss(valence, 0.15)), 3),
        "tempo": round(_clip(rng.gauss(tempo, 10), 40, 220), 3),
        "time_signature": rng.choices([4, 3, 5, 1, 0], weights=[90, 7, 2, 0.7, 0.3])[0],
    }


def generate_rows(n_tracks: int = 3000, n_artists: int = 300, seed: int = 42) -> list[dict[str, object]]:
    """Rows in dataset.csv order (without the index column), grouped by genre like the real file."""
    rng = random.Random(seed)
    artists = make_artists(rng, n_artists)
    by_genre: dict[str, list[dict[str, object]]] = {g: [] for g in GENRES}
    albums: dict[str, list[str]] = {}
    seen_ids: set[str] = set()
    n_unique = int(n_tracks * 0.93)
    for _ in range(n_unique):
        lead = rng.choice(artists)
        genre = rng.choice(lead.genres)
        names = [lead.name]
        if rng.random() < 0.15:
            names.append(
                rng.choice([a for a in artists if genre in a.genres and a is not lead] or artists).name
            )
        track_id = base62_id(rng)
        while track_id in seen_ids:
            track_id = base62_id(rng)
        seen_ids.add(track_id)
        own_albums = albums.setdefault(lead.name, [sample_names.title(rng) for _ in range(rng.randint(1, 4))])
        title = sample_names.title(rng)
        row: dict[str, object] = {
            "track_id": track_id,
            "artists": ";".join(names),
            "album_name": title if rng.random() < 0.2 else rng.choice(own_albums),
            "track_name": title,
            "popularity": 0 if rng.random() < 0.08 else max(0, min(100, int(rng.gauss(lead.popularity, 12)))),
            **make_features(rng, genre),
            "track_genre": genre,
        }
        by_genre[genre].append(row)
    # the same track listed under a second genre (same id and features), as in the real file
    originals = [r for rows in by_genre.values() for r in rows]
    for row in rng.sample(originals, n_tracks - n_unique - 1):
        other = rng.choice([g for g in GENRES if g != row["track_genre"]])
        by_genre[other].append({**row, "track_genre": other})
    # the one row with empty names
    blank_genre = rng.choice(list(GENRES))
    blank = {**make_features(rng, blank_genre), "track_genre": blank_genre}
    by_genre[blank_genre].append(
        {
            "track_id": base62_id(rng),
            "artists": "",
            "album_name": "",
            "track_name": "",
            "popularity": 0,
            **blank,
        }
    )
    return [r for g in GENRES for r in by_genre[g]]


def write_csv(rows: list[dict[str, object]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, row in enumerate(rows):
            writer.writerow([i, *(row[c] for c in HEADER[1:])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=3000, help="rows to write (default 3000)")
    parser.add_argument("--artists", type=int, default=300, help="distinct artists (default 300)")
    parser.add_argument("--seed", type=int, default=42, help="random seed; same seed → same file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = generate_rows(args.tracks, args.artists, args.seed)
    write_csv(rows, args.out)
    log.info(
        "wrote %d rows (%d distinct tracks) to %s", len(rows), len({r["track_id"] for r in rows}), args.out
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
