"""Is something playing? Uses the consumer's `consumer.now_playing.current` when installed.

The fallback keeps the same rule: no document, an observation older than the staleness limit,
or a stopped player without a track → nothing playing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

try:
    from consumer.now_playing import current as _current
except ImportError:  # pragma: no cover - the consumer is part of the same repository
    _current = None


def current(doc: dict[str, Any] | None, now: datetime, stale_seconds: float) -> Any:
    if _current is not None:
        return _current(doc, now, stale_seconds)
    if not doc:
        return None
    observed = doc["observed_at"]
    observed = observed.replace(tzinfo=UTC) if observed.tzinfo is None else observed
    age = (now - observed).total_seconds()
    if age > stale_seconds or (not doc.get("is_playing") and not doc.get("track_name")):
        return None
    progress = doc.get("progress_ms")
    if progress is not None and doc.get("is_playing"):
        progress = min(progress + int(age * 1000), doc.get("duration_ms") or progress + int(age * 1000))
    return SimpleNamespace(
        **{**doc, "progress_ms": progress, "age_seconds": age, "artist_names": doc.get("artist_names") or []}
    )
