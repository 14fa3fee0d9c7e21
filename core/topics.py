"""Kafka topic names: the one place they are spelled.

Names are `<prefix>.<name>.v<version>`; the prefix (`EARSHOT_TOPIC_PREFIX`, default `earshot`)
lets tests and several installations share one broker without crossing streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    PLAYS = "plays.v1"
    NOW_PLAYING = "now_playing.v1"
    PLAYLIST_TRACKS = "playlist_tracks.v1"
    CATALOG = "catalog.v1"
    COMMANDS = "commands.v1"
    DEADLETTER = "deadletter.v1"


@dataclass(frozen=True)
class TopicSpec:
    topic: Topic
    compacted: bool = False
    retention_ms: int = -1  # -1: keep forever (plays are the user's history)


TOPIC_SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(Topic.PLAYS),
    TopicSpec(Topic.NOW_PLAYING, retention_ms=24 * 3600 * 1000),
    TopicSpec(Topic.PLAYLIST_TRACKS),
    TopicSpec(Topic.CATALOG, compacted=True),
    TopicSpec(Topic.COMMANDS, retention_ms=7 * 24 * 3600 * 1000),
    TopicSpec(Topic.DEADLETTER),
)


def topic_name(topic: Topic, prefix: str = "earshot") -> str:
    return f"{prefix}.{topic.value}"


def all_topic_names(prefix: str = "earshot") -> list[str]:
    return [topic_name(spec.topic, prefix) for spec in TOPIC_SPECS]


def topic_config(spec: TopicSpec) -> dict[str, str]:
    config = {"retention.ms": str(spec.retention_ms)}
    if spec.compacted:
        config = {"cleanup.policy": "compact"}
    return config
