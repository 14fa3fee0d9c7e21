"""Synthetic "Download your data" files in Spotify's real layouts (tests, benchmark, trying out).

    from tests.synthetic.exports import write_export
    write_export(folder, extended=20_000, account=500)      # a realistic folder of files

Deterministic for a given seed. Both extended-history generations are produced: old
(`endsong_*.json`, compact, `username`, `offline_timestamp` in ms) and current
(`Streaming_History_Audio_*.json`, pretty-printed, `ip_addr`, audiobook fields, seconds).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ARTISTS = [
    "Radiohead",
    "Björk",
    "Nils Frahm",
    "Little Simz",
    "Khruangbin",
    "Caribou",
    "Fever Ray",
    "Bonobo",
    "Arooj Aftab",
    "Floating Points",
    "Kae Tempest",
    "Moderat",
]
PLATFORMS_OLD = [
    "iOS 14.7.1 (iPhone10,3)",
    "Android OS 9 API 28 (samsung, SM-G950F)",
    "Windows 10 (10.0.19041; x64)",
]
PLATFORMS_NEW = ["android", "ios", "windows", "osx", "web_player"]
REASONS_START = ["trackdone", "clickrow", "fwdbtn", "backbtn", "playbtn", "appload"]
REASONS_END = ["trackdone", "endplay", "fwdbtn", "backbtn", "logout"]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def spotify_id(rng: random.Random) -> str:
    return "".join(rng.choice(BASE62) for _ in range(22))


class Library:
    """A small fixed catalogue the generated plays draw from."""

    def __init__(self, seed: int = 7, tracks: int = 400):
        rng = random.Random(seed)
        self.tracks = [
            {
                "id": spotify_id(rng),
                "name": f"Song {i}",
                "artist": ARTISTS[i % len(ARTISTS)],
                "album": f"Album {i // 10}",
                "duration": rng.randint(120_000, 360_000),
            }
            for i in range(tracks)
        ]
        self.episodes = [
            {"id": spotify_id(rng), "name": f"Episode {i}", "show": f"Show {i % 5}"} for i in range(40)
        ]


def extended_records(
    n: int,
    generation: str = "new",
    seed: int = 1,
    start: datetime | None = None,
    library: Library | None = None,
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lib = library or Library()
    moment = start or datetime(2019, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        moment += timedelta(seconds=rng.randint(30, 600))
        podcast = rng.random() < 0.05
        t = rng.choice(lib.tracks)
        ms = t["duration"] if rng.random() < 0.7 else rng.randint(0, t["duration"])
        offline = rng.random() < 0.1
        start_s = int(moment.timestamp() - ms / 1000)
        rec: dict[str, Any] = {
            "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "platform": rng.choice(PLATFORMS_NEW if generation == "new" else PLATFORMS_OLD),
            "ms_played": ms,
            "conn_country": rng.choice(["DE", "GB", "US"]),
            "master_metadata_track_name": None if podcast else t["name"],
            "master_metadata_album_artist_name": None if podcast else t["artist"],
            "master_metadata_album_album_name": None if podcast else t["album"],
            "spotify_track_uri": None if podcast else f"spotify:track:{t['id']}",
            "episode_name": None,
            "episode_show_name": None,
            "spotify_episode_uri": None,
            "reason_start": rng.choice(REASONS_START),
            "reason_end": rng.choice(REASONS_END),
            "shuffle": rng.random() < 0.4,
            "skipped": (ms < 30_000) if generation == "new" else None,
            "offline": offline,
            "offline_timestamp": (start_s if generation == "new" else start_s * 1000) if offline else 0,
            "incognito_mode": False,
        }
        if podcast:
            e = rng.choice(lib.episodes)
            rec.update(
                episode_name=e["name"],
                episode_show_name=e["show"],
                spotify_episode_uri=f"spotify:episode:{e['id']}",
            )
        if generation == "new":
            rec.update(
                ip_addr="203.0.113.7",
                audiobook_title=None,
                audiobook_uri=None,
                audiobook_chapter_uri=None,
                audiobook_chapter_title=None,
            )
        else:
            rec.update(username="someone", ip_addr_decrypted="203.0.113.7", user_agent_decrypted="unknown")
        out.append(rec)
    return out


def account_music(n: int, seed: int = 2, start: datetime | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    lib = Library()
    moment = start or datetime(2024, 3, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        moment += timedelta(seconds=rng.randint(30, 400))
        t = rng.choice(lib.tracks)
        out.append(
            {
                "endTime": moment.strftime("%Y-%m-%d %H:%M"),
                "artistName": t["artist"],
                "trackName": t["name"],
                "msPlayed": rng.randint(0, t["duration"]),
            }
        )
    return out


def account_podcasts(n: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "endTime": f"2024-04-{1 + i % 28:02d} 0{i % 10}:1{i % 6}",
            "podcastName": f"Show {i % 3}",
            "episodeName": f"Episode {i}",
            "msPlayed": rng.randint(60_000, 3_000_000),
        }
        for i in range(n)
    ]


def account_audiobooks(n: int) -> list[dict[str, Any]]:
    return [
        {
            "endTime": f"2024-05-{1 + i % 28:02d} 21:{i % 60:02d}",
            "audiobookName": "The Long Book",
            "chapterName": f"Chapter {i + 1}",
            "authorName": "A. Writer",
            "msPlayed": 1_200_000,
        }
        for i in range(n)
    ]


def playlist_doc(library: Library | None = None, playlists: int = 2, size: int = 12) -> dict[str, Any]:
    lib = library or Library()
    return {
        "playlists": [
            {
                "name": f"Export mix {p}",
                "lastModifiedDate": f"2024-06-0{p + 1}",
                "description": None,
                "numberOfFollowers": 0,
                "items": [
                    {
                        "track": {
                            "trackName": t["name"],
                            "artistName": t["artist"],
                            "albumName": t["album"],
                            "trackUri": f"spotify:track:{t['id']}",
                        },
                        "episode": None,
                        "audiobook": None,
                        "localTrack": None,
                        "addedDate": "2024-05-01",
                    }
                    for t in lib.tracks[p * size : (p + 1) * size]
                ],
            }
            for p in range(playlists)
        ]
    }


def library_doc(library: Library | None = None, size: int = 10) -> dict[str, Any]:
    lib = library or Library()
    return {
        "tracks": [
            {
                "artist": t["artist"],
                "album": t["album"],
                "track": t["name"],
                "uri": f"spotify:track:{t['id']}",
            }
            for t in lib.tracks[:size]
        ],
        "albums": [],
        "shows": [],
        "episodes": [],
        "bannedTracks": [],
        "artists": [],
        "bannedArtists": [],
        "other": [],
    }


def write_json(path: Path, doc: Any, pretty: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(doc, indent=2, separators=(",", " : ")) if pretty else json.dumps(doc), encoding="utf-8"
    )
    return path


def write_extended(folder: Path, total: int, per_file: int = 16_000, generation: str = "new") -> list[Path]:
    """`total` extended-history records split into files of `per_file`, named as Spotify does."""
    paths, start = [], datetime(2015, 1, 1, tzinfo=UTC)
    for index in range((total + per_file - 1) // per_file):
        n = min(per_file, total - index * per_file)
        records = extended_records(
            n, generation, seed=(100 if generation == "new" else 5000) + index, start=start
        )
        start = datetime.fromisoformat(records[-1]["ts"])
        name = (
            f"Spotify Extended Streaming History/Streaming_History_Audio_{start.year}_{index}.json"
            if generation == "new"
            else f"MyData/endsong_{index}.json"
        )
        paths.append(write_json(folder / name, records, pretty=generation == "new"))
    return paths


def write_export(folder: Path, extended: int = 2_000, account: int = 300, account_old: int = 0) -> Path:
    """A folder with one file of every kind the importer understands; with `account_old`, that
    many music rows of 2022 in the older account-data layout (`StreamingHistory0.json`, music and
    podcasts in one file) too."""
    write_extended(folder, extended // 2, per_file=max(1, extended // 4), generation="new")
    write_extended(folder / "old", extended - extended // 2, per_file=max(1, extended // 4), generation="old")
    write_json(folder / "MyData/StreamingHistory_music_0.json", account_music(account))
    if account_old:
        older = account_music(account_old, seed=9, start=datetime(2022, 6, 1, tzinfo=UTC))
        write_json(folder / "MyData (2022)/StreamingHistory0.json", older)
    write_json(folder / "MyData/StreamingHistory_podcast_0.json", account_podcasts(20))
    write_json(folder / "MyData/StreamingHistory_audiobook_0.json", account_audiobooks(5))
    write_json(folder / "MyData/Playlist1.json", playlist_doc())
    write_json(folder / "MyData/YourLibrary.json", library_doc())
    write_json(folder / "MyData/Userdata.json", {"username": "someone", "country": "DE"})
    return folder
