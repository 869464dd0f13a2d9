"""What one input may make the readers allocate or do: every limit is a named constant here.

Each is checked before the allocation it guards, and exceeding one raises `LimitExceeded` with one line
that names the file, what was counted and the limit ("x.docx: 100,000,000 grid columns in one table,
over the limit of 1,000 (MAX_TABLE_COLUMNS)"). The limits sit far above what any annual report needs:
a report's tables have tens of rows and at most a dozen columns, and its files are a few megabytes.
Time and memory of a whole parse are bounded separately, per worker process (xxgk/workers.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from etl.errors import LimitExceeded, UnreadableDocument

MIB = 1 << 20


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    counts: str
    """What is counted, after the number: "bytes in the file", "grid cells in one table"."""

    def error(self, path: str, found: int, detail: str = "") -> LimitExceeded:
        extra = f" ({detail})" if detail else ""
        limit = f"the limit of {self.value:,} ({self.name})"
        return LimitExceeded(f"{Path(path).name}: {found:,} {self.counts}{extra}, over {limit}")

    def check(self, path: str, found: int, detail: str = "") -> None:
        if found > self.value:
            raise self.error(path, found, detail)


MAX_FILE_BYTES = Limit("MAX_FILE_BYTES", 200 * MIB, "bytes in the file")
MAX_TEXT_BYTES = Limit("MAX_TEXT_BYTES", 64 * MIB, "bytes of text or HTML")
MAX_CELL_CHARS = Limit("MAX_CELL_CHARS", 200_000, "characters in one table cell or text line")
MAX_TABLE_ROWS = Limit("MAX_TABLE_ROWS", 20_000, "rows in one table")
MAX_TABLE_COLUMNS = Limit("MAX_TABLE_COLUMNS", 1_000, "grid columns in one table")
MAX_TABLE_CELLS = Limit("MAX_TABLE_CELLS", 250_000, "grid cells in one table")
MAX_DOCUMENT_CELLS = Limit("MAX_DOCUMENT_CELLS", 1_000_000, "grid cells in all tables of the document")
MAX_NESTING_DEPTH = Limit("MAX_NESTING_DEPTH", 100, "levels of nested elements")
MAX_PDF_PAGES = Limit("MAX_PDF_PAGES", 1_000, "pages")
MAX_PAGE_CHARS = Limit("MAX_PAGE_CHARS", 100_000, "characters on one page")
MAX_PAGE_GRAPHICS = Limit("MAX_PAGE_GRAPHICS", 50_000, "lines and rectangles on one page")
MAX_ZIP_PARTS = Limit("MAX_ZIP_PARTS", 5_000, "parts in the ZIP package")
MAX_ZIP_PART_BYTES = Limit("MAX_ZIP_PART_BYTES", 64 * MIB, "bytes in one decompressed ZIP part")
MAX_ZIP_TOTAL_BYTES = Limit("MAX_ZIP_TOTAL_BYTES", 256 * MIB, "bytes in all decompressed ZIP parts")
MAX_ZIP_RATIO = Limit("MAX_ZIP_RATIO", 200, "times smaller compressed than decompressed")
ZIP_RATIO_FROM = MIB
"""Parts smaller than this may compress as well as they like (a page of spaces compresses 1000-fold)."""
MAX_SHEET_CELLS = Limit("MAX_SHEET_CELLS", 1_000_000, "cells in the workbook")

LIMITS = (
    MAX_FILE_BYTES,
    MAX_TEXT_BYTES,
    MAX_CELL_CHARS,
    MAX_TABLE_ROWS,
    MAX_TABLE_COLUMNS,
    MAX_TABLE_CELLS,
    MAX_DOCUMENT_CELLS,
    MAX_NESTING_DEPTH,
    MAX_PDF_PAGES,
    MAX_PAGE_CHARS,
    MAX_PAGE_GRAPHICS,
    MAX_ZIP_PARTS,
    MAX_ZIP_PART_BYTES,
    MAX_ZIP_TOTAL_BYTES,
    MAX_ZIP_RATIO,
    MAX_SHEET_CELLS,
)

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((words for test, words in _KINDS if test(mode)), "not a regular file")


def refuse_special(path: str | Path, mode: int) -> None:
    """FIFOs, devices (/dev/zero) and sockets are refused by their type, before anything is read."""
    if not stat.S_ISREG(mode):
        raise UnreadableDocument(f"{Path(path).name} is {file_kind(mode)}, not a regular file: not read")


@contextmanager
def open_input(path: str | Path) -> Iterator[BinaryIO]:
    """One input file opened for reading: a regular file no larger than MAX_FILE_BYTES, checked by
    `fstat` on the opened file (opened with O_NONBLOCK, so not even a FIFO can block the open)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        refuse_special(path, info.st_mode)
        MAX_FILE_BYTES.check(str(path), info.st_size)
        yield handle


def read_input(path: str | Path) -> bytes:
    """The bytes of one input file (see `open_input`), at most `MAX_FILE_BYTES` + 1 of them.

    Read as `fstat` sizes it, plus one byte: asking for the whole limit at once (`read(200 MiB + 1)`)
    made CPython allocate a 200 MiB buffer and shrink it for every file, about 50 µs a report. A file
    that grew after its `fstat` is read on, as far as the limit, so the bytes are what one read of
    `MAX_FILE_BYTES + 1` gives (tests/test_worker_outside.py compares the two)."""
    with open_input(path) as handle:
        size = os.fstat(handle.fileno()).st_size  # within the limit: `open_input` checked it
        data = handle.read(size + 1)
        if len(data) > size:
            data += handle.read(MAX_FILE_BYTES.value + 1 - len(data))
    MAX_FILE_BYTES.check(str(path), len(data))
    return data


@dataclass
class GridBudget:
    """Grid cells the tables of one document may take, counted as the reader places them."""

    path: str
    used: int = 0
    table_used: int = field(default=0, repr=False)

    def start_table(self, rows: int) -> None:
        MAX_TABLE_ROWS.check(self.path, rows)
        self.table_used = 0

    def place(self, col: int, rowspan: int, colspan: int) -> None:
        """A cell spanning rowspan × colspan grid positions from column `col`. Called for every cell of
        every table (≈ 180 a report), so the limits are compared inline rather than through `Limit.check`."""
        columns = col + colspan
        if columns > MAX_TABLE_COLUMNS.value:
            raise MAX_TABLE_COLUMNS.error(self.path, columns)
        taken = rowspan * colspan
        self.table_used += taken
        self.used += taken
        if self.table_used > MAX_TABLE_CELLS.value:
            raise MAX_TABLE_CELLS.error(self.path, self.table_used)
        if self.used > MAX_DOCUMENT_CELLS.value:
            raise MAX_DOCUMENT_CELLS.error(self.path, self.used)

    def whole_table(self, rows: int, columns: int) -> None:
        """A table whose grid (rows × columns) is known before it is built."""
        MAX_TABLE_ROWS.check(self.path, rows)
        MAX_TABLE_COLUMNS.check(self.path, columns)
        MAX_TABLE_CELLS.check(self.path, rows * columns, f"{rows:,} rows × {columns:,} columns")
        self.used += rows * columns
        MAX_DOCUMENT_CELLS.check(self.path, self.used)
