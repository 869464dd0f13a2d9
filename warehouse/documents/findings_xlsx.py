"""The review findings of every unit as one workbook: a row per unit (单位汇总), a row per problem
(审核意见), a row per cell involved (涉及的单元格), the units without a report, and an `about` sheet."""

from __future__ import annotations

from pathlib import Path

from etl.templates import TEMPLATE_SPECS
from warehouse.documents import sheets
from warehouse.documents.findings import SEVERITY_NAMES, Findings, UnitFindings

UNITS_HEADER = (
    "单位",
    "年度",
    "报告标题",
    "文件",
    "发布日期",
    "统计表模板",
    "错误",
    "提醒",
    "未读取单元格",
    "审核状态",
    "审核人意见",
)
UNITS_WIDTHS = (26, 7, 40, 30, 12, 10, 7, 7, 10, 10, 40)
PROBLEMS_HEADER = ("单位", "年度", "类别", "检查", "问题", "说明", "涉及的单元格", "文件")
PROBLEMS_WIDTHS = (26, 7, 7, 6, 36, 50, 60, 30)
CELLS_HEADER = ("单位", "年度", "检查", "说明", "表", "行", "列", "原文", "页", "更正为")
CELLS_WIDTHS = (26, 7, 6, 40, 8, 36, 16, 12, 5, 10)
CORRECTIONS_HEADER = (
    "单位",
    "年度",
    "表",
    "行",
    "列",
    "原文",
    "更正为",
    "类别",
    "理由",
    "更正人",
    "时间",
    "文件",
)
CORRECTIONS_WIDTHS = (26, 7, 8, 36, 16, 12, 12, 30, 40, 12, 17, 30)
MISSING_HEADER = ("单位", "地区", "说明")
MISSING_WIDTHS = (36, 16, 50)


def _comments(unit: UnitFindings) -> str:
    return "\n".join(f"{c.when[:16]} {c.who}：{c.text}" for c in unit.review.comments)


def unit_rows(findings: Findings) -> list[list[object]]:
    return [
        [
            unit.agency,
            unit.year,
            unit.title,
            Path(unit.source_file).name,
            (unit.published or "")[:10],
            TEMPLATE_SPECS[unit.template].label_zh if unit.template in TEMPLATE_SPECS else unit.template,
            unit.count("error"),
            unit.count("warning"),
            len(unit.missing_cells),
            unit.review.status_name,
            _comments(unit),
        ]
        for unit in findings.units
    ]


def problem_rows(findings: Findings) -> list[list[object]]:
    found: list[list[object]] = []
    for unit in findings.units:
        file_name = Path(unit.source_file).name
        for check in unit.checks:
            for failure in check.failures:
                cells = "；".join(f"{c.where()}：{c.printed_or_blank}" for c in failure.cells)
                found.append(
                    [
                        unit.agency,
                        unit.year,
                        SEVERITY_NAMES.get(check.severity, check.severity),
                        check.check_id,
                        check.rule,
                        failure.detail,
                        cells,
                        file_name,
                    ]
                )
        if unit.missing_cells:
            listed = "；".join(f"{c.table} {c.row}" for c in unit.missing_cells)
            found.append(
                [
                    unit.agency,
                    unit.year,
                    "提醒",
                    "",
                    "未读取到的单元格",
                    f"共{len(unit.missing_cells)}个",
                    listed,
                    file_name,
                ]
            )
    return found


def cell_rows(findings: Findings) -> list[list[object]]:
    return [
        [
            unit.agency,
            unit.year,
            check.check_id,
            failure.detail,
            c.table,
            c.row,
            c.column,
            c.printed,
            c.page,
            c.corrected or None,
        ]
        for unit in findings.units
        for check in unit.checks
        for failure in check.failures
        for c in failure.cells
    ]


def correction_rows(findings: Findings) -> list[list[object]]:
    return [
        [
            unit.agency,
            unit.year,
            c.cell.table,
            c.cell.row,
            c.cell.column,
            c.cell.printed,
            c.value,
            c.kind_name,
            c.reason,
            c.who,
            c.when,
            Path(unit.source_file).name,
        ]
        for unit in findings.units
        for c in unit.review.corrections
    ]


def missing_rows(findings: Findings) -> list[list[object]]:
    return [
        [
            m.agency,
            m.place,
            f"未发布{findings.request.year}年年度报告"
            + ("" if m.within_span else "（该年不在其有报告的年度之间，可能尚未设立或已撤并）"),
        ]
        for m in findings.missing
    ]


def findings_xlsx(findings: Findings) -> bytes:
    with sheets.workbook(findings.generated_at) as (book, formats, buffer):
        for name, header, body, widths in (
            ("单位汇总", UNITS_HEADER, unit_rows(findings), UNITS_WIDTHS),
            ("审核意见", PROBLEMS_HEADER, problem_rows(findings), PROBLEMS_WIDTHS),
            ("涉及的单元格", CELLS_HEADER, cell_rows(findings), CELLS_WIDTHS),
            ("审核更正", CORRECTIONS_HEADER, correction_rows(findings), CORRECTIONS_WIDTHS),
            ("未发布年报的单位", MISSING_HEADER, missing_rows(findings), MISSING_WIDTHS),
        ):
            sheet = sheets.list_sheet(book, formats, name, [list(header), *body], widths)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(body), 1), len(header) - 1)
        about: list[list[object]] = [["项目 item", "值 value"], ["标题 title", findings.title]]
        about += [[f"{zh} {en}", value] for zh, en, value in findings.described()]
        sheets.list_sheet(book, formats, "about", about, (30, 70))
    return buffer.getvalue()
