"""AppTest per dashboard page against the real local server, seeded through the real writer
(tests/seed.py) with known plays; expected numbers are counted plainly from those plays. Pages run
signed in as an admin (who sees every listener); what others may see: test_app_privacy.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.collections import Coll
from core.events import utc_now
from streamlit_app.platforms import platform_family
from tests.integration.signin import ADMIN, add_accounts, signed_in
from tests.seed import DEMO, EMPTY, USER, catalog, seed_known

pytestmark = pytest.mark.integration
PAGES = Path(__file__).resolve().parents[2] / "streamlit_app" / "pages"


@pytest.fixture(scope="module")
def seeded(mongo_db: Any) -> Iterator[dict[str, Any]]:
    # The catalog is global to the session's database: start from only the tracks seeded here
    # (other tests load Kaggle samples into it), and leave it empty for the tests after us.
    for coll in (Coll.TRACKS, Coll.CATALOG_CELLS):
        mongo_db[coll.value].delete_many({})
    now = utc_now()
    add_accounts(mongo_db)
    st.cache_data.clear()  # results cached by an earlier module's AppTests (other database)
    yield {**seed_known(mongo_db, now), "now": now}
    for coll in (Coll.TRACKS, Coll.CATALOG_CELLS):
        mongo_db[coll.value].delete_many({})


def run(
    page: str,
    user: str | None = USER,
    params: dict[str, str] | None = None,
    account: str | None = ADMIN,
    **state: Any,
) -> AppTest:
    """Run a page signed in as `account` (None: nobody) for `user` (None: as the URL's query
    `params` say) with widget `state`."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    if account:
        signed_in(at, account)
    if user:
        at.session_state["user_id"] = user
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "error", "subheader")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def _pct(cur: float, prev: float) -> str | None:
    return None if not prev else f"{round((cur - prev) / prev * 100, 1):+.1f}% vs previous"


def test_live_shows_now_playing_today_and_latest_plays(seeded: dict[str, Any]) -> None:
    at = run("live.py")
    m = metrics(at)
    day = seeded["day_totals"]
    assert m["Streams today"] == f"{day['streams']:,}"
    assert m["Minutes today"] == f"{day['minutes']:,.0f}"
    assert m["Top artist today"] == seeded["top_artist_today"]
    assert "Let Down" in text(at)
    frame = at.table[0].value
    latest = seeded["latest"]
    assert list(frame["track"]) == [t for t, _ in latest]  # newest first, across days
    assert list(frame["stream"]) == [c for _, c in latest]
    assert latest[0] == ("Hyperballad", False)  # the 10-second play is not a stream


def test_live_empty_user_tells_what_to_do(seeded: dict[str, Any]) -> None:
    at = run("live.py", EMPTY)
    assert metrics(at)["Streams today"] == "0"
    assert "Nothing playing" in text(at)
    assert "earshot run" in text(at)


def test_overview_month_totals_and_change(seeded: dict[str, Any]) -> None:
    at = run("overview.py")
    m = {x.label: (x.value, x.delta) for x in at.metric}
    cur, prev = seeded["month_totals"], seeded["prev_month_totals"]
    assert cur["streams"] > 0 and prev["streams"] > 0
    assert m["Streams"] == (f"{cur['streams']:,}", _pct(cur["streams"], prev["streams"]))
    assert m["Minutes"] == (f"{cur['minutes']:,.0f}", _pct(cur["minutes"], prev["minutes"]))
    assert m["Skip rate"][0] == f"{cur['skips'] / cur['plays'] * 100:.1f}%"
    assert len(at.get("download_button")) == 3
    # the chart's numbers (by day) add up to the month
    at.radio(key="overview-by").set_value("day").run()
    assert not at.exception


def test_overview_year_all_time_and_empty_state(seeded: dict[str, Any]) -> None:
    at = run("overview.py", **{"overview-preset": "this year"})
    assert metrics(at)["Streams"] == f"{seeded['year_totals']['streams']:,}"
    at = run("overview.py", **{"overview-preset": "all time"})
    assert metrics(at)["Streams"] == f"{seeded['all_totals']['streams']:,}"
    empty = run("overview.py", EMPTY)
    assert metrics(empty)["Streams"] == "0"
    assert "Import page" in text(empty)


def test_top_ranks_tracks_by_streams_and_minutes(seeded: dict[str, Any]) -> None:
    at = run("top.py")
    frame = at.table[0].value
    assert list(frame["name"]) == seeded["month_tracks"]
    at.radio(key="top-by").set_value("minutes").run()
    assert list(at.table[0].value["name"]) == seeded["month_tracks_by_minutes"]


