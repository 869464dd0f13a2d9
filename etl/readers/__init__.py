"""One reader per format, each returning the same `Document`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etl.errors import UnsupportedFormat
from etl.readers.docx import read_docx
from etl.readers.html import read_html
from etl.readers.images import IMAGE_SUFFIXES, read_image
from etl.readers.office import read_legacy_word
from etl.readers.pdf import read_pdf
from etl.readers.text import read_text
from etl.readers.xlsx import read_xlsx
from etl.records import Document

Reader = Callable[[str, bytes], Document]

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
    return reader_for(path)(str(path), data)
