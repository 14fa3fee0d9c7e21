"""The dashboard's queries (streamlit_app/queries.py, called without Streamlit's runtime, caches
bypassed) answer from gold documents the real writer stored on mongo-java-server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.settings import Settings, get_settings
from tests.integration.gold import listen, write_plays

USER = "dora"
ZONE = "America/New_York"
START = datetime(2024, 3, 9, 23, 0, tzinfo=UTC)  # the evening before the spring DST change


@pytest.fixture(scope="module")
def plays(contract_db: Any, contract_settings: Settings) -> list[dict[str, Any]]:
    listens = []
    for h in (0, 30, 60):  # three sessions on three local days
        for k in range(5):  # the fifth play of each is a skip (20 s, under the stream threshold)
            at = START + timedelta(hours=h, minutes=5 * k)
            listens.append(listen(at, f"Track {k % 3}", "Band", ms=20_000 if k == 4 else 180_000))
    return write_plays(contract_db, contract_settings, USER, listens, zone=ZONE)


@pytest.fixture()
def q(contract_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The queries module reading the contract server (the app's settings, as in production)."""
    from streamlit_app import queries

    monkeypatch.setenv("MONGO_URI", contract_settings.mongo_uri)
    monkeypatch.setenv("EARSHOT_MONGO_DB", contract_settings.mongo_db)
    get_settings.cache_clear()
    yield queries
    monkeypatch.undo()
    get_settings.cache_clear()


def test_totals_top_and_entity_come_from_the_gold_documents(q, plays):
    days = sorted({p["local_day"] for p in plays})
    counted = [p for p in plays if p["counted"]]
    keys = (*(("day", d) for d in days), ("all", "all"), ("month", "2024-03"))
    totals = q.totals.__wrapped__(USER, keys)
    assert [totals[("day", d)]["streams"] for d in days] == [4, 4, 4]
    assert totals[("all", "all")]["streams"] == totals[("month", "2024-03")]["streams"] == len(counted)
    assert totals[("all", "all")]["plays"] == len(plays)

    top = q.top.__wrapped__(USER, "all", "all", "track")
    assert {r["name"]: (r["streams"], r["skips"]) for r in top} == {
        "Track 0": (6, 0),
        "Track 1": (3, 3),
        "Track 2": (3, 0),
    }
    assert top[0]["name"] == "Track 0"
    count, ranked = q.ranked.__wrapped__(USER, keys[:1], "track")
    assert count == 3 and ranked[0].streams == 2

    entity = q.entity.__wrapped__(USER, "track", top[0]["key"], "2024")
    assert entity is not None and entity["rank"] == 1 and entity["streams"] == 6
    assert entity["months"] and sum(entity["months"].values()) == 6


def test_sessions_latest_plays_and_stats_walk_the_day_documents(q, plays):
    sessions = q.sessions.__wrapped__(USER, ZONE)
    assert [s["plays"] for s in sessions] == [5, 5, 5]
    assert sessions[0]["start"] > sessions[1]["start"] > sessions[2]["start"]

    latest = q.latest_plays(USER, ZONE, limit=7)
    newest = sorted(plays, key=lambda p: p["ended_at"], reverse=True)[:7]
    assert [p["_id"] for p in latest] == [p["_id"] for p in newest]

    stats = q.user_stats.__wrapped__(USER)
    assert stats is not None and "active_days" not in stats
    assert stats["total_streams"] == sum(p["counted"] for p in plays)
    assert stats["last_played"] == max(p["ended_at"] for p in plays)


def test_first_heard_counts_from_months_and_from_rows_agree(q, plays, contract_db):
    from zoneinfo import ZoneInfo

    from core import gold

    tz = ZoneInfo(ZONE)
    month = datetime(2024, 3, 1, tzinfo=tz), datetime(2024, 4, 1, tzinfo=tz)
    head = contract_db.rollup_entities.find_one({"_id": gold.head_id(USER, "all", "all", "track")})
    assert head["first_heard"] == {"2024-03": 3}  # stored, readable
    assert q.first_heard.__wrapped__(USER, "track", *month) == 3  # from the month counts
    # a range cutting into March is counted from the rows: the first two listens fall in it
    first_two = sorted(p["ended_at"] for p in plays)[1] + timedelta(seconds=1)
    assert q.first_heard.__wrapped__(USER, "track", month[0], first_two) == 2
    assert q.first_heard.__wrapped__(USER, "track", month[1], datetime(2024, 5, 1, tzinfo=tz)) == 0