def test_week_merges_day_documents(seeded: dict[str, Any]) -> None:
    at = run("overview.py", **{"overview-preset": "this week"})
    assert metrics(at)["Streams"] == f"{seeded['week_totals']['streams']:,}"
    at = run("top.py", **{"top-preset": "this week", "top-by": "minutes"})
    assert list(at.table[0].value["name"]) == seeded["week_tracks_by_minutes"]


def test_top_entity_detail(seeded: dict[str, Any]) -> None:
    at = run("top.py")
    at.radio(key="top-by").set_value("minutes").run()
    want = seeded["detail"]
    at.selectbox(key="top-detail").set_value(f"#1 {want['track']}").run()
    m = metrics(at)
    assert m["All-time streams"] == f"{want['streams']:,}"
    assert m["Rank in period"] == "#1"
    assert m["All-time rank"] == f"#{want['rank']}"
    assert m["First listen"] == want["first"]
    assert m["Last listen"] == want["last"]
    month, streams = want["best_month"]
    assert f"Best month of {month[:4]}: {month} with {streams:,} streams" in text(at)


def test_habits_streaks_sessions_skips(seeded: dict[str, Any]) -> None:
    at = run("habits.py")
    m = metrics(at)
    assert seeded["longest_streak"] > seeded["current_streak"] > 1
    assert m["Current streak"] == f"{seeded['current_streak']} days"
    assert m["Longest streak"] == f"{seeded['longest_streak']} days"
    assert m["Sessions"] == f"{seeded['sessions']:,}"
    total = seeded["all_totals"]
    assert m["Skip rate (all time)"] == f"{total['skips'] / total['plays'] * 100:.1f}%"
    assert at.dataframe[0].value["plays"].sum() > 0  # latest sessions
    assert at.dataframe[1].value["platform"].tolist() == [platform_family(p) for p in seeded["platforms"]]
    assert "No habits yet" in text(run("habits.py", EMPTY))


def test_playlists_profile_and_invalid_link(seeded: dict[str, Any]) -> None:
    at = run("playlists.py")
    m = metrics(at)
    assert m["Tracks"] == "42"
    assert m["Coverage"] == "75%"
    assert m["Taste"] == "Acoustic soul"
    at.radio[0].set_value("my listening").run()
    assert metrics(at)["Similarity"] == "66%"  # 1 - sqrt(.5²+.3²+.7²)/sqrt(7)
    at.text_input[0].set_value("https://example.com/not-a-playlist")
    at.button[0].click().run()
    assert any("Invalid playlist: not a Spotify playlist link" in e.value for e in at.error)


def test_playlists_connect_publishes_and_shows_status(seeded: dict[str, Any], mongo_db: Any) -> None:
    from core import kafka
    from core.events import CommandEvent, decode
    from core.settings import get_settings
    from core.topics import Topic

    settings = get_settings()
    kafka.ensure_topics(settings, [Topic.COMMANDS])
    at = run("playlists.py")
    at.text_input[0].set_value("spotify:playlist:0123456789abcdefghijkl")
    at.button[0].click().run()
    assert any("Requested playlist 0123456789abcdefghijkl" in s.value for s in at.success)
    assert "pending" in text(at)
    consumer = kafka.consumer(settings, None, Topic.COMMANDS, consumer_timeout_ms=5000)
    try:
        events = [decode(CommandEvent, m.value) for m in consumer]
    finally:
        consumer.close()
    assert any(
        e.action == "connect_playlist"
        and e.args == {"playlist_id": "0123456789abcdefghijkl"}
        and e.user_id == USER
        for e in events
    )


def _commands() -> list[Any]:
    from core import kafka
    from core.events import CommandEvent, decode
    from core.settings import get_settings
    from core.topics import Topic

    consumer = kafka.consumer(get_settings(), None, Topic.COMMANDS, consumer_timeout_ms=5000)
    try:
        return [decode(CommandEvent, m.value) for m in consumer]
    finally:
        consumer.close()


def test_playlists_disconnect_list_and_poll_now_send_their_commands(
    seeded: dict[str, Any], mongo_db: Any
) -> None:
    from core import kafka
    from core.settings import get_settings
    from core.topics import Topic

    kafka.ensure_topics(get_settings(), [Topic.COMMANDS])
    mongo_db[Coll.USERS.value].update_one({"_id": USER}, {"$set": {"spotify.status": "connected"}})
    try:
        at = run("playlists.py")
        at.button(key="pl-toggle").click().run()  # the seeded playlist is connected
        assert any("Disconnect requested" in s.value for s in at.success)
        at.button(key="pl-list").click().run()
        settings_page = run("settings.py")
        (poll,) = [b for b in settings_page.button if b.label == "Poll Spotify now"]
        poll.click().run()
        assert any("Requested" in s.value for s in settings_page.success)
    finally:
        mongo_db[Coll.USERS.value].update_one({"_id": USER}, {"$set": {"spotify.status": "not_connected"}})
    sent = {(e.action, tuple(sorted(e.args.items()))) for e in _commands() if e.user_id == USER}
    playlist = seeded_playlist(mongo_db)
    assert ("disconnect_playlist", (("playlist_id", playlist),)) in sent
    assert ("list_playlists", ()) in sent and ("poll_now", ()) in sent


