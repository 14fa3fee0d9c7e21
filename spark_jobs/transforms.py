"""Pure Spark transforms of the plays job (no I/O; unit-tested with small DataFrames).

checked = check(kafka_df, PlayEvent)                 # spark_jobs.sources: `event` struct + `reason`
rows = batch_rows(checked, "spark.plays")            # `event` | `letter` per message, one pass
letters = dead_letter_rows(invalid, "spark.plays")   # DeadLetterEvent columns + _id
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from core.events import DeadLetterEvent
from pipeline.enrich import EVENT_FIELDS

TIME_FIELDS = ("ended_at", "emitted_at")
LETTER_FIELDS = list(DeadLetterEvent.model_fields)


def event_columns(prefix: str = "") -> list[Column]:
    """Event columns, timestamps as epoch microseconds (`<name>_us`, so Python never guesses a zone)."""
    cols: list[Column] = []
    for name in EVENT_FIELDS:
        if name in TIME_FIELDS:
            cols.append(F.unix_micros(F.col(prefix + name)).alias(f"{name}_us"))
        else:
            cols.append(F.col(prefix + name).alias(name))
    return cols


def dead_letter_columns(stage: str) -> list[Column]:
    """`_id` '<stage>:<topic>:<partition>:<offset>' and the DeadLetterEvent fields of a rejected row
    (columns kafka_key, payload, topic, partition, offset, reason)."""
    ident = F.concat_ws(
        ":", F.lit(stage), "topic", F.col("partition").cast("string"), F.col("offset").cast("string")
    )
    cols = [
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
    ]
    return cols


def dead_letter_rows(invalid: DataFrame, stage: str) -> DataFrame:
    """Rejected Kafka rows as DeadLetterEvent columns plus `_id`."""
    out = invalid.select(*dead_letter_columns(stage))
    assert [c for c in out.columns if c != "_id"] == LETTER_FIELDS
    return out


def dead_letter_messages(letters: DataFrame) -> DataFrame:
    """Key/value columns for Spark's Kafka sink (value = DeadLetterEvent JSON)."""
    fields = [c for c in letters.columns if c != "_id"]
    return letters.select(F.col("user_id").alias("key"), F.to_json(F.struct(*fields)).alias("value"))


BatchColumns = tuple[Column, list[Column]]


def batch_rows(checked: DataFrame, stage: str, columns: BatchColumns | None = None) -> DataFrame:
    """One row per Kafka message, for a single pass over a micro-batch: `event` (the play's
    columns; null when invalid) and `letter` (`doc`: the dead letter with `_id`, `value`: its
    topic message; null when valid). Redeliveries inside a batch are folded later by event id.
    `columns` = batch_columns(stage), built once by the streaming job (see sources.check)."""
    dead_letter, select = columns or batch_columns(stage)
    return checked.select("*", dead_letter.alias("dl")).select(*select)


def batch_columns(stage: str) -> BatchColumns:
    """The column expressions of `batch_rows`: the dead-letter struct and the final selection."""
    valid = F.col("reason").isNull()
    value = F.to_json(F.struct(*[F.col("dl").getField(f).alias(f) for f in LETTER_FIELDS]))
    return F.struct(*dead_letter_columns(stage)), [
        F.when(valid, F.struct(*event_columns("event."))).alias("event"),
        F.when(~valid, F.struct(F.col("dl").alias("doc"), value.alias("value"))).alias("letter"),
    ]
