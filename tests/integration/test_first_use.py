"""First use with an old history (issue 13): import every export layout, load a catalog after
it, and what the pipeline and the pages then show — name-matched enrichment with its rate, the
catalog reaching plays imported before it (incrementally), music apart from podcasts and
audiobooks, and a first screen that opens on the history instead of an empty month."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import gold
from core.events import utc_now
from tests.imported import LAST_MONTH, USER, import_then_load
from tests.integration.signin import add_accounts
from tests.integration.test_app_pages import metrics
from tests.integration.test_app_pages import run as run_page

pytestmark = [pytest.mark.integration, pytest.mark.spark]


@pytest.fixture(scope="module")
def history(stack, spark, mongo_db, tmp_path_factory, checkpoint_root) -> Iterator[dict[str, Any]]:
    st.cache_data.clear()  # results cached by an earlier module's AppTests (other database)
    add_accounts(mongo_db)  # the pages ask for a signed-in account (run_page signs in the admin)
    yield import_then_load(stack, spark, tmp_path_factory.mktemp("first-use"), checkpoint_root)


def run(page: str, **params: str) -> AppTest:
    """The page opened by URL: `?user=` and the given query parameters, nothing else set."""
    return run_page(page, user=None, params={"user": USER, **params})


def test_account_plays_are_enriched_by_name_with_the_reported_rate(history, mongo_db) -> None:
    before = history["report_before"].to_document()["catalog"]
    assert before["music_plays"] == history["music_plays"] and before["share"] == 0.0  # no catalog yet
    (after,) = history["report_after"].files
    want = history["current_by_name"]
    assert (after.catalog["by_name"], after.catalog["by_id"]) == (want, 0)
    assert after.catalog["share"] == round(want / history["current_plays"], 4)
    coverage = history["loaded"]["coverage"]
    assert (coverage["by_id"], coverage["by_name"]) == (history["by_id"], history["by_name"])
    assert coverage["plays"] == history["music_plays"]
    assert coverage["match_share"] == round(
        (history["by_id"] + history["by_name"]) / history["music_plays"], 4
    )
    named = list(mongo_db.plays.find({"user_id": USER, "matched_by": "name"}))
    assert len(named) == history["by_name"] > 0
    assert all(p["track_id"] is None and p["features"] and p["genres"] for p in named)
    known = {t["id"] for t in history["known"]}
    assert {p["catalog_track_id"] for p in named} <= known
    unmatched = mongo_db.plays.find_one({"user_id": USER, "source": "export_account", "matched_by": None})
    assert unmatched["features"] is None and unmatched["track_name"] not in {
        t["name"] for t in history["known"]
    }


def test_catalog_after_import_reaches_rollups_taste_and_playlists_incrementally(
    history, stack, mongo_db
) -> None:
    from pipeline.reprocess import reenrich, reprocess

    done = history["loaded"]["reenriched"]
    assert done["plays"] == history["by_id"] + history["by_name"]  # only the plays it gave data
    assert done["plays_checked"] >= done["plays"] and done["playlists"] == 2
    genres = mongo_db.rollup_entities.find_one({"_id": gold.head_id(USER, "all", "all", "genre")})
    assert sum(r["streams"] for r in gold.unpack_rows(genres["top"])) > 0
    taste = mongo_db.taste_profiles.find_one({"_id": gold.period_id(USER, "all", "all")})
    assert 0 < taste["coverage"] < 1 and taste["features"]["energy"]["mean"] > 0
    for profile in mongo_db.playlist_profiles.find({"user_id": USER}):
        assert profile["coverage"] == pytest.approx(0.5)  # every other track of the library is known
    again = reenrich(stack, since=utc_now())
    assert (again["plays"], again["plays_checked"], again["playlists"]) == (0, 0, 0)  # nothing new

    def stored() -> dict[str, Any]:  # what the pages read, without write times
        out = {}
        for coll in ("rollup_totals", "rollup_heatmap", "taste_profiles"):
            for d in mongo_db[coll].find({"user_id": USER}):
                out[d["_id"]] = {k: v for k, v in d.items() if k != "updated_at"}
        for d in mongo_db.rollup_entity_rows.find({"user_id": USER}):
            out[d["_id"]] = gold.unpack_rows(d["rows"])
        return out

    incremental = stored()
    reprocess(stack, USER)  # every play re-enriched, every rollup rebuilt: the same documents
    rebuilt = stored()
    assert rebuilt.keys() == incremental.keys()
    differ = [k for k in rebuilt if not _same(rebuilt[k], incremental[k])]
    assert not differ, differ[:5]


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to rounding (sums taken in another order)."""
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_first_screen_opens_on_the_latest_month_with_music_apart(history) -> None:
    at = run("overview.py")  # no period in the URL; "this month" (today) has no plays
    assert any("No plays this month: showing May 2024" in i.value for i in at.info)
    shown = metrics(at)
    may = history["may_music"]
    assert shown["Streams"] == f"{may['streams']:,}" and shown["Minutes"] == f"{may['minutes']:,.0f}"
    books = history["may_audiobooks"]
    assert shown["Audiobooks: plays"] == f"{books['plays']:,}"
    assert shown["Audiobooks: minutes"] == f"{books['minutes']:,.0f}"
    assert "Podcasts: plays" not in shown  # none in May
    assert at.query_params["period"] == f"{LAST_MONTH}-01..{LAST_MONTH}-31"
    assert at.query_params["user"] == USER


def test_period_from_the_url_podcasts_apart_and_top_shows(history) -> None:
    at = run("overview.py", period="2024-04")  # April: podcasts only
    shown = metrics(at)
    assert shown["Streams"] == "0" and shown["Podcasts: plays"] == f"{history['april_podcasts']['plays']:,}"
    assert not any("No plays" in i.value for i in at.info)
    at = run("top.py", period="2024-04")
    at.segmented_control(key="top-kind").set_value("Shows").run()
    assert sorted(at.table[0].value["name"]) == history["shows"]


def test_wrapped_opens_on_the_last_year_with_features_and_genres(history, mongo_db) -> None:
    at = run("wrapped.py")
    assert any("No plays this year: showing 2024" in i.value for i in at.info)
    taste = mongo_db.taste_profiles.find_one({"_id": gold.period_id(USER, "year", "2024")})
    captions = " ".join(c.value for c in at.caption)
    assert f"Audio features known for {taste['coverage']:.0%} of your music minutes" in captions
    texts = [m.value for m in at.markdown]
    assert texts[texts.index("**Top Genres**") + 1].startswith("1. ")  # genres from the catalog
    assert metrics(at)["Audiobooks: plays"] == "5"
