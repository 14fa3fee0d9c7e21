"""The one capability switch (core/mongo.py) on a MongoDB-like server: it is recognised as not
FerretDB, so every declared index is built there, with its options, and built once."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from core.collections import INDEXES, Coll
from core.mongo import ensure_indexes, is_ferretdb, wanted_indexes


def test_the_switch_sees_a_mongodb_server(contract_db: Any) -> None:
    assert not is_ferretdb(contract_db)
    assert wanted_indexes(is_ferretdb(contract_db)) == dict(INDEXES)


def test_every_declared_index_exists_with_its_keys_and_uniqueness(contract_db: Any) -> None:
    for coll, specs in INDEXES.items():
        stored = {i["name"]: i for i in contract_db[coll.value].list_indexes()}
        for spec in specs:
            index = stored[spec.index_name()]
            assert list(index["key"].items()) == list(spec.keys), spec.index_name()
            assert bool(index.get("unique")) == spec.unique, spec.index_name()
    assert ensure_indexes(contract_db) == []  # made by the fixture: a second run creates nothing


def test_the_unique_constraint_holds(contract_db: Any) -> None:
    playlists = contract_db[Coll.PLAYLISTS.value]
    playlists.insert_one({"_id": "a", "user_id": "u", "playlist_id": "p"})
    with pytest.raises(DuplicateKeyError):
        playlists.insert_one({"_id": "b", "user_id": "u", "playlist_id": "p"})


def test_write_plays_replaces_the_plays_that_exist_across_batch_splits(contract_db: Any) -> None:
    """mongo-java-server takes 1,000 writes per batch (MongoDB and FerretDB 100,000), so a bulk
    of 2,500 is split, and a duplicate's index in an error is an offset into its chunk: the plays
    replaced must be the ones that existed."""
    from pipeline import writes

    plays = contract_db[Coll.PLAYS.value]
    plays.insert_many([{"_id": "d1700", "v": "before"}, {"_id": "d2400", "v": "before", "extra": 1}])
    writes.write_plays(contract_db, [{"_id": f"d{i}", "v": i} for i in range(2500)])
    assert plays.count_documents({}) == 2500
    assert plays.find_one({"_id": "d1700"}) == {"_id": "d1700", "v": 1700}
    assert plays.find_one({"_id": "d2400"}) == {"_id": "d2400", "v": 2400}  # replaced whole


def test_upsert_all_replaces_and_inserts_across_chunks(contract_db: Any) -> None:
    from pipeline import writes

    coll = contract_db["upsert_all_probe"]
    coll.insert_many([{"_id": f"d{i}", "old": True} for i in range(0, 2500, 7)])
    writes.upsert_all(coll, [{"_id": f"d{i}", "v": i} for i in range(2500)])
    assert coll.count_documents({}) == 2500 and coll.count_documents({"old": True}) == 0
    assert coll.find_one({"_id": "d2499"}) == {"_id": "d2499", "v": 2499}
    writes.upsert_all(coll, [{"_id": f"d{i}", "v": -i} for i in range(2495, 2505)])  # a small set
    assert coll.count_documents({}) == 2505
    assert coll.find_one({"_id": "d2497"}) == {"_id": "d2497", "v": -2497}
    assert coll.find_one({"_id": "d2503"}) == {"_id": "d2503", "v": -2503}
