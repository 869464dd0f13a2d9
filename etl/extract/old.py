"""The old national table (国办发〔2014〕32号): 统计指标 | 单位 | 统计数, matched row by row by label.

Labels such as （二）被依法纠错数 occur under both 四 and 五, so matching keeps the current section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from etl.extract.rows import UNIT_WORDS, FactCollector, is_numeric, is_valueish, key, label_text, row_locator
from etl.normalise import one_line
from etl.records import CellRef, RowView, TableCell, new_cell_ref
from etl.values import parse_value

SECTION_ROWS: dict[str, tuple[int, str]] = {
    "主动公开情况": (1, "old.section.proactive"),
    "通过不同渠道和方式公开政府信息的情况": (1, "old.section.proactive_channels"),
    "回应解读情况": (2, "old.section.response"),
    "通过不同渠道和方式回应解读的情况": (2, "old.section.response_channels"),
    "依申请公开情况": (3, "old.section.requests"),
    "机构建设和保障经费情况": (8, "old.section.org"),
    "政府信息公开会议和培训情况": (9, "old.section.training"),
}

DATA_ROWS: dict[str, tuple[tuple[int, str], ...]] = {
    "主动公开政府信息数": ((1, "old.proactive.total"),),
    "主动公开规范性文件数": ((1, "old.proactive.normative_docs"),),
    "制发规范性文件总数": ((1, "old.proactive.normative_docs_issued"),),
    "政府公报公开政府信息数": ((1, "old.proactive.channel.gazette"),),
    "政府网站公开政府信息数": ((1, "old.proactive.channel.website"),),
    "政务微博公开政府信息数": ((1, "old.proactive.channel.weibo"),),
    "政务微信公开政府信息数": ((1, "old.proactive.channel.wechat"),),
    "其他方式公开政府信息数": ((1, "old.proactive.channel.other"),),
    "回应公众关注热点或重大舆情数": ((2, "old.response.hotspots"),),
    "参加或举办新闻发布会总次数": ((2, "old.response.press_conferences"),),
    "主要负责同志参加新闻发布会次数": ((2, "old.response.press_conferences_heads"),),
    "政府网站在线访谈次数": ((2, "old.response.online_interviews"),),
    "主要负责同志参加政府网站在线访谈次数": ((2, "old.response.online_interviews_heads"),),
    "政策解读稿件发布数": ((2, "old.response.interpretations"),),
    "微博微信回应事件数": ((2, "old.response.weibo_wechat"),),
    "其他方式回应事件数": ((2, "old.response.other"),),
    "收到申请数": ((3, "old.requests.received"),),
    "当面申请数": ((3, "old.requests.received.in_person"),),
    "传真申请数": ((3, "old.requests.received.fax"),),
    "网络申请数": ((3, "old.requests.received.online"),),
    "信函申请数": ((3, "old.requests.received.letter"),),
    "申请办结数": ((3, "old.requests.closed"),),
    "按时办结数": ((3, "old.requests.closed.on_time"),),
    "延期办结数": ((3, "old.requests.closed.extended"),),
    "申请答复数": ((3, "old.requests.answered"),),
    "属于已主动公开范围数": ((3, "old.requests.answered.already_public"),),
    "同意公开答复数": ((3, "old.requests.answered.granted"),),
    "同意部分公开答复数": ((3, "old.requests.answered.partial"),),
    "不同意公开答复数": ((3, "old.requests.answered.denied"),),
    "涉及国家秘密": ((3, "old.requests.answered.denied.state_secret"),),
    "涉及商业秘密": ((3, "old.requests.answered.denied.commercial_secret"),),
    "涉及个人隐私": ((3, "old.requests.answered.denied.privacy"),),
    "危及国家安全、公共安全、经济安全和社会稳定": ((3, "old.requests.answered.denied.security_stability"),),
    "不是条例所指政府信息": ((3, "old.requests.answered.denied.not_gov_info"),),
    "法律法规规定的其他情形": ((3, "old.requests.answered.denied.other_legal"),),
    "不属于本行政机关公开数": ((3, "old.requests.answered.not_this_agency"),),
    "申请信息不存在数": ((3, "old.requests.answered.not_exist"),),
    "告知作出更改补充数": ((3, "old.requests.answered.amend"),),
    "告知通过其他途径办理数": ((3, "old.requests.answered.redirected"),),
    "行政复议数量": ((4, "old.reconsideration.total"),),
    "维持具体行政行为数": ((4, "old.reconsideration.upheld"),),
    "被依法纠错数": ((4, "old.reconsideration.corrected"), (5, "old.litigation.corrected")),
    "其他情形数": ((4, "old.reconsideration.other"), (5, "old.litigation.other")),
    "行政诉讼数量": ((5, "old.litigation.total"),),
    "维持具体行政行为或者驳回原告诉讼请求数": ((5, "old.litigation.upheld"),),
    "举报投诉数量": ((6, "old.complaints"),),
    "依申请公开信息收取的费用": ((7, "old.fees"),),
    "政府信息公开工作专门机构数": ((8, "old.org.bodies"),),
    "设置政府信息公开查阅点数": ((8, "old.org.reading_points"),),
    "从事政府信息公开工作人员数": ((8, "old.staff.total"),),
    "专职人员数": ((8, "old.staff.full_time"),),
    "兼职人员数": ((8, "old.staff.part_time"),),
    "政府信息公开专项经费": ((8, "old.org.budget"),),
    "召开政府信息公开工作会议或专题会议数": ((9, "old.training.meetings"),),
    "举办各类培训班数": ((9, "old.training.classes"),),
    "接受培训人员数": ((9, "old.training.trainees"),),
}
ALIASES = {
    "网上申请数": "网络申请数",
    "电子邮件申请数": "网络申请数",
    "维持具体行政行为或者驳回原告诉讼请求的数": "维持具体行政行为或者驳回原告诉讼请求数",
    "危及国家安全、公共安全、经济安全和社会稳定的": "危及国家安全、公共安全、经济安全和社会稳定",
}
COUNT_UNITS = UNIT_WORDS - {"—", "-", "——"}
HEADER_KEYS = frozenset({"统计指标", "指标名称", "单位", "计量单位", "统计数"})
SECTION_OF_CODE = {code: section for rows in DATA_ROWS.values() for section, code in rows}
OLD_CELLS = len(SECTION_OF_CODE)


@dataclass(frozen=True)
class OldRow:
    label: str
    unit: str | None
    value: TableCell | None


def split_old_row(view: RowView) -> OldRow | None:
    """Label, printed unit and value cell of a row (value None when the row has no value cell). A table
    rebuilt from word positions (not aligned) puts its values last and label words it could not join
    before them: its value is the last cell, its unit the one before."""
    here = view.row
    cells = [c for c in view.cells if c.row == here]  # `view.starts_here(c)`, inline
    first = next((i for i, c in enumerate(cells) if not is_valueish(c)), None)
    if first is None:
        return None
    label, rest = cells[first], cells[first + 1 :]
    if not key(label.text) and len(rest) >= 2 and _label_word(rest[0]):  # "1." | "当面申请数"
        label, rest = replace(label, text=label.text + rest[0].text), rest[1:]
    if len(rest) >= 2:
        unit_cell, value = (rest[-2], rest[-1]) if not view.aligned else (rest[0], rest[1])
        unit = one_line(unit_cell.text)
        return OldRow(label=label.text, unit=unit if unit in UNIT_WORDS else None, value=value)
    if rest and one_line(rest[0].text) in COUNT_UNITS:
        return OldRow(label=label.text, unit=one_line(rest[0].text), value=None)
    return OldRow(label=label.text, unit=None, value=rest[0] if rest else None)


def _label_word(cell: TableCell) -> bool:
    return not is_valueish(cell) and one_line(cell.text) not in UNIT_WORDS


def match_row(row_key: str, section: int) -> tuple[int, str] | None:
    """(section, code) for a row label, using the current section where a label is ambiguous."""
    row_key = ALIASES.get(row_key, row_key)
    candidates = DATA_ROWS.get(row_key)
    if candidates is None:
        prefixes = [k for k in DATA_ROWS if row_key.startswith(k) and len(k) >= 4]
        if not prefixes:
            return None
        candidates = DATA_ROWS[max(prefixes, key=len)]
    if len(candidates) == 1:
        return candidates[0]
    in_section = [c for c in candidates if c[0] == section]
    if in_section:
        return in_section[0]
    later = [c for c in candidates if c[0] > section]
    return later[0] if later else candidates[-1]


def extract_old(views: Iterable[RowView], collector: FactCollector) -> None:
    section = 0
    for view in views:
        row = split_old_row(view)
        if row is None:
            continue
        row_key = key(row.label)
        if row_key in HEADER_KEYS or not row_key:
            continue
        row, found = (row, None) if view.aligned else _after_heading(view, row)
        if found is None and row_key in SECTION_ROWS:
            section, code = SECTION_ROWS[row_key]
            _section_value(view, row, code, collector)
            continue
        found = found or match_row(row_key, section)
        if found is None and not view.aligned:
            row, found = _wrapped_label(view, row, section)
        if found is None:
            _unknown(view, row, collector)
            continue
        section, code = found
        _add(view, row, code, collector)


def _wrapped_label(view: RowView, row: OldRow, section: int) -> tuple[OldRow, tuple[int, str] | None]:
    """A row rebuilt from word positions whose label came out as two cells: an indented first line and
    its flush-left continuation (其中 items: "危及国家安全、公共" over "安全、经济安全和社会稳定"), which are
    ordered left to right. The two joined in the other order, when that is a row of the table."""
    labels = [c for c in view.cells if view.starts_here(c) and _label_word(c)]
    if len(labels) != 2:
        return row, None
    joined = labels[1].text + labels[0].text
    found = match_row(key(joined), section)
    return (replace(row, label=joined), found) if found is not None else (row, None)


def _after_heading(view: RowView, row: OldRow) -> tuple[OldRow, tuple[int, str] | None]:
    """A row rebuilt from word positions whose label begins with a sub-heading that prints no value of its
    own ("（二）通过不同渠道和方式回应解读的情况" joined to the "1、参加或举办新闻发布会总次数" printed
    under it): the row is the label after the heading, read in the heading's section. The rest of that
    label stands after the heading in its cell, in the label cells after it, or in both (an indented first
    line in a cell of its own, its flush-left continuation joined to the heading's cell)."""
    labels = [c.text for c in view.cells if view.starts_here(c) and _label_word(c)]
    first = key(labels[0]) if labels else ""
    for heading, (section, _) in SECTION_ROWS.items():
        if not first.startswith(heading):
            continue
        tail, rest = first[len(heading) :], "".join(labels[1:])
        for label in (rest + tail, tail + rest):
            found = match_row(key(label), section) if key(label) else None
            if found is not None:
                return replace(row, label=label), found
    return row, None


def _ref(view: RowView, row: OldRow) -> CellRef:
    return new_cell_ref(
        table=view.table,
        row_label=one_line(row.label),
        column_label="统计数",
        page=view.page,
        locator=row_locator(view, row.value),
    )


def _add(view: RowView, row: OldRow, code: str, collector: FactCollector) -> None:
    raw = row.value.text if row.value is not None else ""
    collector.add(code, "", raw, _ref(view, row), printed_unit=row.unit)


def _section_value(view: RowView, row: OldRow, code: str, collector: FactCollector) -> None:
    if row.value is None:
        return
    if parse_value(row.value.text).semantic in ("number", "zero"):
        collector.add(code, "", row.value.text, _ref(view, row), printed_unit=row.unit)


def _unknown(view: RowView, row: OldRow, collector: FactCollector) -> None:
    """A row the table does not have is reported when it prints a number (as in the new templates'
    readers); a title, note or heading row without one is not a lost value."""
    if row.value is None or not is_numeric(row.value):
        return
    printed = one_line(row.value.text)
    collector.warn(
        "unknown_row",
        f"row not in the old national table: {label_text([view.cells[0]])!r} (value {printed!r}); not stored",
        row_locator(view),
    )
