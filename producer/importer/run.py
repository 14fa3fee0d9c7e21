"""The import itself: read every file, detect its kind, publish plays and playlists, report.

    from producer.importer import import_path
    report = import_path(settings, "~/Downloads/my_spotify_data.zip", "alice")

Progress goes to the optional `progress(records_read, records_total)` callable (the total is an
estimate from file sizes until the last file is parsed) and to the `imports` document.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kafka.errors import KafkaError
from pydantic import ValidationError

from core import gold, kafka
from core.collections import Coll
from core.errors import EarshotError
from core.events import DeadLetterEvent, utc_now
from core.mongo import database
from core.settings import Settings
from core.topics import Topic
from producer.importer.detect import detect, is_video_file
from producer.importer.files import Limits, Rejected, SourceFile
from producer.importer.history import AccountParser, RecordError, Skip, extended_play
from producer.importer.library import ExportPlaylist, library_playlist, playlists_from_export
from producer.importer.report import FileReport, ImportReport, match_catalog
from producer.importer.salvage import read_document
from producer.importer.sources import iter_sources
from producer.publish import BULK, Publisher

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
BYTES_PER_RECORD = 700  # for the progress estimate before a file is parsed
MAX_DEAD_LETTERS = 1000


def music_key(event: Any) -> tuple[str, str]:
    """How enrichment will look a music play up in the catalog: its track id, else its names."""
    from pipeline.dedupe import name_key

    if event.track_id:
        return "id", event.track_id
    return "name", name_key(event.artist_names, event.track_name)


def import_path(
    settings: Settings,
    path: str | Path,
    user_id: str,
    progress: Progress | None = None,
    *,
    publisher: Publisher | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Import an export zip, folder or file for `user_id`; returns (and stores) the report."""
    user_id = user_id.strip()
    if not user_id:
        raise EarshotError("an import needs a user id (--user)")
    source = Path(path).expanduser().resolve()
    sources = list(iter_sources(source, limits or Limits()))
    db = database(settings)
    report = ImportReport(user_id=user_id, path=str(source))
    job = _Job(settings, db, report, progress, sources)
    imports = db[Coll.IMPORTS.value]
    imports.replace_one({"_id": report.import_id}, report.to_document(), upsert=True)
    if publisher is None:
        kafka.ensure_topics(settings)
    pub = publisher or Publisher(settings, **BULK)
    try:
        for src in sources:
            job.file(src, pub)
        pub.flush()
        match_catalog(db, report)
        report.status = "done"
    except KafkaError as exc:
        report.status, report.message = "failed", f"Kafka: {exc}"
        raise EarshotError(f"import stopped, Kafka at {settings.kafka_servers} failed: {exc}") from None
    except Exception as exc:
        report.status, report.message = "failed", str(exc)
        raise
    finally:
        report.finished_at = utc_now()
        report.records_total = report.records_read
        imports.replace_one({"_id": report.import_id}, report.to_document(), upsert=True)
        if publisher is None:
            pub.prod.close(timeout=10)
    _touch_user(db, user_id, settings)
    job.tick(force=True)
    return report


