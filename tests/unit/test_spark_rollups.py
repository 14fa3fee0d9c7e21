"""Pure logic of the plays job: dedupe/merge, enrichment, rollups, sessions, streaks, profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core import gold
from core.collections import Coll
from pipeline import profiles
from pipeline.dedupe import assign, merge, name_key, same_play
from pipeline.enrich import EVENT_FIELDS, local_fields, play_document, source_records
from pipeline.rollups import day_rollups, roll_up
from pipeline.sessions import build_sessions, streaks
from pipeline.store import candidate_days

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def ev(eid, source, at=T0, track_id="t1", ms=100_000, **kw):
    return {
        "event_id": eid,
        "source": source,
        "ended_at": at,
        "track_id": track_id,
        "ms_played": ms,
        "track_name": kw.pop("track_name", "Halo"),
        "artist_names": kw.pop("artist_names", ["Beyoncé"]),
        "ms_played_estimated": kw.pop("est", False),
        **kw,
    }


def test_name_key_ignores_case_accents_and_punctuation():
    assert name_key(["Beyoncé"], "Halo!") == name_key(["BEYONCE"], "halo") == "beyonce|halo"


def test_same_play_needs_other_source_tolerance_and_identity():
    api = ev("a", "api")
    assert same_play(api, ev("b", "export_extended", T0 + timedelta(seconds=60)), 90)
    assert not same_play(api, ev("b", "export_extended", T0 + timedelta(seconds=91)), 90)
    assert not same_play(api, ev("b", "api", T0), 90)  # a real replay, same source
    assert not same_play(api, ev("b", "export_extended", track_id="t2"), 90)
    account = ev("c", "export_account", T0.replace(second=0), track_id=None, track_name="HALO")
    assert same_play(api, account, 90)


def test_merge_prefers_richer_fields_and_actual_ms_played():
    merged = merge(
        [
            ev("a", "api", ms=200_000, est=True, album_name="A"),
            ev("x", "export_extended", T0 + timedelta(seconds=2), ms=31_000, platform="ios"),
            ev("c", "export_account", track_id=None, ms=31_000),
        ]
    )
    assert (merged["source"], merged["ms_played"], merged["ms_played_estimated"]) == (
        "export_extended",
        31_000,
        False,
    )
    assert (merged["album_name"], merged["platform"], merged["ended_at"]) == (
        "A",
        "ios",
        T0 + timedelta(seconds=2),
    )


def test_assign_folds_duplicates_and_overlaps_idempotently():
    events = [
        ev("a", "api"),
        ev("a", "api"),
        ev("x", "export_extended", T0 + timedelta(seconds=5)),
        ev("b", "api", T0 + timedelta(seconds=50)),
    ]
    plays, changed = assign(events, [], 90)
    assert sorted(len(p["records"]) for p in plays) == [1, 2] and len(changed) == 2
    again, changed_again = assign(events, plays, 90)
    assert len(again) == 2 and not changed_again


def test_local_fields_follow_the_users_zone():
    assert local_fields(datetime(2024, 6, 30, 23, 30, tzinfo=UTC), "Etc/GMT-2")["local_day"] == "2024-07-01"
    assert local_fields(datetime(2024, 1, 1, 3, 0, tzinfo=UTC), "America/New_York")["local_year"] == "2023"


def test_play_document_counts_threshold_and_genres_from_artists():
    track = {"_id": "t1", "artist_ids": ["a1"], "genres": [], "release_date": "2008-11-12"}
    doc = play_document(
        "u", "p1", [ev("a", "api", ms=29_999)], track, {"a1": {"genres": ["pop"]}}, "UTC", 30_000
    )
    assert (doc["counted"], doc["skip"], doc["genres"], doc["release_year"]) == (False, True, ["pop"], 2008)


def _plays(n_days=3):
    docs = []
    for i in range(n_days * 2):
        at = T0 + timedelta(days=i // 2, minutes=i)
        docs.append(
            play_document(
                "u",
                f"p{i}",
                [ev(f"e{i}", "api", at, ms=20_000 + 20_000 * i, platform="web")],
                None,
                {},
                "UTC",
                30_000,
            )
        )
    return docs


def test_rolled_up_months_equal_direct_month_aggregation():
    plays = _plays()
    days = day_rollups("u", plays)
    month = roll_up("u", "month", days)
    direct = day_rollups("u", [{**p, "local_day": p["local_month"]} for p in plays])
    got = month[Coll.ROLLUP_TOTALS][0]
    want = direct[Coll.ROLLUP_TOTALS][0]
    assert (got["period"], got["streams"], got["plays"], got["skips"]) == ("2024-05", want["streams"], 6, 1)
    assert got["minutes"] == pytest.approx(want["minutes"])
    doc = next(d for d in month[Coll.ROLLUP_ENTITIES] if d["entity_type"] == "track")
    (bucket,) = [d for d in month[Coll.ROLLUP_ENTITY_ROWS] if d["entity_type"] == "track"]
    (track,) = gold.unpack_rows(bucket["rows"])
    assert (doc["count"], doc["buckets"], gold.unpack_rows(doc["top"])[0]["key"], track["rank"]) == (
        1,
        1,
        track["key"],
        1,
    )
    assert month[Coll.ROLLUP_TOTALS][0]["buckets"]["track"] == 1
    assert bucket["_id"] == "u|month|2024-05|track|b0of1"
    assert (track["plays"], track["first_played"], track["last_played"]) == (
        6,
        plays[0]["ended_at"],
        plays[-1]["ended_at"],
    )
    assert doc["_id"] == "u|month|2024-05|track"
    year = roll_up("u", "year", month)
    (yearly,) = gold.unpack_rows(
        next(d for d in year[Coll.ROLLUP_ENTITY_ROWS] if d["entity_type"] == "track")["rows"]
    )
    assert yearly["series"] == {"2024-05": track["streams"]}
    assert year[Coll.ROLLUP_TOTALS][0]["series"]["2024-05"]["plays"] == 6


def test_packed_rows_round_trip_with_times():
    rows = [
        {"key": "a|b", "name": "B", "streams": 2, "minutes": 1.5, "first_played": T0, "series": {"2024": 2}}
    ]
    (back,) = gold.unpack_rows(gold.pack_rows(rows))
    assert back["first_played"] == T0 and back["series"] == {"2024": 2} and back["track_id"] is None
    assert gold.unpack_rows(None) == []


def test_child_periods_and_candidate_days():
    assert gold.child_periods("month", "2024-02")[-1] == "2024-02-29"
    assert len(gold.child_periods("year", "2024")) == 12
    assert gold.child_periods("all", "all", ["2023", "2021", "2023"]) == ["2021", "2023"]
    late = datetime(2024, 5, 1, 21, 59, 50, tzinfo=UTC)  # 23:59:50 in Berlin (UTC+2)
    assert candidate_days([late], "Europe/Berlin", 30) == {"2024-05-01", "2024-05-02"}


def test_a_session_whose_first_play_runs_past_midnight_is_kept():
    """Its start day has no play (so no day document): it is stored on the day the play ended."""
    from pipeline.sessions import sessions_by_day

    plays = []
    for i, ended in enumerate(
        [datetime(2024, 5, 2, 0, 1, tzinfo=UTC), datetime(2024, 5, 2, 0, 5, tzinfo=UTC)]
    ):
        plays.append(
            {
                "_id": f"p{i}",
                "local_day": "2024-05-02",
                "ended_at": ended,
                "ms_played": 240_000,  # the first started at 23:57 the day before
                "minutes": 4.0,
                "counted": True,
                "skip": False,
                "name_key": "a|b",
                "track_name": "B",
                "artist_names": ["A"],
                "weekday": ended.weekday(),
                "local_hour": 0,
            }
        )
    by_day = sessions_by_day("u", plays, 10, "UTC")
    assert list(by_day) == ["2024-05-02"]
    assert by_day["2024-05-02"][0]["start"] == datetime(2024, 5, 1, 23, 57, tzinfo=UTC)
    docs = day_rollups("u", plays, by_day)
    for grain in ("month", "year", "all"):
        docs = roll_up("u", grain, docs)
    (total,) = docs[Coll.ROLLUP_TOTALS]
    assert (total["grain"], total["sessions"], total["plays"]) == ("all", 1, 2)


def test_sessions_split_on_gap_and_streaks():
    plays = [
        {"ended_at": T0 + timedelta(minutes=m), "ms_played": 60_000, "counted": True} for m in (0, 5, 30, 33)
    ]
    assert [s["plays"] for s in build_sessions("u", plays, 10)] == [2, 2]
    days = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-10", "2024-01-11"]
    got = streaks(days, date(2024, 1, 12))
    assert (got["current_streak"], got["longest_streak"], got["longest_streak_start"]) == (2, 3, "2024-01-01")
    assert streaks(days, date(2024, 1, 20))["current_streak"] == 0


def test_profile_weights_means_and_percentiles():
    acc = profiles.new_acc()
    profiles.add(acc, {"energy": 0.2}, 3.0, 1995, ["jazz"])
    profiles.add(acc, {"energy": 0.8}, 1.0, 2005, ["jazz", "pop"])
    profiles.add(acc, None, 4.0, None, None)
    out = profiles.finish(profiles.merge_acc([acc]), hist_bins=10)
    assert out["coverage"] == pytest.approx(0.5)
    assert out["features"]["energy"]["mean"] == pytest.approx(0.35)
    assert 0.2 <= out["features"]["energy"]["p50"] <= 0.22 and out["features"]["energy"]["p90"] > 0.6
    assert out["genres"] == pytest.approx({"jazz": 3.5 / 4, "pop": 0.5 / 4})


def test_single_event_play_restores_its_source_event():
    event = {f: None for f in EVENT_FIELDS} | ev("e1", "api", album_name=None, user_id="u")
    track = {"_id": "t1", "album_name": "I Am... Sasha Fierce", "album_id": "al1", "release_date": "2008"}
    doc = play_document("u", "u|e1", [event], track, {}, "UTC", 30_000)
    assert "records" not in doc and doc["album_name"] == "I Am... Sasha Fierce"
    assert source_records(doc) == [event]  # the catalog's album is not mistaken for the event's
    both = play_document("u", "u|e1", [event, ev("e2", "export_extended")], None, {}, "UTC", 30_000)
    assert [r["event_id"] for r in source_records(both)] == ["e1", "e2"]


def test_entity_rows_split_into_stable_buckets_with_ranks():
    plays = [
        {**p, "_id": f"p{i}", "track_name": f"Song {i}", "name_key": f"a|song{i}"}
        for i, p in enumerate(_plays() * 1500)
    ]
    docs = day_rollups("u", plays)
    (head,) = [
        d for d in docs[Coll.ROLLUP_ENTITIES] if d["entity_type"] == "track" and d["period"] == "2024-05-01"
    ]
    buckets = [d for d in docs[Coll.ROLLUP_ENTITY_ROWS] if d["_id"].startswith(head["_id"] + "|")]
    assert head["buckets"] == len(buckets) == -(-head["count"] // gold.ROWS_PER_BUCKET) > 1
    rows = [r for b in buckets for r in gold.unpack_rows(b["rows"])]
    assert sorted(r["rank"] for r in rows) == list(range(1, head["count"] + 1))
    for b in buckets:
        assert all(
            gold.bucket_of(r["key"], head["buckets"]) == b["bucket"] for r in gold.unpack_rows(b["rows"])
        )
    top = gold.unpack_rows(head["top"])
    assert [r["key"] for r in top] == [r["key"] for r in sorted(rows, key=lambda r: r["rank"])][: gold.TOP_N]
    assert top[0]["series"] is None


def test_music_counted_apart_from_podcasts_and_audiobooks():
    day2 = T0 + timedelta(days=1)
    music = [ev("m1", "export_extended", ms=200_000), ev("m2", "export_extended", T0 + timedelta(minutes=5))]
    episode = ev(
        "p1",
        "export_extended",
        T0 + timedelta(minutes=60),
        "ep1",
        1_800_000,
        kind="episode",
        track_name="Ep 1",
        artist_names=["The Show"],
        album_name="The Show",
    )
    book = ev(
        "b1",
        "export_account",
        day2,
        None,
        600_000,
        kind="audiobook",
        track_name="Chapter 1",
        artist_names=["A. Writer"],
        album_name="The Book",
    )  # a day with no music at all
    plays = [play_document("u", r["event_id"], [r], None, {}, "UTC", 30_000) for r in [*music, episode, book]]
    days = day_rollups("u", plays)
    totals = {d["period"]: d for d in days[Coll.ROLLUP_TOTALS]}
    first = totals["2024-05-01"]
    assert (first["streams"], first["plays"], first["minutes"]) == (2, 2, pytest.approx(300_000 / 60000))
    assert first["other"] == {"episode": {"streams": 1, "plays": 1, "minutes": 30.0, "skips": 0}}
    assert len(first["play_ids"]) == 3  # every play is listed (sessions, the Live page)
    second = totals["2024-05-02"]  # kept although it holds no music
    assert (second["streams"], second["other"]["audiobook"]["plays"], second["play_ids"]) == (0, 1, ["b1"])
    heads = {(d["period"], d["entity_type"]): d for d in days[Coll.ROLLUP_ENTITIES]}
    assert gold.unpack_rows(heads["2024-05-01", "show"]["top"])[0]["name"] == "The Show"
    (ep,) = gold.unpack_rows(heads["2024-05-01", "episode"]["top"])
    assert (ep["name"], ep["artist_name"], ep["track_id"]) == ("Ep 1", "The Show", "ep1")
    assert gold.unpack_rows(heads["2024-05-02", "show"]["top"])[0]["name"] == "The Book"
    assert {r["key"] for r in gold.unpack_rows(heads["2024-05-01", "track"]["top"])} == {"beyonce|halo"}
    assert ("2024-05-02", "artist") not in heads  # an author is not a music artist
    (cells,) = [d for d in days[Coll.ROLLUP_HEATMAP] if d["period"] == "2024-05-01"]
    assert sum(c["streams"] for c in cells["cells"]) == 2
    (taste,) = days[Coll.TASTE_PROFILES]  # music only: the audiobook day has no taste profile
    assert taste["period"] == "2024-05-01"
    month = roll_up("u", "month", days)
    (m,) = month[Coll.ROLLUP_TOTALS]
    assert (m["streams"], m["other"]["episode"]["plays"], m["other"]["audiobook"]["plays"]) == (2, 1, 1)
    assert m["series"]["2024-05-02"] == {
        "streams": 0,
        "plays": 0,
        "minutes": 0.0,
        "skips": 0,
        "other": {"audiobook": {"streams": 1, "plays": 1, "minutes": 10.0, "skips": 0}},
    }
    (y,) = roll_up("u", "year", month)[Coll.ROLLUP_TOTALS]
    assert y["other"]["episode"]["minutes"] == 30.0 and y["streams"] == 2


def test_name_index_keeps_the_best_track_per_key():
    from core import gold
    from kaggle_seed.names import name_entries

    tracks = [
        {"_id": "zzz", "name": "Halo", "artist_names": ["Beyoncé"], "features": [0.1], "genres": ["pop"]},
        {"_id": "aaa", "name": "HALO", "artist_names": ["Beyonce", "X"], "features": None},
        {"_id": "bbb", "name": "Halo!", "artist_names": ["Beyoncé"], "features": [0.2], "genres": ["pop"]},
        {"_id": "ccc", "name": None, "artist_names": ["Nobody"]},  # no title: not indexed
    ]
    entries = name_entries(tracks)
    (bucket,) = entries.values()
    assert list(entries) == [gold.bucket_of("beyonce|halo", gold.NAME_BUCKETS)]
    assert bucket == {"beyonce|halo": ("bbb", 3)}  # features + genres beat none; then the smaller id
    assert gold.unpack_names(gold.pack_names(bucket)) == bucket


def test_play_document_records_how_it_matched_the_catalog():
    track = {"_id": "cat1", "features": {"energy": 0.5}, "genres": ["rock"], "album_name": "Alb"}
    account = ev("a", "export_account", track_id=None)
    doc = play_document("u", "p", [account], track, {}, "UTC", 30_000, matched_by="name")
    assert (doc["matched_by"], doc["catalog_track_id"], doc["genres"], doc["album_name"]) == (
        "name",
        "cat1",
        ["rock"],
        "Alb",
    )
    assert doc["catalog_fields"] == ["album_name"]  # not the play's own: dropped on re-enrichment
    assert source_records(doc)[0]["album_name"] is None
    unmatched = play_document("u", "p", [account], None, {}, "UTC", 30_000)
    assert unmatched["matched_by"] is None and "catalog_track_id" not in unmatched


def test_all_time_heads_count_first_listens_per_month():
    from collections import Counter

    from streamlit_app.logic import first_heard_in

    starts = {"A": (2023, 11), "B": (2024, 1), "C": (2024, 1), "D": (2024, 3)}
    plays = []
    for artist, (y, m) in starts.items():
        for k, at in enumerate([datetime(y, m, 10, tzinfo=UTC), datetime(2024, 6, 2, tzinfo=UTC)]):
            plays.append(
                {
                    "_id": f"{artist}{k}",
                    "local_day": at.strftime("%Y-%m-%d"),
                    "ended_at": at,
                    "counted": k == 0,  # a later play that did not count still is a play
                    "minutes": 1.0,
                    "ms_played": 60_000,
                    "skip": False,
                    "name_key": f"{artist.lower()}|song",
                    "track_name": "Song",
                    "artist_names": [artist],
                    "weekday": at.weekday(),
                    "local_hour": 0,
                }
            )
    docs = day_rollups("u", plays)
    for grain in ("month", "year", "all"):
        docs = roll_up("u", grain, docs)
    (head,) = [d for d in docs[Coll.ROLLUP_ENTITIES] if d["entity_type"] == "artist"]
    assert head["first_heard"] == dict(Counter(f"{y}-{m:02d}" for y, m in starts.values()))
    assert list(head["first_heard"]) == sorted(head["first_heard"])
    first, last = min(p["ended_at"] for p in plays), max(p["ended_at"] for p in plays)
    year = datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    assert first_heard_in(head["first_heard"], *year, first, last) == 3
    everything = datetime(2023, 11, 5, tzinfo=UTC), datetime(2024, 6, 3, tzinfo=UTC)  # past both ends
    assert first_heard_in(head["first_heard"], *everything, first, last) == 4
    # a range cutting into a month with plays cannot be counted from months
    assert first_heard_in(head["first_heard"], datetime(2024, 1, 5, tzinfo=UTC), year[1], first, last) is None
    assert (
        first_heard_in(head["first_heard"], year[0], datetime(2024, 6, 1, 12, tzinfo=UTC), first, last)
        is None
    )
