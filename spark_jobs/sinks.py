"""Sinks of both streaming jobs. MongoDB writes run on the executors: each partition opens its own
client and upserts by natural key, so at-least-once delivery and replays are harmless and the job
runs on a cluster. `dead_letters` is the one dead-letter sink (topic + collection) of both jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from kafka.errors import KafkaError
from pyspark.sql import DataFrame, Row

from core.collections import Coll
from core.errors import EarshotError
from core.settings import Settings
from core.topics import Topic, topic_name
from spark_jobs.transforms import dead_letter_messages, dead_letter_rows

log = logging.getLogger("earshot.spark")

BATCH = 1000


def _replace_partition(mongo_url: str, db_name: str, collection: str) -> Callable[[Iterator[Row]], None]:
    def write(rows: Iterator[Row]) -> None:
        from pymongo import MongoClient, ReplaceOne

        with MongoClient(mongo_url, tz_aware=True, appname="earshot-spark") as mongo:
            coll = mongo[db_name][collection]
            ops: list[ReplaceOne[dict[str, Any]]] = []
            for row in rows:
                doc = row.asDict(recursive=True)
                ops.append(ReplaceOne({"_id": doc["_id"]}, doc, upsert=True))
                if len(ops) >= BATCH:
                    coll.bulk_write(ops, ordered=False)
                    ops = []
            if ops:
                coll.bulk_write(ops, ordered=False)

    return write


def upsert(df: DataFrame, mongo_url: str, db_name: str, collection: str) -> None:
    """Replace-or-insert every row by its `_id` column, from the executors."""
    if "_id" not in df.columns:
        raise ValueError(f"upsert into {collection} needs an _id column")
    df.foreachPartition(_replace_partition(mongo_url, db_name, collection))


class DeadLetters:
    """The dead-letter sink of both jobs, one per job: letters are stored in `dead_letters` by
    their `_id` on the executors and published from the driver onto the dead-letter topic, keyed
    by user. The plays job stores them inside its one pass over the batch (`store_letter`); the
    playlists job hands over its invalid rows (`write`)."""

    def __init__(self, settings: Settings, stage: str) -> None:
        self.settings, self.stage = settings, stage
        self._producer: Any = None

    def publish(self, letters: list[tuple[str, str]]) -> None:
        """(user id, DeadLetterEvent JSON) pairs onto the dead-letter topic; raises when the broker
        did not take one of them."""
        if not letters:
            return
        from core import kafka

        if self._producer is None:
            self._producer = kafka.producer(self.settings)
        name = topic_name(Topic.DEADLETTER, self.settings.topic_prefix)
        sent, failed = [], []
        for key, value in letters:
            try:
                sent.append(self._producer.send(name, key=key.encode(), value=value.encode()))
            except KafkaError as exc:  # refused before sending (e.g. larger than max.request.size)
                failed.append(exc)
        self._producer.flush()
        failed += [f.exception for f in sent if f.failed()]
        if failed:  # the batch fails and is run again from its checkpoint: no letter is lost
            raise EarshotError(f"{len(failed)} dead letter(s) not published to {name}: {failed[0]}")
        log.warning("%s: %d invalid message(s) sent to dead letters", self.stage, len(letters))

    def write(self, invalid: DataFrame) -> int:
        """Invalid rows (with a `reason`): stored from the executors, then published; how many."""
        letters = dead_letter_rows(invalid, self.stage).persist()
        try:
            messages = [(r.key, r.value) for r in dead_letter_messages(letters).collect()]
            if messages:
                upsert(letters, self.settings.mongo_url, self.settings.mongo_db, Coll.DEAD_LETTERS.value)
                self.publish(messages)
            return len(messages)
        finally:
            letters.unpersist()


def store_letter(db: Any, doc: dict[str, Any]) -> None:
    """One dead letter into `dead_letters` (executor side, inside a partition's pass)."""
    db[Coll.DEAD_LETTERS.value].replace_one({"_id": doc["_id"]}, doc, upsert=True)
