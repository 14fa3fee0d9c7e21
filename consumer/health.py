"""Kafka consumer lag into `pipeline_health` (kind 'kafka_lag'), and when it is growing.

Every `alert_interval_seconds` the monitor lists the consumer groups of this installation
(ids starting with `<topic_prefix>.`), reads their committed offsets (admin OffsetFetch) and the
partitions' end offsets, and writes one document per group and topic:

    _id 'lag:<group>:<topic>', kind 'kafka_lag', status 'ok'|'degraded' (growing), updated_at,
    details {group, topic, lag, partitions {'0': lag, ...}, growing, growing_since}

Lag = end offset − committed offset (a partition without a commit counts from its beginning).
It is "growing" when it rose at every one of the last `GROWING_SAMPLES` checks and is at least
`min_lag` messages; the alerts loop turns that into an alert.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict, deque
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from pymongo.database import Database

from core import health, kafka
from core.events import utc_now
from core.settings import Settings

log = logging.getLogger("earshot.consumer.health")
GROWING_SAMPLES = 4
MIN_GROWING_LAG = 1000


def lag_by_topic(
    committed: dict[TopicPartition, int], ends: dict[TopicPartition, int], begins: dict[TopicPartition, int]
) -> dict[str, dict[int, int]]:
    """Per topic and partition: end − committed (no commit: end − beginning), never negative."""
    lags: dict[str, dict[int, int]] = defaultdict(dict)
    for tp, end in ends.items():
        start = committed.get(tp, -1)
        if start < 0:
            start = begins.get(tp, 0)
        lags[tp.topic][tp.partition] = max(0, end - start)
    return dict(lags)


def is_growing(samples: Sequence[int], min_lag: int = MIN_GROWING_LAG, needed: int = GROWING_SAMPLES) -> bool:
    """True when the last `needed` samples strictly increase and the last one is ≥ min_lag."""
    if len(samples) < needed:
        return False
    last = list(samples)[-needed:]
    return last[-1] >= min_lag and all(b > a for a, b in itertools.pairwise(last))


class LagMonitor:
    """Measures lag of this installation's consumer groups and writes `kafka_lag` heartbeats."""

    def __init__(self, db: Database[dict[str, Any]], settings: Settings, min_lag: int = MIN_GROWING_LAG):
        self.db, self.settings, self.min_lag = db, settings, min_lag
        self.history: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=GROWING_SAMPLES * 2))
        self.growing_since: dict[str, datetime] = {}
        self._admin: Any = None
        self._consumer: KafkaConsumer | None = None

    def groups(self) -> list[str]:
        prefix = f"{self.settings.topic_prefix}."
        return sorted(
            g["group_id"] for g in self._admin_client().list_groups() if g["group_id"].startswith(prefix)
        )

    def measure(self) -> dict[tuple[str, str], dict[int, int]]:
        """{(group, topic): {partition: lag}} for every topic a group has committed offsets on."""
        groups = self.groups()
        if not groups:
            return {}
        offsets = self._admin_client().list_group_offsets(groups)
        meta = self._metadata_consumer()
        topic_prefix = f"{self.settings.topic_prefix}."
        result: dict[tuple[str, str], dict[int, int]] = {}
        for group, committed in offsets.items():
            topics = {tp.topic for tp in committed if tp.topic.startswith(topic_prefix)}
            tps = [
                TopicPartition(t, p)
                for t in sorted(topics)
                for p in sorted(meta.partitions_for_topic(t) or ())
            ]
            if not tps:
                continue
            ends = meta.end_offsets(tps, timeout_ms=5000)
            begins = meta.beginning_offsets(tps, timeout_ms=5000)
            plain = {tp: int(om.offset) for tp, om in committed.items()}
            for topic, parts in lag_by_topic(plain, ends, begins).items():
                result[(group, topic)] = parts
        return result

    def tick(self) -> dict[str, Any]:
        now = utc_now()
        measured = self.measure()
        growing_total = 0
        for (group, topic), parts in measured.items():
            component = f"lag:{group}:{topic}"
            total = sum(parts.values())
            self.history[component].append(total)
            growing = is_growing(self.history[component], self.min_lag)
            if growing:
                self.growing_since.setdefault(component, now)
                growing_total += 1
            else:
                self.growing_since.pop(component, None)
            since = self.growing_since.get(component)
            health.beat(
                self.db,
                component,
                "kafka_lag",
                "degraded" if growing else "ok",
                {
                    "group": group,
                    "topic": topic,
                    "lag": total,
                    "partitions": {str(p): lag for p, lag in sorted(parts.items())},
                    "growing": growing,
                    "growing_since": since,
                },
                now=now,
            )
        return {
            "groups_topics": len(measured),
            "growing": growing_total,
            "total_lag": sum(sum(p.values()) for p in measured.values()),
        }

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self._consumer is not None:
            self._consumer.close(autocommit=False)

    def _admin_client(self) -> Any:
        if self._admin is None:
            self._admin = kafka.admin(self.settings)
        return self._admin

    def _metadata_consumer(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                bootstrap_servers=self.settings.kafka_servers,
                group_id=None,
                enable_auto_commit=False,
                client_id="earshot-lag",
            )
        return self._consumer
