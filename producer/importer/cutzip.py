"""Members of a zip that was cut off (an interrupted download), read from their local headers.

A zip's directory sits at its end, so `zipfile` refuses a cut-off zip whole. Every member also
starts with a local header (name, method, sizes), so the members before the cut are still
readable from the front: `cut_members` walks those headers and yields each JSON member as a
`SourceFile`; the member the cut falls in reads as far as it goes and raises `files.Cut` with
those bytes (the importer keeps the complete records in them). Members after the cut are gone.
The limits of `files.Limits` on members, their size and compression ratio hold here too.
"""

from __future__ import annotations

import mmap
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from producer.importer.files import Cut, Limits, Rejected, Source, SourceFile, TooLarge, unsafe_member_name

# signature, version | flags, method | time, date, crc | sizes, name and extra lengths (30 bytes)
LOCAL_HEADER = struct.Struct("<4x2xHH4x4xIIHH")
SIGNATURE = b"PK\x03\x04"
STORED, DEFLATED = 0, 8
CHUNK = 1 << 20


def cut_members(path: Path, label: str, limits: Limits) -> Iterator[Source]:
    """The JSON members of a cut-off zip, in archive order (nothing when it holds no header)."""
    if path.stat().st_size < LOCAL_HEADER.size:
        return
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        pos, count = data.find(SIGNATURE), 0
        while pos >= 0 and pos + LOCAL_HEADER.size <= len(data) and count < limits.max_members:
            flags, method, csize, usize, name_len, extra_len = LOCAL_HEADER.unpack_from(data, pos)
            named = pos + LOCAL_HEADER.size
            encoding = "utf-8" if flags & 0x800 else "cp437"
            filename = bytes(data[named : named + name_len]).decode(encoding, "replace")
            start = named + name_len + extra_len
            known = not flags & 0x08 and csize != 0xFFFFFFFF  # else the sizes follow the data
            end = _member_end(data, start, method, csize if known else None)
            count += 1
            name = f"{label}/{filename}"
            if unsafe_member_name(filename):
                yield Rejected(name, "unsafe path in zip (absolute or '..': zip-slip)", "unsafe_path")
            elif filename.lower().endswith(".json") and method in (STORED, DEFLATED):
                size = usize if known else (end or len(data)) - start
                yield SourceFile(name, size, _reader(path, start, end, method, limits))
            elif filename.lower().endswith(".json"):
                yield Rejected(name, f"compression method {method} is not supported", "bad_zip")
            if end is None:
                return  # the cut falls in this member: nothing after it survived
            pos = data.find(SIGNATURE, end)


def _member_end(data: mmap.mmap, start: int, method: int, csize: int | None) -> int | None:
    """Where a member's data ends, or None when the file ends (or breaks) first."""
    if csize is not None:
        return start + csize if start + csize <= len(data) else None
    if method != DEFLATED:  # stored, sizes after the data: up to the next header
        nxt = data.find(SIGNATURE, start)
        return nxt if nxt >= 0 else None
    return _inflate(data, start, len(data), None)[1]  # inflate (and drop) to find the stream's end


def _inflate(data: mmap.mmap, start: int, stop: int, cap: int | None) -> tuple[bytes, int | None]:
    """Inflate data[start:stop] in chunks: (the output, kept up to cap + 1 bytes — nothing for
    cap None; where the stream ended, or None when it did not end cleanly)."""
    inflater, pos, pending, out = zlib.decompressobj(-15), start, b"", bytearray()
    try:
        while not inflater.eof:
            if not pending:
                if pos >= stop:
                    return bytes(out), None
                pending = data[pos : min(pos + CHUNK, stop)]
                pos += len(pending)
            part = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            if cap is not None:
                out += part
                if len(out) > cap:
                    return bytes(out), None
    except zlib.error:  # corrupt data: keep what inflated before it
        return bytes(out), None
    return bytes(out), pos - len(inflater.unused_data)


def _reader(path: Path, start: int, end: int | None, method: int, limits: Limits) -> Callable[[], bytes]:
    cap = limits.max_file_bytes

    def read() -> bytes:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            stop = len(data) if end is None else end
            if method == DEFLATED:
                out, ended = _inflate(data, start, stop, cap)
            else:
                out, ended = data[start : start + min(stop - start, cap + 1)], end
        if len(out) > cap:
            raise TooLarge(f"inflates past the {cap:,}-byte limit (zip bomb?)")
        if len(out) > limits.max_ratio * max(stop - start, 1):
            raise TooLarge(f"compression ratio above {limits.max_ratio:,.0f}:1 (zip bomb?)")
        if end is None or ended is None:
            raise Cut(out, "the zip is cut off inside this member")
        return out

    return read
