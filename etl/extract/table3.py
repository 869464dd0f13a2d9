"""Table 三 (收到和处理政府信息公开申请情况): rows by label within their group, columns by header text.

Applicant columns are read from the header cells above each value cell (aligned tables) or from the
order of the header words (text), with the template order only when no header is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.catalogue import APPLICANT_BREAKDOWNS
from etl.extract import table4
from etl.extract.rows import FactCollector, is_numeric, key, row_locator, trailing_values
from etl.normalise import fold, one_line
from etl.records import CellRef, RowView, TableCell

TOP_ROWS = {
    "本年新收政府信息公开申请数量": "req.received",
    "上年结转政府信息公开申请数量": "req.carried_in",
    "予以公开": "req.granted",
    "部分公开": "req.partial",
    "总计": "req.total",
    "结转下年度继续办理": "req.carried_out",
}
GROUPS = {"不予公开": "denied", "无法提供": "unable", "不予处理": "not_processed", "其他处理": "other"}
GROUP_ITEMS: dict[str, dict[str, str]] = {
    "denied": {
        "属于国家秘密": "req.denied.state_secret",
        "其他法律行政法规禁止公开": "req.denied.law_forbidden",
        "危及三安全一稳定": "req.denied.security_stability",
        "保护第三方合法权益": "req.denied.third_party",
        "属于三类内部事务信息": "req.denied.internal_affairs",
        "属于四类过程性信息": "req.denied.process_info",
        "属于行政执法案卷": "req.denied.enforcement_file",
        "属于行政查询事项": "req.denied.query_matter",
    },
    "unable": {
        "本机关不掌握相关政府信息": "req.unable.not_held",
        "没有现成信息需要另行制作": "req.unable.needs_creation",
        "补正后申请内容仍不明确": "req.unable.unclear",
    },
    "not_processed": {
        "信访举报投诉类申请": "req.not_processed.petition",
        "重复申请": "req.not_processed.repeat",
        "要求提供公开出版物": "req.not_processed.publication",
        "无正当理由大量反复申请": "req.not_processed.mass_repeat",
        "要求行政机关确认或重新出具已获取信息": "req.not_processed.confirmation",
    },
    "other": {
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": "req.other.no_amendment",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": "req.other.unpaid_fee",
        "其他": "req.other.other",
    },
}
IGNORED_LABELS = frozenset({"", "本年度办理结果", "申请人情况"})
APPLICANTS = {
    "自然人": "natural_person",
    "商业企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "social_org",
    "法律服务机构": "legal_service",
    "其他": "other_org",
    "其他组织": "other_org",
    "小计": "legal_subtotal",
    "法人或其他组织小计": "legal_subtotal",
    "总计": "total",
    "合计": "total",
}
LEGAL_GROUP = "法人或其他组织"
DEFAULT_PLAN = tuple(b for b in APPLICANT_BREAKDOWNS if b != "legal_subtotal")
ROWS_V2019 = 23
ROWS_V2021 = 25


def applicant(text: str) -> str | None:
    folded = fold(text)
    if folded == LEGAL_GROUP:
        return "legal_subtotal"
    return APPLICANTS.get(folded)


def is_header_row(view: RowView) -> bool:
    if any(is_numeric(c) for c in view.cells) or table4.is_header_row(view):
        return False
    return any(applicant(c.text) or fold(c.text) == LEGAL_GROUP for c in view.cells)


def _top_row(item: str) -> str | None:
    """Top-level rows, also when printed longer ("结转下年度继续办理的申请数量") or cut short."""
    if item in TOP_ROWS:
        return TOP_ROWS[item]
    near = {
        code
        for label, code in TOP_ROWS.items()
        if len(label) >= 6 and len(item) >= 6 and (item.startswith(label) or label.startswith(item))
    }
    return near.pop() if len(near) == 1 else None


def _item_code(item: str, group: str | None) -> tuple[str, str | None] | None:
    top = _top_row(item)
    if top is not None:
        return top, None
    if group and item in GROUP_ITEMS[group]:
        return GROUP_ITEMS[group][item], group
    owners = [(g, items[item]) for g, items in GROUP_ITEMS.items() if item in items]
    if len(owners) == 1:
        return owners[0][1], owners[0][0]
    if len(item) >= 6:
        near = [
            (g, code)
            for g, items in GROUP_ITEMS.items()
            for k, code in items.items()
            if min(len(k), len(item)) >= 6 and (k.startswith(item) or item.startswith(k))
        ]
        if len(near) == 1:
            return near[0][1], near[0][0]
    return None


def resolve_row(labels: list[str], group: str | None) -> tuple[str | None, str | None]:
    """(code, group after this row) for a row's label texts, given the group of the rows above."""
    parts: list[str] = []
    for label in labels:
        whole = key(label)
        parts += [whole] if whole in GROUPS or _item_code(whole, group) or " " not in label else label.split()
    item: str | None = None
    for part in parts:
        part_key = key(part)
        if part_key in GROUPS:
            group = GROUPS[part_key]
            item = part_key
        elif part_key not in IGNORED_LABELS:
            item = part_key
    if item is None:
        return None, group
    if item in GROUPS:
        return ("req.other" if item == "其他处理" else None), group
    found = _item_code(item, group)
    if found is None:
        return None, group
    return found[0], found[1]


