"""Which incoming play events are the same play, and what the merged play looks like (pure Python).

Rules (DESIGN §5 "Nothing twice"):
- the same `event_id` is the same play (redelivery, re-import);
- events from *different* sources of the same user whose `ended_at` lie within the tolerance are
  one play when their track ids are equal, or — when one side has no track id (account-data
  exports: names only, minute precision) — when their normalised primary-artist + track names are
  equal. Two events from the same source are never merged: they are two real listens.

    from pipeline.dedupe import merge, same_play
    merged = merge([api_event, export_event])   # fields from the richest source, actual ms_played
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime
from typing import Any

# Richest first: which source wins a field when both have it.
SOURCE_RANK = {"export_extended": 4, "api": 3, "export_account": 2, "demo": 1}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=65536)
def norm(text: str | None) -> str:
    """Lower case, accents and punctuation removed: 'Beyoncé – Halo!' → 'beyoncehalo'."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("", folded.lower())


def name_key(artist_names: list[str] | None, track_name: str | None) -> str:
    """Source-independent identity of a track by names (primary artist | track)."""
    artist = artist_names[0] if artist_names else ""
    return f"{norm(artist)}|{norm(track_name)}"


def rank(record: dict[str, Any]) -> int:
    return SOURCE_RANK.get(str(record.get("source")), 0)


def same_play(a: dict[str, Any], b: dict[str, Any], tolerance_s: float) -> bool:
    """True when two events of one user from different sources describe the same listen."""
    if a["source"] == b["source"]:
        return False
    gap = abs((_when(a) - _when(b)).total_seconds())
    if gap > tolerance_s:
        return False
    if a.get("track_id") and b.get("track_id"):
        return bool(a["track_id"] == b["track_id"])
    key_a = name_key(a.get("artist_names"), a.get("track_name"))
    return key_a != "|" and key_a == name_key(b.get("artist_names"), b.get("track_name"))


def _when(record: dict[str, Any]) -> datetime:
    value = record["ended_at"]
    assert isinstance(value, datetime)
    return value


def merge(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One play from its source events: each field from the richest source that has it; ms_played
    actual (not estimated) before estimated; ended_at from the most precise (richest) source."""
    if len(records) == 1:  # the common case: nothing to choose between
        merged = dict(records[0])
        merged["ms_played_estimated"] = bool(merged.get("ms_played_estimated"))
        merged["event_id"] = str(merged["event_id"])
        return merged
    ordered = sorted(records, key=lambda r: (-rank(r), str(r.get("event_id"))))
    merged = {}
    for field in dict.fromkeys(k for r in ordered for k in r):
        values = [r.get(field) for r in ordered]
        merged[field] = next((v for v in values if v not in (None, [], "")), values[0])
    by_ms = sorted(ordered, key=lambda r: (bool(r.get("ms_played_estimated")), -rank(r)))
    merged["ms_played"] = by_ms[0]["ms_played"]
    merged["ms_played_estimated"] = bool(by_ms[0].get("ms_played_estimated"))
    merged["ended_at"] = ordered[0]["ended_at"]
    merged["source"] = ordered[0]["source"]
    merged["event_id"] = min(str(r["event_id"]) for r in records)
    return merged


def assign(
    incoming: list[dict[str, Any]], plays: list[dict[str, Any]], tolerance_s: float
) -> tuple[list[dict[str, Any]], set[str]]:
    """Fold incoming events into `plays` (dicts with `_id`, `records`); returns (plays, changed ids).

    New plays get `_id` = their first event's id. Events already recorded are ignored, so a replay
    of the same batch changes nothing. Candidates are looked up in time buckets of the tolerance
    width, so a large import stays linear.
    """
    width = max(tolerance_s, 1.0)
    buckets: dict[int, list[dict[str, Any]]] = {}

    def index(play: dict[str, Any], record: dict[str, Any]) -> None:
        slot = buckets.setdefault(int(_when(record).timestamp() // width), [])
        if not any(p is play for p in slot):
            slot.append(play)

    for play in plays:
        for record in play["records"]:
            index(play, record)
    known = {eid for p in plays for eid in (r["event_id"] for r in p["records"])}
    changed: set[str] = set()
    for event in sorted(incoming, key=lambda r: (_when(r), -rank(r), str(r["event_id"]))):
        if event["event_id"] in known:
            continue
        known.add(event["event_id"])
        slot = int(_when(event).timestamp() // width)
        nearby = [p for s in (slot - 1, slot, slot + 1) for p in buckets.get(s, [])]
        target = _closest(event, list({id(p): p for p in nearby}.values()), tolerance_s)
        if target is None:
            target = {"_id": event["event_id"], "records": []}
            plays.append(target)
        target["records"].append(event)
        index(target, event)
        changed.add(target["_id"])
    return plays, changed


def _closest(event: dict[str, Any], plays: list[dict[str, Any]], tolerance_s: float) -> dict[str, Any] | None:
    best: tuple[float, dict[str, Any]] | None = None
    for play in plays:
        if any(r["source"] == event["source"] for r in play["records"]):
            continue
        if not any(same_play(event, r, tolerance_s) for r in play["records"]):
            continue
        gap = min(abs((_when(event) - _when(r)).total_seconds()) for r in play["records"])
        if best is None or gap < best[0]:
            best = (gap, play)
    return best[1] if best else None
