"""Streaming-history records → `PlayEvent`s, for both export packages and both generations.

Extended history (`endsong_*.json`, `Streaming_History_Audio_*.json`, `…_Video_*.json`):
- `ts` is the end of playback in UTC (`2023-02-25T11:20:37Z`, or `2013-10-09 20:03:57 UTC` in early
  exports); `ms_played` may be a string in early exports;
- old and new field names are both read (`ip_addr_decrypted`/`ip_addr`, `username` …; only fields
  the play contract carries are used, so IP addresses and user agents never leave the file);
- `offline_timestamp` (the start of an offline play) is epoch *milliseconds* in old files and epoch
  *seconds* in new ones; for plays marked `offline` it dates the play: `ended_at` = start +
  `ms_played` (`ts` then is when the play was synced);
- event id = stable_id(source, user, ts, track/episode/chapter URI, ms_played) — the natural key of
  a play, so re-imports and overlapping exports publish identical ids.

Account data (`StreamingHistory_music_*.json`, `_podcast_*`, `_audiobook_*`, legacy
`StreamingHistory*.json`): minute-precision `endTime` (UTC), names only, no ids. Identical rows
in one file are real repeats (the same song twice within a minute) more often than errors, so
the event id adds the row's occurrence number within its file:
stable_id(source, user, endTime, kind, artist/show, track/episode, msPlayed, occurrence).
Importing the same file again reproduces the same numbers, hence the same ids.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.events import PlayEvent, stable_id

EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)  # Spotify did not exist before
MAX_MS = 24 * 3600 * 1000


class RecordError(ValueError):
    """A malformed record; the message is the reason shown in the import report."""


class Skip(Exception):
    """A well-formed record that is deliberately not a play (the message is the skip reason)."""


def parse_time(value: Any, field: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise RecordError(f"'{field}' is missing or not a string")
    text = value[:-4] + "+00:00" if value.endswith(" UTC") else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"'{field}' is not a timestamp: {value[:40]!r}") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not EARLIEST <= moment <= datetime.now(UTC) + timedelta(days=2):
        raise RecordError(f"'{field}' is out of range: {value[:40]!r}")
    return moment


def parse_ms(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise RecordError(f"'{field}' is not a number")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int):
        raise RecordError(f"'{field}' is not a whole number of milliseconds: {str(value)[:20]!r}")
    if not 0 <= value <= MAX_MS:
        raise RecordError(f"'{field}' is out of range: {value}")
    return value


def epoch_start(value: Any) -> datetime | None:
    """`offline_timestamp` → datetime; 13-digit values are milliseconds, 10-digit seconds."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return None
    seconds = value / 1000 if value >= 1e11 else float(value)
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if moment >= EARLIEST else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    return None


def _id_of(uri: str | None) -> str | None:
    return uri.rsplit(":", 1)[-1] if uri else None


def extended_play(rec: Any, user_id: str, video_file: bool = False) -> PlayEvent:
    """One extended-history record as a play; raises RecordError or Skip."""
    if not isinstance(rec, dict):
        raise RecordError("record is not a JSON object")
    ts = parse_time(rec.get("ts"), "ts")
    ms = parse_ms(rec.get("ms_played"), "ms_played")
    track_uri = _text(rec.get("spotify_track_uri"))
    episode_uri = _text(rec.get("spotify_episode_uri"))
    chapter_uri = _text(rec.get("audiobook_chapter_uri")) or _text(rec.get("audiobook_uri"))
    if track_uri:
        kind, uri = "track", track_uri
        name = _text(rec.get("master_metadata_track_name"))
        artist = _text(rec.get("master_metadata_album_artist_name"))
        album = _text(rec.get("master_metadata_album_album_name"))
    elif episode_uri or _text(rec.get("episode_name")):
        kind, uri = ("video" if video_file else "episode"), episode_uri
        name = _text(rec.get("episode_name"))
        artist = album = _text(rec.get("episode_show_name"))
    elif chapter_uri or _text(rec.get("audiobook_title")):
        kind, uri = "audiobook", chapter_uri
        name = _text(rec.get("audiobook_chapter_title")) or _text(rec.get("audiobook_title"))
        artist, album = None, _text(rec.get("audiobook_title"))
    else:
        raise Skip("no_content")
    offline = _flag(rec.get("offline"))
    ended_at = ts
    if offline:
        start = epoch_start(rec.get("offline_timestamp"))
        if start is not None and start < ts:
            ended_at = datetime.fromtimestamp(start.timestamp() + ms / 1000, UTC)
    return PlayEvent(
        event_id=stable_id("export_extended", user_id, ts.isoformat(), uri or name, ms),
        user_id=user_id,
        source="export_extended",
        kind=kind,
        ended_at=ended_at,
        ms_played=ms,
        track_id=_id_of(uri),
        track_uri=uri,
        track_name=name,
        artist_names=[artist] if artist else [],
        album_name=album,
        platform=_text(rec.get("platform")),
        shuffle=_flag(rec.get("shuffle")),
        skipped=_flag(rec.get("skipped")),
        offline=offline,
        reason_start=_text(rec.get("reason_start")),
        reason_end=_text(rec.get("reason_end")),
        conn_country=_text(rec.get("conn_country")),
    )


class AccountParser:
    """Account-data rows of ONE file (it numbers identical rows, see the module docstring)."""

    def __init__(self, user_id: str):
        self.user_id = user_id
        self.seen: dict[tuple[Any, ...], int] = {}

    def play(self, rec: Any) -> PlayEvent:
        if not isinstance(rec, dict):
            raise RecordError("record is not a JSON object")
        ended = parse_time(rec.get("endTime"), "endTime")
        ms = parse_ms(rec.get("msPlayed"), "msPlayed")
        if "podcastName" in rec or "episodeName" in rec:
            kind, who, what, album = (
                "episode",
                _text(rec.get("podcastName")),
                _text(rec.get("episodeName")),
                None,
            )
            album = who
        elif "audiobookName" in rec or "chapterName" in rec:
            kind, what = "audiobook", _text(rec.get("chapterName")) or _text(rec.get("audiobookName"))
            who, album = _text(rec.get("authorName")), _text(rec.get("audiobookName"))
        else:
            kind, who, what, album = "track", _text(rec.get("artistName")), _text(rec.get("trackName")), None
        if not what and not who:
            raise RecordError("record names neither a track nor an artist/show")
        key = (rec.get("endTime"), kind, who, what, ms)
        occurrence = self.seen.get(key, 0)
        self.seen[key] = occurrence + 1
        return PlayEvent(
            event_id=stable_id(
                "export_account", self.user_id, ended.isoformat(), kind, who, what, ms, occurrence
            ),
            user_id=self.user_id,
            source="export_account",
            kind=kind,
            ended_at=ended,
            ms_played=ms,
            track_name=what,
            artist_names=[who] if who else [],
            album_name=album,
        )
