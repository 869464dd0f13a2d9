"""Spreadsheet (XLSX) building blocks shared by the summary and the comparison (xlsxwriter)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from warehouse.documents.layout import OfficialTable, Placed, Slot
from warehouse.documents.numbers import cell_value

TWIPS_PER_CHAR = 100
LINE_POINTS = 13.5
A4 = 9
CAPTION_FILL = "#C6D9F1"
HEADER_FILL = "#F2F2F2"
FONT = "宋体"


class Formats:
    """The few cell formats the documents use, created once per workbook."""

    def __init__(self, book: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 10, "text_wrap": True, "valign": "vcenter"}
        self.title = book.add_format({**base, "font_size": 14, "bold": True, "align": "center"})
        self.heading = book.add_format({**base, "font_size": 11, "bold": True})
        self.label = book.add_format({**base, "border": 1})
        self.center = book.add_format({**base, "border": 1, "align": "center"})
        self.header = book.add_format({**base, "border": 1, "align": "center", "bg_color": HEADER_FILL})
        self.caption = book.add_format({**base, "border": 1, "bg_color": CAPTION_FILL})
        self.plain = book.add_format({**base})
        self.bold = book.add_format({**base, "bold": True})


@contextmanager
def workbook(when: datetime) -> Iterator[tuple[Workbook, Formats, io.BytesIO]]:
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties({"author": "xxgk", "created": when.replace(tzinfo=None)})
    yield book, Formats(book), buffer
    book.close()


def sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]


def put(sheet: Worksheet, row: int, col: int, content: object, fmt: Any = None) -> None:
    """A value exactly: Decimals as numbers only when the number reads back as the same Decimal."""
    if content is None or content == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(content, Decimal):
        shown = cell_value(content)
        if isinstance(shown, str):
            sheet.write_string(row, col, shown, fmt)
        else:
            sheet.write_number(row, col, shown, fmt)
    elif isinstance(content, bool):
        sheet.write_string(row, col, "是" if content else "否", fmt)
    elif isinstance(content, int | float):
        sheet.write_number(row, col, content, fmt)
    else:
        sheet.write_string(row, col, str(content), fmt)


def official_sheet(
    book: Workbook,
    formats: Formats,
    table: OfficialTable,
    value_of: Callable[[Slot], Decimal | None],
    title: str,
) -> None:
    """One official table on its own sheet: the title, the section heading, then the grid."""
    sheet = book.add_worksheet(sheet_name(table.sheet))
    last = table.n_cols - 1
    sheet.merge_range(0, 0, 0, last, title, formats.title)
    sheet.merge_range(1, 0, 1, last, table.heading, formats.heading)
    sheet.set_row(0, 24)
    widths = [max(5.0, width / TWIPS_PER_CHAR) for width in table.widths]
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    top = 2
    for item in table.placed():
        slot = item.slot
        fmt = _format(formats, table, item)
        content: object = value_of(slot) if slot.is_value else slot.text
        r, c = top + item.row, item.col
        if slot.rowspan > 1 or slot.colspan > 1:
            sheet.merge_range(r, c, r + slot.rowspan - 1, c + slot.colspan - 1, "", fmt)
        put(sheet, r, c, content, fmt)
    for row, height in row_heights(table, widths).items():
        sheet.set_row(top + row, height)
    _print_setup(sheet, landscape=table.n_cols > 10)
    sheet.freeze_panes(top, 0)


def text_width(text: str) -> int:
    """Columns a line of text takes: two for a CJK character, one otherwise."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def row_heights(table: OfficialTable, widths: Sequence[float]) -> dict[int, float]:
    """Heights that fit each row's wrapped labels (spreadsheet programs do not fit merged or never-opened
    rows themselves); rows that fit one line keep the default."""
    found: dict[int, float] = {}
    for item in table.placed():
        slot = item.slot
        if slot.is_value or slot.rowspan > 1 or not slot.text:
            continue
        lines = _lines(slot.text, sum(widths[item.col : item.col + slot.colspan]))
        if lines > 1:
            found[item.row] = max(found.get(item.row, 0.0), lines * LINE_POINTS + 2)
    return found


def _print_setup(sheet: Worksheet, *, landscape: bool = False) -> None:
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    if landscape:
        sheet.set_landscape()


def _format(formats: Formats, table: OfficialTable, item: Placed) -> Any:
    slot = item.slot
    if slot.caption:
        return formats.caption
    if slot.header:
        return formats.header
    return formats.label if table.left_aligned(item) else formats.center


def list_sheet(
    book: Workbook,
    formats: Formats,
    name: str,
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    header_rows: frozenset[int] = frozenset({0}),
) -> Worksheet:
    """Rows of values; `header_rows` are shaded. A row of one cell starting a block is bold."""
    sheet = book.add_worksheet(sheet_name(name))
    _print_setup(sheet, landscape=True)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    for r, values in enumerate(rows):
        fmt = formats.header if r in header_rows else formats.plain
        for c, content in enumerate(values):
            put(sheet, r, c, content, fmt)
        lines = max((_lines(str(v), widths[c]) for c, v in enumerate(values) if c < len(widths)), default=1)
        if lines > 1:
            sheet.set_row(r, lines * LINE_POINTS + 2)
    return sheet


def _lines(text: str, width: float) -> int:
    room = max(1, int(width) - 1)
    return sum(max(1, -(-text_width(line) // room)) for line in text.split("\n"))
