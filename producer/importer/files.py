"""The importer's file types: where a document comes from, the limits on reading it, and how a
read ends early. Shared by `sources` (export zips, folders, files), `cutzip` (cut-off zips) and
`salvage` (damaged JSON), so none of them imports another's internals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 256 * 1024 * 1024  # one JSON document (Spotify cuts files at ~13 MB)
    max_total_bytes: int = 8 * 1024 * 1024 * 1024  # everything in one import
    max_ratio: float = 200.0  # uncompressed / compressed; pretty-printed JSON is ~10-20
    max_members: int = 20_000


class TooLarge(Exception):
    """A document went past a size limit while being read."""


@dataclass(frozen=True)
class SourceFile:
    name: str  # shown in the report, e.g. 'my_spotify_data.zip/Streaming_History_Audio_2023_0.json'
    size: int  # declared size in bytes (used to estimate progress)
    read: Callable[[], bytes]


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str
    code: str  # the report's skip reason: 'unsafe_path' | 'too_large' | 'zip_bomb' | 'bad_zip'


Source = SourceFile | Rejected


class Cut(Exception):
    """A read that ended early (a zip member cut off or corrupt): the bytes before the damage."""

    def __init__(self, data: bytes, reason: str) -> None:
        super().__init__(reason)
        self.data, self.reason = data, reason


def unsafe_member_name(name: str) -> bool:
    """True for zip member names that would escape an extraction folder (zip-slip)."""
    norm = name.replace("\\", "/")
    pure = PurePosixPath(norm)
    return norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in pure.parts
