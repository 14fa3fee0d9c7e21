"""Kafka clients shared by every component: keyed JSON producer, consumer, topics, readiness."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

from core.events import Event, encode, key_for
from core.settings import Settings
from core.topics import TOPIC_SPECS, Topic, topic_config, topic_name


def producer(settings: Settings, **overrides: object) -> KafkaProducer:
    """Durable, ordered-per-key producer (acks=all, idempotent retries)."""
    config: dict[str, object] = {
        "bootstrap_servers": settings.kafka_servers,
        "acks": "all",
        "linger_ms": 5,
        "retries": 5,
        "max_in_flight_requests_per_connection": 1,
        "compression_type": None,
        "client_id": "earshot",
    }
    config.update(overrides)
    return KafkaProducer(**config)


def send(prod: KafkaProducer, settings: Settings, topic: Topic, event: Event):  # type: ignore[no-untyped-def]
    """Publish an event keyed by its user; returns the kafka-python future."""
    return prod.send(topic_name(topic, settings.topic_prefix), key=key_for(event), value=encode(event))


def consumer(settings: Settings, group_id: str | None, *topics: Topic, **overrides: object) -> KafkaConsumer:
    config: dict[str, object] = {
        "bootstrap_servers": settings.kafka_servers,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "client_id": "earshot",
    }
    config.update(overrides)
    names = [topic_name(t, settings.topic_prefix) for t in topics]
    return KafkaConsumer(*names, **config)


def admin(settings: Settings) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=settings.kafka_servers, client_id="earshot-admin")


def ensure_topics(settings: Settings, topics: Iterable[Topic] | None = None) -> list[str]:
    """Create the earshot topics that do not exist yet. Returns the names created."""
    wanted = set(topics) if topics is not None else {spec.topic for spec in TOPIC_SPECS}
    client = admin(settings)
    try:
        existing = set(client.list_topics())
        new = {
            topic_name(spec.topic, settings.topic_prefix): {
                "num_partitions": settings.kafka_partitions,
                "replication_factor": 1,
                "configs": topic_config(spec),
            }
            for spec in TOPIC_SPECS
            if spec.topic in wanted and topic_name(spec.topic, settings.topic_prefix) not in existing
        }
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent `up` made them first
                client.create_topics(new, wait_for_metadata=True)
        return sorted(new)
    finally:
        client.close()


def wait_ready(settings: Settings, timeout_s: float = 60.0) -> None:
    """Readiness as a real round trip: the broker answers metadata requests for its topics."""
    deadline = time.monotonic() + timeout_s
    quiet = logging.getLogger("kafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # refused connections are expected while it starts
    try:
        _wait(settings, deadline)
    finally:
        quiet.setLevel(level)


def _wait(settings: Settings, deadline: float) -> None:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            client = admin(settings)
            try:
                client.list_topics()
                client.describe_cluster()
                return
            finally:
                client.close()
        except (KafkaError, OSError) as exc:
            last = exc
            time.sleep(0.3)
    raise TimeoutError(f"Kafka at {settings.kafka_servers} not ready: {last}")
