"""The gold readers over the contract's example documents, stored in the real server."""

from __future__ import annotations

from typing import Any

import pytest

from core import gold
from core.collections import Coll

pytestmark = pytest.mark.integration


def test_example_documents_read_back_through_the_readers(mongo_db: Any) -> None:
    for coll, docs in gold.EXAMPLES.items():
        mongo_db[coll].delete_many({"_id": {"$in": [d["_id"] for d in docs]}})
        mongo_db[coll].insert_many([dict(d) for d in docs])
    (head,) = gold.EXAMPLES["rollup_entities"]
    tree = gold.totals_tree(mongo_db, "alice")
    assert [d["_id"] for d in tree] == [gold.period_id("alice", "all", "all")]  # its year is not stored
    docs = gold.entity_row_docs(mongo_db, [head["_id"]])
    assert gold.entity_rows(docs) == [gold.EXAMPLE_ROW]
    assert gold.entity_row_docs(mongo_db, [head["_id"]], key=gold.EXAMPLE_ROW["key"]) == docs
    stored = mongo_db[Coll.ROLLUP_ENTITIES.value].find_one({"_id": head["_id"]})
    assert gold.top_rows(stored) == [gold.EXAMPLE_ROW]


def test_readers_keep_users_with_a_separator_apart(mongo_db: Any) -> None:
    def day(user: str, streams: int) -> dict[str, Any]:
        doc = dict(gold.EXAMPLES["rollup_totals"][0], user_id=user, streams=streams, series={})
        return doc | {"_id": gold.period_id(user, "all", "all")}

    mongo_db[Coll.ROLLUP_TOTALS.value].insert_many([day("bob|all", 1), day("bob", 2)])
    assert [d["streams"] for d in gold.totals_tree(mongo_db, "bob|all")] == [1]
    assert [d["streams"] for d in gold.totals_tree(mongo_db, "bob")] == [2]


def test_a_database_of_the_old_packed_format_is_rebuilt_from_its_plays(mongo_db: Any, stack: Any) -> None:
    import json
    import zlib
    from datetime import UTC, datetime

    from pipeline.reprocess import migrate_packed
    from tests.integration.gold import listen, write_plays

    user = "olden"
    plays = write_plays(mongo_db, stack, user, [listen(datetime(2023, 3, 1, 9, tzinfo=UTC), "Old", "Band")])
    mongo_db[Coll.USER_STATS.value].replace_one({"_id": user}, {"_id": user}, upsert=True)
    head = gold.head_id(user, "all", "all", "track")
    packed = zlib.compress(json.dumps({"fields": ["key", "streams"], "rows": [["band|old", 9]]}).encode())
    mongo_db[Coll.ROLLUP_ENTITY_ROWS.value].insert_one(
        {"_id": gold.packed_rows_id(head, 0), "user_id": user, "rows": packed}
    )
    mongo_db[Coll.ROLLUP_ENTITIES.value].update_one({"_id": head}, {"$set": {"top": packed}})
    with pytest.raises(gold.PackedRowsError, match="earshot spark reprocess"):
        gold.top_rows(mongo_db[Coll.ROLLUP_ENTITIES.value].find_one({"_id": head}))

    assert migrate_packed(stack) == [user]
    assert mongo_db[Coll.ROLLUP_ENTITY_ROWS.value].find_one({"_id": gold.packed_rows_id(head, 0)}) is None
    (top,) = gold.top_rows(mongo_db[Coll.ROLLUP_ENTITIES.value].find_one({"_id": head}))
    assert (top["key"], top["streams"]) == ("band|old", len(plays))
    assert migrate_packed(stack) == []
