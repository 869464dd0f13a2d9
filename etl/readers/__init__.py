"""One reader per format, each returning the same `Document`."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from operator import attrgetter
from pathlib import Path

from etl.errors import UnsupportedFormat
from etl.limits import MAX_CELL_CHARS, MAX_FILE_BYTES, GridBudget
from etl.readers.images import IMAGE_SUFFIXES
from etl.records import Document, Table

Reader = Callable[[str, bytes], Document]
_TEXT = attrgetter("text")


def _lazy(module: str, name: str) -> Reader:
    """A reader imported on first use: parsing a text file never loads pdfplumber or python-docx."""

    def read(path: str, data: bytes) -> Document:
        reader: Reader = getattr(import_module(f"etl.readers.{module}"), name)
        return reader(path, data)

    read.__name__ = read.__qualname__ = name
    return read


read_html = _lazy("html", "read_html")
read_text = _lazy("text", "read_text")
read_pdf = _lazy("pdf", "read_pdf")
read_docx = _lazy("docx", "read_docx")
read_legacy_word = _lazy("office", "read_legacy_word")
read_xlsx = _lazy("xlsx", "read_xlsx")
read_image = _lazy("images", "read_image")

READERS: dict[str, Reader] = {
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".xhtml": read_html,
    ".txt": read_text,
    ".text": read_text,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".doc": read_legacy_word,
    ".wps": read_legacy_word,
    ".xlsx": read_xlsx,
    **dict.fromkeys(IMAGE_SUFFIXES, read_image),
}


def reader_for(path: str | Path) -> Reader:
    suffix = Path(path).suffix.lower()
    try:
        return READERS[suffix]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise UnsupportedFormat(
            f"unsupported file type {suffix or '(none)'!r}; readable types: {known}"
        ) from None


def read_document(path: str | Path, data: bytes) -> Document:
    """The document of one file; every failure is an `XxgkError` with a one-line reason (each reader
    turns its libraries' exceptions into one), and no table is larger than etl/limits.py allows."""
    reader = reader_for(path)
    MAX_FILE_BYTES.check(str(path), len(data))
    document = reader(str(path), data)
    check_tables(str(path), document.tables)
    for alternative in document.alternatives:
        check_tables(str(path), tuple(b for b in alternative.blocks if isinstance(b, Table)))
    return document


def check_tables(path: str, tables: tuple[Table, ...]) -> None:
    """Before anything expands a table into its grid: rows × columns of each and of all, cell lengths."""
    budget = GridBudget(path)
    for table in tables:
        budget.whole_table(table.n_rows, table.n_cols)
        longest = max(map(len, map(_TEXT, table.cells)), default=0)
        MAX_CELL_CHARS.check(path, longest)
