"""The year-over-year comparison of one unit: every table cell of two reports side by side with the change
and the percent change, the harmonised series, the narrative diffed by sentence and the checks of both.

Which cells may be compared across a template change is data, not code: the series map
(warehouse/series_map.csv, docs/series.md) gives each metric code a `comparable_group` per template. A cell
is compared when both reports printed it under the same code and, if their templates differ, the map puts
the code in the same group for both; otherwise it is shown as not comparable with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from etl.catalogue import APPLICANT_BREAKDOWNS, metrics
from warehouse.documents.textdiff import SectionDiff, copied_share
from warehouse.errors import WarehouseError

STATUS_NAMES = {
    "unchanged": "未变",
    "changed": "变化",
    "blank": "一方空白",
    "missing": "一方未填报",
    "not_comparable": "不可比",
}
NUMBERS = ("number", "zero")


class CompareError(WarehouseError):
    """The comparison cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Printed:
    value: Decimal | None
    raw: str
    semantic: str

    @property
    def is_number(self) -> bool:
        return self.semantic in NUMBERS and self.value is not None


@dataclass(frozen=True)
class CheckRow:
    check_id: str
    severity: str
    status: str
    breakdown: str
    expected: Decimal | None
    actual: Decimal | None
    message: str


@dataclass(frozen=True)
class Side:
    """One year's report."""

    report_id: str
    year: int
    template: str
    agency: str
    source_file: str
    title: str
    checks: tuple[CheckRow, ...] = ()
    checks_failed: int | None = None
    """The report's failed checks counted (`reports.checks_failed`) where `checks` were not read: a
    comparison made for the screen only (`build_comparison(..., shown=True)`)."""

    def failed(self) -> tuple[CheckRow, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    def n_failed(self) -> int:
        """How many of its checks failed: `len(failed())`, or the stored count when they were not read."""
        return len(self.failed()) if self.checks_failed is None else self.checks_failed

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)


@dataclass(frozen=True)
class CellPair:
    code: str
    breakdown: str
    before: Printed | None
    after: Printed | None
    status: str
    note: str = ""

    @property
    def change(self) -> Decimal | None:
        if self.status not in ("changed", "unchanged") or not (self.before and self.after):
            return None
        if not (self.before.is_number and self.after.is_number):
            return None
        assert self.before.value is not None and self.after.value is not None
        return self.after.value - self.before.value

    @property
    def percent(self) -> Decimal | None:
        change = self.change
        if change is None or self.before is None or not self.before.value:
            return None
        return percent(change, self.before.value)


@dataclass(frozen=True)
class SeriesPair:
    series_code: str
    breakdown: str
    before: Decimal | None
    after: Decimal | None
    group_before: str | None
    group_after: str | None

    @property
    def comparable(self) -> bool:
        return self.group_before is not None and self.group_before == self.group_after

    @property
    def change(self) -> Decimal | None:
        if not self.comparable or self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        change = self.change
        if change is None or not self.before:
            return None
        return percent(change, self.before)


@dataclass(frozen=True)
class Comparison:
    agency_id: str
    agency: str
    before: Side
    after: Side
    cells: tuple[CellPair, ...]
    series: tuple[SeriesPair, ...]
    sections: tuple[SectionDiff, ...]
    version: str
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def title(self) -> str:
        return f"{self.agency}{self.before.year}年与{self.after.year}年政府信息公开工作年度报告对比"

    @property
    def copied_share(self) -> Decimal | None:
        return copied_share(self.sections)

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)

    def described(self) -> list[tuple[str, str, str]]:
        generated = self.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return [
            ("机关", "agency", f"{self.agency}（{self.agency_id}）"),
            ("对比年度", "years", f"{self.before.year}年 → {self.after.year}年"),
            ("前一年报告", "earlier report", f"{self.before.source_file}（{self.before.template}）"),
            ("后一年报告", "later report", f"{self.after.source_file}（{self.after.template}）"),
            ("版本", "versions", "各年度当前版本 current version of each year"),
            ("数据版本", "data version", self.version),
            ("生成时间", "generated at", generated),
        ]


def percent(change: Decimal, base: Decimal) -> Decimal:
    """change ÷ base × 100, one decimal, rounded half up."""
    return (change * 100 / base).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


Groups = Mapping[tuple[str, str], frozenset[str]]
"""(template, metric code) -> the comparable groups the series map gives that code in that template."""


def comparable_across(code: str, before: str, after: str, groups: Groups) -> tuple[bool, str]:
    """Whether one code means the same in two templates, and why not."""
    if before == after:
        return True, ""
    found = metrics().get(code)
    printed_in = set(found.templates) if found else set()
    if "text" in printed_in:
        printed_in |= {before, after}
    if before not in printed_in or after not in printed_in:
        missing = after if after not in printed_in else before
        return False, f"{missing} 模板无此单元格"
    left, right = groups.get((before, code), frozenset()), groups.get((after, code), frozenset())
    if left != right:
        shown = f"{'/'.join(sorted(left)) or '—'} → {'/'.join(sorted(right)) or '—'}"
        return False, f"含义改变（口径组 {shown}）"
    return True, ""


def pair_cell(
    code: str,
    breakdown: str,
    before: Printed | None,
    after: Printed | None,
    templates: tuple[str, str],
    groups: Groups,
) -> CellPair:
    comparable, why = comparable_across(code, templates[0], templates[1], groups)
    if not comparable:
        return CellPair(code, breakdown, before, after, "not_comparable", why)
    if before is None or after is None:
        year = "前一年" if before is None else "后一年"
        return CellPair(code, breakdown, before, after, "missing", f"{year}未填报该单元格")
    if before.is_number and after.is_number:
        status = "unchanged" if before.value == after.value else "changed"
        return CellPair(code, breakdown, before, after, status)
    if not before.is_number and not after.is_number:
        return CellPair(code, breakdown, before, after, "unchanged", "两年均为空白")
    return CellPair(code, breakdown, before, after, "blank", "一方空白，不计算变化")


def cell_order(cells: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Catalogue order, applicant columns in template order."""
    position = {code: i for i, code in enumerate(metrics())}
    column = {b: i for i, b in enumerate(("", *APPLICANT_BREAKDOWNS))}
    return sorted(cells, key=lambda c: (position.get(c[0], len(position)), column.get(c[1], 99), c))


def pair_cells(
    before: Mapping[tuple[str, str], Printed],
    after: Mapping[tuple[str, str], Printed],
    templates: tuple[str, str],
    groups: Groups,
) -> tuple[CellPair, ...]:
    return tuple(
        pair_cell(
            code, breakdown, before.get((code, breakdown)), after.get((code, breakdown)), templates, groups
        )
        for code, breakdown in cell_order(set(before) | set(after))
    )


SeriesRow = tuple[str, str, str, Decimal | None]
"""(series code, breakdown, comparable group, value)"""


def pair_series(before: Sequence[SeriesRow], after: Sequence[SeriesRow]) -> tuple[SeriesPair, ...]:
    left = {(s, b): (g, v) for s, b, g, v in before}
    right = {(s, b): (g, v) for s, b, g, v in after}
    found = []
    for series, breakdown in sorted(set(left) | set(right)):
        group_before, value_before = left.get((series, breakdown), (None, None))
        group_after, value_after = right.get((series, breakdown), (None, None))
        found.append(SeriesPair(series, breakdown, value_before, value_after, group_before, group_after))
    return tuple(found)
