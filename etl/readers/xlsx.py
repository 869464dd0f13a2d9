"""A statistics table published as a spreadsheet (.xlsx) -> Document: one table per sheet.

Merged ranges become spans; numbers are printed as the sheet stores them (12, 3.5), never as 12.0.
Empty rows are dropped. Cells are read as cached values, so a formula shows what Excel last computed.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from bisect import bisect_left, bisect_right
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.errors import UnreadableDocument
from etl.limits import MAX_SHEET_CELLS, GridBudget
from etl.normalise import clean_text, one_line
from etl.readers.package import ZIP_ERRORS, check_package
from etl.records import Block, Document, Paragraph, Table, TableCell


def read_xlsx(path: str, data: bytes) -> Document:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_package(path, package)
            check_ranges(path, package)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of parts it drops; they hold no statistics
            book = load_workbook(io.BytesIO(data), data_only=True)
    except _library_errors() as exc:
        raise UnreadableDocument(
            f"{Path(path).name} is not a readable .xlsx file ({type(exc).__name__})"
        ) from None
    MAX_SHEET_CELLS.check(path, sum(len(sheet._cells) for sheet in book.worksheets))
    budget = GridBudget(path)
    blocks: list[Block] = []
    for sheet in book.worksheets:
        table = sheet_table(sheet, sum(isinstance(b, Table) for b in blocks), budget)
        if table is not None:
            blocks.append(table)
    title = next(
        (
            one_line(c.text)
            for b in blocks
            if isinstance(b, Table)
            for c in b.cells[:3]
            if "表" in c.text or "报告" in c.text
        ),
        "",
    )
    if not blocks:
        blocks.append(Paragraph(index=0, text=""))
    return Document(source=path, format="xlsx", encoding="", title=title, blocks=tuple(blocks))


_RANGE = re.compile(
    rb"<(?:[\w-]+:)?(?:mergeCell|hyperlink)\b[^>]*?\sref=[\"']\$?([A-Za-z]*)\$?(\d*)(?::\$?([A-Za-z]*)\$?(\d*))?"
)
SHEET_ROWS, SHEET_COLUMNS = 1_048_576, 16_384


def check_ranges(path: str, package: zipfile.ZipFile) -> None:
    """openpyxl makes a cell object for every position a merged range or a hyperlink covers: their area
    is counted in the sheet XML before the workbook is loaded (a merge A1:XFD1048576 is 17 billion)."""
    area = 0
    for name in package.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            for found in _RANGE.finditer(package.read(name)):
                area += _range_area(*(part.decode("ascii") for part in found.groups(b"")))
                MAX_SHEET_CELLS.check(path, area, "covered by merged ranges and hyperlinks")


def _range_area(first_col: str, first_row: str, last_col: str, last_row: str) -> int:
    if not (last_col or last_row):
        last_col, last_row = first_col, first_row
    rows = abs(_number(last_row, SHEET_ROWS) - _number(first_row, 1)) + 1
    columns = abs(_column(last_col, SHEET_COLUMNS) - _column(first_col, 1)) + 1
    return rows * columns


def _number(text: str, default: int) -> int:
    return int(text[:8]) if text else default


def _column(letters: str, default: int) -> int:
    number = 0
    for letter in letters.upper()[:4]:
        number = number * 26 + ord(letter) - 64
    return number or default


def _library_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl raises on a damaged workbook: its own exception, the XML parser's, the package's
    and the built-in ones its readers let through on malformed parts."""
    from xml.etree.ElementTree import ParseError

    from lxml import etree
    from openpyxl.utils.exceptions import InvalidFileException, ReadOnlyWorkbookException

    return (
        *ZIP_ERRORS,
        InvalidFileException,
        ReadOnlyWorkbookException,
        ParseError,
        etree.XMLSyntaxError,
        TypeError,
        AttributeError,
        IndexError,
        ArithmeticError,
        AssertionError,
    )


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f") if value != int(value) else str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return clean_text(str(value))


def sheet_table(sheet: Any, index: int, budget: GridBudget) -> Table | None:
    """The sheet's cells between its first and last printed row and column; rows without text are
    dropped, merged ranges become spans clipped to that area. Only the cells the sheet holds are
    visited, and the grid is checked against the limits before it is built."""
    texts = {key: text for key, cell in sheet._cells.items() if (text := cell_text(cell.value))}
    if not texts:
        return None
    rows = sorted({r for r, _ in texts})
    first_col = min(c for _, c in texts)
    last_col = max(c for _, c in texts)
    budget.whole_table(len(rows), last_col - first_col + 1)
    spans, covered = _merges(sheet, rows, first_col, last_col, budget)
    number = {r: i for i, r in enumerate(rows)}
    cells = []
    for r in rows:
        for c in range(first_col, last_col + 1):
            if (r, c) in covered:
                continue
            last_row, last_column = spans.get((r, c), (r, c))
            rowspan = number[rows[bisect_right(rows, last_row) - 1]] - number[r] + 1
            cells.append(
                TableCell(texts.get((r, c), ""), number[r], c - first_col, rowspan, last_column - c + 1)
            )
    n_cols = max(c.col + c.colspan for c in cells)
    return Table(index=index, cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, aligned=True)


def _merges(
    sheet: Any, rows: list[int], first_col: int, last_col: int, budget: GridBudget
) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Merged ranges within the printed area: the anchor's last row and column, and the positions the
    ranges cover (kept rows only, each range's covered positions counted against the table limit)."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    marked = GridBudget(budget.path)
    for merged in sheet.merged_cells.ranges:
        top, left = merged.min_row, merged.min_col
        bottom, right = min(merged.max_row, rows[-1]), min(merged.max_col, last_col)
        if top > rows[-1] or left > last_col or bottom < rows[0] or right < first_col:
            continue
        spans[(top, left)] = (bottom, right)
        inside = rows[bisect_left(rows, top) : bisect_right(rows, bottom)]
        columns = range(max(left, first_col), right + 1)
        marked.place(0, len(inside), len(columns))
        covered |= {(r, c) for r in inside for c in columns} - {(top, left)}
    return spans, covered
