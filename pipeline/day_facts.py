"""What the day documents are summed from: the plays of the rebuilt days as *facts* (one row per
thing a play counts for), the facts summed per (user, day, table, key), and each day's
sessions and taste accumulator (`DayInfo`).

    cols = facts(user_id, plays, infos)    # {column: [values]}: FACT_COLUMNS, ready for Arrow
    sums = sum_facts(cols)                 # [{SUM_COLUMNS}]: what spark_jobs.aggregates computes
    docs = rollups.day_documents(user_id, sums)

The plays job sums the facts with Spark's engine (a DataFrame group-by, `spark_jobs.aggregates`);
jobs without a JVM (reprocessing, imports' seeds, tests) sum them here. Both sums follow the same
rules, so the day documents come out the same either way (tests/integration/test_spark_process.py):

- counts add up (`streams`, `plays`, `ms`, `skips`); minutes are summed as whole milliseconds, so
  the sum does not depend on the order of the plays;
- `first` / `last`: the earliest and latest `ended_at`;
- `name`, `artist`, `track_id`: of the best play — one with a track id (a richer source) first,
  then the earliest (ended_at, play id);
- `play_ids` (table `_total` only): [{at, id}] of its plays, by (ended_at, play id);
- `info` (table `_day` only): the day's sessions, taste accumulator and the user's zone, as JSON.

Tables: an entity type (`track`, `artist`, …: core.gold.ENTITY_TYPES, key = entity key), `_total`
(key = the play's kind: music is 'track'), `_cell` (music only, key = 'weekday:hour') and `_day`
(one per rebuilt day, also when it has no plays left).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline import profiles
from pipeline.entities import MUSIC, entities, is_music

Doc = dict[str, Any]
TOTAL, CELL, DAY = "_total", "_cell", "_day"
FACT_COLUMNS = (
    "user_id",
    "day",
    "table",
    "key",
    "name",
    "artist",
    "track_id",
    "rich",
    "play_id",
    "ended_at",
    "streams",
    "ms",
    "skip",
    "info",
)
SUM_COLUMNS = (
    "user_id",
    "day",
    "table",
    "key",
    "streams",
    "plays",
    "ms",
    "skips",
    "first",
    "last",
    "name",
    "artist",
    "track_id",
    "play_ids",
    "info",
)
NAMED = ("track", "episode")  # entity types whose rows keep a track id


@dataclass
class DayInfo:
    """What a rebuilt day's documents need besides the sums: its sessions (the ones that started
    on it), its taste accumulator (music plays, weighted by minutes) and the user's zone."""

    zone: str
    sessions: list[Doc] = field(default_factory=list)
    taste: Doc | None = None

    def encode(self) -> str:
        listed = [
            {k: s[k].isoformat() if k in ("start", "end") else s[k] for k in SESSION_FIELDS}
            for s in self.sessions
        ]
        return json.dumps({"zone": self.zone, "sessions": listed, "taste": self.taste})

    @classmethod
    def decode(cls, text: str) -> DayInfo:
        data = json.loads(text)
        listed = [
            {k: datetime.fromisoformat(s[k]) if k in ("start", "end") else s[k] for k in SESSION_FIELDS}
            for s in data["sessions"]
        ]
        return cls(data["zone"], listed, data["taste"])


SESSION_FIELDS = ("start", "end", "plays", "streams", "minutes")


def day_infos(
    plays: Iterable[Doc], days: Iterable[str], sessions_by_day: dict[str, list[Doc]], zone: str
) -> dict[str, DayInfo]:
    """{day: DayInfo} of the rebuilt `days` from their plays and sessions."""
    infos = {
        d: DayInfo(zone, [{k: s[k] for k in SESSION_FIELDS} for s in sessions_by_day.get(d, [])])
        for d in days
    }
    for play in plays:
        info = infos.get(play["local_day"])
        if info is None or not is_music(play):
            continue
        if info.taste is None:
            info.taste = profiles.new_acc()
        profiles.add(
            info.taste, play.get("features"), play["minutes"], play.get("release_year"), play.get("genres")
        )
    return infos


