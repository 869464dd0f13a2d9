"""A comparison as plain tables (header + rows), the same for the Word, spreadsheet and HTML outputs.

Values stay Decimals (exact) until a writer prints them; text taken from the documents stays as read and
is escaped by the HTML writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from etl.catalogue import metrics
from etl.check_catalogue import breakdown_label, labelled_id
from warehouse.documents.compare import STATUS_NAMES, Comparison, Printed, SeriesPair
from warehouse.documents.numbers import plain
from warehouse.documents.summary_notes import APPLICANT_NAMES
from warehouse.documents.textdiff import SectionDiff

Value = Decimal | str | None
SENTENCE_NAMES = {
    "unchanged": "沿用",
    "figures_changed": "仅数字变化",
    "added": "新增",
    "removed": "删除",
    "moved": "移至他处",
}
CHECK_NAMES = {"pass": "通过", "fail": "不通过", "not_assessable": "无法判断"}
SEVERITY_NAMES = {"error": "错误", "warning": "提醒"}


@dataclass(frozen=True)
class Grid:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    kinds: tuple[str, ...] = ()
    """One word per row that writers may colour by (a status)."""


def signed(value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + plain(value)


def percent_text(value: Decimal | None) -> str:
    """+17.3%, -100.0%: one decimal as computed (rounded half up)."""
    return "" if value is None else f"{'+' if value > 0 else ''}{format(value, 'f')}%"


def printed_value(printed: Printed | None, template_lacks: bool = False) -> Value:
    if printed is None:
        return "（模板无此项）" if template_lacks else "（未填报）"
    if printed.is_number:
        return printed.value
    return printed.raw or "（空白）"


def table_of(code: str) -> str:
    found = metrics().get(code)
    if found is None:
        return ""
    return found.section.split("、", 1)[0] if "、" in found.section else found.section


def cell_rows(comparison: Comparison) -> Grid:
    before, after = comparison.before.year, comparison.after.year
    rows = []
    for pair in comparison.cells:
        found = metrics().get(pair.code)
        rows.append(
            (
                table_of(pair.code),
                found.label_zh if found else pair.code,
                APPLICANT_NAMES.get(pair.breakdown, pair.breakdown),
                found.unit if found else "",
                printed_value(pair.before, pair.status == "not_comparable"),
                printed_value(pair.after, pair.status == "not_comparable"),
                signed(pair.change),
                percent_text(pair.percent),
                STATUS_NAMES.get(pair.status, pair.status),
                pair.note,
                pair.code,
            )
        )
    return Grid(
        "表格单元格 table cells",
        (
            "表",
            "项目",
            "列",
            "单位",
            f"{before}年",
            f"{after}年",
            "变化",
            "变化率",
            "状态",
            "说明",
            "指标代码",
        ),
        tuple(rows),
        tuple(p.status for p in comparison.cells),
    )


def _series_row(pair: SeriesPair) -> tuple[Value, ...]:
    return (
        pair.series_code,
        pair.breakdown,
        pair.group_before or "—",
        pair.before if pair.before is not None else "",
        pair.group_after or "—",
        pair.after if pair.after is not None else "",
        signed(pair.change),
        percent_text(pair.percent),
        "可比" if pair.comparable else "不可比",
    )


def series_rows(comparison: Comparison) -> Grid:
    before, after = comparison.before.year, comparison.after.year
    return Grid(
        "统一口径序列 harmonised series (docs/series.md)",
        (
            "序列",
            "分项",
            f"{before}年口径组",
            f"{before}年",
            f"{after}年口径组",
            f"{after}年",
            "变化",
            "变化率",
            "可比",
        ),
        tuple(_series_row(p) for p in comparison.series),
        tuple("unchanged" if p.comparable else "not_comparable" for p in comparison.series),
    )


def section_name(diff: SectionDiff) -> str:
    heading = diff.heading_after if diff.heading_after is not None else diff.heading_before
    if heading is None or heading == "":
        return "（标题前文字）"
    if diff.heading_after is None:
        return f"{heading}（仅前一年）"
    if diff.heading_before is None:
        return f"{heading}（仅后一年）"
    if diff.heading_before != diff.heading_after:
        return f"{diff.heading_before} → {diff.heading_after}"
    return heading


def section_rows(comparison: Comparison) -> Grid:
    rows = []
    for diff in comparison.sections:
        rows.append(
            (
                section_name(diff),
                str(diff.count("unchanged")),
                str(diff.count("figures_changed")),
                str(diff.count("added")),
                str(diff.count("removed")),
                percent_text(diff.copied_share) or "—",
            )
        )
    return Grid(
        "正文各部分 narrative sections",
        ("部分", "沿用句", "仅数字变化", "新增句", "删除句", "沿用比例（字数）"),
        tuple(rows),
    )


def sentence_rows(comparison: Comparison) -> Grid:
    rows = []
    kinds = []
    for diff in comparison.sections:
        for sentence in diff.sentences:
            rows.append((section_name(diff), SENTENCE_NAMES[sentence.status], sentence.text))
            kinds.append(sentence.status)
    return Grid("正文逐句对比 sentences", ("部分", "状态", "句子"), tuple(rows), tuple(kinds))


def check_rows(comparison: Comparison, every: bool = True) -> Grid:
    """Every check of both reports, or (every=False) those that did not pass."""
    rows = []
    kinds = []
    for side in (comparison.before, comparison.after):
        for check in side.checks:
            if not every and check.status == "pass":
                continue
            rows.append(
                (
                    f"{side.year}年",
                    labelled_id(check.check_id, "zh"),
                    SEVERITY_NAMES.get(check.severity, check.severity),
                    CHECK_NAMES.get(check.status, check.status),
                    breakdown_label(check.breakdown, "zh"),
                    check.expected if check.expected is not None else "",
                    check.actual if check.actual is not None else "",
                    check.message,
                )
            )
            kinds.append("changed" if check.status == "fail" else "unchanged")
    return Grid(
        "两年报告的检查 checks of both reports"
        if every
        else "两年报告未通过或无法判断的检查 checks not passed",
        ("年度", "检查", "严重性", "结果", "位置", "应为", "实为", "说明"),
        tuple(rows),
        tuple(kinds),
    )


def overview_lines(comparison: Comparison) -> list[str]:
    """The findings in a few sentences."""
    before, after = comparison.before, comparison.after
    share = comparison.copied_share
    lines = [
        f"表格单元格{len(comparison.cells)}个：变化{comparison.count('changed')}个，未变{comparison.count('unchanged')}个，"
        f"一方空白{comparison.count('blank')}个，一方未填报{comparison.count('missing')}个，"
        f"不可比{comparison.count('not_comparable')}个。",
        "正文沿用前一年原句的比例（按字数）："
        + (f"{plain(share)}%。" if share is not None else "后一年没有可比较的正文。"),
    ]
    if before.template != after.template:
        lines.append(
            f"统计表模板由 {before.template} 改为 {after.template}："
            "含义改变或另一模板没有的单元格标为不可比，依据统一口径序列表（series_map.csv）。"
        )
    for side in (before, after):
        failed = side.failed()
        names = "、".join(sorted({c.check_id for c in failed})) if failed else "无"
        lines.append(
            f"{side.year}年报告检查：通过{side.count('pass')}项，不通过{len(failed)}项（{names}），"
            f"无法判断{side.count('not_assessable')}项。"
        )
    return lines


def grids(comparison: Comparison, every_check: bool = True) -> list[Grid]:
    """The tables of a comparison; printed documents list only the checks that did not pass (the
    findings count the others)."""
    return [
        cell_rows(comparison),
        series_rows(comparison),
        section_rows(comparison),
        sentence_rows(comparison),
        check_rows(comparison, every_check),
    ]


def shown(value: Value) -> str:
    if value is None:
        return ""
    return plain(value) if isinstance(value, Decimal) else value
