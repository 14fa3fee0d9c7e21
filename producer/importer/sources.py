"""Where import files come from: an export zip, a folder (which may hold zips) or single files.

Every JSON document is yielded lazily as a `SourceFile` whose `read()` enforces the size limits;
anything unsafe becomes a `Rejected` entry for the report instead of an exception:

- zip-slip: members with absolute paths, drive letters or `..` are refused (nothing is ever
  extracted to disk; members are read in memory, but a hostile name is still reported);
- zip bombs: a member larger than `Limits.max_file_bytes`, a compression ratio above
  `Limits.max_ratio`, or a zip whose members add up to more than `Limits.max_total_bytes` is
  refused, and reads stop at the limit even when the zip's headers lie about the size.

Damage keeps what came before it: a member whose data breaks off raises `files.Cut` with the
bytes read so far, and a zip cut off before its directory is read from its local headers
(`cutzip`).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from core.errors import EarshotError
from producer.importer.cutzip import cut_members
from producer.importer.files import Cut, Limits, Rejected, Source, SourceFile, TooLarge, unsafe_member_name


def iter_sources(path: Path, limits: Limits | None = None) -> Iterator[Source]:
    """The JSON documents under `path` (a .zip, a .json, or a folder of either), sorted by name."""
    limits = limits or Limits()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            suffix = child.suffix.lower()
            if suffix == ".json":
                yield _plain_file(child, str(child.relative_to(path)), limits)
            elif suffix == ".zip":
                yield from _zip_members(child, str(child.relative_to(path)), limits)
    elif path.is_file() and path.suffix.lower() == ".zip":
        yield from _zip_members(path, path.name, limits)
    elif path.is_file() and path.suffix.lower() == ".json":
        yield _plain_file(path, path.name, limits)
    elif not path.exists():
        raise EarshotError(f"nothing to import: {path} does not exist")
    else:
        raise EarshotError(f"cannot import {path}: expected a .zip, a .json file or a folder")


def _plain_file(path: Path, name: str, limits: Limits) -> Source:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return Rejected(
            name, f"file is {size:,} bytes, above the {limits.max_file_bytes:,} limit", "too_large"
        )
    return SourceFile(name, size, path.read_bytes)


def _zip_members(path: Path, label: str, limits: Limits) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        # a cut-off zip: read it from the front
        found = list(cut_members(path, label, limits)) if path.is_file() else []
        yield from found or [Rejected(label, f"not a readable zip file: {exc}", "bad_zip")]
        return
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > limits.max_members:
            yield Rejected(
                label, f"zip has {len(members):,} members (limit {limits.max_members:,})", "zip_bomb"
            )
            return
        total = 0
        for info in sorted(members, key=lambda i: i.filename):
            name = f"{label}/{info.filename}"
            if unsafe_member_name(info.filename):
                yield Rejected(name, "unsafe path in zip (absolute or '..': zip-slip)", "unsafe_path")
                continue
            if not info.filename.lower().endswith(".json"):
                continue  # the ReadMe PDF and friends
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.max_file_bytes:
                yield Rejected(
                    name,
                    f"member is {info.file_size:,} bytes uncompressed, above the "
                    f"{limits.max_file_bytes:,} limit",
                    "too_large",
                )
                continue
            if ratio > limits.max_ratio:
                yield Rejected(
                    name,
                    f"compression ratio {ratio:,.0f}:1 looks like a zip bomb "
                    f"(limit {limits.max_ratio:,.0f}:1)",
                    "zip_bomb",
                )
                continue
            total += info.file_size
            if total > limits.max_total_bytes:
                yield Rejected(
                    name, f"zip expands past {limits.max_total_bytes:,} bytes in total", "zip_bomb"
                )
                return
            yield SourceFile(
                name, info.file_size, _member_reader(path, info.filename, info.file_size, limits)
            )


def _member_reader(path: Path, member: str, declared: int, limits: Limits) -> Callable[[], bytes]:
    cap = min(declared, limits.max_file_bytes)

    def read() -> bytes:
        # Read at most one byte past the declared size: headers can lie about what inflates.
        # Corrupt data keeps what was read before it (salvage.Cut).
        chunks: list[bytes] = []
        size = 0
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            try:
                while size <= cap and (chunk := stream.read(min(1 << 20, cap + 1 - size))):
                    chunks.append(chunk)
                    size += len(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise Cut(b"".join(chunks), f"the member's data is damaged ({exc})") from None
        data = b"".join(chunks)
        if len(data) > cap:
            raise TooLarge(f"inflates past its declared {declared:,} bytes (zip bomb?)")
        return data

    return read
