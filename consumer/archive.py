"""Plain-file archive of every message, so the listener keeps their data "on their end".

Off by default; `EARSHOT_ARCHIVE_ENABLED=true` turns it on. One JSON Lines file per topic and
UTC day: `<data_dir>/archive/<topic>/<YYYY-MM-DD>.jsonl`, one raw_events document per line
(times as ISO-8601). Lines are appended after the database write and before the offset commit,
so after a crash a line may appear twice; its `_id` ("<topic>:<partition>:<offset>") tells.

    jq -c 'select(.topic | endswith("plays.v1"))' ~/.local/share/earshot/archive/*/2024-05-01.jsonl
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def archive_dir(data_dir: Path) -> Path:
    return data_dir / "archive"


def path_for(root: Path, doc: dict[str, Any]) -> Path:
    return root / doc["topic"] / f"{doc['received_at']:%Y-%m-%d}.jsonl"


def line(doc: dict[str, Any]) -> str:
    return json.dumps({**doc, "received_at": doc["received_at"].isoformat()}, ensure_ascii=False)


class Archive:
    """Appends raw_events documents to their per-topic, per-day file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def append(self, docs: list[dict[str, Any]]) -> int:
        by_file: dict[Path, list[str]] = defaultdict(list)
        for doc in docs:
            by_file[path_for(self.root, doc)].append(line(doc))
        for path, lines in by_file.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
        return len(docs)
