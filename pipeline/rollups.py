"""Gold rollups from silver plays (pure Python): day buckets from plays, then month, year and
all-time buckets from the complete documents of the level below — absolute values, so
recomputing a bucket after a replay, a late play or a restart gives the same documents.

    docs = day_rollups(user_id, plays, sessions_by_day)   # {collection: [docs]} for the plays' days
    docs = roll_up(user_id, "month", lower_docs)          # from the day docs of the touched months

Document shapes, ids and the codec: core.gold (the contract; docs/gold.md). Every document's
`_id` is derived from (user, grain, period[, entity_type]), so the writer (pipeline.store) finds
what to replace by `_id` alone.

Music apart from the rest: a totals document's `streams`, `plays`, `minutes`, `skips` (and so
user_stats, streaks, the heatmap and taste profiles) count music plays (kind 'track') only;
podcast episodes, audiobooks and videos are counted in its `other` {kind: counts} and ranked as
`show` / `episode` entities. Sessions and `play_ids` hold every play.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from core import gold
from core.collections import Coll
from pipeline import day_facts, profiles
from pipeline.entities import MUSIC

Doc = dict[str, Any]
COLLECTIONS: tuple[Coll, ...] = (
    Coll.ROLLUP_TOTALS,
    Coll.ROLLUP_ENTITIES,
    Coll.ROLLUP_ENTITY_ROWS,
    Coll.ROLLUP_ENTITY_KEYS,
    Coll.ROLLUP_HEATMAP,
    Coll.TASTE_PROFILES,
)
BUCKETED = (Coll.ROLLUP_ENTITY_ROWS, Coll.ROLLUP_ENTITY_KEYS)  # ids listed through the totals' `buckets`
INPUTS = (
    Coll.ROLLUP_TOTALS,
    Coll.ROLLUP_ENTITY_ROWS,
    Coll.ROLLUP_HEATMAP,
    Coll.TASTE_PROFILES,
)  # a roll-up reads


def doc_ids(user_id: str, grain: str, periods: Iterable[str]) -> dict[Coll, list[str]]:
    """`_id`s of the gold documents of the given periods, per collection (the BUCKETED ones: the
    heads' ids; their buckets are counted by the periods' totals)."""
    periods = sorted(set(periods))
    ids = {coll: [gold.period_id(user_id, grain, p) for p in periods] for coll in COLLECTIONS}
    heads = [gold.head_id(user_id, grain, p, t) for p in periods for t in gold.ENTITY_TYPES]
    ids[Coll.ROLLUP_ENTITIES] = ids[Coll.ROLLUP_ENTITY_ROWS] = heads
    ids[Coll.ROLLUP_ENTITY_KEYS] = [h for h in heads if gold.split(h)[-1] in gold.KEYED_TYPES]
    return ids


def _counts() -> Doc:
    return {"streams": 0, "plays": 0, "minutes": 0.0, "skips": 0}


def _add(target: Doc, source: Doc) -> None:
    target["streams"] += source.get("streams", 0)
    target["plays"] += source.get("plays", 0)
    target["minutes"] += source.get("minutes", 0)
    target["skips"] += source.get("skips", 0)


def _add_other(target: Doc, other: Doc) -> None:
    """Add {kind: counts} onto a totals accumulator's `other`."""
    for kind, counts in (other or {}).items():
        _add(target["other"].setdefault(kind, _counts()), counts)


def _span(target: Doc, first: Any, last: Any) -> None:
    if first is not None and (target["first_played"] is None or first < target["first_played"]):
        target["first_played"] = first
    if last is not None and (target["last_played"] is None or last > target["last_played"]):
        target["last_played"] = last


