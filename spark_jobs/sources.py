"""Kafka sources and contract parsing shared by the streaming jobs.

`parse` splits a Kafka DataFrame into rows that match an event model and rows that do not;
the latter keep their raw value and a reason, ready for the dead-letter sink. Parsing uses the
StructType derived from the pydantic model (`core.spark_schema`), never inference.
"""

from __future__ import annotations

from pydantic import BaseModel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from core.settings import Settings
from core.spark_schema import struct_for
from core.topics import Topic, topic_name


def read_topic(
    spark: SparkSession, settings: Settings, topic: Topic, max_per_trigger: int | None = None
) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.kafka_servers)
        .option("subscribe", topic_name(topic, settings.topic_prefix))
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "false")
        # how long the broker may hold a fetch that has no new data (Kafka's default: 500 ms);
        # a micro-batch's read waits for that parked fetch, so the default adds ~0.5 s to every
        # batch, however small (measured: docs/performance.md "Latency")
        .option("kafka.fetch.max.wait.ms", str(settings.kafka_fetch_wait_ms))
    )
    if max_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(max_per_trigger))
    return reader.load()


def required_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def parse(kafka_df: DataFrame, model: type[BaseModel]) -> tuple[DataFrame, DataFrame]:
    """(valid events as columns + kafka coordinates, invalid rows with `reason`)."""
    checked = check(kafka_df, model)
    valid = checked.where(F.col("reason").isNull()).select(
        "event.*", "topic", "partition", "offset", "kafka_ts"
    )
    invalid = checked.where(F.col("reason").isNotNull()).select(
        "kafka_key", "payload", "topic", "partition", "offset", "reason"
    )
    return valid, invalid


def check(kafka_df: DataFrame, model: type[BaseModel], columns: CheckColumns | None = None) -> DataFrame:
    """Every Kafka row with its parsed `event` struct and `reason` (null when valid).

    `columns` = check_columns(model), built once by a streaming job: building the ~40 column
    expressions costs a py4j round trip each, ~0.2 s per micro-batch on a small machine."""
    raw, event, reason = columns or check_columns(model)
    # selects, not withColumn: each step is analysed once (~15 ms a step on 2 cores)
    return kafka_df.select(*raw, event.alias("event")).select("*", reason.alias("reason"))


CheckColumns = tuple[list[Column], Column, Column]


def check_columns(model: type[BaseModel]) -> CheckColumns:
    """The column expressions of `check` for one event model."""
    raw = [
        F.col("key").cast("string").alias("kafka_key"),
        F.col("value").cast("string").alias("payload"),
        F.col("topic"),
        F.col("partition"),
        F.col("offset"),
        F.col("timestamp").alias("kafka_ts"),
    ]
    event = F.from_json("payload", struct_for(model), {"mode": "PERMISSIVE"})
    return raw, event, _reason(model)


def _reason(model: type[BaseModel]) -> Column:
    """First failed check as a human-readable reason, or null when the event is valid."""
    checks: list[tuple[Column, str]] = [
        (F.col("payload").isNull(), "empty message"),
        # PERMISSIVE from_json yields an all-null struct for broken JSON, so check syntax apart.
        (F.try_parse_json("payload").isNull() | F.col("event").isNull(), "not valid JSON"),
    ]
    if "schema_version" in model.model_fields:
        checks.append(
            (
                F.col("event.schema_version").isNull() | (F.col("event.schema_version") != 1),
                "missing or unsupported schema_version",
            )
        )
    for name in required_fields(model):
        checks.append((F.col(f"event.{name}").isNull(), f"missing or malformed required field '{name}'"))
    expr = F.lit(None).cast("string")
    for cond, text in reversed(checks):
        expr = F.when(cond, F.lit(text)).otherwise(expr)
    # A message with every required field parsed is valid JSON: it skips the second parse
    # (try_parse_json) that only tells broken JSON from missing fields.
    if len(checks) == 2:  # nothing required: only the syntax check tells
        return expr
    complete = F.col("payload").isNotNull()
    for cond, _ in checks[2:]:
        complete = complete & ~cond
    return F.when(complete, F.lit(None).cast("string")).otherwise(expr)
