"""AppTest of the small things a person notices: links to Spotify where a track id is known
(Live, Top, Discover), "–" for a missing year on Discover, and platform strings grouped under
their platform on Habits. Seeded through the real writer (tests/seed.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import streamlit as st

from core.collections import Coll
from core.events import PlayEvent, utc_now
from core.settings import get_settings
from kaggle_seed.cells import rebuild_cells
from pipeline.enrich import play_document
from tests.integration.signin import add_accounts
from tests.integration.test_app_pages import run
from tests.seed import FEATURES, USER, seed_known, write_plays

pytestmark = pytest.mark.integration
LINKER = "linker"
TRACK_ID = "4uLU6hMCjMI75M1A2tKUQC"
YEARLESS = "0YearlessTrack00000000"
LINK = f"[Open ↗](https://open.spotify.com/track/{TRACK_ID})"


def _play(n: int, minutes_ago: int, name: str, track_id: str | None, platform: str) -> dict[str, Any]:
    event = PlayEvent(
        event_id=f"link:{n}",
        user_id=LINKER,
        source="export_extended" if track_id else "export_account",
        ended_at=utc_now() - timedelta(minutes=minutes_ago),
        ms_played=200_000,
        track_id=track_id,
        track_name=name,
        artist_names=["Band"],
        platform=platform,
    )
    threshold = get_settings().stream_threshold_ms
    return play_document(LINKER, event.event_id, [event.model_dump()], None, {}, "UTC", threshold)


@pytest.fixture(scope="module")
def seeded(mongo_db: Any) -> Iterator[None]:
    for coll in (Coll.TRACKS, Coll.CATALOG_CELLS):
        mongo_db[coll.value].delete_many({})
    add_accounts(mongo_db)  # the pages ask for a signed-in account (run() signs in the admin)
    seed_known(mongo_db, utc_now())
    mongo_db[Coll.TRACKS.value].insert_one(
        {
            "_id": YEARLESS,
            "name": "Yearless",
            "artist_names": ["Anon"],
            "release_year": None,
            "features": FEATURES,
        }
    )
    rebuild_cells(mongo_db)
    mongo_db[Coll.USERS.value].insert_one({"_id": LINKER, "display_name": "Linker", "time_zone": "UTC"})
    plays = [
        _play(0, 5, "Linked Song", TRACK_ID, "Android OS 11 API 30 (samsung, SM-G991B)"),
        _play(1, 10, "Unlinked Song", None, "android"),
        _play(2, 15, "Phone Song", None, "iOS 14.7.1 (iPhone10,3)"),
        _play(3, 20, "Phone Song", None, "iOS 15.1 (iPhone12,1)"),
    ]
    write_plays(mongo_db, LINKER, plays)
    yield
    for coll in (Coll.TRACKS, Coll.CATALOG_CELLS):
        mongo_db[coll.value].delete_many({})
    st.cache_data.clear()  # the pages' cached reads live in this process: none for the next module


def test_live_and_top_link_tracks_with_an_id(seeded: None) -> None:
    live = run("live.py", LINKER).table[0].value
    assert list(live["track"]) == ["Linked Song", "Unlinked Song", "Phone Song", "Phone Song"]
    assert list(live["Spotify"]) == [LINK, "", "", ""]
    top = run("top.py", LINKER, **{"top-preset": "all time"}).table[0].value
    links = dict(zip(top["name"], top["Spotify"], strict=True))
    assert links == {"Phone Song": "", "Linked Song": LINK, "Unlinked Song": ""}


def test_discover_shows_a_dash_for_a_missing_year_and_links(seeded: None) -> None:
    frame = run("discover.py", USER).dataframe[0].value
    rows = {r["track"]: r for r in frame.to_dict(orient="records")}
    assert rows["Yearless"]["year"] == "–" and rows["Close Match"]["year"] == "1997"
    assert "None" not in frame["year"].tolist()
    assert rows["Yearless"]["spotify"] == f"https://open.spotify.com/track/{YEARLESS}"
    assert rows["Close Match"]["spotify"] is None  # the seeded catalog's made-up id 'c1'


def test_habits_groups_platform_strings(seeded: None) -> None:
    at = run("habits.py", LINKER)
    (table,) = [d.value for d in at.dataframe if "platform" in d.value.columns]
    assert table.to_dict(orient="records") == [
        {"platform": "Android", "streams": 2, "minutes": 7, "reported as": 2},
        {"platform": "iOS", "streams": 2, "minutes": 7, "reported as": 2},
    ]
