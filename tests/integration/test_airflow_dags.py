"""Airflow DAGs: `dag.test()` of every DAG against the real local stack (integrity: tests/unit).

AIRFLOW_HOME is a session tmp dir with a SQLite metadata DB made by `airflow db migrate` (~7 s).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core import gold
from core.events import PlayEvent
from core.settings import REPO_ROOT, get_settings
from kaggle_seed.generate_sample import generate_rows
from tests.integration.gold import listen, write_plays

pytestmark = [pytest.mark.integration, pytest.mark.airflow]
DAGS = REPO_ROOT / "airflow" / "dags"
UTC = dt.UTC


@pytest.fixture(scope="session")
def dagbag(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("airflow_home")
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
    }
    os.environ.update(env)
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True,
        env={**os.environ, **env},
        capture_output=True,
    )
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


SAMPLE = [r for r in generate_rows() if r["track_name"]][:5]


def _seed_plays(db: Any, user: str, ends: list[dt.datetime]) -> None:
    from pipeline.job import JobConfig
    from pipeline.store import build_plays, store_plays

    plays = []
    for i, end in enumerate(ends):
        row = SAMPLE[i % len(SAMPLE)]
        ev = PlayEvent(
            event_id=f"{user}-{i}",
            user_id=user,
            source="demo",
            ended_at=end,
            ms_played=180_000,
            track_id=str(row["track_id"]),
            track_name=str(row["track_name"]),
            artist_names=str(row["artists"]).split(";"),
            duration_ms=int(row["duration_ms"]),
        )
        plays.append({"_id": gold.play_id(ev.event_id), "records": [ev.model_dump()]})
    docs = build_plays(db, user, plays, "UTC", 30_000)  # stored as the plays job stores them
    cfg = JobConfig.from_settings(get_settings())
    store_plays(db, cfg, user, "UTC", docs, {d["local_day"] for d in docs}, {d["_id"]: d for d in docs})


def _state(run: Any) -> str:
    return str(getattr(run.state, "value", run.state))


def test_reprocess_moves_plays_to_new_zone_days(dagbag: Any, mongo_db: Any) -> None:
    user = "tz-user"
    _seed_plays(
        mongo_db, user, [dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), dt.datetime(2026, 3, 1, 12, tzinfo=UTC)]
    )
    run = dagbag.get_dag("reprocess").test(run_conf={"user_id": user, "start": "", "end": ""})
    assert _state(run) == "success"
    days = {d["period"]: d["streams"] for d in mongo_db.rollup_totals.find({"user_id": user, "grain": "day"})}
    assert days == {"2026-03-01": 2}
    mongo_db.users.update_one({"_id": user}, {"$set": {"time_zone": "Asia/Tokyo"}}, upsert=True)
    run = dagbag.get_dag("reprocess").test(run_conf={"user_id": user, "start": "", "end": ""})
    assert _state(run) == "success"
    days = {
        d["period"]: d["streams"]
        for d in mongo_db.rollup_totals.find({"user_id": user, "grain": "day"})
        if d["streams"]
    }
    assert days == {"2026-03-01": 1, "2026-03-02": 1}
    total = mongo_db.rollup_totals.find_one({"user_id": user, "grain": "all"})
    assert total["streams"] == 2


@pytest.mark.spark
def test_kaggle_backfill_dag_enriches_old_plays(
    dagbag: Any, mongo_db: Any, tmp_path: Path, spark: Any
) -> None:
    """The task reuses the session's SparkSession (`spark`): a session of its own would start the
    JVM without the Kafka connector, which a JVM cannot add later, and every streaming test after
    this one would fail with "Failed to find data source: kafka"."""
    import shutil

    from kaggle_seed.generate_sample import DEFAULT_OUT

    shutil.copy(DEFAULT_OUT, tmp_path / "dataset.csv")
    user = "kaggle-user"
    mongo_db.tracks.delete_many({"_id": {"$in": [str(r["track_id"]) for r in SAMPLE]}})
    _seed_plays(mongo_db, user, [dt.datetime(2026, 2, 1, 10, tzinfo=UTC)])
    assert mongo_db.plays.find_one({"user_id": user}).get("features") is None
    run = dagbag.get_dag("kaggle_backfill").test(
        run_conf={"dir": str(tmp_path), "dataset": "auto", "reprocess": True}
    )
    assert _state(run) == "success"
    assert mongo_db.tracks.count_documents({}) >= 2791
    assert mongo_db.plays.find_one({"user_id": user})["features"]["energy"] == SAMPLE[0]["energy"]


def test_history_import_moves_files(
    dagbag: Any, mongo_db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EARSHOT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        rows = [
            {
                "ts": f"2024-05-0{d}T10:00:00Z",
                "ms_played": 200000,
                "master_metadata_track_name": "Song",
                "master_metadata_album_artist_name": "Artist",
                "master_metadata_album_album_name": "Album",
                "spotify_track_uri": f"spotify:track:{SAMPLE[0]['track_id']}",
                "platform": "linux",
                "conn_country": "DE",
                "reason_start": "trackdone",
                "reason_end": "trackdone",
                "shuffle": False,
                "skipped": False,
                "offline": False,
            }
            for d in (1, 2)
        ]
        (inbox / "Streaming_History_Audio_2024.json").write_text(json.dumps(rows))
        (inbox / "broken.json").write_text("{not json")
        run = dagbag.get_dag("history_import").test(run_conf={"user_id": "inbox-user"})
        assert _state(run) == "success"
        assert (inbox / "done" / "Streaming_History_Audio_2024.json").exists()
        report = json.loads((inbox / "done" / "Streaming_History_Audio_2024.json.report.json").read_text())
        assert report["totals"]["published"] == 2
        assert (inbox / "failed" / "broken.json").exists()
        assert not [p for p in inbox.iterdir() if p.is_file()]
    finally:
        get_settings.cache_clear()


def test_weekly_digest_dag(dagbag: Any, mongo_db: Any) -> None:
    user = "digest-user"
    at = lambda day, hour: dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")  # noqa: E731
    write_plays(
        mongo_db,
        get_settings(),
        user,
        [
            listen(at("2026-03-02", 8), "One", "Nora Castell", ms=20 * 60_000),
            listen(at("2026-03-02", 9), "Two", "Nora Castell", ms=10 * 60_000),
            listen(at("2026-03-05", 8), "Three", "Ida Brandt", ms=30 * 60_000),
            listen(at("2026-03-05", 9), "One", "Nora Castell", ms=15 * 60_000 + 30_000),
            listen(at("2026-03-05", 10), "Skip", "Ida Brandt", ms=6_000),  # a play, not a stream
            listen(at("2026-03-09", 8), "Later", "Ida Brandt", ms=99 * 60_000),  # the next week
        ],
    )
    run = dagbag.get_dag("weekly_digest").test(logical_date=dt.datetime(2026, 3, 9, 7, tzinfo=UTC))
    assert _state(run) == "success"
    note = mongo_db.notifications.find_one({"user_id": user, "kind": "digest"})
    assert note["period"] == {"start": "2026-03-02", "end": "2026-03-08"}
    assert note["stats"]["streams"] == 4 and note["stats"]["minutes"] == 75.6
    assert note["stats"]["active_days"] == 2
    assert note["stats"]["top_artists"] == [
        {"name": "Nora Castell", "minutes": 45.5},
        {"name": "Ida Brandt", "minutes": 30.1},
    ]
    assert "Nora Castell (46 min), Ida Brandt (30 min)" in note["body"]
    assert note["webhook"]["status"] == "disabled"


def test_data_quality_dag_passes_then_check_fails_loudly(dagbag: Any, mongo_db: Any) -> None:
    from batch.quality import DataQualityError, no_duplicate_plays, rollups_match_plays

    _seed_plays(mongo_db, "dq-user", [dt.datetime(2026, 1, 5, 9, tzinfo=UTC)])
    for row in SAMPLE:  # the catalog covers every seeded play
        mongo_db.tracks.update_one(
            {"_id": str(row["track_id"])}, {"$set": {"features": {"energy": row["energy"]}}}, upsert=True
        )
    from batch.quality import catalog_coverage_ok
    from kaggle_seed.names import rebuild_names
    from pipeline.reprocess import reenrich, reprocess

    reprocess(get_settings(), "dq-user")
    # the digest user's plays carry names only, and the catalog has none of them yet
    with pytest.raises(DataQualityError, match=r"catalog covers \d+\.\d% of plays, below"):
        catalog_coverage_ok(mongo_db, 0.5)
    for i, (name, artist) in enumerate(
        [("One", "Nora Castell"), ("Two", "Nora Castell"), ("Three", "Ida Brandt")]
    ):
        mongo_db.tracks.insert_one(
            {"_id": f"dg-{i}", "name": name, "artist_names": [artist], "features": {"energy": 0.5}}
        )
    rebuild_names(mongo_db)
    assert reenrich(get_settings(), user_id="digest-user")["plays"] == 4  # matched by name
    # the earlier tests' users (reprocessed, digest) are sampled too: every one of their days holds
    assert rollups_match_plays(mongo_db)["checked"] >= 1
    run = dagbag.get_dag("data_quality").test()
    assert _state(run) == "success"
    dupe = dict(mongo_db.plays.find_one({"user_id": "dq-user"}))
    dupe["_id"] = "dq-user|copy"
    mongo_db.plays.insert_one(dupe)
    try:
        with pytest.raises(DataQualityError, match="1 duplicated plays"):
            no_duplicate_plays(mongo_db)
        # the copy has the day's local_day but is not in the day's play list
        with pytest.raises(DataQualityError, match=r"dq-user 2026-01-05: 1 plays of the day not listed"):
            rollups_match_plays(mongo_db)
    finally:
        mongo_db.plays.delete_one({"_id": "dq-user|copy"})
    day = "dq-user|day|2026-01-05"
    mongo_db.rollup_totals.update_one({"_id": day}, {"$inc": {"streams": 1}})
    try:
        with pytest.raises(DataQualityError, match=r"1 of \d+ sampled day rollups differ") as err:
            rollups_match_plays(mongo_db)
        assert "dq-user 2026-01-05: streams 2≠1" in str(err.value)
        assert "track rows sum: streams 1≠2" in str(err.value)
    finally:
        mongo_db.rollup_totals.update_one({"_id": day}, {"$inc": {"streams": -1}})
    assert rollups_match_plays(mongo_db)["checked"] >= 1
