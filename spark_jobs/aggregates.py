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

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from pipeline.day_facts import FACT_COLUMNS, TOTAL

_TYPES = {
    "rich": "boolean",
    "ended_at": "timestamp",
    "streams": "int",
    "ms": "long",
    "skip": "int",
}
FACTS_SCHEMA = ", ".join(f"`{c}` {_TYPES.get(c, 'string')}" for c in FACT_COLUMNS)
GROUP = ("user_id", "day", "table", "key")


SumColumns = tuple[list[Column], list[Column]]


def sum_columns() -> SumColumns:
    """The aggregate and output column expressions of `sum_facts` (built once by the streaming
    job: each expression is a py4j round trip, ~40 ms per batch if built every time)."""
    best = F.min_by(
        F.struct("name", "artist", "track_id"),
        F.struct((~F.col("rich")).alias("plain"), "ended_at", "play_id"),
    )
    listed = F.when(
        F.col("table") == TOTAL, F.struct(F.col("ended_at").alias("at"), F.col("play_id").alias("id"))
    )
    aggregates = [
        F.coalesce(F.sum("streams"), F.lit(0)).alias("streams"),
        F.count("play_id").alias("plays"),
        F.coalesce(F.sum("ms"), F.lit(0)).alias("ms"),
        F.coalesce(F.sum("skip"), F.lit(0)).alias("skips"),
        F.min("ended_at").alias("first"),
        F.max("ended_at").alias("last"),
        best.alias("best"),
        F.array_sort(F.collect_list(listed)).alias("play_ids"),
        F.max("info").alias("info"),
    ]
    out = [F.col(c) for c in (*GROUP, "streams", "plays", "ms", "skips", "first", "last")]
    out += [F.col(f"best.{c}").alias(c) for c in ("name", "artist", "track_id")]
    return aggregates, [*out, F.col("play_ids"), F.col("info")]


def sum_facts(facts: DataFrame, columns: SumColumns | None = None) -> DataFrame:
    """SUM_COLUMNS per (user_id, day, table, key)."""
    aggregates, out = columns or sum_columns()
    return facts.groupBy(*GROUP).agg(*aggregates).select(*out)
