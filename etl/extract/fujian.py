"""Fujian's provincial table (指标名称 | 计量单位 | YYYY年度 | 历年累计), used by 平潭 and others to 2018."""

from __future__ import annotations

from collections.abc import Iterable

from etl.extract.rows import UNIT_WORDS, FactCollector, key, row_locator
from etl.normalise import fold, one_line
from etl.records import RowView, TableCell, new_cell_ref

ROWS = {
    "主动公开文件数": "fj.proactive.total",
    "主动公开信息数": "fj.proactive.total",
    "政府网站公开数": "fj.proactive.website",
    "政府公报公开数": "fj.proactive.gazette",
    "受理依申请公开信息总数": "fj.requests.total",
    "当面申请数": "fj.requests.in_person",
    "网上申请数": "fj.requests.online",
    "信函、传真申请数": "fj.requests.letter_fax",
    "传真申请数": "fj.requests.fax",
    "电子邮件申请数": "fj.requests.email",
    "信函申请数": "fj.requests.letter",
    "其他形式申请数": "fj.requests.other",
    "对申请的答复总数": "fj.answers.total",
    "同意公开答复数": "fj.answers.granted",
    "同意部分公开答复数": "fj.answers.partial",
    "不予公开答复数": "fj.answers.denied",
    "否决公开答复数": "fj.answers.denied",
    "其他类型答复数": "fj.answers.other",
    "政府信息公开收费减免金额": "fj.fees.waived",
    "接受行政诉讼、举报数": "fj.complaints",
    "行政申诉、举报数": "fj.complaints",
    "行政申诉数": "fj.complaints",
    "行政复议数": "fj.reconsideration",
    "行政诉讼数": "fj.litigation",
}
HEADER_KEYS = frozenset({"指标名称", "统计指标"})


def _columns(view: RowView) -> list[tuple[int, bool]]:
    """Grid columns of the value headers: (column, is_cumulative)."""
    found = []
    for cell in view.cells:
        folded = fold(cell.text)
        if "历年累计" in folded:
            found.append((cell.col, True))
        elif "年度" in folded or folded in ("本年", "本年度", "统计数"):
            found.append((cell.col, False))
    return found


def extract_fujian(views: Iterable[RowView], collector: FactCollector) -> None:
    columns: list[tuple[int, bool]] = []
    for view in views:
        cells = [c for c in view.cells if view.starts_here(c)]
        if not cells:
            continue
        row_key = key(cells[0].text)
        if row_key in HEADER_KEYS:
            columns = _columns(view)
            continue
        code = ROWS.get(row_key)
        if code is None:
            if row_key and len(cells) > 1:
                collector.warn(
                    "unknown_row",
                    f"row not in the Fujian table: {one_line(cells[0].text)!r}",
                    row_locator(view),
                )
            continue
        _row(view, cells, code, columns, collector)


def _row(
    view: RowView,
    cells: list[TableCell],
    code: str,
    columns: list[tuple[int, bool]],
    collector: FactCollector,
) -> None:
    rest = cells[1:]
    unit = one_line(rest[0].text) if rest and one_line(rest[0].text) in UNIT_WORDS else None
    values = rest[1:] if unit is not None else rest
    if view.aligned and columns:
        pairs = [(c, cum) for c in values for col, cum in columns if c.col == col]
    else:
        pairs = list(zip(values, (False, True), strict=False))
    for cell, cumulative in pairs:
        ref = new_cell_ref(
            view.table,
            one_line(cells[0].text),
            "历年累计" if cumulative else "本年度",
            view.page,
            row_locator(view, cell),
        )
        collector.add(f"{code}.cumulative" if cumulative else code, "", cell.text, ref, printed_unit=unit)
