"""Table 三 (收到和处理政府信息公开申请情况): rows by label within their group, columns by header text.

Applicant columns are read from the header cells above each value cell (aligned tables) or from the
order of the header words (text), with the template order only when no header is printed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from etl.catalogue import APPLICANT_BREAKDOWNS
from etl.extract import table4
from etl.extract.fuzzy import FuzzyMatch, fuzzy_item
from etl.extract.rows import FactCollector, is_numeric, key, row_locator, trailing_values, values_start
from etl.normalise import CACHE_LIMIT, cache_short, fold, leading_number, one_line, remember
from etl.outcomes import outcome_group, outcome_groups
from etl.records import Confidence, RowView, TableCell, new_cell_ref

if TYPE_CHECKING:
    from etl.extract import CellInfo

TOP_ROWS = {
    "本年新收政府信息公开申请数量": "req.received",
    "上年结转政府信息公开申请数量": "req.carried_in",
    **{group.key: group.whole_code for group in outcome_groups() if group.whole_code and not group.items},
    "总计": "req.total",
    "结转下年度继续办理": "req.carried_out",
}
GROUPS = {group.key: group.name for group in outcome_groups() if group.items}
GROUP_ITEMS: dict[str, dict[str, str]] = {
    group.name: {item.key: item.code for item in group.items} for group in outcome_groups() if group.items
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


@cache_short
def applicant(text: str) -> str | None:
    folded = fold(text)
    if folded == LEGAL_GROUP:
        return "legal_subtotal"
    return APPLICANTS.get(folded)


def is_header_row(view: RowView) -> bool:
    if any(is_numeric(c) for c in view.cells) or table4.is_header_row(view):
        return False
    return any(applicant(c.text) or fold(c.text) == LEGAL_GROUP for c in view.cells)


@cache
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


@cache
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


@dataclass(frozen=True)
class RowMatch:
    """What a row's labels name: its code (None when unknown) and the group of the rows that follow."""

    code: str | None
    group: str | None
    printed: str = ""
    """The row's own label as printed (its last label part)."""
    fuzzy: FuzzyMatch | None = None
    """Set when the label matched a row of its group only loosely (a misprint)."""
    group_row: bool = False
    """The row is a group's own label row (（三）不予公开, （六）其他处理)."""


def _label_parts(labels: list[str], group: str | None) -> list[str]:
    parts: list[str] = []
    for label in labels:
        whole = key(label)
        parts += [label] if whole in GROUPS or _item_code(whole, group) or " " not in label else label.split()
    return parts


_MATCHES: dict[tuple[tuple[str, ...], str | None], RowMatch | tuple[str, str, str | None]] = {}
"""`_exact_match` per (label texts, group): the same labels recur in every report of a template."""
_MATCHES_LIMIT = 1 << 13


def match_row(labels: list[str], group: str | None, read: Mapping[str, int] | None = None) -> RowMatch:
    """The row a row's label texts name, given the group of the rows above and, per group, the position
    of the last row read in it (`read`), which a misprinted label's position must follow."""
    memo = (tuple(labels), group)
    found = _MATCHES.get(memo)
    if found is None:
        found = _exact_match(labels, group)
        if sum(map(len, labels)) <= 4 * CACHE_LIMIT:
            remember(_MATCHES, memo, found, _MATCHES_LIMIT)
    if isinstance(found, RowMatch):
        return found
    item, printed, group = found
    loose = _fuzzy(item, printed, group, read or {})
    if loose is not None:
        return RowMatch(loose.item.code, group, printed, loose)
    return RowMatch(None, group, printed)


def _exact_match(labels: list[str], group: str | None) -> RowMatch | tuple[str, str, str | None]:
    """`match_row` without the misprint search: the match, or (item, printed, group) to search it by."""
    item: str | None = None
    printed = ""
    for part in _label_parts(labels, group):
        part_key = key(part)
        if part_key in GROUPS:
            group = GROUPS[part_key]
            item, printed = part_key, part
        elif part_key not in IGNORED_LABELS:
            item, printed = part_key, part
    if item is None:
        return RowMatch(None, group)
    if item in GROUPS:
        return RowMatch(outcome_group(GROUPS[item]).whole_code, group, printed, group_row=True)
    found = _item_code(item, group)
    if found is not None:
        return RowMatch(found[0], found[1], printed)
    return item, printed, group


def _fuzzy(item: str, printed: str, group: str | None, read: Mapping[str, int]) -> FuzzyMatch | None:
    if group is None:
        return None
    number = re.match(r"\d{1,2}", leading_number(printed))
    return fuzzy_item(
        item,
        int(number.group(0)) if number else None,
        outcome_group(group).items,
        read.get(group, 0) + 1,
    )


def resolve_row(labels: list[str], group: str | None) -> tuple[str | None, str | None]:
    """(code, group after this row) for a row's label texts, given the group of the rows above."""
    found = match_row(labels, group)
    return found.code, found.group


