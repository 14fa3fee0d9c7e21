"""The catalog for Discover: its summary and the nearest unplayed tracks (the cell index)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from core import gold
from core.collections import Coll
from streamlit_app import recommend
from streamlit_app.queries.client import Doc, by_ids, one
from streamlit_app.queries.listening import played_track_keys


# --- catalog (Discover) ------------------------------------------------------------------------
@st.cache_data(ttl=600, show_spinner=False)
def catalog_summary() -> Doc | None:
    """How many catalog tracks with features Discover's index holds (one document)."""
    return one(Coll.CATALOG_CELLS, gold.CELLS_SUMMARY)


@st.cache_data(ttl=60, show_spinner=False)
def discover(user_id: str, means: tuple[tuple[str, float], ...], n: int = 20) -> list[Doc]:
    """The n catalog tracks nearest to `means` that the user has not played, from the cells of
    Discover's index around the profile (a few small `_id` reads, however large the catalog)."""

    def vectors(ids: list[str]) -> dict[str, Any]:
        found = by_ids(Coll.CATALOG_CELLS, ids, {"vectors": 1})
        return {i: gold.unpack_vectors(d["vectors"]) for i, d in sorted(found.items())}

    def rows(ids: list[str]) -> dict[str, Sequence[Any]]:
        found = by_ids(Coll.CATALOG_CELLS, [gold.rows_of_cell(i) for i in ids], {"rows": 1})
        return {i: gold.CellRows(found[gold.rows_of_cell(i)]["rows"]) for i in ids}

    return recommend.nearest_in_cells(dict(means), vectors, rows, played_track_keys(user_id), n)