class _Buckets:
    """Accumulators for one grain: totals, entity rows, heatmap cells, taste, per period."""

    def __init__(self) -> None:
        self.totals: dict[str, Doc] = {}
        self.ents: dict[tuple[str, str], dict[str, Doc]] = {}
        self.cells: dict[str, dict[tuple[int, int], Doc]] = {}
        self.taste: dict[str, list[Doc]] = {}
        # all time: the local month each entity was first played in ({(period, type): {key: month}})
        self.first_months: dict[tuple[str, str], dict[str, str]] = {}

    def total(self, period: str) -> Doc:
        base = _counts() | {"sessions": 0, "session_minutes": 0.0, "series": {}, "other": {}}
        return self.totals.setdefault(period, base | {"first_played": None, "last_played": None})

    def entity(self, period: str, etype: str, key: str, name: Any, artist: Any) -> Doc:
        rows = self.ents.setdefault((period, etype), {})
        if key not in rows:
            rows[key] = {"key": key, "name": name, "artist_name": artist, "track_id": None}
            rows[key] |= _counts() | {"first_played": None, "last_played": None, "series": {}}
        return rows[key]

    def cell(self, period: str, weekday: int, hour: int) -> Doc:
        return self.cells.setdefault(period, {}).setdefault((weekday, hour), {"streams": 0, "minutes": 0.0})

    def documents(self, user_id: str, grain: str, now: Any) -> dict[Coll, list[Doc]]:
        base = {"user_id": user_id, "grain": grain}
        out: dict[Coll, list[Doc]] = {c: [] for c in COLLECTIONS}
        buckets: dict[str, dict[str, int]] = {}
        for (period, etype), rows in self.ents.items():
            ranked = sorted(
                (r for r in rows.values() if r["plays"]),
                key=lambda r: (-r["streams"], -r["minutes"], str(r["key"])),
            )
            for rank, row in enumerate(ranked, start=1):
                row["rank"] = rank
            if ranked:
                head_id = gold.head_id(user_id, grain, period, etype)
                row_docs, key_docs = _buckets(head_id, base | {"period": period}, etype, ranked)
                out[Coll.ROLLUP_ENTITY_ROWS] += row_docs
                out[Coll.ROLLUP_ENTITY_KEYS] += key_docs
                head = _head(head_id, base | {"period": period}, etype, ranked, len(row_docs), now)
                if grain == "all":
                    head["first_heard"] = _month_counts(self.first_months.get((period, etype), {}))
                out[Coll.ROLLUP_ENTITIES].append(head)
                buckets.setdefault(period, {})[etype] = len(row_docs)
        for period, total in self.totals.items():
            if total["plays"] or total["other"]:
                doc = {"_id": gold.period_id(user_id, grain, period), **base, "period": period, **total}
                doc["buckets"] = buckets.get(period, {})
                out[Coll.ROLLUP_TOTALS].append(doc | {"updated_at": now})
        for period, cells in self.cells.items():
            listed = [{"weekday": w, "hour": h, **c} for (w, h), c in sorted(cells.items())]
            out[Coll.ROLLUP_HEATMAP].append(
                {"_id": gold.period_id(user_id, grain, period), **base, "period": period, "cells": listed}
            )
        for period, accs in self.taste.items():
            acc = accs[0] if len(accs) == 1 else profiles.merge_acc(accs)
            out[Coll.TASTE_PROFILES].append(
                {
                    "_id": gold.period_id(user_id, grain, period),
                    **base,
                    "period": period,
                    **profiles.finish(acc),
                    "acc": acc,
                    "updated_at": now,
                }
            )
        return out


def _head(head_id: str, base: Doc, etype: str, ranked: list[Doc], buckets: int, now: Any) -> Doc:
    by_minutes = sorted(ranked[: gold.TOP_N * 4], key=lambda r: (-r["minutes"], -r["streams"], str(r["key"])))
    if len(ranked) > gold.TOP_N * 4:  # the top by minutes is not always within the top by streams
        by_minutes = sorted(ranked, key=lambda r: (-r["minutes"], -r["streams"], str(r["key"])))
    return {
        "_id": head_id,
        **base,
        "entity_type": etype,
        "count": len(ranked),
        "buckets": buckets,
        "top": gold.pack_rows([r | {"series": None} for r in ranked[: gold.TOP_N]]),
        "top_minutes": gold.pack_rows([r | {"series": None} for r in by_minutes[: gold.TOP_N]]),
        "updated_at": now,
    }


def _month_counts(first_months: dict[str, str]) -> dict[str, int]:
    """{month: how many entities were first played in it} (ascending months)."""
    return dict(Counter(sorted(first_months.values())))


def _row_bytes(row: Doc) -> int:
    """A generous estimate of a row's BSON size (field names, values, `series` entries)."""
    text = len(str(row["key"])) + len(str(row["name"] or "")) + len(str(row["artist_name"] or ""))
    return 250 + 2 * text + 32 * len(row["series"] or ())


