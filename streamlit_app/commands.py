"""Requests from the app to the producer, published on the commands topic."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core import kafka
from core.events import CommandEvent, stable_id, utc_now
from core.settings import get_settings
from core.topics import Topic
from streamlit_app import auth


@st.cache_resource(show_spinner=False)
def _producer(servers: str) -> Any:
    return kafka.producer(get_settings())


def send(user_id: str, action: str, args: dict[str, str]) -> CommandEvent:
    """Publish a command for a listener the signed-in account may see, naming that account, and
    wait for the broker's acknowledgement (raises on failure; PermissionError for another's)."""
    account = auth.check(user_id)
    settings = get_settings()
    now = utc_now()
    event = CommandEvent(
        event_id=stable_id(user_id, action, sorted(args.items()), now.isoformat()),
        user_id=user_id,
        action=action,
        requested_at=now,
        args=args,
        requested_by=account.name,
    )  # type: ignore[arg-type]
    prod = _producer(settings.kafka_servers)
    kafka.send(prod, settings, Topic.COMMANDS, event).get(timeout=10)
    return event


def request(user_id: str, action: str, args: dict[str, str] | None = None) -> bool:
    """`send`, with a message on the page when Kafka cannot be reached; whether it was sent."""
    try:
        send(user_id, action, args or {})
    except PermissionError as exc:
        st.error(f"Not sent: {exc}.")
        return False
    except Exception as exc:
        st.error(f"Could not send the request to Kafka ({type(exc).__name__}); is `earshot run` running?")
        return False
    return True
