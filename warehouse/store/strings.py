"""Rows of strings a run keeps for every file it reads (its paths and their hashes), held packed.

A bulk run keeps each file's path and hash from its parse phase to its summary: as Python strings, an
`Outcome` and a dict entry they were ≈ 0.4 KB a file (≈ 41 MiB at 100k reports), small objects scattered
among the parse loop's freed ones, which pinned the allocator's arenas through the derivation after it
(docs/scale.md §5, issue12fl3). Packed they are ≈ 60 bytes a file in a few hundred blocks.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

BLOCK_ROWS = 1024
"""Rows packed together (one zlib block: the paths of a folder share most of their characters)."""
SEPARATOR = "\0"
"""Between the strings of a block: no path (POSIX) nor hash holds it."""


def _packed(strings: list[str]) -> bytes:
    # surrogatepass: a path of undecodable bytes (os.fsdecode's surrogates) comes back as it was
    return zlib.compress(SEPARATOR.join(strings).encode("utf-8", "surrogatepass"), 1)


def _unpacked(block: bytes) -> list[str]:
    return zlib.decompress(block).decode("utf-8", "surrogatepass").split(SEPARATOR)


class StringRows:
    """Rows of `width` strings in the order appended, BLOCK_ROWS of them packed (zlib) into a block."""

    def __init__(self, width: int, rows: Iterable[tuple[str, ...]] = ()) -> None:
        self.width = width
        self._blocks: list[bytes] = []
        self._open: list[str] = []
        self._rows = 0
        for row in rows:
            self.append(row)

    def append(self, row: tuple[str, ...]) -> None:
        if len(row) != self.width or any(SEPARATOR in value for value in row):
            raise ValueError(f"not a row of {self.width} strings without NUL: {row!r}")
        self._open.extend(row)
        self._rows += 1
        if len(self._open) >= BLOCK_ROWS * self.width:
            self._blocks.append(_packed(self._open))
            self._open = []

    def __len__(self) -> int:
        return self._rows

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        for block in self._blocks:
            yield from self._rows_of(_unpacked(block))
        yield from self._rows_of(list(self._open))

    def _rows_of(self, strings: list[str]) -> Iterator[tuple[str, ...]]:
        return zip(*[iter(strings)] * self.width, strict=True)
