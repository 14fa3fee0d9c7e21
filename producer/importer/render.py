"""The import report for the terminal: a rich table on a terminal, plain tab-separated lines
otherwise (a pipe, a file, CI), so no column or file name is cut to fit 80 columns."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from producer.importer.report import ImportReport, match_line, match_totals

COLUMNS = ("file", "kind", "records", "published", "duplicates", "skipped")
SHOWN_ERRORS = 5  # per file; the imports collection keeps the first 100


def report_rows(report: ImportReport) -> list[list[str]]:
    """One row per file (full name), then the totals row."""
    rows = [
        [
            f.name,
            f.kind,
            str(f.records),
            str(f.published),
            str(f.duplicates),
            ", ".join(f"{k} {v}" for k, v in sorted(f.skipped.items())) or "0",
        ]
        for f in report.files
    ]
    t = report.totals
    rows.append(["total", "", *(str(t[k]) for k in ("records", "published", "duplicates", "skipped"))])
    return rows


def error_lines(report: ImportReport) -> list[tuple[str, str]]:
    """(file name, 'record 12: reason' or 'file: reason') for the first errors of each file."""
    lines = []
    for f in report.files:
        for err in f.errors[:SHOWN_ERRORS]:
            where = f"record {err['record']}" if err["record"] is not None else "file"
            lines.append((f.name, f"{where}: {err['reason']}"))
        if len(f.errors) > SHOWN_ERRORS:
            more = sum(f.skipped.values()) - SHOWN_ERRORS
            lines.append((f.name, f"… {more} more (see the imports collection)"))
    return lines


def render_report(report: ImportReport, console: Console) -> None:
    title = f"import {report.import_id} for {report.user_id}: {report.status}"
    if not console.is_terminal:
        lines = [title, "\t".join(COLUMNS), *("\t".join(r) for r in report_rows(report))]
        lines += [f"{name}\t{text}" for name, text in error_lines(report)]
        console.file.write("\n".join(lines) + "\n")
        return
    table = Table(title=title)
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("file", "kind") else "right")
    *files, total = report_rows(report)
    for row in files:
        table.add_row(row[0].rsplit("/", 1)[-1], *row[1:])
    table.add_row(f"[b]{total[0]}", *total[1:])
    console.print(table)
    if line := match_line(match_totals([f.catalog for f in report.files])):
        console.print(line)
    for name, text in error_lines(report):
        console.print(f"[yellow]{name}[/] {text}")
