"""The summary as a spreadsheet: one sheet per official table (the same grid and merged cells as the Word
file, the title above it) and an `about` sheet with the place, year, scope, data version, the units summed,
the units left out and why, the units without a report that year, the identities on the sums and the cells
some unit did not print. `xxgk parse` reads the sheets back to exactly the summed cells."""

from __future__ import annotations

from decimal import Decimal

from warehouse.documents import sheets
from warehouse.documents.layout import Slot, official_tables
from warehouse.documents.numbers import shown_value
from warehouse.documents.summary import Summary
from warehouse.documents.summary_notes import about_rows

ABOUT_WIDTHS = (44, 40, 30, 60, 40)


def summary_xlsx(summary: Summary) -> bytes:
    cells = summary.by_cell()

    def value_of(slot: Slot) -> Decimal | None:
        return shown_value(slot.code, cells[(slot.code, slot.breakdown)].value)

    with sheets.workbook(summary.generated_at) as (book, formats, buffer):
        for table in official_tables(summary.template):
            sheets.official_sheet(book, formats, table, value_of, summary.title)
        rows = about_rows(summary)
        headers = frozenset(i for i, row in enumerate(rows) if i == 0 or (row and "（共" in str(row[0])))
        headers |= frozenset(i for i, row in enumerate(rows) if row and str(row[0]).startswith("勾稽关系"))
        sheets.list_sheet(book, formats, "about", rows, ABOUT_WIDTHS, header_rows=headers)
    return buffer.getvalue()