@dataclass
class Table3Reader:
    collector: FactCollector
    header_rows: list[RowView] = field(default_factory=list)
    plan_by_column: dict[int, str] = field(default_factory=dict)
    plan: tuple[str, ...] = DEFAULT_PLAN
    group: str | None = None
    table: int = -1
    read: dict[str, int] = field(default_factory=dict)
    """Per group, the position of the last row read in it."""
    column_labels: dict[tuple[int, str], str] = field(default_factory=dict, repr=False)
    """`_column_label` per (grid column, breakdown) for the current `header_rows`: emptied whenever they
    change (a value row of table 三 asked it once per value, walking every header cell each time)."""

    def feed(self, view: RowView) -> None:
        """Read a row of table 三 (extraction routes rows through `extract_new`, which asks once)."""
        if view.table != self.table:
            self._new_table(view.table)
        if is_header_row(view):
            self._header(view)
            return
        labels, values = self._split(view)
        self._row(view, match_row([c.text for c in labels], self.group, self.read), labels, values)

    def route(self, view: RowView, header: bool, infos: Sequence[CellInfo]) -> bool:
        """Read the row if it is table 三's: a header row (`header`, as `is_header_row` says) or a row
        whose labels name a row or a group of table 三. False, with nothing changed, when it is not."""
        if header:
            if view.table != self.table:
                self._new_table(view.table)
            self._header(view)
            return True
        cells = view.cells
        if view.aligned and self.plan_by_column:
            first = min(self.plan_by_column)
            at = [i for i, c in enumerate(cells) if c.col < first]
            labels = [cells[i] for i in at]
            values = [c for c in cells if c.col >= first]
        else:
            split = values_start([i.valueish for i in infos])
            at = list(range(split))
            labels, values = list(cells[:split]), list(cells[split:])
        texts = [c.text for c in labels]
        found = match_row(texts, self.group, self.read)
        if found.code is None and not any(infos[i].key in GROUPS for i in at):
            return False
        if view.table != self.table:
            had_read = bool(self.read)
            self._new_table(view.table)
            if had_read:  # a misprinted label's position follows the rows read in this table only
                found = match_row(texts, self.group, self.read)
        self._row(view, found, labels, values)
        return True

    def _new_table(self, table: int) -> None:
        self.table = table
        self.header_rows = []
        self.read = {}
        self.column_labels.clear()

    def _header(self, view: RowView) -> None:
        self.header_rows.append(view)
        self.column_labels.clear()
        self._plan()

    def _row(self, view: RowView, found: RowMatch, labels: list[TableCell], values: list[TableCell]) -> None:
        self.group = found.group
        if found.code is None:
            if found.group_row and any(is_numeric(c) for c in values):
                self._warn_group_values(view, found, values)
            return
        if not values:
            return
        self._store(view, found, labels, values)

    def _store(
        self, view: RowView, found: RowMatch, labels: list[TableCell], values: list[TableCell]
    ) -> None:
        assert found.code is not None
        label = " / ".join(one_line(c.text) for c in labels if key(c.text) not in IGNORED_LABELS)
        confidence: Confidence = "exact"
        if found.fuzzy is not None:
            confidence = "fuzzy_label"
            self.collector.warn(
                "fuzzy_label",
                f"row label {one_line(found.printed)!r} is not in the template; read as "
                f"{found.fuzzy.item.printed!r} ({found.fuzzy.distance} characters differ, the only row of "
                f"{outcome_group(found.group or '').label_zh} that close)",
                row_locator(view),
            )
        if found.group is not None and (position := _position(found.code)) is not None:
            self.read[found.group] = position
        labels_known = self.column_labels
        table, page = view.table, view.page
        where = f"{row_locator(view)}, column "  # + the column: `row_locator(view, cell)`
        cells = []
        for cell, breakdown in self._pair(view, values):
            known = (cell.col, breakdown)
            column = labels_known.get(known)
            if column is None:
                column = labels_known[known] = one_line(self._column_label(cell, breakdown))
            ref = new_cell_ref(table, label, column, page, where + str(cell.col + 1))
            cells.append((breakdown, cell.text, ref))
        self.collector.add_cells(found.code, cells, confidence=confidence)

    def _warn_group_values(self, view: RowView, found: RowMatch, values: list[TableCell]) -> None:
        group = outcome_group(found.group or "")
        self.collector.warn(
            "group_row_values",
            f"{group.number}{group.label_zh} is printed with values of its own "
            f"{[one_line(c.text) for c in values]}; the template has no row for them, kept out of the facts",
            row_locator(view),
        )

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
        pairs: list[tuple[TableCell, str]] = []  # a breakdown is never None: `plan` gives none
        plan = self.plan_by_column
        for cell in values:
            if cell.colspan == 1:  # most cells: the set below, of one column
                one = plan.get(cell.col)
                if one is not None:
                    pairs.append((cell, one))
                continue
            found = {plan[c] for c in range(cell.col, cell.col + cell.colspan) if c in plan}
            if len(found) == 1:
                pairs.append((cell, found.pop()))
            elif found:
                self.collector.warn(
                    "ambiguous_column",
                    f"table 三 value {one_line(cell.text)!r} spans {sorted(map(str, found))}; skipped",
                    row_locator(view, cell),
                )
        return pairs

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


@cache
def _position(code: str) -> int | None:
    return next((i.position for g in outcome_groups() for i in g.items if i.code == code), None)


def settle_group_rows(collector: FactCollector) -> None:
    """A group printed both as one row with values and as its rows: keep the rows (the template's layout)
    and keep the group row's values out of the facts, saying so, so that nothing is counted twice."""
    for group in outcome_groups():
        if group.whole_code is None or not group.items:
            continue
        whole = [k for k in collector.facts if k[0] == group.whole_code]
        items = {i.code for i in group.items}
        if not whole or not any(code in items for code, _ in collector.facts):
            continue
        printed = [collector.discard(k).value_raw for k in whole]
        collector.warn(
            "group_row_values",
            f"{group.number}{group.label_zh} is printed as one row with values {printed} and as its rows "
            f"1–{len(group.items)}; the rows are stored, the group row kept out of the facts",
        )