@dataclass
class Table3Reader:
    collector: FactCollector
    header_rows: list[RowView] = field(default_factory=list)
    plan_by_column: dict[int, str] = field(default_factory=dict)
    plan: tuple[str, ...] = DEFAULT_PLAN
    group: str | None = None
    table: int = -1

    def accepts(self, view: RowView) -> bool:
        if is_header_row(view):
            return True
        labels, _ = self._split(view)
        code, _ = resolve_row([c.text for c in labels], self.group)
        return code is not None or any(key(c.text) in GROUPS for c in labels)

    def feed(self, view: RowView) -> None:
        if view.table != self.table:
            self.table = view.table
            self.header_rows = []
        if is_header_row(view):
            self.header_rows.append(view)
            self._plan()
            return
        labels, values = self._split(view)
        code, self.group = resolve_row([c.text for c in labels], self.group)
        if code is None or not values:
            return
        label = " / ".join(one_line(c.text) for c in labels if key(c.text) not in IGNORED_LABELS)
        for cell, breakdown in self._pair(view, values):
            column = one_line(self._column_label(cell, breakdown))
            ref = CellRef(view.table, label, column, view.page, row_locator(view, cell))
            self.collector.add(code, breakdown, cell.text, ref)

    def _split(self, view: RowView) -> tuple[list[TableCell], list[TableCell]]:
        if view.aligned and self.plan_by_column:
            first = min(self.plan_by_column)
            return [c for c in view.cells if c.col < first], [c for c in view.cells if c.col >= first]
        return trailing_values(view)

    def _plan(self) -> None:
        self.plan_by_column = column_plan(self.header_rows) if self.header_rows[-1].aligned else {}
        self.plan = word_plan(self.header_rows) or DEFAULT_PLAN

    def _pair(self, view: RowView, values: list[TableCell]) -> list[tuple[TableCell, str]]:
        if view.aligned and self.plan_by_column:
            return self._pair_by_column(view, values)
        if len(values) < len(self.plan):
            self.collector.warn(
                "short_row",
                f"table 三 row has {len(values)} values for {len(self.plan)} applicant columns; row skipped",
                row_locator(view),
            )
            return []
        return list(zip(values[len(values) - len(self.plan) :], self.plan, strict=True))

    def _pair_by_column(self, view: RowView, values: list[TableCell]) -> list[tuple[TableCell, str]]:
        pairs = []
        for cell in values:
            found = {self.plan_by_column.get(c) for c in range(cell.col, cell.col + cell.colspan)} - {None}
            if len(found) == 1:
                pairs.append((cell, found.pop()))
            elif found:
                self.collector.warn(
                    "ambiguous_column",
                    f"table 三 value {one_line(cell.text)!r} spans {sorted(map(str, found))}; skipped",
                    row_locator(view, cell),
                )
        return [(c, b) for c, b in pairs if b is not None]

    def _column_label(self, cell: TableCell, breakdown: str) -> str:
        for view in reversed(self.header_rows):
            for header in view.cells:
                if (
                    header.col <= cell.col < header.col + header.colspan
                    and applicant(header.text) == breakdown
                ):
                    return header.text
        return breakdown


def column_plan(header_rows: list[RowView]) -> dict[int, str]:
    """Grid column -> applicant breakdown, from the lowest header cell that names an applicant."""
    plan: dict[int, str] = {}
    columns = {
        c for view in header_rows for cell in view.cells for c in range(cell.col, cell.col + cell.colspan)
    }
    for column in sorted(columns):
        for view in reversed(header_rows):
            cell = next((c for c in view.cells if c.col <= column < c.col + c.colspan), None)
            if cell is None or not cell.text.strip():
                continue
            found = applicant(cell.text)
            if found:
                plan[column] = found
            break
    return plan


def word_plan(header_rows: list[RowView]) -> tuple[str, ...] | None:
    """The applicant column order from header words as text gives them (merged cells printed once)."""
    words = [fold(w) for view in header_rows for cell in view.cells for w in cell.text.split()]
    legal = [
        APPLICANTS[w] for w in words if w in APPLICANTS and APPLICANTS[w] not in ("natural_person", "total")
    ]
    if "自然人" not in words or not any(APPLICANTS.get(w) == "total" for w in words):
        return None
    if LEGAL_GROUP in words and not legal:
        legal = ["legal_subtotal"]
    plan = ("natural_person", *legal, "total")
    return plan if len(set(plan)) == len(plan) else None
