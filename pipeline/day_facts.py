"""What the day documents are summed from: the plays of the rebuilt days as *facts* (one row per
thing a play counts for), the facts summed per group, and each day's sessions, play ids and
taste accumulator (`DayInfo`).

    cols = facts(user_id, plays, infos)    # {column: [values]}: FACT_COLUMNS, ready for Arrow
    sums = sum_facts(cols)                 # [{SUM_COLUMNS}]: what spark_jobs.aggregates computes
    docs = rollups.day_documents(user_id, sums)

The plays job sums the facts with Spark's engine (a DataFrame group-by, `spark_jobs.aggregates`);
jobs without a JVM (reprocessing, imports' seeds, tests) sum them here. Both follow the same
rules, so the day documents come out the same either way (tests/unit/test_spark_transforms.py):

- a group is (user, day, table, key, name, artist, track_id): an entity whose plays spell its
  name in two ways (an account-export play without a track id, lower-cased) is two groups, and
  the day documents keep the names of the group with the smallest `rank`;
- counts add up (`streams`, `plays`, `ms`, `skips`); minutes are summed as whole milliseconds, so
  the sum does not depend on the order of the plays;
- `first` / `last`: the earliest and latest `ended_at`; `rank`: the smallest — a play's place
  in play order (ended_at, play id), plus RICHER when it has no track id, so the names of a play
  from a richer source win, then the earliest.

Every aggregate is a number or a time, so Spark sums in a hash aggregate (no sort).

Tables: an entity type (`track`, `artist`, …: core.gold.ENTITY_TYPES, key = entity key), `_total`
(key = the play's kind: music is 'track'), `_cell` (music only, key = 'weekday:hour') and `_day`
(one per rebuilt day, also when it has no plays left; key = its `DayInfo` as JSON: sessions,
play ids in play order, taste accumulator, the user's zone).
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
GROUP_COLUMNS = ("user_id", "day", "table", "key", "name", "artist", "track_id")
FACT_COLUMNS = (*GROUP_COLUMNS, "rank", "ended_at", "streams", "ms", "skip")
SUM_COLUMNS = (*GROUP_COLUMNS, "rank", "first", "last", "streams", "plays", "ms", "skips")
RICHER = 1 << 40  # added to the rank of a play without a track id
NAMED = ("track", "episode")  # entity types whose rows keep a track id


@dataclass
class DayInfo:
    """What a rebuilt day's documents need besides the sums: its sessions (the ones that started
    on it), its taste accumulator (music plays, weighted by minutes), its play ids and the
    user's zone."""

    zone: str
    sessions: list[Doc] = field(default_factory=list)
    taste: Doc | None = None
    play_ids: list[str] = field(default_factory=list)  # in play order

    def encode(self) -> str:
        listed = [
            {k: s[k].isoformat() if k in ("start", "end") else s[k] for k in SESSION_FIELDS}
            for s in self.sessions
        ]
        data = {"zone": self.zone, "sessions": listed, "taste": self.taste, "play_ids": self.play_ids}
        return json.dumps(data)

    @classmethod
    def decode(cls, text: str) -> DayInfo:
        data = json.loads(text)
        listed = [
            {k: datetime.fromisoformat(s[k]) if k in ("start", "end") else s[k] for k in SESSION_FIELDS}
            for s in data["sessions"]
        ]
        return cls(data["zone"], listed, data["taste"], data["play_ids"])


SESSION_FIELDS = ("start", "end", "plays", "streams", "minutes")


def day_infos(
    plays: Iterable[Doc], days: Iterable[str], sessions_by_day: dict[str, list[Doc]], zone: str
) -> dict[str, DayInfo]:
    """{day: DayInfo} of the rebuilt `days` from their plays and sessions."""
    infos = {
        d: DayInfo(zone, [{k: s[k] for k in SESSION_FIELDS} for s in sessions_by_day.get(d, [])])
        for d in days
    }
    for play in sorted(plays, key=_play_order):
        info = infos.get(play["local_day"])
        if info is None:
            continue
        info.play_ids.append(play["_id"])
        if not is_music(play):
            continue
        if info.taste is None:
            info.taste = profiles.new_acc()
        profiles.add(
            info.taste, play.get("features"), play["minutes"], play.get("release_year"), play.get("genres")
        )
    return infos


def _play_order(play: Doc) -> tuple[Any, str]:
    return play["ended_at"], play["_id"]


def facts(user_id: str, plays: Iterable[Doc], infos: dict[str, DayInfo]) -> dict[str, list[Any]]:
    """The facts of these plays (pass every play of the `infos`' days), as columns, plus one
    `_day` row per day of `infos`."""
    cols: dict[str, list[Any]] = {c: [] for c in FACT_COLUMNS}
    group, values = [cols[c] for c in GROUP_COLUMNS], [cols[c] for c in FACT_COLUMNS[len(GROUP_COLUMNS) :]]

    def row(keys: tuple[Any, ...], numbers: tuple[Any, ...]) -> None:
        for column, value in zip(group, keys, strict=True):
            column.append(value)
        for column, value in zip(values, numbers, strict=True):
            column.append(value)

    ordered = sorted((p for p in plays if p["local_day"] in infos), key=_play_order)
    for seq, play in enumerate(ordered):
        day, tid = play["local_day"], play.get("track_id")
        rank = seq if tid else seq + RICHER
        numbers = (rank, play["ended_at"], int(play["counted"]), int(play["ms_played"]), int(play["skip"]))
        row((user_id, day, TOTAL, play.get("kind") or MUSIC, None, None, None), numbers)
        if is_music(play):
            row((user_id, day, CELL, f"{play['weekday']}:{play['local_hour']}", None, None, None), numbers)
        for etype, key, name, artist in entities(play):
            row((user_id, day, etype, key, name, artist, tid if etype in NAMED else None), numbers)
    for day in sorted(infos):
        row((user_id, day, DAY, infos[day].encode(), None, None, None), (None,) * len(values))
    return cols


def rebuilt(sums: Iterable[Doc]) -> tuple[set[str], str | None]:
    """The rebuilt days of summed facts and the user's zone (None: no day was rebuilt)."""
    infos = {s["day"]: s["key"] for s in sums if s["table"] == DAY}
    zone = DayInfo.decode(next(iter(infos.values()))).zone if infos else None
    return set(infos), zone


def sum_facts(cols: dict[str, list[Any]]) -> list[Doc]:
    """The facts summed per group in Python (the rules: module docstring)."""
    sums: dict[tuple[Any, ...], Doc] = {}
    for i, group in enumerate(zip(*(cols[c] for c in GROUP_COLUMNS), strict=True)):
        acc = sums.get(group)
        if acc is None:
            acc = sums[group] = dict(zip(GROUP_COLUMNS, group, strict=True))
            acc |= {"rank": None, "first": None, "last": None, "streams": 0, "plays": 0, "ms": 0, "skips": 0}
        at = cols["ended_at"][i]
        if at is None:  # a `_day` row
            continue
        acc["rank"] = cols["rank"][i] if acc["rank"] is None else min(acc["rank"], cols["rank"][i])
        acc["first"] = at if acc["first"] is None else min(acc["first"], at)
        acc["last"] = at if acc["last"] is None else max(acc["last"], at)
        acc["streams"] += cols["streams"][i]
        acc["plays"] += 1
        acc["ms"] += cols["ms"][i]
        acc["skips"] += cols["skip"][i]
    return list(sums.values())
