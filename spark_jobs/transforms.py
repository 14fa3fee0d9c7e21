"""Pure Spark transforms of the plays job (no I/O; unit-tested with small DataFrames).

valid, invalid = parse(kafka_df, PlayEvent)          # spark_jobs.sources
events = play_records(valid)                         # one row per (user, event_id)
letters = dead_letter_rows(invalid, "spark.plays")   # DeadLetterEvent columns + _id
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from core.events import DeadLetterEvent, PlayEvent

EVENT_FIELDS = [f for f in PlayEvent.model_fields if f != "schema_version"]
TIME_FIELDS = ("ended_at", "emitted_at")


def play_records(valid: DataFrame) -> DataFrame:
    """Event columns only, timestamps as epoch microseconds (`<name>_us`, so Python never guesses a
    zone), one row per (user_id, event_id): a redelivery inside one batch is dropped here."""
    cols: list[Column] = []
    for name in EVENT_FIELDS:
        if name in TIME_FIELDS:
            cols.append(F.unix_micros(F.col(name)).alias(f"{name}_us"))
        else:
            cols.append(F.col(name))
    return valid.select(*cols).dropDuplicates(["user_id", "event_id"])


def dead_letter_rows(invalid: DataFrame, stage: str) -> DataFrame:
    """Rejected Kafka rows as DeadLetterEvent columns, `_id` '<stage>:<topic>:<partition>:<offset>'."""
    ident = F.concat_ws(
        ":", F.lit(stage), "topic", F.col("partition").cast("string"), F.col("offset").cast("string")
    )
    out = invalid.select(
        ident.alias("_id"),
        F.lit(1).cast("long").alias("schema_version"),
        ident.alias("event_id"),
        F.coalesce(F.col("kafka_key"), F.lit("unknown")).alias("user_id"),
        F.lit(stage).alias("stage"),
        F.col("reason"),
        F.current_timestamp().alias("failed_at"),
        F.col("topic").alias("source_topic"),
        F.col("partition").cast("long").alias("partition"),
        F.col("offset").cast("long").alias("offset"),
        F.coalesce(F.col("payload"), F.lit("")).alias("payload"),
    )
    assert [c for c in out.columns if c != "_id"] == list(DeadLetterEvent.model_fields)
    return out


def dead_letter_messages(letters: DataFrame) -> DataFrame:
    """Key/value columns for Spark's Kafka sink (value = DeadLetterEvent JSON)."""
    fields = [c for c in letters.columns if c != "_id"]
    return letters.select(F.col("user_id").alias("key"), F.to_json(F.struct(*fields)).alias("value"))
