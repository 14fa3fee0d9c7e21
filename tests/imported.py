"""An old listening history imported as a new user would, then a Kaggle catalog loaded after it.

Generated files in every layout Spotify has used — extended history of both generations
(`endsong_*.json`, `Streaming_History_Audio_*.json`), account data of both layouts
(`StreamingHistory_music_0.json` + podcast/audiobook files, and the older `StreamingHistory0.json`),
a playlist file — go through the real importer, Kafka and the Spark plays and playlist jobs;
then a catalog that knows every other track of the export's library (by id, and by artist +
name) is loaded with `kaggle_seed.load.backfill`, which re-enriches the plays. The expected
numbers are counted here from the generated records, not from the pipeline's code.

    history = import_then_load(settings, spark, folder, checkpoints)
    history["may_music"]["streams"], history["by_name"], history["report_before"] ...
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from producer.importer import import_path
from tests.synthetic.exports import (
    Library,
    account_audiobooks,
    account_music,
    account_podcasts,
    extended_records,
    playlist_doc,
    write_json,
)
from tests.synthetic.kaggle import write_catalog_of

USER = "imported"  # sorts before the seeded users: the app's default pick unless ?user= says
LAST_MONTH = "2024-05"  # the history ends in May 2024 (music and audiobooks); April: podcasts


def write_history(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """The export's files; returns their records by layout."""
    files = {
        "Spotify Extended Streaming History/Streaming_History_Audio_2015_0.json": extended_records(
            500, "new", seed=100
        ),
        "MyData/endsong_0.json": extended_records(
            500, "old", seed=5000, start=datetime(2016, 1, 1, tzinfo=UTC)
        ),
        "MyData (2022)/StreamingHistory0.json": account_music(
            300, seed=9, start=datetime(2022, 6, 1, tzinfo=UTC)
        ),
        "MyData/StreamingHistory_music_0.json": account_music(400, start=datetime(2024, 5, 10, tzinfo=UTC)),
        "MyData/StreamingHistory_podcast_0.json": account_podcasts(20),
        "MyData/StreamingHistory_audiobook_0.json": account_audiobooks(5),
    }
    for name, records in files.items():
        write_json(folder / name, records, pretty=not name.endswith("endsong_0.json"))
    write_json(folder / "MyData/Playlist1.json", playlist_doc())
    return files


def _run(module: Any, spark: Any, settings: Any, checkpoint: Path) -> None:
    query = module.build_stream(spark, settings, checkpoint=checkpoint)
    try:
        query.processAllAvailable()
    finally:
        query.stop()


def expected_numbers(files: dict[str, list[dict[str, Any]]], known: list[dict[str, Any]]) -> dict[str, Any]:
    ids = {t["id"] for t in known}
    names = {(t["artist"], t["name"]) for t in known}
    extended = [r for name, rs in files.items() if "endsong" in name or "Audio" in name for r in rs]
    account = [
        r for name, rs in files.items() if "StreamingHistory" in name and "trackName" in rs[0] for r in rs
    ]
    ext_music = [r for r in extended if r["spotify_track_uri"]]
    by_id = sum(1 for r in ext_music if r["spotify_track_uri"].rsplit(":", 1)[1] in ids)
    by_name = sum(1 for r in account if (r["artistName"], r["trackName"]) in names)
    may = [r for r in account if r["endTime"].startswith(LAST_MONTH)]
    current = files["MyData/StreamingHistory_music_0.json"]
    return {
        "music_plays": len(ext_music) + len(account),
        "by_id": by_id,
        "by_name": by_name,
        "current_by_name": sum(1 for r in current if (r["artistName"], r["trackName"]) in names),
        "current_plays": len(current),
        "may_music": {
            "plays": len(may),
            "streams": sum(1 for r in may if r["msPlayed"] >= 30_000),
            "minutes": sum(r["msPlayed"] for r in may) / 60000,
        },
        "may_audiobooks": {
            "plays": len(files["MyData/StreamingHistory_audiobook_0.json"]),
            "minutes": sum(r["msPlayed"] for r in files["MyData/StreamingHistory_audiobook_0.json"]) / 60000,
        },
        "april_podcasts": {"plays": len(files["MyData/StreamingHistory_podcast_0.json"])},
        "shows": sorted({r["podcastName"] for r in files["MyData/StreamingHistory_podcast_0.json"]}),
        "podcast_ids": {r["spotify_episode_uri"] for r in extended if r["spotify_episode_uri"]},
    }


def import_then_load(settings: Any, spark: Any, folder: Path, checkpoints: Path) -> dict[str, Any]:
    """Import the history, stream it through Spark, then load a catalog of half its tracks."""
    from kaggle_seed.load import backfill
    from spark_jobs import playlists, plays

    files = write_history(folder / "export")
    report_before = import_path(settings, folder / "export", USER)
    _run(plays, spark, settings, checkpoints / "imported-plays")
    _run(playlists, spark, settings, checkpoints / "imported-playlists")
    known = Library().tracks[::2]
    write_catalog_of(folder / "catalog" / "dataset.csv", known)
    loaded = backfill(settings, folder / "catalog", spark=spark, user_id=USER)
    again = folder / "export" / "MyData" / "StreamingHistory_music_0.json"
    report_after = import_path(settings, again, USER)  # with the catalog there: its match rate
    return expected_numbers(files, known) | {
        "report_before": report_before,
        "report_after": report_after,
        "loaded": loaded,
        "known": known,
    }
