"""What the steps of the PDF reader hand each other: text lines, ruled table parts and pages."""

from __future__ import annotations

from dataclasses import dataclass

from etl.readers.pdf_text import TextTable, WordLine
from etl.records import TableCell


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int


@dataclass(frozen=True)
class Part:
    """A table as found on one page: grid cells, column edges and where it sits."""

    cells: tuple[TableCell, ...]
    xs: tuple[float, ...]
    n_rows: int
    page: int
    top: float
    bottom: float


@dataclass(frozen=True)
class PageContent:
    number: int
    height: float
    lines: tuple[Line, ...]
    parts: tuple[Part, ...]
    chars: int
    words: tuple[WordLine, ...] = ()
    """Word lines of a page without ruled tables, for rebuilding tables printed without lines."""
    texts: tuple[TextTable, ...] = ()
