"""The plays job started the way `earshot run` and compose start it: its own process
(`python -m spark_jobs.plays`), so everything shipped to the executors must be importable there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

from core import gold, kafka
from core.events import PlayEvent
from core.topics import Topic
from tests.processes import stop

USER = "proc-user"


def test_plays_job_as_a_process_writes_rollups(stack, mongo_db, tmp_path):
    play = PlayEvent(
        event_id="proc-1",
        user_id=USER,
        source="demo",
        track_id="t1",
        track_name="Halo",
        artist_names=["Beyoncé"],
        ended_at=datetime(2024, 6, 30, 12, 0, tzinfo=UTC),
        ms_played=200_000,
    )
    prod = kafka.producer(stack)
    kafka.send(prod, stack, Topic.PLAYS, play).get(timeout=10)
    prod.close()
    env = os.environ | {"EARSHOT_DATA_DIR": str(tmp_path)}  # its own checkpoint directory
    log = (tmp_path / "job.log").open("w")
    job = subprocess.Popen([sys.executable, "-m", "spark_jobs.plays"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 180
        doc = beat = None
        while time.monotonic() < deadline and job.poll() is None:
            doc = mongo_db.rollup_totals.find_one({"_id": gold.period_id(USER, "all", "all")})
            beat = mongo_db.pipeline_health.find_one({"_id": "spark.plays"})  # after the batch
            if doc and beat:
                break
            time.sleep(0.5)
        assert job.poll() is None, (tmp_path / "job.log").read_text()[-3000:]
        assert doc is not None and (doc["streams"], doc["plays"]) == (1, 1)
        assert beat is not None and beat["kind"] == "spark"
        job.send_signal(signal.SIGTERM)  # as `earshot run` stops it: the query stops, 'down' is said
        assert job.wait(timeout=60) == 0, (tmp_path / "job.log").read_text()[-3000:]
        beat = mongo_db.pipeline_health.find_one({"_id": "spark.plays"})
        assert beat["status"] == "down" and beat["details"]["stopped"] == "query stopped cleanly"
    finally:
        stop(job)
        log.close()
