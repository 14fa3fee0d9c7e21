"""Gold documents for integration tests, written by the real writer: play documents
(`pipeline.enrich.play_document`) stored, then `pipeline.rollup_plan.rebuild_rollups` over their days.

    plays = write_plays(mongo_db, settings, "alice", [listen(end, "Song", "Artist", ms=200_000)])
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import gold
from core.events import PlayEvent
from core.settings import Settings
from pipeline import writes
from pipeline.enrich import play_document
from pipeline.job import JobConfig
from pipeline.rollup_plan import rebuild_rollups

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
                gold.play_id(event.event_id),
                [event.model_dump()],
                None,
                {},
                zone,
                settings.stream_threshold_ms,
            )
        )
    writes.write_plays(db, docs)
    cfg = JobConfig.from_settings(settings)
    rebuild_rollups(db, cfg, user, zone, {d["local_day"] for d in docs}, {d["_id"]: d for d in docs})
    return docs
