"""Spark `StructType`s derived from the pydantic event models, so no schema is written twice.

    from core.events import PlayEvent
    from core.spark_schema import struct_for
    parsed = from_json(col("value").cast("string"), struct_for(PlayEvent))

Timestamps become `TimestampType` (Spark parses the ISO-8601 'Z' form pydantic writes).
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, Literal, Union

from pydantic import BaseModel
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DoubleType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

_SCALARS: dict[Any, DataType] = {
    str: StringType(),
    int: LongType(),
    float: DoubleType(),
    bool: BooleanType(),
    datetime: TimestampType(),
}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional/Annotated; return (inner type, nullable)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if all(typing.get_origin(a) is Literal for a in args):
            return str, True
        if len(args) != 1:
            raise TypeError(f"cannot map union {annotation!r} to a Spark type")
        inner, _ = _unwrap(args[0])
        return inner, nullable
    return annotation, False


def spark_type(annotation: Any) -> DataType:
    inner, _ = _unwrap(annotation)
    origin = typing.get_origin(inner)
    if origin is Literal:
        values = typing.get_args(inner)
        return spark_type(type(values[0]))
    if origin is list:
        (item,) = typing.get_args(inner)
        return ArrayType(spark_type(item), containsNull=True)
    if origin is dict:
        key, value = typing.get_args(inner)
        return MapType(spark_type(key), spark_type(value), valueContainsNull=True)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return struct_for(inner)
    if inner in _SCALARS:
        return _SCALARS[inner]
    raise TypeError(f"no Spark type for {annotation!r}")


@cache
def struct_for(model: type[BaseModel]) -> StructType:
    """The StructType of a pydantic model; fields keep the model's order."""
    fields = []
    for name, info in model.model_fields.items():
        _, nullable = _unwrap(info.annotation)
        fields.append(
            StructField(name, spark_type(info.annotation), nullable=nullable or not info.is_required())
        )
    return StructType(fields)
