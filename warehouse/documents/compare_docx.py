"""The comparison as a Word file (landscape A4): what was compared, the findings, then every table."""

from __future__ import annotations

from warehouse.documents import word
from warehouse.documents.compare import Comparison
from warehouse.documents.compare_tables import Grid, grids, overview_lines, shown

FILLS = {
    "changed": "FFF3CD",
    "not_comparable": "EEEEEE",
    "added": "E6FFED",
    "removed": "FFEEF0",
    "figures_changed": "FFF8E1",
}
WIDTHS = {  # twips; the cell table leaves out the metric code (in the spreadsheet)
    "表格单元格 table cells": (450, 3900, 1200, 450, 1500, 1500, 900, 1000, 900, 2600),
    "统一口径序列 harmonised series (docs/series.md)": (3000, 1500, 1400, 1200, 1400, 1200, 1000, 1000, 800),
    "正文各部分 narrative sections": (5200, 1200, 1400, 1200, 1200, 2200),
    "正文逐句对比 sentences": (3000, 1300, 10000),
    "两年报告未通过或无法判断的检查 checks not passed": (900, 700, 900, 1000, 2400, 900, 900, 6700),
}


def _grid(doc: object, grid: Grid) -> None:
    word.heading(doc, grid.title, size=12)  # type: ignore[arg-type]
    if not grid.rows:
        word.text(doc, "（无）", size=9)  # type: ignore[arg-type]
        return
    widths = WIDTHS.get(grid.title, tuple(1000 for _ in grid.header))
    columns = len(widths)
    body = [[shown(value) for value in row[:columns]] for row in grid.rows]
    colours = [FILLS.get(kind) for kind in grid.kinds] if grid.kinds else None
    word.plain_table(doc, grid.header[:columns], body, widths, size=8, colours=colours)  # type: ignore[arg-type]


def comparison_docx(comparison: Comparison) -> bytes:
    doc = word.document(comparison.title, landscape=True)
    word.text(doc, "；".join(f"{zh}：{value}" for zh, _, value in comparison.described()) + "。", size=9)
    word.heading(doc, "概况", size=12)
    for line in overview_lines(comparison):
        word.text(doc, line, size=9.5)
    for grid in grids(comparison, every_check=False):
        _grid(doc, grid)
    word.footer_note(doc, f"xxgk 年度对比 · 数据版本 {comparison.version}")
    return word.to_bytes(doc, comparison.generated_at)
