"""The import report: per file what was read, published, duplicated and skipped, and why.

Stored in the `imports` collection (shape in core/collections.py) while the import runs
(progress) and when it ends (final report).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.events import stable_id, utc_now

MAX_ERRORS_PER_FILE = 100
# skip reasons that are no fault of the input: ads/unavailable rows, files without listening data
NOT_REJECTED = frozenset({"no_content", "not_listening_data"})


@dataclass
class FileReport:
    name: str
    kind: str
    records: int = 0
    published: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # music plays published, by ('id', track id) or ('name', name key): for the catalog match
    music: Counter[tuple[str, str]] = field(default_factory=Counter)
    catalog: dict[str, Any] = field(default_factory=dict)

    def error(self, record: int | None, reason: str, code: str = "malformed") -> None:
        """A malformed record (or, with record=None, the whole file) — counted and explained."""
        self.skipped[code] += 1
        if len(self.errors) < MAX_ERRORS_PER_FILE:
            self.errors.append({"record": record, "reason": reason})

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "records": self.records,
            "published": self.published,
            "duplicates": self.duplicates,
            "skipped": dict(self.skipped),
            "errors": self.errors,
            "catalog": self.catalog,
        }


@dataclass
class ImportReport:
    user_id: str
    path: str
    started_at: datetime = field(default_factory=utc_now)
    import_id: str = ""
    status: str = "running"
    finished_at: datetime | None = None
    files: list[FileReport] = field(default_factory=list)
    records_read: int = 0
    records_total: int = 0
    message: str = ""

    def __post_init__(self) -> None:
        if not self.import_id:
            self.import_id = "imp-" + stable_id(self.user_id, self.path, self.started_at.isoformat())

    @property
    def totals(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "records": sum(f.records for f in self.files),
            "published": sum(f.published for f in self.files),
            "duplicates": sum(f.duplicates for f in self.files),
            "skipped": sum(sum(f.skipped.values()) for f in self.files),
        }

    @property
    def rejected(self) -> int:
        """Files and records refused (malformed, truncated, unsafe, …): `earshot import` exits 3."""
        return sum(n for reason, n in self.skipped_by_reason().items() if reason not in NOT_REJECTED)

    def skipped_by_reason(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.skipped)
        return dict(total)

    def to_document(self) -> dict[str, Any]:
        return {
            "_id": self.import_id,
            "user_id": self.user_id,
            "path": self.path,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "progress": {"records_read": self.records_read, "records_total": self.records_total},
            "files": [f.to_document() for f in self.files],
            "totals": self.totals,
            "skipped_by_reason": self.skipped_by_reason(),
            "catalog": match_totals([f.catalog for f in self.files]),
            "message": self.message,
        }


def match_counts(music: Counter[tuple[str, str]], ids: set[str], names: set[str]) -> dict[str, Any]:
    """How many of these music plays the catalog has: by track id, or by name (no id)."""
    by_id = sum(n for (how, k), n in music.items() if how == "id" and k in ids)
    by_name = sum(n for (how, k), n in music.items() if how == "name" and k in names)
    plays = sum(music.values())
    return {"music_plays": plays, "by_id": by_id, "by_name": by_name, "share": _share(by_id + by_name, plays)}


def match_line(catalog: dict[str, Any] | None) -> str | None:
    """'Catalog: 412 of 1,000 music plays (41.2 %) have their track in it: 300 by id, 112 by
    name.' — None without music plays."""
    c = catalog or {}
    if not c.get("music_plays"):
        return None
    matched = c["by_id"] + c["by_name"]
    return (
        f"Catalog: {matched:,} of {c['music_plays']:,} music plays ({c['share']:.1%}) have their "
        f"track in it: {c['by_id']:,} by id, {c['by_name']:,} by artist + track name."
    )


def match_totals(parts: list[dict[str, Any]]) -> dict[str, Any]:
    fields = ("music_plays", "by_id", "by_name")
    out = {f: sum(p.get(f, 0) for p in parts) for f in fields}
    return out | {"share": _share(out["by_id"] + out["by_name"], out["music_plays"])}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def match_catalog(db: Any, report: ImportReport) -> None:
    """Each file's catalog match rate (music plays whose track the catalog has, by id or by
    name), as enrichment will find them; the catalog is read by `_id` only."""
    from core import gold
    from core.collections import Coll
    from core.mongo import find_ids

    wanted = {k for f in report.files for (how, k) in f.music if how == "id"}
    ids = {d["_id"] for d in find_ids(db, Coll.TRACKS, wanted, {"_id": 1})}
    names = set(gold.tracks_by_name(db, {k for f in report.files for (how, k) in f.music if how == "name"}))
    for f in report.files:
        if f.music:
            f.catalog = match_counts(f.music, ids, names)
