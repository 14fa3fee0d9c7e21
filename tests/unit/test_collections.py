"""Index selection per server (pure logic)."""

from __future__ import annotations

from core.collections import INDEXES, Coll
from core.mongo import wanted_indexes


def test_ferretdb_keeps_only_the_unique_indexes():
    on_mongo, on_ferret = wanted_indexes(False), wanted_indexes(True)
    assert on_mongo == INDEXES
    kept = [s for specs in on_ferret.values() for s in specs]
    assert kept and all(s.unique for s in kept)
    assert {s for specs in INDEXES.values() for s in specs if s.unique} == set(kept)
    assert Coll.PLAYS not in on_ferret and Coll.TRACKS not in on_ferret


def test_sources_keep_one_default_and_the_exceptions():
    from core.collections import compact_sources, field_sources

    per_field = {"name": "api", "features": "kaggle:x", "genres": "kaggle:x", "album_name": "kaggle:x"}
    sources = compact_sources(per_field)
    assert sources == {"*": "kaggle:x", "name": "api"}
    doc = {"_id": "t", "name": "n", "features": {}, "genres": [], "album_name": "a", "sources": sources}
    assert field_sources(doc) == per_field
    old_shape = {"_id": "t", "name": "n", "sources": {"name": "api"}}
    assert field_sources(old_shape) == {"name": "api"}
    assert compact_sources({}) == {}
