"""The review findings as Word files: one document per unit, addressed to it, in plain Chinese — the errors
to correct, the points to note (format, deadline, narrative against table), the cells not read, the
reviewers' status and comments, and a signature for the office. Several units: a ZIP of one document each
(`findings_zip`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from warehouse.documents import word
from warehouse.documents.findings import STATUS_NAMES, CheckFindings, Findings, UnitFindings, zh_date
from warehouse.documents.make import safe_name

NUMERALS = "一二三四五六七八九十"
CELL_HEADER = ("表", "行", "列", "原文", "页")
CELL_WIDTHS = (900, 4700, 2000, 1500, 500)
CORRECTION_HEADER = ("表", "行", "列", "原文", "更正为", "说明")
CORRECTION_WIDTHS = (700, 3000, 1200, 900, 900, 2900)
MISSING_HEADER = ("表", "行")
MISSING_WIDTHS = (1200, 8400)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _opening(unit: UnitFindings) -> str:
    when = f"于{unit.published[:10]}发布的" if unit.published else ""
    report = f"《{unit.title}》" if unit.title else "年度报告"
    named = f"{when}{report}（文件：{Path(unit.source_file).name}）"
    if unit.clean:
        return _opening_without_failures(unit, named)
    counts = [
        f"{label}{count}{measure}"
        for label, count, measure in (
            ("错误", unit.count("error"), "处"),
            ("需要注意的问题", unit.count("warning"), "处"),
            ("未读取到的单元格", len(unit.missing_cells), "个"),
        )
        if count
    ]
    ask = (
        "错误请更正后重新公开，并将更正情况报送政务公开工作主管部门。"
        if unit.errors
        else "并在今后的报告中改进。"
    )
    return f"经审核，你单位{named}有以下问题：{'，'.join(counts)}。请逐项核实，{ask}"


def _opening_without_failures(unit: UnitFindings, named: str) -> str:
    """No check failed: a short letter, unless a reviewer returned the report or corrected a value."""
    if unit.review.status == "returned":
        return f"经审核，你单位{named}未发现校验错误，但有以下审核意见，请按意见修改后重新公开。"
    if unit.review.corrections:
        return (
            f"经审核，你单位{named}未发现校验错误；审核中更正了{len(unit.review.corrections)}个数值，请核实。"
        )
    return f"经审核，你单位{named}未发现需要更正或注意的问题。"


def _check(doc: DocxDocument, number: int, found: CheckFindings) -> None:
    word.heading(doc, f"（{NUMERALS[number % 10]}）{found.rule}（{found.check_id}）", size=11)
    for failure in found.failures:
        word.text(doc, failure.detail)
        printed = [c for c in failure.cells if c.printed.strip()]
        if printed:
            paged = any(c.page for c in printed)
            body = [
                (c.table, c.row, c.column, c.printed_and_corrected, *((str(c.page or ""),) if paged else ()))
                for c in printed
            ]
            header, widths = (CELL_HEADER, CELL_WIDTHS) if paged else (CELL_HEADER[:-1], CELL_WIDTHS[:-1])
            word.plain_table(doc, header, body, widths, page_width=word.TEXT_WIDTH_TWIPS)
        blank = len(failure.cells) - len(printed)
        if blank:
            word.text(doc, f"另有{blank}个相关单元格空白，未列出（全部单元格见审核意见汇总表）。", size=9)
        elif printed:
            spacer = doc.add_paragraph()
            spacer.paragraph_format.space_after = Pt(2)


def _sections(unit: UnitFindings) -> list[tuple[str, Sequence[CheckFindings] | None]]:
    found: list[tuple[str, Sequence[CheckFindings] | None]] = []
    if unit.errors:
        found.append(("需要更正的错误", unit.errors))
    if unit.warnings:
        found.append(("需要注意的问题", unit.warnings))
    if unit.missing_cells:
        found.append(("未读取到的单元格", None))
    found.append(("审核意见", None))
    return found


def _missing(doc: DocxDocument, unit: UnitFindings) -> None:
    word.text(doc, "以下模板单元格在报告中没有找到或无法读取，请核实是否漏填、漏印或行名写错：")
    body = [(c.table, c.row) for c in unit.missing_cells]
    word.plain_table(doc, MISSING_HEADER, body, MISSING_WIDTHS, page_width=word.TEXT_WIDTH_TWIPS)


def _review(doc: DocxDocument, unit: UnitFindings) -> None:
    word.text(doc, f"审核状态：{unit.review.status_name}", indent=False)
    if not unit.review.comments:
        word.text(doc, "审核人意见：", indent=False)
        word.text(doc, "＿" * 30, indent=False)
    for comment in unit.review.comments:
        status = STATUS_NAMES.get(comment.status, comment.status)
        said = " ".join(part for part in (comment.when[:16], comment.who) if part) + (
            f"（{status}）" if status else ""
        )
        word.text(doc, f"{said}：{comment.text}", indent=False)
    if unit.review.corrections:
        _corrections(doc, unit)


def _corrections(doc: DocxDocument, unit: UnitFindings) -> None:
    word.text(doc, "审核中更正的数值（汇总和统计以更正后的数值为准）：", indent=False)
    body = [
        (
            c.cell.table,
            c.cell.row,
            c.cell.column,
            c.cell.printed_or_blank,
            c.value,
            f"{c.kind_name}。{c.reason}（{c.who}，{c.when}）",
        )
        for c in unit.review.corrections
    ]
    word.plain_table(doc, CORRECTION_HEADER, body, CORRECTION_WIDTHS, page_width=word.TEXT_WIDTH_TWIPS)


def _signature(doc: DocxDocument, findings: Findings) -> None:
    for line in (findings.office or "（审核单位）", zh_date(findings.generated_at)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_before = Pt(6)
        word.styled(paragraph.add_run(line), word.BODY_FONT, 10.5)


def unit_docx(findings: Findings, unit: UnitFindings) -> bytes:
    doc = word.document(unit.document_title)
    word.text(doc, f"{unit.agency}：", indent=False)
    word.text(doc, _opening(unit))
    for index, (title, checks) in enumerate(_sections(unit)):
        word.heading(doc, f"{NUMERALS[index]}、{title}", size=12)
        if checks is not None:
            for number, found in enumerate(checks):
                _check(doc, number, found)
        elif title == "未读取到的单元格":
            _missing(doc, unit)
        else:
            _review(doc, unit)
    _signature(doc, findings)
    word.footer_note(
        doc, f"xxgk 审核意见 · {findings.place_name}{findings.request.year}年 · 数据版本 {findings.version}"
    )
    return word.to_bytes(doc, findings.generated_at)


def unit_file_name(unit: UnitFindings) -> str:
    return safe_name(f"{unit.agency}_{unit.year}_审核意见") + ".docx"


def findings_files(findings: Findings) -> list[tuple[str, bytes]]:
    """(file name, DOCX bytes) of every unit, names made unique."""
    files: list[tuple[str, bytes]] = []
    taken: set[str] = set()
    for unit in findings.units:
        name = unit_file_name(unit)
        if name in taken:
            name = name.removesuffix(".docx") + f"_{unit.report_id[:8]}.docx"
        taken.add(name)
        files.append((name, unit_docx(findings, unit)))
    return files


def findings_zip(findings: Findings) -> bytes:
    """One DOCX per unit in a ZIP, names in UTF-8."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in findings_files(findings):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # the name is UTF-8
            archive.writestr(info, data)
    return buffer.getvalue()
