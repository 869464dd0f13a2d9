"""Table 四 (行政复议、行政诉讼情况): one data row of 15 numbers under a three-row header.

Columns are read from the header path above each value cell. Where the header cannot be read (text
copies scramble it), the 15-number row is taken in template order, which is the only order it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from etl.extract.rows import FactCollector, is_numeric, is_valueish, key, row_locator
from etl.normalise import fold
from etl.records import RowView, TableCell, new_cell_ref

if TYPE_CHECKING:
    from etl.extract import CellInfo

OUTCOMES = {
    "结果维持": "upheld",
    "结果纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "总计": "total",
}
GROUP_ORDER = ("review", "suit_direct", "suit_after_review")
TEMPLATE_ORDER = tuple(f"{g}.{o}" for g in GROUP_ORDER for o in OUTCOMES.values())
GROUP_LABELS = {
    "review": "行政复议",
    "suit_direct": "行政诉讼 / 未经复议直接起诉",
    "suit_after_review": "行政诉讼 / 复议后起诉",
}
HEADER_WORDS = (
    "行政复议",
    "行政诉讼",
    "直接起诉",
    "未经复议",
    "复议后起诉",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
)


def group_of(texts: list[str]) -> str | None:
    folded = [fold(t) for t in texts]
    if any("复议后起诉" in t for t in folded):
        return "suit_after_review"
    if any("直接起诉" in t or "未经复议" in t for t in folded):
        return "suit_direct"
    if any(t.startswith("行政复议") for t in folded):
        return "review"
    return None


def is_header_row(view: RowView) -> bool:
    if any(is_numeric(c) for c in view.cells):
        return False
    texts = [fold(c.text) for c in view.cells if view.starts_here(c)]
    return any(t.startswith(HEADER_WORDS) for t in texts)


def is_data_row(view: RowView) -> bool:
    cells = [c for c in view.cells if view.starts_here(c)]
    values = [c for c in cells if is_valueish(c)]
    return len(values) >= 15 and sum(is_numeric(c) for c in values) >= 5 and len(cells) - len(values) <= 1


@dataclass
class Table4Reader:
    collector: FactCollector
    header_rows: list[RowView] = field(default_factory=list)
    done: bool = False

    def feed(self, view: RowView) -> None:
        """Read a header or data row of table 四 (extraction routes rows through `extract_new`)."""
        if is_header_row(view):
            self._header(view)
            return
        self._data([c for c in view.cells if view.starts_here(c) and is_valueish(c)], view)

    def feed_row(self, view: RowView, header: bool, infos: Sequence[CellInfo]) -> None:
        """`feed`, given whether the row is a header row and its cells' infos (`cell_info`)."""
        if header:
            self._header(view)
            return
        here = view.row
        self._data([c for c, i in zip(view.cells, infos, strict=True) if c.row == here and i.valueish], view)

    def _header(self, view: RowView) -> None:
        if self.header_rows and self.header_rows[-1].table != view.table:
            self.header_rows = []
        self.header_rows.append(view)

    def _data(self, values: list[TableCell], view: RowView) -> None:
        pairs = self._by_header(view, values) or self._by_order(view, values)
        for cell, code in pairs:
            ref = new_cell_ref(
                view.table, "行政复议、行政诉讼", column_label(code), view.page, row_locator(view, cell)
            )
            self.collector.add(code, "", cell.text, ref)
        self.done = True

    def _by_header(self, view: RowView, values: list[TableCell]) -> list[tuple[TableCell, str]]:
        if not view.aligned or not self.header_rows or not self.header_rows[-1].aligned:
            return []
        pairs = [(cell, self._code_at(cell.col)) for cell in values]
        codes = [code for _, code in pairs]
        if None in codes or len(set(codes)) != 15 or len(codes) != 15:
            self.collector.warn(
                "header_unreadable",
                "table 四 header does not name 15 distinct columns; values taken in template order",
                row_locator(view),
            )
            return []
        return [(cell, code) for cell, code in pairs if code is not None]

    def _code_at(self, column: int) -> str | None:
        texts = []
        for view in self.header_rows:
            texts += [c.text for c in view.cells if c.col <= column < c.col + c.colspan]
        group = group_of(texts)
        outcome = next((OUTCOMES[key(t)] for t in reversed(texts) if key(t) in OUTCOMES), None)
        return f"{group}.{outcome}" if group and outcome else None

    def _by_order(self, view: RowView, values: list[TableCell]) -> list[tuple[TableCell, str]]:
        if len(values) != 15:
            self.collector.warn(
                "short_row",
                f"table 四 data row has {len(values)} values, expected 15; row skipped",
                row_locator(view),
            )
            return []
        return list(zip(values, TEMPLATE_ORDER, strict=True))


def column_label(code: str) -> str:
    """'suit_direct.total' -> '行政诉讼 / 未经复议直接起诉 / 总计'."""
    group, outcome = code.split(".")
    return f"{GROUP_LABELS[group]} / {next(k for k, v in OUTCOMES.items() if v == outcome)}"
