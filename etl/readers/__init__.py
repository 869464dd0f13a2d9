"""One reader per format, each returning the same `Document`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etl.errors import UnsupportedFormat
from etl.readers.html import read_html
from etl.readers.text import read_text
from etl.records import Document

Reader = Callable[[str, bytes], Document]

READERS: dict[str, Reader] = {
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".xhtml": read_html,
    ".txt": read_text,
    ".text": read_text,
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
    return reader_for(path)(str(path), data)
