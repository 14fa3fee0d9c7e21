"""Pure logic of the dashboard: periods, ranking, changes, taste, recommendations, Wrapped PNG."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from consumer.now_playing import current
from core import gold
from streamlit_app import logic, recommend, wrapped_image
from streamlit_app.periods import Period, cover, preset, previous, series_keys, week_of


def test_presets() -> None:
    today = date(2024, 5, 17)  # a Friday
    assert preset("today", today) == Period(today, today, "today")
    assert preset("this week", today).start == date(2024, 5, 13)
    assert preset("this month", today) == Period(date(2024, 5, 1), date(2024, 5, 31), "this month")
    assert preset("this year", today).end == date(2024, 12, 31)
    assert preset("all time", today, date(2019, 3, 2)).start == date(2019, 3, 2)
    with pytest.raises(ValueError, match="unknown period preset"):
        preset("fortnight", today)


def test_previous_period() -> None:
    assert previous(Period(date(2024, 3, 1), date(2024, 3, 31))) == Period(
        date(2024, 2, 1), date(2024, 2, 29)
    )
    assert previous(Period(date(2024, 1, 1), date(2024, 1, 31))) == Period(
        date(2023, 12, 1), date(2023, 12, 31)
    )
    assert previous(Period(date(2024, 1, 1), date(2024, 12, 31))) == Period(
        date(2023, 1, 1), date(2023, 12, 31)
    )
    assert previous(Period(date(2024, 5, 13), date(2024, 5, 19))) == Period(
        date(2024, 5, 6), date(2024, 5, 12)
    )


def test_cover_uses_fewest_documents() -> None:
    assert cover(date(2024, 1, 1), date(2024, 12, 31)) == [("year", "2024")]
    assert cover(date(2023, 12, 30), date(2024, 2, 29)) == [
        ("day", "2023-12-30"),
        ("day", "2023-12-31"),
        ("month", "2024-01"),
        ("month", "2024-02"),
    ]
    keys = cover(date(2020, 1, 1), date(2024, 3, 2))
    assert keys[:4] == [("year", "2020"), ("year", "2021"), ("year", "2022"), ("year", "2023")]
    assert keys[4:] == [
        ("month", "2024-01"),
        ("month", "2024-02"),
        ("day", "2024-03-01"),
        ("day", "2024-03-02"),
    ]
    # a range holding the first and the last possible play is the all-time document
    first, today = date(2019, 3, 2), date(2024, 3, 2)
    assert cover(first, today, first, today) == [("all", "all")]
    assert cover(date(2019, 1, 1), date(2024, 12, 31), first, today) == [("all", "all")]
    assert cover(date(2024, 1, 1), date(2024, 12, 31), first, today) == [("year", "2024")]


def test_series_keys_and_weeks() -> None:
    assert series_keys(date(2024, 1, 30), date(2024, 3, 1), "month") == [
        ("month", "2024-01"),
        ("month", "2024-02"),
        ("month", "2024-03"),
    ]
    assert len(series_keys(date(2024, 1, 1), date(2024, 1, 31), "day")) == 31
    assert week_of("2024-12-30") == "2025-W01"


def test_change_and_sum() -> None:
    assert logic.change(120, 100) == 20.0
    assert logic.change(5, 0) is None
    assert logic.sum_totals([{"streams": 2, "minutes": 1.5}, {"streams": 3, "plays": 4}]) == {
        "streams": 5,
        "plays": 4,
        "minutes": 1.5,
        "skips": 0,
        "other": {},
    }


def test_sum_keeps_podcasts_and_audiobooks_apart() -> None:
    pod = {"streams": 1, "plays": 2, "minutes": 40.0, "skips": 1}
    book = {"streams": 1, "plays": 1, "minutes": 20.0, "skips": 0}
    docs = [
        {"streams": 2, "plays": 2, "minutes": 7.0, "other": {"episode": pod}},
        {"streams": 1, "plays": 1, "minutes": 3.0, "other": {"episode": pod, "audiobook": book}},
    ]
    total = logic.sum_totals(docs)
    assert (total["streams"], total["minutes"]) == (3, 10.0)  # music only
    assert total["other"]["episode"] == {"streams": 2, "plays": 4, "minutes": 80.0, "skips": 2}
    shown = logic.other_figures(total)
    assert [(k, label, c["minutes"]) for k, label, c in shown] == [
        ("episode", "Podcasts", 80.0),
        ("audiobook", "Audiobooks", 20.0),
    ]
    assert logic.other_figures(logic.sum_totals([{"streams": 1}])) == []


def test_period_query_params_round_trip() -> None:
    from streamlit_app.periods import Period, from_param, latest_with_plays, to_param

    month = Period(date(2024, 5, 1), date(2024, 5, 31))
    assert to_param("this month", month) == "this-month"
    assert from_param("this-month") == ("this month", None)
    assert from_param(to_param("custom", month)) == ("custom", (date(2024, 5, 1), date(2024, 5, 31)))
    assert from_param("2023-02") == ("custom", (date(2023, 2, 1), date(2023, 2, 28)))
    assert from_param("2023") == ("custom", (date(2023, 1, 1), date(2023, 12, 31)))
    for bad in ("", None, "soon", "2024-13", "2024-05-09..2024-05-01"):
        assert from_param(bad) is None
    latest = latest_with_plays("this month", date(2025, 11, 17))
    assert (latest.start, latest.end, latest.label) == (
        date(2025, 11, 1),
        date(2025, 11, 30),
        "November 2025",
    )
    year = latest_with_plays("this year", date(2025, 11, 17))
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_rank_rows_merges_periods() -> None:
    fields = gold.ENTITY_FIELDS
    t = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)

    def row(key: str, streams: int, minutes: float, first: int | None = None, tid: str | None = None) -> list:
        values = {"key": key, "name": key.upper(), "streams": streams, "plays": streams, "minutes": minutes}
        values |= {"first_played": first, "last_played": first, "track_id": tid}
        return [values.get(f) for f in fields]

    p1 = [row("b", 4, 1.0), row("a", 3, 10.0, t)]
    p2 = [row("a", 2, 5.0, t - 86_400_000, "id-a"), row("c", 4, 1.0)]
    ranked = [logic.ranked(fields, r) for r in logic.rank_rows(fields, [p1, p2])]
    assert [(e.name, e.streams, e.minutes) for e in ranked] == [("A", 5, 15.0), ("B", 4, 1.0), ("C", 4, 1.0)]
    assert ranked[0].first_played == datetime(2023, 12, 31, tzinfo=UTC)
    assert ranked[0].last_played == datetime(2024, 1, 1, tzinfo=UTC) and ranked[0].track_id == "id-a"
    by_minutes = logic.rank_rows(fields, [p1, p2], "minutes")
    assert [logic.ranked(fields, r).name for r in by_minutes] == ["A", "B", "C"]
    assert logic.rank_rows(fields, [p1], "minutes")[0][0] == "a"  # one period: its rows, re-ordered
    assert p1[0][fields.index("streams")] == 4  # the input rows are not changed by merging


def test_current_streak_runs_until_a_day_is_missed() -> None:
    today = date(2024, 5, 17)
    assert logic.current_streak(4, today, today) == 4
    assert logic.current_streak(4, date(2024, 5, 16), today) == 4  # today is not over yet
    assert logic.current_streak(4, date(2024, 5, 15), today) == 0
    assert logic.current_streak(0, None, today) == 0


def test_best_period_of_a_series() -> None:
    assert logic.best_period({"2024-01": 3, "2024-02": 5, "2024-03": 5}) == ("2024-02", 5)
    assert logic.best_period({}) is None


def test_taste_label_and_similarity() -> None:
    assert logic.taste_label({}) == "Still learning your taste"
    assert logic.taste_label({"energy": 0.8, "danceability": 0.7}) == "High-energy dancer"
    assert logic.taste_label({"energy": 0.3, "acousticness": 0.9}) == "Acoustic soul"
    same = dict.fromkeys(gold.RADAR_FEATURES, 0.5)
    assert logic.similarity(same, same) == 100.0
    assert logic.similarity({}, same) is None


def test_nearest_excludes_played_and_explains() -> None:
    means = dict.fromkeys(gold.RADAR_FEATURES, 0.5)
    catalog = [
        {"_id": "played", "features": means},
        {"_id": "near", "features": {**means, "energy": 0.55}},
        {"_id": "far", "features": dict.fromkeys(gold.RADAR_FEATURES, 0.9)},
        {"_id": "nofeat", "features": None},
        {"_id": "by-name", "name": "Halo!", "artist_names": ["Beyoncé"], "features": means},
    ]
    recs = recommend.nearest(means, catalog, {"played", "beyonce|halo"})  # ids and 'artist|track' keys
    assert [r["_id"] for r in recs] == ["near", "far"]
    assert recs[0]["why"].startswith("danceability 0.50 (you 0.50)")


def test_wrapped_png_renders() -> None:
    summary = logic.wrapped(
        {"minutes": 1234.4, "streams": 99},
        {"artist": [], "track": []},
        3,
        {"1990s": 10.0, "2010s": 2.0},
        {"energy": 0.9, "danceability": 0.9},
    )
    assert summary["listening_age"] == "1990s" and summary["taste"] == "High-energy dancer"
    png = wrapped_image.render(summary, "2024")
    assert Image.open(io.BytesIO(png)).size == (1080, 1350)


def test_now_playing_staleness() -> None:
    now = datetime(2024, 5, 1, 12, tzinfo=UTC)
    doc = {
        "_id": "u",
        "user_id": "u",
        "observed_at": now - timedelta(seconds=10),
        "is_playing": True,
        "progress_ms": 1000,
        "duration_ms": 200_000,
        "track_name": "X",
        "artist_names": ["Y"],
    }
    state = current(doc, now, 120)
    assert state is not None and state.progress_ms == 11_000
    assert current(doc, now + timedelta(seconds=200), 120) is None
    assert current(None, now, 120) is None
