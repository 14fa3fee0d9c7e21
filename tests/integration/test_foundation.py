"""The foundation against the real local stack: Kafka round trip, MongoDB indexes, Spark
reading Kafka with the official connector and writing MongoDB from the executors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pymongo.errors import DuplicateKeyError

from core import kafka
from core.collections import INDEXES, Coll
from core.events import PlayEvent, decode
from core.topics import Topic, topic_name

pytestmark = pytest.mark.integration


def _play(i: int, user: str = "alice") -> PlayEvent:
    return PlayEvent(
        event_id=f"evt-{uuid.uuid4().hex[:8]}-{i}",
        user_id=user,
        source="demo",
        ended_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=4 * i),
        ms_played=180_000 + i,
        track_id=f"track{i:03d}",
        track_name=f"Song {i}",
        artist_names=["Artist A", "Artist B"],
        album_name="Album",
        duration_ms=200_000,
        shuffle=i % 2 == 0,
    )


def test_play_event_round_trips_through_the_real_broker(stack):
    plays = [_play(i) for i in range(5)]
    prod = kafka.producer(stack)
    for play in plays:
        kafka.send(prod, stack, Topic.PLAYS, play).get(timeout=10)
    prod.flush()
    prod.close()

    cons = kafka.consumer(stack, f"rt-{uuid.uuid4().hex[:6]}", Topic.PLAYS, consumer_timeout_ms=10_000)
    seen = {}
    for message in cons:  # the topic is shared by the session: other tests' messages, even broken ones
        try:
            event = decode(PlayEvent, message.value)
        except ValueError:
            continue
        seen[event.event_id] = (message.key, event)
        if all(p.event_id in seen for p in plays):
            break
    cons.close()
    for play in plays:
        key, event = seen[play.event_id]
        assert key == b"alice"
        assert event == play  # every field intact, datetimes still UTC


def test_mongo_writes_reads_and_has_the_wanted_indexes(mongo_db):
    from core.mongo import is_ferretdb, wanted_indexes

    mongo_db.plays.insert_many([{"_id": f"p{i}", "user_id": "u", "ms_played": i} for i in range(3)])
    assert sorted(d["ms_played"] for d in mongo_db.plays.find({"user_id": "u"})) == [0, 1, 2]
    wanted = wanted_indexes(is_ferretdb(mongo_db))
    for coll in INDEXES:
        names = {index["name"] for index in mongo_db[coll.value].list_indexes()} - {"_id_"}
        assert names == {spec.index_name() for spec in wanted.get(coll, ())}, coll.value
    unique = [spec for specs in wanted.values() for spec in specs if spec.unique]
    assert unique, "the unique indexes (constraints) are kept on every server"
    mongo_db.playlists.insert_one({"_id": "a", "user_id": "u", "playlist_id": "p"})
    with pytest.raises(DuplicateKeyError):  # the playlists constraint holds
        mongo_db.playlists.insert_one({"_id": "b", "user_id": "u", "playlist_id": "p"})


def test_ensure_indexes_is_idempotent(mongo_db):
    from core.mongo import ensure_indexes

    assert ensure_indexes(mongo_db) == []  # the stack fixture already made them all


def test_ensure_indexes_drops_plain_indexes_an_older_version_made_on_ferretdb(mongo_db):
    from core.mongo import ensure_indexes, is_ferretdb

    if not is_ferretdb(mongo_db):
        pytest.skip("MongoDB keeps every declared index")
    spec = INDEXES[Coll.PLAYS][0]
    mongo_db.plays.create_index(list(spec.keys), name=spec.index_name())
    assert ensure_indexes(mongo_db) == []
    assert spec.index_name() not in {i["name"] for i in mongo_db.plays.list_indexes()}


@pytest.mark.spark
def test_spark_streams_kafka_into_mongo_from_executors(stack, spark, mongo_db, checkpoint_root):
    from pyspark.sql import functions as F

    from spark_jobs.sinks import upsert
    from spark_jobs.sources import parse, read_topic

    plays = [_play(i, user="bob") for i in range(4)]
    prod = kafka.producer(stack)
    for play in plays:
        kafka.send(prod, stack, Topic.PLAYS, play)
    prod.send(topic_name(Topic.PLAYS, stack.topic_prefix), key=b"bob", value=b"{not json")
    prod.flush()
    prod.close()

    valid, invalid = parse(read_topic(spark, stack, Topic.PLAYS), PlayEvent)
    out = valid.where(F.col("user_id") == "bob").select(
        F.col("event_id").alias("_id"), "user_id", "track_name", "ms_played", "ended_at", "artist_names"
    )

    def write(batch, _batch_id):
        upsert(batch, stack.mongo_url, stack.mongo_db, "foundation_plays")

    bad_rows: list = []
    q1 = out.writeStream.foreachBatch(write).option("checkpointLocation", str(checkpoint_root / "f1")).start()
    q2 = (
        invalid.writeStream.foreachBatch(lambda b, _i: bad_rows.extend(b.collect()))
        .option("checkpointLocation", str(checkpoint_root / "f2"))
        .start()
    )
    try:
        q1.processAllAvailable()
        q2.processAllAvailable()
    finally:
        q1.stop()
        q2.stop()

    docs = {d["_id"]: d for d in mongo_db.foundation_plays.find()}
    for play in plays:
        doc = docs[play.event_id]
        assert doc["ms_played"] == play.ms_played
        assert doc["artist_names"] == ["Artist A", "Artist B"]
        assert doc["ended_at"] == play.ended_at
    assert any(r["payload"] == "{not json" and "not valid JSON" in r["reason"] for r in bad_rows)


def test_a_bulk_of_many_replaces_completes(stack):
    """More statements in one `update` command than FerretDB's SQLite pool has connections (100):
    unpatched v1.24 hangs here for ever (infra/provision.py, FERRETDB_PATCHES)."""
    from pymongo import MongoClient, ReplaceOne

    with MongoClient(stack.mongo_url, socketTimeoutMS=30_000) as client:
        coll = client[stack.mongo_db]["bulk_probe"]
        coll.insert_many([{"_id": f"d{i}", "x": i} for i in range(300)])
        # every replacement differs from its document: MongoDB counts a no-op replace as matched,
        # not modified (FerretDB v1 counts it as modified)
        ops = [ReplaceOne({"_id": f"d{i}"}, {"x": -i - 1}, upsert=True) for i in range(300)]
        result = coll.bulk_write(ops, ordered=False)
        assert result.modified_count == 300
        assert sorted(d["x"] for d in coll.find({}, {"x": 1})) == sorted(-i - 1 for i in range(300))
