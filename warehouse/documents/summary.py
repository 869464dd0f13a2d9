"""The summary (汇总) of one place and year: the official tables 二, 三 and 四 (or the old table) summed over
the current reports of the units under the place.

Exact: values are Decimals summed as stored; a cell blank (or '-', '/', '无') in every unit stays blank; a
cell some unit did not print or printed as text is listed, never guessed. The template's identities (N1–N5
or O1–O12) are run again on the sums with the same code as for a single report (etl/checks.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from etl.records import CellRef, CheckResult, Fact, Semantic, Template
from etl.templates import spec
from warehouse.documents.layout import SUMMARY_TEMPLATES, value_cells
from warehouse.errors import WarehouseError
from warehouse.filters import KINDS, SCOPES

Cell = tuple[str, str]
Described = tuple[str, str, str]
TEMPLATE_NAMES = {
    "v2021": "2021年版格式（国办公开办函〔2021〕30号）",
    "v2019": "2019年版格式（国办公开办函〔2019〕60号）",
    "old": "原统计表（2018年及以前）",
    "old_fujian": "福建省统计表",
}
SCOPE_NAMES = {"own": "本级（各单位本机关报告）", "aggregate": "汇总（汇总编制的报告）"}


class SummaryError(WarehouseError):
    """The summary cannot be made as asked; the message says why and what to change."""


class MixedTemplates(SummaryError):
    def __init__(self, place: str, year: int, by_template: Mapping[str, Sequence[str]]) -> None:
        listed = "; ".join(
            f"{template} ({len(names)}): {'、'.join(names)}"
            for template, names in sorted(by_template.items())
        )
        super().__init__(
            f"the {year} reports under {place} use {len(by_template)} templates, which are never summed "
            f"together — {listed}. Choose one with --template."
        )
        self.by_template = {k: tuple(v) for k, v in by_template.items()}


@dataclass(frozen=True)
class SummaryRequest:
    """Which reports a summary adds up: current reports of `year` of the units under `place_code`."""

    place_code: str
    year: int
    scope: str = "own"
    kinds: tuple[str, ...] = ()
    include_vertical: bool = False
    template: str | None = None

    def __post_init__(self) -> None:
        if not (self.place_code.isdigit() and len(self.place_code) == 6):
            raise SummaryError(f"place code {self.place_code!r} is not a 6-digit division code")
        if self.scope not in SCOPES:
            raise SummaryError(f"scope {self.scope!r} is not one of {', '.join(SCOPES)}")
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise SummaryError(f"agency kind {', '.join(unknown)} is not one of {', '.join(KINDS)}")
        if self.template is not None and self.template not in SUMMARY_TEMPLATES:
            raise SummaryError(
                f"template {self.template!r} has no official layout; one of {', '.join(SUMMARY_TEMPLATES)}"
            )

    def vertical_included(self) -> bool:
        return self.include_vertical or "vertical" in self.kinds

    def described(self) -> list[Described]:
        """The filters, as the documents print them: (Chinese label, English label, value)."""
        return [
            ("年度", "year", f"{self.year}年"),
            ("口径", "scope", f"{SCOPE_NAMES[self.scope]}（{self.scope}）"),
            ("机关类型", "agency kinds", "、".join(self.kinds) or "全部"),
            ("垂直管理单位", "vertically managed units", "计入" if self.vertical_included() else "不计入"),
            ("统计表模板", "template", self.template or "自动（所汇总报告使用的唯一模板）"),
        ]


@dataclass(frozen=True)
class Unit:
    report_id: str
    agency_id: str
    agency: str
    template: str
    scope: str
    kind: str
    level: str
    is_vertical: bool
    source_file: str
    place: str


@dataclass(frozen=True)
class Excluded:
    unit: Unit
    reason: str


@dataclass(frozen=True)
class MissingUnit:
    agency_id: str
    agency: str
    place: str
    within_span: bool


@dataclass(frozen=True)
class CellSum:
    code: str
    breakdown: str
    value: Decimal | None
    """The exact sum; None when no unit printed a number in this cell."""
    numbers: int = 0
    blanks: int = 0
    not_printed: tuple[str, ...] = ()
    """Units whose report has no such cell (a row the report left out or the reader could not place)."""
    unreadable: tuple[str, ...] = ()
    """Units whose cell holds text that is not a value."""
    inferred: tuple[str, ...] = ()
    """Units whose value was chosen by an identity (confidence inferred)."""

    @property
    def complete(self) -> bool:
        return not self.not_printed and not self.unreadable


@dataclass(frozen=True)
class Identity:
    check: CheckResult
    failing_units: tuple[str, ...]
    """Units whose own report fails the same check."""


@dataclass(frozen=True)
class Selection:
    units: tuple[Unit, ...]
    excluded: tuple[Excluded, ...]
    template: str


@dataclass(frozen=True)
class Summary:
    request: SummaryRequest
    place_name: str
    place_level: str
    template: str
    version: str
    units: tuple[Unit, ...]
    excluded: tuple[Excluded, ...]
    missing: tuple[MissingUnit, ...]
    cells: tuple[CellSum, ...]
    identities: tuple[Identity, ...]
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def title(self) -> str:
        return f"{self.place_name}{self.request.year}年政府信息公开工作年度报告汇总"

    def value(self, code: str, breakdown: str = "") -> Decimal | None:
        return self.by_cell()[(code, breakdown)].value

    def by_cell(self) -> dict[Cell, CellSum]:
        return {(c.code, c.breakdown): c for c in self.cells}

    def statement(self) -> str:
        """The sentence saying how the summary was compiled (it makes the document an aggregate report)."""
        return (
            f"本汇总表根据{self.place_name}各单位{self.request.year}年政府信息公开工作年度报告统计数据汇总编制，"
            f"汇总单位共{len(self.units)}个，口径为{SCOPE_NAMES[self.request.scope]}。"
            f"本表所列数据的统计期限自{self.request.year}年1月1日起至{self.request.year}年12月31日止。"
        )

    def described(self) -> list[Described]:
        """Place, filters, data version and time: what every output carries."""
        generated = self.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return [
            ("地区", "place", f"{self.place_name}（{self.request.place_code}）"),
            *self.request.described(),
            ("使用模板", "template used", f"{TEMPLATE_NAMES[self.template]}（{self.template}）"),
            ("数据版本", "data version", self.version),
            ("生成时间", "generated at", generated),
        ]


def choose_units(candidates: Iterable[Unit], request: SummaryRequest, place: str) -> Selection:
    """The units summed and the ones left out with their reason; several templates without a choice raise."""
    kept: list[Unit] = []
    excluded: list[Excluded] = []
    for unit in candidates:
        reason = left_out(unit, request)
        if reason:
            excluded.append(Excluded(unit, reason))
        else:
            kept.append(unit)
    templates = sorted({u.template for u in kept})
    template = request.template
    if template is None:
        if len(templates) > 1:
            by_template = {t: [u.agency for u in kept if u.template == t] for t in templates}
            raise MixedTemplates(place, request.year, by_template)
        if not templates:
            raise SummaryError(_nothing_to_sum(place, request, excluded))
        template = templates[0]
    if template not in SUMMARY_TEMPLATES:
        names = "、".join(u.agency for u in kept)
        raise SummaryError(f"the {template} table has no official summary layout (reports of {names})")
    chosen = [u for u in kept if u.template == template]
    excluded += [
        Excluded(u, f"其他模板 other template ({u.template})") for u in kept if u.template != template
    ]
    if not chosen:
        raise SummaryError(_nothing_to_sum(place, request, excluded))
    return Selection(tuple(chosen), tuple(excluded), template)


def left_out(unit: Unit, request: SummaryRequest) -> str:
    """Why a candidate unit is not summed, or '' when it is."""
    if unit.scope != request.scope:
        return f"口径不同 other scope ({unit.scope})"
    if unit.is_vertical and not request.vertical_included():
        return "垂直管理单位 vertically managed"
    if request.kinds and unit.kind not in request.kinds:
        return f"机关类型不在筛选内 kind not chosen ({unit.kind or 'unknown'})"
    return ""


def _nothing_to_sum(place: str, request: SummaryRequest, excluded: Sequence[Excluded]) -> str:
    wanted = f" in template {request.template}" if request.template else ""
    left = f"; {len(excluded)} report(s) left out by the filters" if excluded else ""
    return f"no current {request.year} report{wanted} of a unit under {place} to sum{left}"


def keep_missing(
    rows: Iterable[MissingUnit],
    vertical: Mapping[str, bool],
    kinds: Mapping[str, str],
    request: SummaryRequest,
) -> tuple[MissingUnit, ...]:
    """Units without a report that year, under the same vertical / kind filters as the summed units."""
    found = []
    for row in rows:
        if vertical.get(row.agency_id) and not request.vertical_included():
            continue
        if request.kinds and kinds.get(row.agency_id, "") not in request.kinds:
            continue
        found.append(row)
    return tuple(found)


def as_facts(cells: Iterable[CellSum]) -> dict[Cell, Fact]:
    """The sums as facts of one report, so the per-report checks can run on them."""
    found = {}
    for cell in cells:
        raw = "" if cell.value is None else format(cell.value, "f")
        semantic: Semantic = "blank" if cell.value is None else ("zero" if cell.value == 0 else "number")
        source = CellRef(None, cell.code, cell.breakdown)
        found[(cell.code, cell.breakdown)] = Fact(
            cell.code, cell.breakdown, cell.value, raw, semantic, source
        )
    return found


def identities(
    cells: Sequence[CellSum], template: str, failures: Mapping[tuple[str, str], Sequence[str]]
) -> tuple[Identity, ...]:
    """The template's table identities on the sums; `failures` maps (check id, breakdown) to the units
    whose own report fails that check."""
    if template not in ("v2019", "v2021", "old"):
        return ()
    checked: Template = template  # type: ignore[assignment]
    results = spec(checked).table_checks(as_facts(cells), None)
    return tuple(Identity(r, tuple(failures.get((r.check_id, r.breakdown), ()))) for r in results)


def official_cells(template: str) -> tuple[Cell, ...]:
    return value_cells(template)
