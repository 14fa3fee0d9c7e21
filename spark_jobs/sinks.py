"""MongoDB sinks that run on the executors: each partition opens its own client and upserts by
natural key, so at-least-once delivery and replays are harmless and the job runs on a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyspark.sql import DataFrame, Row

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
