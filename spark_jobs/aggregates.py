"""The day facts of a micro-batch summed with Spark's engine (pure transform, no I/O).

    sums = sum_facts(facts)    # facts: FACTS_SCHEMA rows, already partitioned by user_id

One group-by in the JVM (a hash aggregate: every aggregate is a number or a time), by the rules
`pipeline.day_facts` states and implements in Python for the jobs without Spark (`sum_facts`
there; the two are compared in tests/unit/test_spark_transforms.py). The facts arrive
hash-partitioned by `user_id` (the plays job repartitions them once), which already clusters
every group: the aggregation adds no second shuffle, and each output partition holds whole
users for the stage that writes their rollups.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from pipeline.day_facts import FACT_COLUMNS, GROUP_COLUMNS

_TYPES = {
    "rank": "long",
    "ended_at": "timestamp",
    "streams": "int",
    "ms": "long",
    "skip": "int",
    "doc": "binary",
}
PASSED = "doc"  # a column the plays job passes through the group-by: a play document (BSON), or null
FACTS_SCHEMA = ", ".join(f"`{c}` {_TYPES.get(c, 'string')}" for c in (*FACT_COLUMNS, PASSED))


def sum_columns() -> list[Column]:
    """The aggregate columns of `sum_facts` (built once by the streaming job: each expression is
    a py4j round trip)."""
    return [
        F.min("rank").alias("rank"),
        F.min("ended_at").alias("first"),
        F.max("ended_at").alias("last"),
        F.coalesce(F.sum("streams"), F.lit(0)).alias("streams"),
        F.count("ended_at").alias("plays"),
        F.coalesce(F.sum("ms"), F.lit(0)).alias("ms"),
        F.coalesce(F.sum("skip"), F.lit(0)).alias("skips"),
    ]


def sum_facts(facts: DataFrame, columns: list[Column] | None = None) -> DataFrame:
    """SUM_COLUMNS (and PASSED) per group (GROUP_COLUMNS and PASSED)."""
    return facts.groupBy(*GROUP_COLUMNS, PASSED).agg(*(columns or sum_columns()))
