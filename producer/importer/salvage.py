"""What a damaged export file still holds: the records of a JSON array before the damage.

An interrupted download leaves a history file cut short (`[{…}, {…}, {"ts": "2023-0`), which
`json.loads` rejects whole. `salvage_array` walks the array with the standard library's raw
decoder, one record at a time, and keeps every complete record before the first damage:

    records, damage = salvage_array(data)   # None when the data is not a JSON array at all
    doc, damage = read_document(src, report)   # what the importer calls: '' when intact

Only tried after `json.loads` failed, so intact files keep the fast path.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from producer.importer.files import Cut, SourceFile, TooLarge

if TYPE_CHECKING:
    from producer.importer.report import FileReport

_SPACE = re.compile(r"[ \t\n\r]*")


def _text(data: bytes) -> str:
    """The decodable prefix: a cut can split a multi-byte character, damage can hold bad bytes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return data[: exc.start].decode("utf-8-sig")


def salvage_array(data: bytes) -> tuple[list[Any], str] | None:
    """(the complete records before the damage, what the damage is), or None for a non-array."""
    text = _text(data)
    pos = _SPACE.match(text).end()  # type: ignore[union-attr]
    if not text.startswith("[", pos):
        return None
    decoder = json.JSONDecoder()
    records: list[Any] = []
    pos += 1
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            return records, "the file ends before the array's closing ']'"
        if text[pos] == "]":
            return records, f"unexpected data after the array at character {pos + 1:,}"
        if records:
            if text[pos] != ",":
                return records, f"expected ',' or ']' at character {pos:,}"
            pos = _SPACE.match(text, pos + 1).end()  # type: ignore[union-attr]
        try:
            record, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return records, f"the next record is cut off or damaged ({exc.msg})"
        records.append(record)


def read_document(src: SourceFile, fr: FileReport) -> tuple[Any, str] | None:
    """(the parsed document, '') — or (the records before the damage, what the damage is) — or
    None when nothing is usable (the reason is then in `fr`)."""
    cut = ""
    try:
        data = src.read()
    except TooLarge as exc:
        fr.kind = "rejected"
        fr.error(None, str(exc), "zip_bomb")
        return None
    except Cut as exc:  # a zip member that breaks off: parse what came before
        data, cut = exc.data, exc.reason
    try:
        return json.loads(data), ""
    except (ValueError, UnicodeDecodeError) as exc:
        salvaged = salvage_array(data)
        if salvaged is None:
            fr.error(None, f"not valid JSON: {cut or exc}", "not_json")
            return None
        records, damage = salvaged
        return records, f"{cut}; {damage}" if cut else damage
