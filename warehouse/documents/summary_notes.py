"""What a summary says about itself, in words: which units it adds up, which it leaves out and why, which
units published nothing that year, the identities on the sums and the cells some unit did not print.

The same content goes into the DOCX note and the XLSX `about` sheet. Figures are written inside sentences
or pairs ("应为 5，实为 4"), so that reading the document back finds no stray row of values.
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.catalogue import metrics
from etl.check_catalogue import labelled_id
from warehouse.documents.numbers import plain
from warehouse.documents.summary import CellSum, Identity, Summary

APPLICANT_NAMES = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_org": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他组织",
    "legal_subtotal": "法人或其他组织小计",
    "total": "总计",
}
GROUP_NAMES = {"review": "行政复议", "suit_direct": "未经复议直接起诉", "suit_after_review": "复议后起诉"}
STATUS_NAMES = {"pass": "通过", "fail": "不通过", "not_assessable": "无法判断"}
Section = tuple[str, list[str]]


def cell_name(code: str, breakdown: str = "") -> str:
    found = metrics().get(code)
    name = found.label_zh if found else code
    return f"{name}（{APPLICANT_NAMES.get(breakdown, breakdown)}）" if breakdown else name


def check_place(identity: Identity) -> str:
    breakdown = identity.check.breakdown
    if not breakdown:
        return ""
    if breakdown in metrics():
        return cell_name(breakdown)
    return APPLICANT_NAMES.get(breakdown) or GROUP_NAMES.get(breakdown, breakdown)


def check_line(identity: Identity) -> str:
    check = identity.check
    where = check_place(identity)
    head = (
        f"{labelled_id(check.check_id, 'zh')}{f'（{where}）' if where else ''}："
        f"{STATUS_NAMES.get(check.status, check.status)}"
    )
    if check.expected is not None and check.actual is not None:
        head += f"，应为 {plain(check.expected)}，实为 {plain(check.actual)}"
    if identity.failing_units:
        head += f"；本身未通过该项检查的单位：{'、'.join(identity.failing_units)}"
    return head + "。"


def identity_lines(identities: Sequence[Identity]) -> list[str]:
    counts = {status: sum(1 for i in identities if i.check.status == status) for status in STATUS_NAMES}
    lines = [
        f"对汇总数复核本模板的勾稽关系共{len(identities)}项：通过{counts['pass']}项，"
        f"不通过{counts['fail']}项，无法判断{counts['not_assessable']}项。"
    ]
    lines += [check_line(i) for i in identities if i.check.status != "pass"]
    return lines


def incomplete_line(cell: CellSum) -> str:
    parts = []
    if cell.not_printed:
        parts.append(f"未填报该单元格：{'、'.join(cell.not_printed)}")
    if cell.unreadable:
        parts.append(f"填写内容无法识别为数值：{'、'.join(cell.unreadable)}")
    if cell.inferred:
        parts.append(f"数值由勾稽关系推定：{'、'.join(cell.inferred)}")
    return f"{cell_name(cell.code, cell.breakdown)}——{'；'.join(parts)}。"


NUMERALS = "一二三四五六七八九十"


def notes(summary: Summary) -> list[Section]:
    """Titled groups of sentences for the DOCX note, numbered 一、二、… in order."""
    found: list[Section] = [
        (f"汇总单位（{len(summary.units)}个）", ["、".join(u.agency for u in summary.units) + "。"])
    ]
    if summary.excluded:
        left_out = "；".join(f"{e.unit.agency}：{e.reason}" for e in summary.excluded)
        found.append((f"未计入汇总的报告（{len(summary.excluded)}份）", [left_out + "。"]))
    missing = "、".join(
        m.agency + ("" if m.within_span else "（该单位首末报告年度之外）") for m in summary.missing
    )
    found.append(
        (f"当年未发布报告的单位（{len(summary.missing)}个）", [f"{missing or '无'}（据报告覆盖情况）。"])
    )
    found.append(("勾稽关系复核（对汇总数）", identity_lines(summary.identities)))
    flagged = [c for c in summary.cells if not c.complete or c.inferred]
    found.append(
        (
            f"需注意的单元格（{len(flagged)}个）",
            [incomplete_line(c) for c in flagged] or ["无：每个汇总单位都填报了每个单元格。"],
        )
    )
    found.append(
        ("数据来源与筛选条件", ["；".join(f"{zh}：{value}" for zh, _, value in summary.described()) + "。"])
    )
    return [(f"{NUMERALS[i]}、{title}", lines) for i, (title, lines) in enumerate(found)]


def about_rows(summary: Summary) -> list[list[str]]:
    """The XLSX `about` sheet: the filters and version, then one block per list, one item per row."""
    found: list[list[str]] = [["项目 item", "内容 content", "", "", ""]]
    found += [[f"{zh} {en}", value] for zh, en, value in summary.described()]
    found += [["说明 statement", summary.statement()], []]
    found.append(
        [
            f"汇总单位 units included（共{len(summary.units)}个）",
            "类型 kind",
            "地区 place",
            "源文件 source file",
        ]
    )
    found += [[u.agency, u.kind or "—", u.place or "—", u.source_file] for u in summary.units]
    found.append([])
    found.append(
        [f"未计入的报告 reports left out（共{len(summary.excluded)}份）", "原因 reason", "源文件 source file"]
    )
    found += [[e.unit.agency, e.reason, e.unit.source_file] for e in summary.excluded]
    found.append([])
    found.append(
        [
            f"当年未发布报告的单位 units with no report this year（共{len(summary.missing)}个）",
            "地区 place",
            "说明 note",
        ]
    )
    found += [
        [
            m.agency,
            m.place or "—",
            "缺报 missing" if m.within_span else "首末报告年度之外 outside its first–last years",
        ]
        for m in summary.missing
    ]
    found.append([])
    found.append(
        [
            "勾稽关系 identities on the sums",
            "位置 where",
            "结果 result",
            "应为/实为 expected/actual",
            "本身未通过的单位 units failing it",
        ]
    )
    for identity in summary.identities:
        check = identity.check
        pair = (
            f"应为 {plain(check.expected)}，实为 {plain(check.actual)}"
            if check.expected is not None and check.actual is not None
            else "—"
        )
        found.append(
            [
                labelled_id(check.check_id, "zh"),
                check_place(identity) or "—",
                f"{STATUS_NAMES.get(check.status, check.status)} {check.status}",
                pair,
                "、".join(identity.failing_units) or "—",
            ]
        )
    found.append([])
    flagged = [c for c in summary.cells if not c.complete or c.inferred]
    found.append(
        [
            f"需注意的单元格 cells to note（共{len(flagged)}个）",
            "未填报 not printed",
            "无法识别 unreadable",
            "推定 inferred",
        ]
    )
    found += [
        [
            f"{c.code}{'/' + c.breakdown if c.breakdown else ''} {cell_name(c.code, c.breakdown)}",
            "、".join(c.not_printed) or "—",
            "、".join(c.unreadable) or "—",
            "、".join(c.inferred) or "—",
        ]
        for c in flagged
    ]
    return found
