"""Dead letters: rejected messages with the reason, never silently dropped.

`document(event)` is the `dead_letters` shape (core/collections.py) with its deterministic `_id`
("<stage>:<topic>:<partition>:<offset>" or a stable id of the payload). `reject(...)` stores one
directly and also publishes it to the dead-letter topic (so the raw landing zone has it too).
"""

from __future__ import annotations

import logging
from typing import Any

from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from pymongo import UpdateOne
from pymongo.database import Database

from core import kafka
from core.collections import Coll
from core.events import DeadLetterEvent, as_document, stable_id, utc_now
from core.settings import Settings
from core.topics import Topic

log = logging.getLogger("earshot.consumer.deadletters")


def dead_letter_id(event: DeadLetterEvent) -> str:
    if event.source_topic is not None and event.partition is not None and event.offset is not None:
        return f"{event.stage}:{event.source_topic}:{event.partition}:{event.offset}"
    return stable_id(event.stage, event.reason, event.payload)


def document(event: DeadLetterEvent) -> dict[str, Any]:
    return {"_id": dead_letter_id(event), **as_document(event)}


def upserts(events: list[DeadLetterEvent]) -> list[UpdateOne]:
    """Idempotent writes: the first copy of a dead letter wins, redeliveries change nothing."""
    ops = []
    for event in events:
        doc = document(event)
        ops.append(UpdateOne({"_id": doc.pop("_id")}, {"$setOnInsert": doc}, upsert=True))
    return ops


def for_record(stage: str, record: ConsumerRecord, reason: str) -> DeadLetterEvent:
    key = record.key.decode("utf-8", "replace") if record.key else "unknown"
    payload = record.value.decode("utf-8", "replace") if record.value is not None else ""
    return DeadLetterEvent(
        event_id=f"{stage}:{record.topic}:{record.partition}:{record.offset}",
        user_id=key or "unknown",
        stage=stage,
        reason=reason[:2000],
        failed_at=utc_now(),
        source_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        payload=payload,
    )


def reject(
    db: Database[dict[str, Any]],
    producer: KafkaProducer | None,
    settings: Settings,
    events: list[DeadLetterEvent],
) -> None:
    """Store the dead letters (raises on a database error so the batch is retried) and publish them."""
    if not events:
        return
    db[Coll.DEAD_LETTERS.value].bulk_write(upserts(events), ordered=False)
    for event in events:
        log.warning("dead letter from %s: %s", event.stage, event.reason.splitlines()[0][:200])
        if producer is None:
            continue
        try:
            kafka.send(producer, settings, Topic.DEADLETTER, event)
        except KafkaError as exc:  # already stored in dead_letters; the topic copy is best effort
            log.warning("could not publish dead letter: %s", exc)
