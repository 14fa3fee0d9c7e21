"""The plays job started the way `earshot run` and compose start it: its own process
(`python -m spark_jobs.plays`), so everything shipped to the executors must be importable there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from core import gold
from tests.processes import stop
from tests.publish import publish_play

USER = "proc-user"


def test_plays_job_as_a_process_writes_rollups(stack, mongo_db, tmp_path):
    publish_play(stack, "proc-1", USER)
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