def seeded_playlist(mongo_db: Any) -> str:
    (doc,) = mongo_db[Coll.PLAYLISTS.value].find({"user_id": USER, "connected": True})
    return str(doc["playlist_id"])


def test_wrapped_year_summary_and_png(seeded: dict[str, Any]) -> None:
    at = run("wrapped.py")
    m = metrics(at)
    year = seeded["year_totals"]
    assert m["Minutes"] == f"{round(year['minutes']):,}"
    assert m["Streams"] == f"{year['streams']:,}"
    assert m["Listening age"] == seeded["listening_age"] == "1990s"
    assert m["New artists"] == str(seeded["new_artists_this_year"])  # Björk, first heard today
    assert "High-energy dancer" in text(at)
    assert len(at.get("image")) == 1


def test_discover_recommends_nearest_unplayed(seeded: dict[str, Any]) -> None:
    at = run("discover.py")
    with_features = sum(1 for t in catalog() if t.get("features"))
    assert f"{with_features:,} catalog tracks with features" in text(at)
    frame = at.dataframe[0].value
    assert frame["track"].tolist() == ["Close Match", "Far Away"]  # played tracks are excluded
    # the reasons: the three features closest to the profile, equal for the near match
    reasons = re.findall(r"(\w+) ([\d.]+) \(you ([\d.]+)\)", frame["why"].iloc[0])
    assert len(reasons) == 3 and all(mine == yours for _, mine, yours in reasons)
    assert "No taste profile yet" in text(run("discover.py", EMPTY))


def test_import_shows_latest_report(seeded: dict[str, Any]) -> None:
    at = run("import_export.py")
    m = metrics(at)
    assert (m["Records"], m["Published"], m["Duplicates"], m["Skipped"]) == ("1,500", "1,490", "7", "3")
    assert "No imports yet" in text(run("import_export.py", EMPTY))


def test_pipeline_health_dead_letters(seeded: dict[str, Any], mongo_db: Any) -> None:
    # a fresh beat: the module's earlier tests take longer than the 30 s that make one stale
    mongo_db[Coll.PIPELINE_HEALTH.value].update_one(
        {"_id": "spark.plays"}, {"$set": {"updated_at": utc_now()}}
    )
    at = run("pipeline.py")
    assert metrics(at)["Components ok"] == "1 / 2"  # the demo producer's beat is 2 h old → stale
    status = dict(zip(at.dataframe[0].value["component"], at.dataframe[0].value["status"], strict=True))
    assert status == {"producer.demo": "stale", "spark.plays": "ok"}
    assert at.dataframe[1].value["reason"].tolist() == ["ms_played: must be >= 0"]


def test_settings_saves_time_zone(seeded: dict[str, Any], mongo_db: Any) -> None:
    at = run("settings.py", DEMO)
    assert "(demo data)" in at.sidebar.selectbox[0].format_func(DEMO)
    at.selectbox(key="tz").set_value("Europe/Berlin")
    at.button[0].click().run()
    assert mongo_db["users"].find_one({"_id": DEMO})["time_zone"] == "Europe/Berlin"


def test_no_users_tells_how_to_start(mongo_db: Any) -> None:
    # another database with nothing in it: every page explains what to do next
    import os

    from core import accounts
    from core.settings import get_settings

    old = os.environ["EARSHOT_MONGO_DB"]
    os.environ["EARSHOT_MONGO_DB"] = old + "_empty"
    get_settings.cache_clear()
    st.cache_data.clear()  # the users cached a moment ago are the other database's
    empty = mongo_db.client[old + "_empty"]
    try:
        at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=60).run()
        assert not at.exception
        assert "earshot user add NAME --admin" in at.info[0].value  # not even an account yet
        accounts.add(empty, ADMIN, "first-admin-pw", admin=True)
        at = signed_in(AppTest.from_file(str(PAGES / "overview.py"), default_timeout=60), ADMIN).run()
        assert not at.exception
        assert "earshot run" in at.info[0].value
    finally:
        os.environ["EARSHOT_MONGO_DB"] = old
        get_settings.cache_clear()
        st.cache_data.clear()
        mongo_db.client.drop_database(old + "_empty")
