"""Pure parts of the batch package: inbox success rule, digest week and top artists, and the
data-quality recomputation of a day rollup from its plays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from batch.digest import top_artists, week_days
from batch.inbox import succeeded
from batch.quality import day_problems, recompute_day
from core import gold

UTC = dt.UTC
T = dt.datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_inbox_success_rule() -> None:
    assert succeeded({"status": "done", "totals": {"published": 3, "skipped": 1}})
    assert succeeded(
        {"status": "done", "totals": {"published": 0, "duplicates": 5, "skipped": 0}}
    )  # re-import
    assert not succeeded({"status": "done", "totals": {"published": 0, "skipped": 1}})
    assert not succeeded({"status": "failed", "totals": {"published": 3}})


def test_week_days_end_inclusive() -> None:
    assert week_days(dt.date(2026, 3, 8)) == [f"2026-03-0{d}" for d in range(2, 9)]


def _artists(*rows: tuple[str, str, float]) -> dict[str, Any]:
    return {"rows": gold.pack_rows([{"key": k, "name": n, "minutes": m, "streams": 1} for k, n, m in rows])}


def test_weekly_top_artists_merge_the_days_rows_by_key() -> None:
    days = [
        _artists(("nora", "Nora", 20.0), ("ida", "Ida", 25.0)),
        _artists(("ida", "Ida", 10.0), ("zoe", "Zoe", 40.0)),
        _artists(("nora", "Nora", 30.0)),
    ]
    assert top_artists(days, 2) == [("Nora", 50.0), ("Zoe", 40.0)]
    assert top_artists([], 3) == []


def _play(i: str, day: str = "2026-03-02", minutes: float = 3.0, counted: bool = True, **over: Any) -> dict:
    play = {"_id": i, "user_id": "u", "local_day": day, "minutes": minutes, "counted": counted}
    return play | {"skip": not counted, "ended_at": T + dt.timedelta(minutes=len(i))} | over


def _day(plays: list[dict], **over: Any) -> tuple[dict, dict, dict]:
    """A stored day total, its track document and its month (as the writer would store them)."""
    fresh = recompute_day(plays)
    total = {"play_ids": sorted(p["_id"] for p in plays), **fresh} | over
    rows = [
        {"key": p["_id"], "streams": int(p["counted"]), "plays": 1, "minutes": p["minutes"]} for p in plays
    ]
    month = {"series": {"2026-03-02": {f: total[f] for f in ("streams", "plays", "minutes", "skips")}}}
    return total, {"rows": gold.pack_rows(rows)}, month


def test_recompute_day_counts_streams_minutes_skips_and_the_span() -> None:
    plays = [_play("a"), _play("bb", minutes=0.1, counted=False), _play("ccc", minutes=4.5)]
    assert recompute_day(plays) == {
        "streams": 2,
        "plays": 3,
        "minutes": pytest.approx(7.6),
        "skips": 1,
        "first_played": T + dt.timedelta(minutes=1),
        "last_played": T + dt.timedelta(minutes=3),
    }


def test_a_day_that_equals_its_plays_has_no_problems() -> None:
    plays = [_play("a"), _play("bb", minutes=0.1, counted=False)]
    total, tracks, month = _day(plays)
    by_id = {p["_id"]: p for p in plays}
    assert day_problems("u", "2026-03-02", total, by_id, set(by_id), tracks, month) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"total": {"streams": 5}}, "streams 5≠1"),
        ({"total": {"minutes": 3.2}}, "minutes 3.2≠3.1"),
        ({"unlisted": "zz"}, "1 plays of the day not listed (e.g. zz)"),
        ({"moved": "a"}, "1 listed plays belong to another day/user (e.g. a)"),
        ({"lost": "a"}, "1 listed plays not stored (e.g. a)"),
        ({"no_month": True}, "missing from its month's series"),
        ({"tracks": []}, "track rows sum: streams 0≠1"),
        ({"no_total": True}, "no day rollup although user_stats lists the day as active"),
    ],
)
def test_each_way_a_day_can_differ_from_its_plays_is_reported(change: dict, expected: str) -> None:
    plays = [_play("a"), _play("bb", minutes=0.1, counted=False)]
    total, tracks, month = _day(plays, **change.get("total", {}))
    by_id = {p["_id"]: p for p in plays}
    on_day = set(by_id)
    if "unlisted" in change:
        on_day.add(change["unlisted"])
    if "moved" in change:
        by_id[change["moved"]] = by_id[change["moved"]] | {"local_day": "2026-03-03"}
        on_day.discard(change["moved"])
    if "lost" in change:
        del by_id[change["lost"]]
        on_day.discard(change["lost"])
    if "tracks" in change:
        tracks = {"rows": gold.pack_rows(change["tracks"])}
    problems = day_problems(
        "u",
        "2026-03-02",
        None if change.get("no_total") else total,
        by_id,
        on_day,
        tracks,
        None if change.get("no_month") else month,
    )
    assert any(expected in p for p in problems), problems
