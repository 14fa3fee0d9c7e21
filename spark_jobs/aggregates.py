"""The day facts of a micro-batch summed with Spark's engine (pure transform, no I/O).

    sums = sum_facts(facts)    # facts: FACTS_SCHEMA rows, already partitioned by user_id

One group-by per (user, day, table, key) in the JVM, by the rules `pipeline.day_facts` states and
implements in Python for the jobs without Spark (`sum_facts` there; the two are compared in
tests/integration/test_spark_process.py). The facts arrive hash-partitioned by `user_id` (the
plays job repartitions them once), which already clusters every group: the aggregation adds no
second shuffle, and each output partition holds whole users for the stage that writes their
rollups.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from pipeline.day_facts import FACT_COLUMNS, SUM_COLUMNS, TOTAL

_TYPES = {
    "rich": "boolean",
    "ended_at": "timestamp",
    "streams": "int",
    "ms": "long",
    "skip": "int",
}
FACTS_SCHEMA = ", ".join(f"`{c}` {_TYPES.get(c, 'string')}" for c in FACT_COLUMNS)
GROUP = ("user_id", "day", "table", "key")


def sum_facts(facts: DataFrame) -> DataFrame:
    """SUM_COLUMNS per (user_id, day, table, key)."""
    best = F.min_by(
        F.struct("name", "artist", "track_id"),
        F.struct((~F.col("rich")).alias("plain"), "ended_at", "play_id"),
    )
    listed = F.when(
        F.col("table") == TOTAL, F.struct(F.col("ended_at").alias("at"), F.col("play_id").alias("id"))
    )
    sums = facts.groupBy(*GROUP).agg(
        F.coalesce(F.sum("streams"), F.lit(0)).alias("streams"),
        F.count("play_id").alias("plays"),
        F.coalesce(F.sum("ms"), F.lit(0)).alias("ms"),
        F.coalesce(F.sum("skip"), F.lit(0)).alias("skips"),
        F.min("ended_at").alias("first"),
        F.max("ended_at").alias("last"),
        best.alias("best"),
        F.array_sort(F.collect_list(listed)).alias("play_ids"),
        F.max("info").alias("info"),
    )
    out = sums.select(
        *GROUP,
        "streams",
        "plays",
        "ms",
        "skips",
        "first",
        "last",
        "best.name",
        "best.artist",
        "best.track_id",
        "play_ids",
        "info",
    )
    assert tuple(out.columns) == SUM_COLUMNS
    return out
