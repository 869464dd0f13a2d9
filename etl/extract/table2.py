"""Table 二 (主动公开政府信息情况) of the v2019 and v2021 templates: row label × column header.

The column header decides the code's family: 本年制发件数 is v2021, 本年新制作数量 is v2019. The two
families are never merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from etl.catalogue import metrics
from etl.extract.rows import FactCollector, key, row_locator, trailing_values, values_start
from etl.normalise import cache_short, note_unit, one_line
from etl.records import RowView, TableCell, new_cell_ref

if TYPE_CHECKING:
    from etl.extract import CellInfo

ROWS = {
    "规章": "regulations",
    "行政规范性文件": "normative_docs",
    "规范性文件": "normative_docs",
    "行政许可": "licensing",
    "其他对外管理服务事项": "other_services",
    "行政处罚": "penalty",
    "行政强制": "coercion",
    "行政事业性收费": "admin_fees",
    "政府集中采购": "procurement",
}
COLUMNS = {
    "本年制发件数": ("v2021", "issued"),
    "本年废止件数": ("v2021", "repealed"),
    "现行有效件数": ("v2021", "in_force"),
    "本年处理决定数量": ("v2021", "decisions"),
    "本年收费金额": ("v2021", "amount"),
    "本年新制作数量": ("v2019", "made"),
    "本年新公开数量": ("v2019", "published"),
    "对外公开总数量": ("v2019", "total_public"),
    "上一年项目数量": ("v2019", "prev_items"),
    "本年增/减": ("v2019", "change"),
    "本年增减": ("v2019", "change"),
    "本年增/减少": ("v2019", "change"),
    "处理决定数量": ("v2019", "decisions"),
    "采购项目数量": ("v2019", "items"),
    "采购总金额": ("v2019", "amount"),
}
DEFAULT_COLUMNS = {
    "v2021": {
        "regulations": ("本年制发件数", "本年废止件数", "现行有效件数"),
        "normative_docs": ("本年制发件数", "本年废止件数", "现行有效件数"),
        "licensing": ("本年处理决定数量",),
        "penalty": ("本年处理决定数量",),
        "coercion": ("本年处理决定数量",),
        "admin_fees": ("本年收费金额",),
    },
    "v2019": {
        "regulations": ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        "normative_docs": ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        "licensing": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "other_services": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "penalty": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "coercion": ("上一年项目数量", "本年增/减", "处理决定数量"),
        "admin_fees": ("上一年项目数量", "本年增/减"),
        "procurement": ("采购项目数量", "采购总金额"),
    },
}
TEMPLATE_UNITS = {"本年收费金额": "万元"}
CELLS = {"v2021": 10, "v2019": 22}


@cache_short
def column_key(text: str) -> str | None:
    found = key(text)
    if found in COLUMNS:
        return found
    prefixes = [k for k in COLUMNS if found.startswith(k)]
    return max(prefixes, key=len) if prefixes else None


def column_keys(text: str) -> tuple[str, ...]:
    """The column names a header cell holds: one, or several when its text is nothing but names run
    together (a scan whose text detection found "本年废止件数" and "现行有效件数" as one line)."""
    rest, names = key(text), []
    while rest:
        found = max((k for k in COLUMNS if rest.startswith(k)), key=len, default=None)
        if found is None:
            break
        names.append(found)
        rest = rest[len(found) :]
    if len(names) >= 2 and not rest:
        return tuple(names)
    one = column_key(text)
    return (one,) if one else ()


def is_header_row(view: RowView) -> bool:
    keys = [key(c.text) for c in view.cells]
    if any(k in ROWS for k in keys):
        return False
    return "信息内容" in keys or any(column_key(c.text) is not None for c in view.cells)


def row_name(view: RowView) -> str | None:
    for cell in view.cells:
        if key(cell.text) in ROWS:
            return ROWS[key(cell.text)]
    return None


@dataclass(frozen=True)
class Header:
    names: tuple[str, ...]
    by_column: tuple[tuple[int, int, str], ...]
    units: tuple[tuple[str, str], ...]
    aligned: bool

    def name_at(self, cell: TableCell) -> str | None:
        for start, end, name in self.by_column:
            if start <= cell.col < end:
                return name
        for start, end, name in self.by_column:
            if cell.col < end and start < cell.col + cell.colspan:
                return name
        return None


def read_header(view: RowView) -> Header:
    named = [(c, column_key(c.text)) for c in view.cells]
    by_column = tuple((c.col, c.col + c.colspan, name) for c, name in named if name)
    units = tuple((name, u) for c, name in named if name and (u := note_unit(c.text)))
    names = tuple(name for _, name in named if name)
    if not view.aligned:  # a rebuilt row: its header cells in order, names run together split
        names = tuple(name for c in view.cells for name in column_keys(c.text))
    return Header(names, by_column, units, view.aligned)


@dataclass
class Table2Reader:
    template: str
    collector: FactCollector
    header: Header | None = None

    def feed(self, view: RowView) -> None:
        """Read a row of table 二 (extraction routes rows through `extract_new`, which asks once)."""
        name = row_name(view)
        if name is None:
            if is_header_row(view):
                self.header = read_header(view)
            return
        label = next(c for c in view.cells if key(c.text) in ROWS)
        values = [c for c in view.cells if c.col > label.col] if view.aligned else trailing_values(view)[1]
        self._row(view, name, label, values)

    def feed_row(self, view: RowView, name: str, infos: Sequence[CellInfo]) -> None:
        """`feed` of a row that names table 二's row `name`, given its cells' infos (`cell_info`)."""
        cells = view.cells
        at = next(i for i, info in enumerate(infos) if info.row2 is not None)
        label = cells[at]
        if view.aligned:
            values = [c for c in cells if c.col > label.col]
        else:
            values = list(cells[values_start([i.valueish for i in infos]) :])
        self._row(view, name, label, values)

    def _row(self, view: RowView, name: str, label: TableCell, values: list[TableCell]) -> None:
        pairs = self._pair(view, name, values)
        for cell, column in pairs:
            family, suffix = COLUMNS[column]
            code = f"{family}.{name}.{suffix}"
            if code not in metrics():
                self.collector.warn(
                    "unknown_cell",
                    f"table 二 has no cell {one_line(label.text)} / {column}",
                    row_locator(view, cell),
                )
                continue
            unit = dict(self.header.units).get(column) if self.header else None
            ref = new_cell_ref(view.table, one_line(label.text), column, view.page, row_locator(view, cell))
            self.collector.add(code, "", cell.text, ref, printed_unit=unit or TEMPLATE_UNITS.get(column))

    def _pair(self, view: RowView, name: str, values: list[TableCell]) -> list[tuple[TableCell, str]]:
        header = self.header
        if header is not None and header.aligned and view.aligned:
            named = [(cell, header.name_at(cell)) for cell in values]
            return [(cell, n) for cell, n in named if n is not None]
        names = header.names if header is not None else DEFAULT_COLUMNS.get(self.template, {}).get(name, ())
        if header is None:
            self.collector.warn(
                "no_header", f"table 二 row {name}: no column header; template order used", row_locator(view)
            )
        if len(values) < len(names) or not names:
            self.collector.warn(
                "short_row",
                f"table 二 row {name}: {len(values)} values for {len(names)} columns; row skipped",
                row_locator(view),
            )
            return []
        return list(zip(values[len(values) - len(names) :], names, strict=True))
