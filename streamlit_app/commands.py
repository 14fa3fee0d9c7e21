"""Requests from the app to the producer, published on the commands topic."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import kafka
from core.events import CommandEvent, stable_id, utc_now
from core.settings import get_settings
from core.topics import Topic


@st.cache_resource(show_spinner=False)
def _producer(servers: str) -> Any:
    return kafka.producer(get_settings())


def send(user_id: str, action: str, args: dict[str, str]) -> CommandEvent:
    """Publish a command and wait for the broker's acknowledgement (raises on failure)."""
    settings = get_settings()
    now = utc_now()
    event = CommandEvent(
        event_id=stable_id(user_id, action, sorted(args.items()), now.isoformat()),
        user_id=user_id,
        action=action,
        requested_at=now,
        args=args,
    )  # type: ignore[arg-type]
    prod = _producer(settings.kafka_servers)
    kafka.send(prod, settings, Topic.COMMANDS, event).get(timeout=10)
    return event
