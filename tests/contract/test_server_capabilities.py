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
