"""The review findings (审核意见) of a place and year: what the openness office sends back to each unit.

For every current report of the year under the place: each failed check in plain Chinese — the rule it
breaks (etl/check_catalogue.csv), what was found (the check's Chinese message) and the cells involved as
the document prints them (table, row, column, printed value, page) — the template cells that were not
read, and the reviewers' status and comments. Units under the place without a report for the year are
listed too. Records only: the warehouse is read in `findings_reads.py`, the files are written by
`findings_docx.py` and `findings_xlsx.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from etl.catalogue import metrics
from etl.check_catalogue import breakdown_label, check_catalogue, check_info
from warehouse.errors import WarehouseError
from warehouse.filters import KINDS

SEVERITY_NAMES = {"error": "错误", "warning": "提醒"}
STATUS_NAMES = {"pending": "待审核", "approved": "已审核", "returned": "退回修改"}
TABLE_NAMES = (
    (("v2019.", "v2021."), "表二"),
    (("req.",), "表三"),
    (("review.", "suit_"), "表四"),
    (("old.", "fj."), "统计表"),
    (("text.",), "正文"),
)


class FindingsError(WarehouseError):
    """The findings cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class FindingsRequest:
    """Whose findings: the current reports of `year` of the units under `place_code`."""

    place_code: str
    year: int
    kinds: tuple[str, ...] = ()
    include_vertical: bool = False
    agency: str | None = None
    """Only the units whose name contains this text."""

    def __post_init__(self) -> None:
        if not (self.place_code.isdigit() and len(self.place_code) == 6):
            raise FindingsError(f"place code {self.place_code!r} is not a 6-digit division code")
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise FindingsError(f"agency kind {', '.join(unknown)} is not one of {', '.join(KINDS)}")

    def keeps(self, agency: str, kind: str, is_vertical: bool) -> bool:
        if is_vertical and not (self.include_vertical or "vertical" in self.kinds):
            return False
        if self.kinds and kind not in self.kinds and not (is_vertical and "vertical" in self.kinds):
            return False
        return self.agency is None or self.agency in agency


@dataclass(frozen=True)
class CellShown:
    """One cell a check read, as the document prints it."""

    table: str
    row: str
    column: str
    printed: str
    page: int | None = None
    code: str = ""
    breakdown: str = ""
    corrected: str = ""
    """The value a reviewer's correction gives the cell ('' when it has none)."""

    @property
    def printed_or_blank(self) -> str:
        return self.printed if self.printed.strip() else "（空白）"

    @property
    def printed_and_corrected(self) -> str:
        """'12' or '12（已更正为 13）'"""
        return self.printed + (f"（已更正为 {self.corrected}）" if self.corrected else "")

    def where(self) -> str:
        """'表三 （一）予以公开 / 自然人'"""
        parts = [self.table, self.row + (f" / {self.column}" if self.column else "")]
        return " ".join(p for p in parts if p) + (f"（第{self.page}页）" if self.page else "")


@dataclass(frozen=True)
class Failure:
    """One failed result of a check (a check may fail in several columns or rows)."""

    check_id: str
    severity: str
    breakdown: str
    detail: str
    cells: tuple[CellShown, ...]

    @property
    def place(self) -> str:
        """Where in the table: the applicant column, the row or the case group ('' for the whole report)."""
        if not self.breakdown or self.check_id.startswith(("X3", "X5")):
            return ""
        return breakdown_label(self.breakdown, "zh")


@dataclass(frozen=True)
class CheckFindings:
    """Every failure of one check in one report."""

    check_id: str
    severity: str
    failures: tuple[Failure, ...]

    @property
    def rule(self) -> str:
        info = check_info(self.check_id)
        return info.failed_zh if info else self.check_id

    @property
    def meaning(self) -> str:
        info = check_info(self.check_id)
        return info.meaning_zh if info else ""


@dataclass(frozen=True)
class ReviewerComment:
    who: str
    when: str
    status: str
    """The review status the comment came with (pending / approved / returned), or ''."""
    text: str


KIND_NAMES = {"extraction": "读取有误，已按原文更正", "agency_error": "原文有误，以单位确认的数值为准"}


@dataclass(frozen=True)
class CorrectionNote:
    """A reviewer's correction in force on one cell of the report (the review store's overlay)."""

    cell: CellShown
    value: str
    kind: str
    """extraction (the value was misread) or agency_error (the document prints a wrong value)."""
    reason: str
    who: str
    when: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass(frozen=True)
