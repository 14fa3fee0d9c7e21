"""History-import inbox: import every Spotify export dropped into `<data_dir>/inbox`.

    from batch.inbox import process_inbox
    process_inbox(settings, user_id="me")   # → [{path, status, moved_to, report}]

Each entry (zip, folder or JSON file) goes through the same importer as `earshot import`, then
moves to `inbox/done/` or `inbox/failed/`, with its report beside it as `<name>.report.json`.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from core.settings import Settings

log = logging.getLogger("earshot.batch.inbox")


def inbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "inbox"


def pending(settings: Settings) -> list[Path]:
    folder = inbox_dir(settings)
    for sub in ("done", "failed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return sorted(
        p
        for p in folder.iterdir()
        if p.name not in {"done", "failed"}
        and not p.name.startswith(".")
        and not p.name.endswith(".report.json")
    )


def _summary(report: Any) -> dict[str, Any]:
    return {
        "import_id": report.import_id,
        "status": report.status,
        "message": report.message,
        "totals": report.totals,
        "files": [
            {"name": f.name, "skipped": dict(f.skipped), "errors": list(f.errors)[:20]} for f in report.files
        ],
    }


def succeeded(summary: dict[str, Any]) -> bool:
    """Done, and not a file of which nothing at all could be used."""
    totals = summary.get("totals") or {}
    unusable = (
        totals.get("published", 0) == 0 and totals.get("duplicates", 0) == 0 and totals.get("skipped", 0) > 0
    )
    return summary.get("status") == "done" and not unusable


def import_one(settings: Settings, path: Path, user_id: str) -> dict[str, Any]:
    from producer.importer.run import import_path

    try:
        report = import_path(settings, path, user_id)
        summary = _summary(report)
        ok = succeeded(summary)
    except Exception as exc:  # the file is bad, not the DAG: record and move on
        log.exception("import of %s failed", path.name)
        summary, ok = {"status": "failed", "message": f"{type(exc).__name__}: {exc}"}, False
    target = inbox_dir(settings) / ("done" if ok else "failed") / path.name
    if target.exists():
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    shutil.move(str(path), target)
    (target.parent / f"{path.name}.report.json").write_text(json.dumps(summary, indent=2, default=str))
    log.info("%s → %s (%s)", path.name, target.parent.name, summary.get("totals") or summary.get("message"))
    return {
        "path": str(path),
        "status": "done" if ok else "failed",
        "moved_to": str(target),
        "report": summary,
    }


def process_inbox(settings: Settings, user_id: str = "me") -> list[dict[str, Any]]:
    return [import_one(settings, path, user_id) for path in pending(settings)]
