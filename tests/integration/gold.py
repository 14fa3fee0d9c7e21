"""Gold documents for integration tests, written by the real writer: play documents
(`spark_jobs.enrich.play_document`) stored, then `spark_jobs.store.rebuild_rollups` over their days.

    plays = write_plays(mongo_db, settings, "alice", [listen(end, "Song", "Artist", ms=200_000)])
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.collections import play_id
from core.events import PlayEvent
from core.settings import Settings
from spark_jobs.enrich import play_document
from spark_jobs.store import JobConfig, rebuild_rollups, replace_plays

Doc = dict[str, Any]


def listen(ended_at: datetime, track: str, artist: str, ms: int = 200_000, **fields: Any) -> Doc:
    """One play's fields (PlayEvent names); the event id is made by `write_plays`."""
    return {"ended_at": ended_at, "track_name": track, "artist_names": [artist], "ms_played": ms, **fields}


def write_plays(db: Any, settings: Settings, user: str, listens: list[Doc], zone: str = "UTC") -> list[Doc]:
    """Store the plays and rebuild every rollup of their days; returns the play documents."""
    docs = []
    for i, fields in enumerate(listens):
        event_id = f"{user}-{fields['ended_at'].timestamp():.0f}-{i}"
        event = PlayEvent(event_id=event_id, user_id=user, source="demo", **fields)
        docs.append(
            play_document(
                user,
                play_id(user, event.event_id),
                [event.model_dump()],
                None,
                {},
                zone,
                settings.stream_threshold_ms,
            )
        )
    replace_plays(db, docs)
    cfg = JobConfig.from_settings(settings)
    rebuild_rollups(db, cfg, user, zone, {d["local_day"] for d in docs}, {d["_id"]: d for d in docs})
    return docs
