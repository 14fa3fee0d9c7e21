"""The import report as a rich table for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from producer.importer.report import ImportReport, match_line, match_totals


def render_report(report: ImportReport, console: Console) -> None:
    table = Table(title=f"import {report.import_id} for {report.user_id}: {report.status}")
    for column in ("file", "kind", "records", "published", "duplicates", "skipped"):
        table.add_column(column, justify="left" if column in ("file", "kind") else "right")
    for f in report.files:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(f.skipped.items())) or "0"
        table.add_row(
            f.name.rsplit("/", 1)[-1], f.kind, str(f.records), str(f.published), str(f.duplicates), skipped
        )
    t = report.totals
    table.add_row(
        "[b]total", "", str(t["records"]), str(t["published"]), str(t["duplicates"]), str(t["skipped"])
    )
    console.print(table)
    if line := match_line(match_totals([f.catalog for f in report.files])):
        console.print(line)
    for f in report.files:
        for err in f.errors[:5]:
            where = f"record {err['record']}" if err["record"] is not None else "file"
            console.print(f"[yellow]{f.name}[/] {where}: {err['reason']}")
        if len(f.errors) > 5:
            console.print(
                f"[yellow]{f.name}[/] … {sum(f.skipped.values()) - 5} more (see the imports collection)"
            )
