"""Rollups equivalent to a long listening history for one user, written straight to MongoDB.

    from bench.seed import seed_history
    counts = seed_history(db, "bench-user", plays=1_000_000, years=8, entity_days=90)

Totals exist for every day, month and year; entity rows (track/artist/album/genre/decade/
platform) for every month, year and all time, and for the last `entity_days` days. Distinct
entities per period follow a long-tail catalog, so the document counts are realistic for the
number of plays.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.collections import Coll, rollup_id

PER_PERIOD = {  # distinct entities per period: (day, month, year, all)
    "track": (150, 800, 3000, 10000),
    "artist": (60, 200, 600, 2000),
    "album": (90, 400, 1200, 4000),
    "genre": (15, 30, 60, 80),
    "decade": (5, 6, 7, 7),
    "platform": (2, 3, 3, 3),
}
GRAIN_INDEX = {"day": 0, "month": 1, "year": 2, "all": 3}


def _entities(
    user: str, grain: str, period: str, streams: int, rng: random.Random, now: datetime
) -> list[dict]:
    docs = []
    for etype, sizes in PER_PERIOD.items():
        n = sizes[GRAIN_INDEX[grain]]
        weights = [1 / (i + 1) for i in range(n)]
        total_w = sum(weights)
        keys = rng.sample(range(n * 3), n)
        for i in range(n):
            s = max(1, round(streams * weights[i] / total_w))
            key = f"{etype}{keys[i]}" if etype != "decade" else f"{1950 + 10 * i}s"
            docs.append(
                {
                    "_id": rollup_id(user, grain, period, etype, key),
                    "user_id": user,
                    "grain": grain,
                    "period": period,
                    "entity_type": etype,
                    "entity_key": key,
                    "name": key.title(),
                    "artist_name": "Artist" if etype in ("track", "album") else None,
                    "streams": s,
                    "plays": s,
                    "minutes": s * 3.4,
                    "first_played": now - timedelta(days=900),
                    "last_played": now,
                }
            )
    return docs


def seed_history(
    db: Any, user: str, plays: int = 1_000_000, years: int = 8, entity_days: int = 90, seed: int = 7
) -> dict[str, int]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    end = now.date()
    start = date(end.year - years + 1, 1, 1)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    per_day = [rng.uniform(0.3, 1.7) for _ in days]
    scale = plays / sum(per_day)
    day_streams = {d: round(w * scale) for d, w in zip(days, per_day, strict=True)}
    totals: dict[tuple[str, str], int] = {}
    for d, s in day_streams.items():
        for g, p in (
            ("day", d.isoformat()),
            ("month", d.strftime("%Y-%m")),
            ("year", str(d.year)),
            ("all", "all"),
        ):
            totals[(g, p)] = totals.get((g, p), 0) + s
    tdocs = [
        {
            "_id": rollup_id(user, g, p),
            "user_id": user,
            "grain": g,
            "period": p,
            "streams": s,
            "plays": round(s * 1.15),
            "minutes": s * 3.4,
            "skips": round(s * 0.15),
        }
        for (g, p), s in totals.items()
    ]
    edocs: list[dict] = []
    recent = {d.isoformat() for d in days[-entity_days:]} if entity_days else set()
    for (g, p), s in totals.items():
        if g != "day" or p in recent:
            edocs += _entities(user, g, p, s, rng, now)
    for coll in (Coll.ROLLUP_TOTALS, Coll.ROLLUP_ENTITIES, Coll.ROLLUP_HEATMAP, Coll.USER_STATS, Coll.USERS):
        db[coll.value].delete_many({})
    for coll, docs in ((Coll.ROLLUP_TOTALS, tdocs), (Coll.ROLLUP_ENTITIES, edocs)):
        for i in range(0, len(docs), 5000):
            db[coll.value].insert_many(docs[i : i + 5000], ordered=False)
    cells = [
        {"weekday": w, "hour": h, "streams": rng.randrange(5000), "minutes": 1.0}
        for w in range(7)
        for h in range(24)
    ]
    db[Coll.ROLLUP_HEATMAP.value].insert_one(
        {
            "_id": rollup_id(user, "all", "all"),
            "user_id": user,
            "grain": "all",
            "period": "all",
            "cells": cells,
        }
    )
    db[Coll.USER_STATS.value].insert_one(
        {
            "_id": user,
            "current_streak": 3,
            "longest_streak": 40,
            "sessions": 60000,
            "avg_session_minutes": 50.0,
            "first_played": now - timedelta(days=len(days)),
            "last_played": now,
            "total_streams": plays,
            "total_minutes": plays * 3.4,
        }
    )
    db[Coll.USERS.value].insert_one({"_id": user, "display_name": "Bench", "time_zone": "UTC", "demo": True})
    return {
        "rollup_totals": len(tdocs),
        "rollup_entities": len(edocs),
        "plays_equivalent": sum(day_streams.values()),
    }
