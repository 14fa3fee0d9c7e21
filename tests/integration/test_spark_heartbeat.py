"""Heartbeats of an idle Spark job: the plays job (its own process, real Kafka and FerretDB) and the
real alerts consumer (`earshot consume --only alerts`) with a 4-second stale window.

An idle job — a topic with no new plays, so Spark runs no micro-batch — keeps beating and raises
no "stopped sending heartbeats" alert; the same job killed (SIGKILL) is alerted on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from core import kafka
from core.events import utc_now
from core.topics import all_topic_names
from tests.processes import stop

pytestmark = [pytest.mark.integration, pytest.mark.spark]
STALE = 4  # seconds: EARSHOT_HEARTBEAT_STALE_SECONDS of both processes


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("w")
    return subprocess.Popen([sys.executable, "-m", *args], env=env, stdout=out, stderr=out)


def _stale_alerts(db):  # type: ignore[no-untyped-def]
    return list(db.notifications.find({"kind": "alert", "family": "stale", "key": "stale:spark.plays"}))


def test_idle_plays_job_keeps_beating_and_a_killed_one_is_alerted(stack, mongo_db, tmp_path):
    prefix = f"hb{uuid.uuid4().hex[:6]}"  # topics of its own: nothing arrives, the job stays idle
    env = os.environ | {
        "EARSHOT_TOPIC_PREFIX": prefix,
        "EARSHOT_DATA_DIR": str(tmp_path),
        "EARSHOT_HEARTBEAT_STALE_SECONDS": str(STALE),
        "EARSHOT_ALERT_INTERVAL_SECONDS": "0.5",
    }
    alerts = _start(["earshot.cli", "consume", "--only", "alerts"], env, tmp_path / "alerts.log")
    job = _start(["spark_jobs.plays"], env, tmp_path / "job.log")
    try:
        deadline = time.monotonic() + 180
        beat = None
        while time.monotonic() < deadline and job.poll() is None and beat is None:
            # the query's first (empty) batch has run: from here on the topic is idle
            beat = mongo_db.pipeline_health.find_one({"_id": "spark.plays", "details.last_batch": 0})
            time.sleep(0.5)
        assert job.poll() is None and beat is not None, (tmp_path / "job.log").read_text()[-3000:]

        # idle for three stale windows: beats keep coming, no batch runs, no alert
        batch_before = beat["details"].get("last_batch")
        idle_until = time.monotonic() + 3 * STALE
        while time.monotonic() < idle_until:
            beat = mongo_db.pipeline_health.find_one({"_id": "spark.plays"})
            assert (utc_now() - beat["updated_at"]).total_seconds() < STALE, beat
            time.sleep(0.5)
        assert beat["details"].get("last_batch") == batch_before  # really idle: no micro-batch ran
        assert beat["details"]["state"] not in ("starting", "stopped")  # the query's own status
        assert alerts.poll() is None, (tmp_path / "alerts.log").read_text()[-3000:]
        consumer_beat = mongo_db.pipeline_health.find_one({"_id": "consumer.alerts"})
        assert consumer_beat is not None and consumer_beat["status"] == "ok"  # the checker really ran
        assert _stale_alerts(mongo_db) == []

        job.kill()  # no clean stop, no 'down' report: the beats just end
        job.wait(timeout=30)
        deadline = time.monotonic() + STALE + 30
        while time.monotonic() < deadline and not _stale_alerts(mongo_db):
            time.sleep(0.5)
        found = _stale_alerts(mongo_db)
        assert len(found) == 1 and found[0]["severity"] == "error", found
        assert found[0]["title"] == "spark.plays stopped sending heartbeats"
    finally:
        stop(job)
        stop(alerts)
        admin = kafka.admin(stack)
        try:
            admin.delete_topics(all_topic_names(prefix))
        finally:
            admin.close()