def bucket_count(ranked: list[Doc]) -> int:
    """Buckets for a head's rows: ROWS_PER_BUCKET on average, more if they would pass
    BUCKET_BYTES (a bucket holds ~1/n of the rows by key hash)."""
    by_rows = -(-len(ranked) // gold.ROWS_PER_BUCKET)
    by_bytes = -(-sum(_row_bytes(r) for r in ranked) // gold.BUCKET_BYTES)
    return max(1, by_rows, by_bytes)


def _buckets(head_id: str, base: Doc, etype: str, ranked: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    """The head's rows documents and (for KEYED_TYPES) its key documents, bucket by bucket."""
    n = bucket_count(ranked)
    groups: list[list[Doc]] = [[] for _ in range(n)]
    for row in ranked:
        groups[gold.bucket_of(str(row["key"]), n)].append(row)
    meta = [base | {"entity_type": etype, "bucket": b, "buckets": n} for b in range(n)]
    rows = [
        {"_id": gold.rows_id(head_id, b, n), **m, "rows": gold.pack_rows(g)}
        for b, (m, g) in enumerate(zip(meta, groups, strict=True))
    ]
    if etype not in gold.KEYED_TYPES:
        return rows, []
    keys = [
        {
            "_id": gold.keys_id(head_id, b, n),
            **m,
            "keys": gold.pack_keys(str(k) for r in g for k in (r["key"], r["track_id"]) if k),
        }
        for b, (m, g) in enumerate(zip(meta, groups, strict=True))
    ]
    return rows, keys


def day_rollups(
    user_id: str,
    plays: Iterable[Doc],
    sessions_by_day: dict[str, list[Doc]] | None = None,
    now: Any = None,
    zone: str = "UTC",
) -> dict[Coll, list[Doc]]:
    """Every day-grain document for the days of `plays` (pass ALL plays of those days) and the
    listening sessions held by them (`sessions.sessions_by_day`): their facts summed in Python
    (`pipeline.day_facts`)."""
    plays = list(plays)
    infos = day_facts.day_infos(plays, {p["local_day"] for p in plays}, sessions_by_day or {}, zone)
    return day_documents(user_id, day_facts.sum_facts(day_facts.facts(user_id, plays, infos)), now)


def day_documents(user_id: str, sums: Iterable[Doc], now: Any = None) -> dict[Coll, list[Doc]]:
    """Every day-grain document of the summed facts of the rebuilt days (`pipeline.day_facts`:
    summed by Spark in the plays job, in Python elsewhere)."""
    b = _Buckets()
    infos: dict[str, day_facts.DayInfo] = {}
    ranks: dict[tuple[str, str, str], int] = {}  # an entity row's names: of its best-ranked group
    for s in sums:
        day, table = s["day"], s["table"]
        if table == day_facts.DAY:
            infos[day] = day_facts.DayInfo.decode(s["key"])
            continue
        one = {
            "streams": s["streams"],
            "plays": s["plays"],
            "minutes": s["ms"] / 60000.0,
            "skips": s["skips"],
        }
        if table == day_facts.TOTAL:
            total = b.total(day)
            if s["key"] == MUSIC:
                _add(total, one)
            else:
                _add_other(total, {s["key"]: one})
            _span(total, s["first"], s["last"])
        elif table == day_facts.CELL:
            weekday, hour = s["key"].split(":")
            cell = b.cell(day, int(weekday), int(hour))
            cell["streams"] += one["streams"]
            cell["minutes"] += one["minutes"]
        else:
            row = b.entity(day, table, s["key"], s["name"], s["artist"])
            group = (day, table, s["key"])
            if group not in ranks or s["rank"] < ranks[group]:
                ranks[group] = s["rank"]
                row.update(name=s["name"], artist_name=s["artist"], track_id=s["track_id"])
            _add(row, one)
            _span(row, s["first"], s["last"])
    for day, total in b.totals.items():
        info = infos.get(day) or day_facts.DayInfo("UTC")
        total["session_list"] = [dict(s) for s in info.sessions]
        total["sessions"] = len(info.sessions)
        total["session_minutes"] = sum(s["minutes"] for s in info.sessions)
        total["play_ids"] = info.play_ids  # in play order: latest last
    for day, info in infos.items():
        if info.taste is not None:
            b.taste[day] = [info.taste]
    return b.documents(user_id, "day", now)


def roll_up(user_id: str, grain: str, lower: dict[Coll, list[Doc]], now: Any = None) -> dict[Coll, list[Doc]]:
    """Documents of `grain` from the complete lower-grain documents of the same periods."""
    b = _Buckets()
    for doc in lower.get(Coll.ROLLUP_TOTALS, []):
        total = b.total(gold.parent_period(doc["grain"], doc["period"]))
        _add(total, doc)
        _add_other(total, doc.get("other") or {})
        total["sessions"] += doc.get("sessions", 0)
        total["session_minutes"] += doc.get("session_minutes", 0.0)
        _span(total, doc.get("first_played"), doc.get("last_played"))
        total["series"][doc["period"]] = {f: doc[f] for f in gold.COUNTS}
        if doc.get("other"):
            total["series"][doc["period"]]["other"] = doc["other"]
    for doc in lower.get(Coll.ROLLUP_ENTITY_ROWS, []):
        period = gold.parent_period(doc["grain"], doc["period"])
        for r in gold.unpack_rows(doc["rows"]):
            row = b.entity(period, doc["entity_type"], r["key"], r["name"], r["artist_name"])
            if r.get("track_id") and not row["track_id"]:
                row.update(track_id=r["track_id"], name=r["name"])
            _add(row, r)
            _span(row, r["first_played"], r["last_played"])
            if grain != "month":
                row["series"][doc["period"]] = r["streams"]
            if grain == "all" and r.get("series"):  # a year's row: {month played: streams}
                firsts = b.first_months.setdefault((period, doc["entity_type"]), {})
                first = min(r["series"])
                if r["key"] not in firsts or first < firsts[r["key"]]:
                    firsts[r["key"]] = first
    for doc in lower.get(Coll.ROLLUP_HEATMAP, []):
        period = gold.parent_period(doc["grain"], doc["period"])
        for c in doc["cells"]:
            cell = b.cell(period, c["weekday"], c["hour"])
            cell["streams"] += c["streams"]
            cell["minutes"] += c["minutes"]
    for doc in lower.get(Coll.TASTE_PROFILES, []):
        b.taste.setdefault(gold.parent_period(doc["grain"], doc["period"]), []).append(doc["acc"])
    return b.documents(user_id, grain, now)
