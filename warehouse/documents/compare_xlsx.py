"""The comparison as a spreadsheet: one sheet per table (values exact), and an `about` sheet with what was
compared, the data version and the findings."""

from __future__ import annotations

from collections.abc import Sequence

from warehouse.documents import sheets
from warehouse.documents.compare import Comparison
from warehouse.documents.compare_tables import grids, overview_lines

SHEETS = ("单元格 cells", "序列 series", "正文部分 sections", "正文逐句 sentences", "检查 checks")
WIDTHS = (
    (6, 40, 14, 6, 14, 14, 10, 10, 10, 36, 30),
    (30, 16, 14, 12, 14, 12, 10, 10, 8),
    (50, 10, 12, 10, 10, 18),
    (40, 12, 120),
    (8, 8, 10, 10, 30, 10, 10, 100),
)


def comparison_xlsx(comparison: Comparison) -> bytes:
    with sheets.workbook(comparison.generated_at) as (book, formats, buffer):
        for name, widths, grid in zip(SHEETS, WIDTHS, grids(comparison), strict=True):
            rows: list[Sequence[object]] = [grid.header, *grid.rows]
            sheet = sheets.list_sheet(book, formats, name, rows, widths)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(1, len(rows) - 1), len(grid.header) - 1)
        about: list[list[object]] = [["项目 item", "内容 content"]]
        about += [[f"{zh} {en}", value] for zh, en, value in comparison.described()]
        about += [["概况 findings", line] for line in overview_lines(comparison)]
        sheets.list_sheet(book, formats, "about", about, (30, 120))
    return buffer.getvalue()
