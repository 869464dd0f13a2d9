"""A statistics table published as a spreadsheet (.xlsx) -> Document: one table per sheet.

Merged ranges become spans; numbers are printed as the sheet stores them (12, 3.5), never as 12.0.
Empty rows are dropped. Cells are read as cached values, so a formula shows what Excel last computed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from etl.errors import UnreadableDocument
from etl.normalise import clean_text, one_line
from etl.records import Block, Document, Paragraph, Table, TableCell


def read_xlsx(path: str, data: bytes) -> Document:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(
            f"{Path(path).name} is not a readable .xlsx file ({type(exc).__name__})"
        ) from None
    blocks: list[Block] = []
    for sheet in book.worksheets:
        table = sheet_table(sheet, sum(isinstance(b, Table) for b in blocks))
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


def sheet_table(sheet: Any, index: int) -> Table | None:
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (
            merged.max_row - merged.min_row + 1,
            merged.max_col - merged.min_col + 1,
        )
        covered |= {
            (r, c)
            for r in range(merged.min_row, merged.max_row + 1)
            for c in range(merged.min_col, merged.max_col + 1)
        } - {(merged.min_row, merged.min_col)}
    rows = [[(cell.row, cell.column, cell_text(cell.value)) for cell in row] for row in sheet.iter_rows()]
    kept = [row for row in rows if any(text for _, _, text in row)]
    if not kept:
        return None
    number = {row[0][0]: i for i, row in enumerate(kept)}
    first_col = min(c for row in kept for c, (_, _, text) in enumerate(row) if text)
    cells = []
    for row in kept:
        for r, c, text in row:
            if (r, c) in covered or c - 1 < first_col:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            last = max((number[x] for x in range(r, r + rowspan) if x in number), default=number[r])
            cells.append(TableCell(text, number[r], c - 1 - first_col, last - number[r] + 1, colspan))
    n_cols = max(c.col + c.colspan for c in cells)
    return Table(index=index, cells=tuple(cells), n_rows=len(kept), n_cols=n_cols, aligned=True)
