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
            "message": self.message,
        }
