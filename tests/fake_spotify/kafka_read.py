"""Read a whole topic (from the beginning up to its current end) — for assertions in tests."""

from __future__ import annotations

import json
import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from core.settings import Settings
from core.topics import Topic, topic_name


def read_topic(settings: Settings, topic: Topic, user_id: str | None = None) -> list[dict[str, Any]]:
    """Every value on `topic` (decoded JSON), optionally only those keyed by `user_id`."""
    name = topic_name(topic, settings.topic_prefix)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id="earshot-test-reader",
    )
    try:
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        values: list[dict[str, Any]] = []
        remaining = {tp for tp in partitions if end[tp] > 0}
        deadline = time.monotonic() + 60
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {name} to its end within 60 s")
            for tp, records in consumer.poll(timeout_ms=2000).items():
                for record in records:
                    if user_id is None or record.key == user_id.encode():
                        values.append(json.loads(record.value))
                if consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        return values
    finally:
        consumer.close()