def facts(user_id: str, plays: Iterable[Doc], infos: dict[str, DayInfo]) -> dict[str, list[Any]]:
    """The facts of these plays (pass every play of the `infos`' days), as columns, plus one
    `_day` row per day of `infos`. Plays are taken in play order, so the rows are too."""
    cols: dict[str, list[Any]] = {c: [] for c in FACT_COLUMNS}

    def row(day: str, table: str, key: str, play: Doc | None, name: Any = None, artist: Any = None) -> None:
        values = (user_id, day, table, key, name, artist)
        for column, value in zip(FACT_COLUMNS[:6], values, strict=True):
            cols[column].append(value)
        if play is None:
            for column in FACT_COLUMNS[6:-1]:
                cols[column].append(None)
            cols["info"].append(infos[day].encode())
            return
        tid = play.get("track_id")
        cols["track_id"].append(tid if table in NAMED else None)
        cols["rich"].append(bool(tid))
        cols["play_id"].append(play["_id"])
        cols["ended_at"].append(play["ended_at"])
        cols["streams"].append(int(play["counted"]))
        cols["ms"].append(int(play["ms_played"]))
        cols["skip"].append(int(play["skip"]))
        cols["info"].append(None)

    for play in sorted(plays, key=lambda p: (p["ended_at"], p["_id"])):
        day = play["local_day"]
        if day not in infos:
            continue
        row(day, TOTAL, play.get("kind") or MUSIC, play)
        if is_music(play):
            row(day, CELL, f"{play['weekday']}:{play['local_hour']}", play)
        for etype, key, name, artist in entities(play):
            row(day, etype, key, play, name, artist)
    for day in sorted(infos):
        row(day, DAY, "", None)
    return cols


def rebuilt(sums: Iterable[Doc]) -> tuple[set[str], str | None]:
    """The rebuilt days of summed facts and the user's zone (None: no day was rebuilt)."""
    infos = {s["day"]: s["info"] for s in sums if s["table"] == DAY}
    zone = DayInfo.decode(next(iter(infos.values()))).zone if infos else None
    return set(infos), zone


def sum_facts(cols: dict[str, list[Any]]) -> list[Doc]:
    """The facts summed per (user, day, table, key) in Python (the rules: module docstring)."""
    sums: dict[tuple[str, str, str, str], Doc] = {}
    best: dict[tuple[str, str, str, str], tuple[Any, ...]] = {}
    ids: dict[tuple[str, str, str, str], list[tuple[Any, str]]] = {}
    for i in range(len(cols["user_id"])):
        group = (cols["user_id"][i], cols["day"][i], cols["table"][i], cols["key"][i])
        acc = sums.get(group)
        if acc is None:
            acc = sums[group] = dict(zip(SUM_COLUMNS[:4], group, strict=True))
            acc |= {"streams": 0, "plays": 0, "ms": 0, "skips": 0, "first": None, "last": None}
            acc |= {"name": None, "artist": None, "track_id": None, "play_ids": [], "info": None}
        if cols["info"][i] is not None:
            acc["info"] = cols["info"][i]
            continue
        at, play_id = cols["ended_at"][i], cols["play_id"][i]
        acc["streams"] += cols["streams"][i]
        acc["plays"] += 1
        acc["ms"] += cols["ms"][i]
        acc["skips"] += cols["skip"][i]
        acc["first"] = at if acc["first"] is None else min(acc["first"], at)
        acc["last"] = at if acc["last"] is None else max(acc["last"], at)
        rank = (not cols["rich"][i], at, play_id)
        if group not in best or rank < best[group]:
            best[group] = rank
            acc.update(name=cols["name"][i], artist=cols["artist"][i], track_id=cols["track_id"][i])
        if group[2] == TOTAL:
            ids.setdefault(group, []).append((at, play_id))
    for group, listed in ids.items():
        sums[group]["play_ids"] = [{"at": at, "id": i} for at, i in sorted(listed)]
    return list(sums.values())