class ReviewNotes:
    """A report's review status, its reviewers' comments and the corrections in force (the review
    store, warehouse/review/findings.py)."""

    report_id: str
    status: str = "pending"
    comments: tuple[ReviewerComment, ...] = ()
    corrections: tuple[CorrectionNote, ...] = ()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)


@dataclass(frozen=True)
class UnitFindings:
    """One unit's report of the year and what the office sends back about it."""

    report_id: str
    agency: str
    year: int
    title: str
    source_file: str
    template: str
    published: str | None
    checks: tuple[CheckFindings, ...]
    missing_cells: tuple[CellShown, ...]
    review: ReviewNotes

    @property
    def errors(self) -> tuple[CheckFindings, ...]:
        return tuple(c for c in self.checks if c.severity == "error")

    @property
    def warnings(self) -> tuple[CheckFindings, ...]:
        return tuple(c for c in self.checks if c.severity != "error")

    def count(self, severity: str) -> int:
        return sum(len(c.failures) for c in self.checks if (c.severity == "error") == (severity == "error"))

    @property
    def clean(self) -> bool:
        return not self.checks and not self.missing_cells

    @property
    def document_title(self) -> str:
        return f"{self.agency}{self.year}年政府信息公开工作年度报告审核意见"


@dataclass(frozen=True)
class MissingReport:
    agency: str
    place: str
    within_span: bool
    """False when the year lies outside the unit's first and last report (it may not have existed)."""


@dataclass(frozen=True)
class Findings:
    request: FindingsRequest
    place_name: str
    version: str
    units: tuple[UnitFindings, ...]
    missing: tuple[MissingReport, ...]
    office: str = ""
    """Who signs the findings (the openness office); blank lines to fill in when not given."""
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def title(self) -> str:
        return f"{self.place_name}{self.request.year}年政府信息公开工作年度报告审核意见"

    def described(self) -> list[tuple[str, str, str]]:
        """(Chinese label, English label, value) of what the findings cover."""
        kinds = "、".join(self.request.kinds) if self.request.kinds else "全部 all"
        return [
            ("地区", "place", f"{self.place_name}（{self.request.place_code}）"),
            ("年度", "year", f"{self.request.year}年"),
            ("机关类型", "agency kinds", kinds),
            (
                "含垂直管理单位",
                "vertically managed units",
                "是 yes" if self.request.include_vertical else "否 no",
            ),
            ("单位名称包含", "agency name contains", self.request.agency or "—"),
            ("单位数", "units", str(len(self.units))),
            ("未发布年报的单位", "units without a report", str(len(self.missing))),
            ("数据版本", "data version", self.version),
            ("生成时间", "generated at", self.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")),
        ]


def table_name(code: str) -> str:
    return next((name for prefixes, name in TABLE_NAMES if code.startswith(prefixes)), "")


def metric_label(code: str) -> str:
    found = metrics().get(code)
    return found.label_zh if found else code


def check_order(check_id: str) -> int:
    ids = list(check_catalogue())
    return ids.index(check_id) if check_id in ids else len(ids)


def group_failures(failures: Sequence[Failure]) -> tuple[CheckFindings, ...]:
    """Failures grouped by check, errors first, then in the catalogue's order."""
    by_check: dict[str, list[Failure]] = {}
    for failure in failures:
        by_check.setdefault(failure.check_id, []).append(failure)
    grouped = [
        CheckFindings(check_id, items[0].severity, tuple(items)) for check_id, items in by_check.items()
    ]
    return tuple(sorted(grouped, key=lambda c: (c.severity != "error", check_order(c.check_id))))


def zh_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def with_reviews(findings: Findings, reviews: Mapping[str, ReviewNotes]) -> Findings:
    """The findings with the reviewers' statuses, comments and corrections of the reports `reviews`
    names; a cell a check read that a correction changed says so beside its printed value."""
    units = tuple(_reviewed(u, reviews.get(u.report_id, u.review)) for u in findings.units)
    return replace(findings, units=units)


def _reviewed(unit: UnitFindings, review: ReviewNotes) -> UnitFindings:
    corrected = {(c.cell.code, c.cell.breakdown): c.value for c in review.corrections}
    if not corrected:
        return replace(unit, review=review)

    def marked(cell: CellShown) -> CellShown:
        value = corrected.get((cell.code, cell.breakdown))
        return cell if value is None else replace(cell, corrected=value)

    checks = tuple(
        replace(
            check,
            failures=tuple(replace(f, cells=tuple(marked(c) for c in f.cells)) for f in check.failures),
        )
        for check in unit.checks
    )
    return replace(unit, review=review, checks=checks)
