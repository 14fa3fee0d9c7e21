"""Import: upload a Spotify export zip, follow its progress, read the final report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from core.settings import get_settings
from streamlit_app import auth, ui
from streamlit_app import queries as q

st.title("Import")
user = ui.select_user()
st.caption(
    "Spotify → Account → Privacy → *Download your data* (the extended streaming history "
    "is best). Re-importing the same file is harmless: plays are counted once."
)


def run_import(uid: str, upload) -> None:  # type: ignore[no-untyped-def]
    from producer.importer import import_path  # imported on use: the page opens without it loaded

    auth.check(uid)  # the signed-in account imports only for its own listeners
    bar = st.progress(0.0, text="Reading the export…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 0.0, text=f"{done:,} / {total:,} records")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            report = import_path(get_settings(), path, uid, progress=progress)
        except Exception as exc:
            st.error(f"Import failed: {exc}")
            return
    bar.progress(1.0, text="Done")
    st.success(f"Imported {upload.name}: status {report.status}")


def show_report(doc: dict) -> None:
    tot = doc.get("totals") or {}
    c = st.columns(4)
    c[0].metric("Records", f"{tot.get('records', 0):,}")
    c[1].metric("Published", f"{tot.get('published', 0):,}")
    c[2].metric("Duplicates", f"{tot.get('duplicates', 0):,}")
    skipped = tot.get("skipped", 0)
    c[3].metric("Skipped", f"{sum(skipped.values()) if isinstance(skipped, dict) else skipped:,}")
    files = doc.get("files") or []
    if files:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "file": f.get("name"),
                        "kind": f.get("kind"),
                        "records": f.get("records"),
                        "published": f.get("published"),
                        "duplicates": f.get("duplicates"),
                        "skipped": sum((f.get("skipped") or {}).values()),
                    }
                    for f in files
                ]
            ),
            hide_index=True,
        )
    try:
        from producer.importer.report import match_line
    except ImportError:  # the app without the importer (see run_import)
        match_line = lambda _: None  # noqa: E731
    if line := match_line(doc.get("catalog")):
        st.caption(line + " Plays are enriched (audio features, genres) from the catalog.")
    errors = [e for f in files for e in f.get("errors") or []]
    if errors:
        with st.expander(f"{len(errors)} rejected records (first 100 per file)"):
            st.dataframe(pd.DataFrame(errors), hide_index=True)


if user:
    upload = st.file_uploader("Export (.zip or .json)", type=["zip", "json"])
    if upload is not None and st.button("Import", type="primary"):
        run_import(user["_id"], upload)
    history = q.imports(user["_id"])
    if not history:
        ui.empty("No imports yet for this user.")
    else:
        latest = history[0]
        st.subheader(f"Latest import: {latest.get('status')} ({latest.get('started_at'):%Y-%m-%d %H:%M} UTC)")
        show_report(latest)