class _Job:
    def __init__(
        self,
        settings: Settings,
        db: Any,
        report: ImportReport,
        progress: Progress | None,
        sources: list[SourceFile | Rejected],
    ):
        self.settings, self.db, self.report, self.progress = settings, db, report, progress
        self.seen: set[str] = set()
        self.dead = 0
        self.pending_bytes = sum(s.size for s in sources if isinstance(s, SourceFile))
        report.records_total = self.pending_bytes // BYTES_PER_RECORD
        self.last_tick = 0.0

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_tick < 1.0:
            return
        self.last_tick = now
        r = self.report
        r.records_total = max(r.records_total, r.records_read)
        if self.progress:
            self.progress(r.records_read, r.records_total)
        self.db[Coll.IMPORTS.value].update_one(
            {"_id": r.import_id},
            {"$set": {"progress": {"records_read": r.records_read, "records_total": r.records_total}}},
        )

    def file(self, src: SourceFile | Rejected, pub: Publisher) -> None:
        if isinstance(src, Rejected):
            fr = FileReport(src.name, "rejected")
            fr.error(None, src.reason, src.code)
            self.report.files.append(fr)
            return
        fr = FileReport(src.name, "unknown")
        self.report.files.append(fr)
        try:
            parsed = read_document(src, fr)
        finally:
            self.pending_bytes -= src.size
        if parsed is None:
            return
        doc, damage = parsed
        fr.kind = detect(doc)
        if fr.kind in ("extended", "account"):
            self.records_total_known(len(doc))
            self.history(doc, fr, pub, src.name)
        elif fr.kind == "playlists":
            found, errors = playlists_from_export(doc, self.report.user_id)
            for index, reason in errors:
                fr.error(index, reason)
            self.playlists(found, fr, pub)
        elif fr.kind == "library":
            self.playlists([library_playlist(doc, self.report.user_id)], fr, pub)
        elif fr.kind == "unknown":
            fr.skipped["not_listening_data"] += 1  # Userdata.json, SearchQueries.json, …
        if damage:
            fr.error(None, f"truncated after record {len(doc):,}: {damage}", "truncated")

    def records_total_known(self, count: int) -> None:
        r = self.report
        r.records_total = r.records_read + count + self.pending_bytes // BYTES_PER_RECORD

    def history(self, records: list[Any], fr: FileReport, pub: Publisher, name: str) -> None:
        user = self.report.user_id
        extended = fr.kind == "extended"
        video = is_video_file(name)
        account = AccountParser(user)
        for index, rec in enumerate(records):
            fr.records += 1
            self.report.records_read += 1
            try:
                event = extended_play(rec, user, video) if extended else account.play(rec)
            except Skip as skip:
                fr.skipped[str(skip)] += 1
                continue
            except (RecordError, ValidationError) as exc:
                reason = _reason(exc)
                fr.error(index, reason)
                self.dead_letter(pub, name, index, reason, rec)
                continue
            if event.event_id in self.seen:
                fr.duplicates += 1
                continue
            self.seen.add(event.event_id)
            pub.send(Topic.PLAYS, event)
            fr.published += 1
            if event.kind == "track":
                fr.music[music_key(event)] += 1
            if not index % 5000:
                self.tick()

    def playlists(self, found: list[ExportPlaylist], fr: FileReport, pub: Publisher) -> None:
        user = self.report.user_id
        for playlist in found:
            for index, reason in playlist.errors:
                fr.error(index, f"playlist {playlist.name!r}: {reason}")
            fr.records += len(playlist.events) + len(playlist.errors)
            for event in playlist.events:
                pub.send(Topic.PLAYLIST_TRACKS, event)
            fr.published += len(playlist.events)
            self.db[Coll.PLAYLISTS.value].update_one(
                {"_id": gold.playlist_id(user, playlist.playlist_id)},
                {
                    "$set": {
                        "user_id": user,
                        "playlist_id": playlist.playlist_id,
                        "name": playlist.name,
                        "owner": user,
                        "source": "export",
                        "snapshot_id": playlist.snapshot_id,
                        "tracks": len(playlist.events),
                        "status": "ready",
                        "message": "",
                        "updated_at": utc_now(),
                    },
                    "$setOnInsert": {"connected": True},
                },
                upsert=True,
            )

    def dead_letter(self, pub: Publisher, name: str, index: int, reason: str, rec: Any) -> None:
        if self.dead >= MAX_DEAD_LETTERS:
            return
        self.dead += 1
        pub.send(
            Topic.DEADLETTER,
            DeadLetterEvent(
                event_id=f"{self.report.import_id}:{name}:{index}",
                user_id=self.report.user_id,
                stage="producer.import",
                reason=f"{name} record {index}: {reason}",
                failed_at=utc_now(),
                payload=json.dumps(rec, default=str)[:2000],
            ),
        )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return str(exc)


def _touch_user(db: Any, user_id: str, settings: Settings) -> None:
    now = utc_now()
    db[Coll.USERS.value].update_one(
        {"_id": user_id},
        {
            "$setOnInsert": {
                "display_name": user_id,
                "time_zone": settings.default_time_zone,
                "demo": False,
                "created_at": now,
            },
            "$set": {"last_import_at": now, "updated_at": now},
        },
        upsert=True,
    )
