"""The gold layer's contract: document shapes, ids, the grain hierarchy, the codec and the readers.

Written by `pipeline.rollups` / `pipeline.store` (recomputed from stored plays, never
incremented), read by the dashboard, the consumers, the batch jobs and the export through
`core.gold.readers`. docs/gold.md describes each collection with an example
(`core.gold.shapes.EXAMPLES`).

    from core import gold
    gold.period_id("alice", "month", "2024-05")      # 'alice|month|2024-05'
    gold.unpack_rows(head["top"])                    # rows as dicts, every field
    gold.totals_tree(db, "alice")                    # every totals document of a user
"""

from core.gold.cells import (
    CELL_BINS,
    CELL_FEATURES,
    CELLS_SUMMARY,
    RADAR_FEATURES,
    CellRows,
    cell_id,
    cell_of,
    pack_lines,
    pack_vectors,
    rows_of_cell,
    unpack_vectors,
)
from core.gold.codec import (
    ENTITY_FIELDS,
    PackedRowsError,
    pack_keys,
    pack_rows,
    row_lists,
    unpack_keys,
    unpack_rows,
)
from core.gold.grains import CHILD, GRAINS, PARENT, Grain, above, child_periods, parent_period
from core.gold.ids import (
    bucket_of,
    head_id,
    key,
    keys_id,
    packed_rows_id,
    period_id,
    play_id,
    playlist_id,
    rows_id,
    split,
)
from core.gold.names import (
    NAME_BUCKETS,
    NameEntry,
    better_name,
    name_rank,
    names_id,
    pack_names,
    unpack_names,
)
from core.gold.readers import entity_row_docs, entity_rows, played_keys, top_rows, totals_tree, tracks_by_name
from core.gold.shapes import (
    BUCKET_BYTES,
    COUNTS,
    ENTITY_TYPES,
    EXAMPLE_ROW,
    EXAMPLES,
    KEYED_TYPES,
    MAX_DOC_BYTES,
    ROWS_PER_BUCKET,
    TOP_N,
)

__all__ = [
    "BUCKET_BYTES",
    "CELLS_SUMMARY",
    "CELL_BINS",
    "CELL_FEATURES",
    "CHILD",
    "COUNTS",
    "ENTITY_FIELDS",
    "ENTITY_TYPES",
    "EXAMPLES",
    "EXAMPLE_ROW",
    "GRAINS",
    "KEYED_TYPES",
    "MAX_DOC_BYTES",
    "NAME_BUCKETS",
    "PARENT",
    "RADAR_FEATURES",
    "ROWS_PER_BUCKET",
    "TOP_N",
    "CellRows",
    "Grain",
    "NameEntry",
    "PackedRowsError",
    "above",
    "better_name",
    "bucket_of",
    "cell_id",
    "cell_of",
    "child_periods",
    "entity_row_docs",
    "entity_rows",
    "head_id",
    "key",
    "keys_id",
    "name_rank",
    "names_id",
    "pack_keys",
    "pack_lines",
    "pack_names",
    "pack_rows",
    "pack_vectors",
    "packed_rows_id",
    "parent_period",
    "period_id",
    "play_id",
    "played_keys",
    "playlist_id",
    "row_lists",
    "rows_id",
    "rows_of_cell",
    "split",
    "top_rows",
    "totals_tree",
    "tracks_by_name",
    "unpack_keys",
    "unpack_names",
    "unpack_rows",
    "unpack_vectors",
]
