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


def test_insert_all_replaces_a_document_another_writer_made_across_batch_splits(contract_db: Any) -> None:
    """mongo-java-server takes 1,000 writes per batch (MongoDB and FerretDB 100,000), so pymongo
    splits the insert and the duplicate's index in the error is an offset into the whole list:
    the one replaced must be the one that collided."""
    from pipeline.writes import insert_all

    if contract_db.client.admin.command("isMaster")["maxWriteBatchSize"] >= 2500:
        pytest.skip("this server takes the 2,500 documents in one batch")
    coll = contract_db["insert_all_probe"]
    coll.insert_one({"_id": "d1700", "v": "other writer"})
    insert_all(coll, [{"_id": f"d{i}", "v": i} for i in range(2500)])
    assert coll.count_documents({}) == 2500
    assert coll.find_one({"_id": "d1700"}) == {"_id": "d1700", "v": 1700}
