"""The official statistics tables as grids of printed labels and value slots.

- v2021: tables 二, 三 and 四 of 中华人民共和国政府信息公开工作年度报告格式 (国办公开办函〔2021〕30号). Rows,
  labels, merged cells, caption shading and column widths follow the blank template
  (shared/corpus/templates/政府信息公开工作年度报告格式_v2021_空白.docx, checked cell by cell in
  tests/test_documents_layout.py when that file is present). The template file is not shipped: the
  format is an administrative document of the State Council's General Office (Copyright Law of the PRC,
  art. 5: not subject to copyright), and only its table structure is needed, so it is written out here.
- v2019: the same tables in the 2019 format (国办公开办函〔2019〕60号): table 二 with 新制作 / 新公开 /
  对外公开总数量 and 政府集中采购, table 三 with one （六）其他处理 row.
- old: the national table of 统计指标 | 单位 | 统计数 used until the 2018 reports.

A grid is written row by row as HTML would lay it out: each slot takes the next free column; a slot
spanning rows keeps its columns taken in the rows below.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from etl.catalogue import APPLICANT_BREAKDOWNS

WAN_CODES = frozenset({"v2021.admin_fees.amount", "old.fees", "old.org.budget"})
"""Money printed in 万元 (stored in yuan): the v2021 header and the old table's unit column say so."""
SUMMARY_TEMPLATES = ("v2021", "v2019", "old")
APPLICANTS = tuple(b for b in APPLICANT_BREAKDOWNS if b != "legal_subtotal")


@dataclass(frozen=True)
class Slot:
    """One printed cell: a label (text) or, when `code` is set, the value of a metric cell."""

    text: str = ""
    code: str = ""
    breakdown: str = ""
    rowspan: int = 1
    colspan: int = 1
    caption: bool = False
    """A caption row of table 二 (第二十条第（一）项), shaded in the template."""
    header: bool = False

    @property
    def is_value(self) -> bool:
        return bool(self.code)


Row = tuple[Slot, ...]


@dataclass(frozen=True)
class Placed:
    row: int
    col: int
    slot: Slot


@dataclass(frozen=True)
class OfficialTable:
    key: str
    heading: str
    """The report's section heading printed above the table (二、主动公开政府信息情况)."""
    sheet: str
    rows: tuple[Row, ...]
    widths: tuple[int, ...]
    """Column widths in twentieths of a point (DOCX twips), as in the template."""
    label_columns: int = 0
    """Row labels in the first `label_columns` columns are left-aligned (table 三, the old table)."""

    def left_aligned(self, item: Placed) -> bool:
        slot = item.slot
        if slot.caption:
            return True
        return item.col < self.label_columns and not (slot.header or slot.is_value)

    def placed(self) -> list[Placed]:
        """Every slot at its grid position."""
        taken: set[tuple[int, int]] = set()
        found: list[Placed] = []
        for r, row in enumerate(self.rows):
            c = 0
            for slot in row:
                while (r, c) in taken:
                    c += 1
                found.append(Placed(r, c, slot))
                taken |= {(r + dr, c + dc) for dr in range(slot.rowspan) for dc in range(slot.colspan)}
                c += slot.colspan
        return found

    @property
    def n_cols(self) -> int:
        return len(self.widths)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def values(self) -> Iterator[tuple[str, str]]:
        """(code, breakdown) of every value slot, in reading order."""
        for placed in self.placed():
            if placed.slot.is_value:
                yield placed.slot.code, placed.slot.breakdown


def label(text: str, rowspan: int = 1, colspan: int = 1) -> Slot:
    return Slot(text=text, rowspan=rowspan, colspan=colspan)


def head(text: str, rowspan: int = 1, colspan: int = 1) -> Slot:
    return Slot(text=text, rowspan=rowspan, colspan=colspan, header=True)


def value(code: str, breakdown: str = "", colspan: int = 1) -> Slot:
    return Slot(code=code, breakdown=breakdown, colspan=colspan)


def caption(text: str, colspan: int) -> Row:
    return (Slot(text=text, colspan=colspan, caption=True),)


# --- table 二 -------------------------------------------------------------------------------------


def _table2_v2021() -> tuple[Row, ...]:
    def docs(name: str, code: str) -> Row:
        return (label(name), *(value(f"v2021.{code}.{s}") for s in ("issued", "repealed", "in_force")))

    return (
        caption("第二十条第（一）项", 4),
        (head("信息内容"), head("本年制发件数"), head("本年废止件数"), head("现行有效件数")),
        docs("规章", "regulations"),
        docs("行政规范性文件", "normative_docs"),
        caption("第二十条第（五）项", 4),
        (head("信息内容"), head("本年处理决定数量", colspan=3)),
        (label("行政许可"), value("v2021.licensing.decisions", colspan=3)),
        caption("第二十条第（六）项", 4),
        (head("信息内容"), head("本年处理决定数量", colspan=3)),
        (label("行政处罚"), value("v2021.penalty.decisions", colspan=3)),
        (label("行政强制"), value("v2021.coercion.decisions", colspan=3)),
        caption("第二十条第（八）项", 4),
        (head("信息内容"), head("本年收费金额（单位：万元）", colspan=3)),
        (label("行政事业性收费"), value("v2021.admin_fees.amount", colspan=3)),
    )


def _table2_v2019() -> tuple[Row, ...]:
    items = ("prev_items", "change", "decisions")
    item_head = (head("信息内容"), head("上一年项目数量"), head("本年增/减"), head("处理决定数量"))

    def docs(name: str, code: str) -> Row:
        return (label(name), *(value(f"v2019.{code}.{s}") for s in ("made", "published", "total_public")))

    def matters(name: str, code: str) -> Row:
        return (label(name), *(value(f"v2019.{code}.{s}") for s in items))

    return (
        caption("第二十条第（一）项", 4),
        (head("信息内容"), head("本年新制作数量"), head("本年新公开数量"), head("对外公开总数量")),
        docs("规章", "regulations"),
        docs("规范性文件", "normative_docs"),
        caption("第二十条第（五）项", 4),
        item_head,
        matters("行政许可", "licensing"),
        matters("其他对外管理服务事项", "other_services"),
        caption("第二十条第（六）项", 4),
        item_head,
        matters("行政处罚", "penalty"),
        matters("行政强制", "coercion"),
        caption("第二十条第（八）项", 4),
        (head("信息内容"), head("上一年项目数量"), head("本年增/减", colspan=2)),
        (
            label("行政事业性收费"),
            value("v2019.admin_fees.prev_items"),
            value("v2019.admin_fees.change", colspan=2),
        ),
        caption("第二十条第（九）项", 4),
        (head("信息内容"), head("采购项目数量"), head("采购总金额", colspan=2)),
        (
            label("政府集中采购"),
            value("v2019.procurement.items"),
            value("v2019.procurement.amount", colspan=2),
        ),
    )


# --- table 三 -------------------------------------------------------------------------------------

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
DENIED = (
    ("1.属于国家秘密", "req.denied.state_secret"),
    ("2.其他法律行政法规禁止公开", "req.denied.law_forbidden"),
    ("3.危及“三安全一稳定”", "req.denied.security_stability"),
    ("4.保护第三方合法权益", "req.denied.third_party"),
    ("5.属于三类内部事务信息", "req.denied.internal_affairs"),
    ("6.属于四类过程性信息", "req.denied.process_info"),
    ("7.属于行政执法案卷", "req.denied.enforcement_file"),
    ("8.属于行政查询事项", "req.denied.query_matter"),
)
UNABLE = (
    ("1.本机关不掌握相关政府信息", "req.unable.not_held"),
    ("2.没有现成信息需要另行制作", "req.unable.needs_creation"),
    ("3.补正后申请内容仍不明确", "req.unable.unclear"),
)
NOT_PROCESSED = (
    ("1.信访举报投诉类申请", "req.not_processed.petition"),
    ("2.重复申请", "req.not_processed.repeat"),
    ("3.要求提供公开出版物", "req.not_processed.publication"),
    ("4.无正当理由大量反复申请", "req.not_processed.mass_repeat"),
    ("5.要求行政机关确认或重新出具已获取信息", "req.not_processed.confirmation"),
)
OTHER_V2021 = (
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "req.other.no_amendment"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "req.other.unpaid_fee"),
    ("3.其他", "req.other.other"),
)
Group = tuple[str | None, tuple[tuple[str, str], ...]]


def _applicant_values(code: str) -> tuple[Slot, ...]:
    return tuple(value(code, breakdown) for breakdown in APPLICANTS)


def _table3_header() -> tuple[Row, ...]:
    return (
        (head(T3_NOTE, rowspan=3, colspan=3), head("申请人情况", colspan=7)),
        (head("自然人", rowspan=2), head("法人或其他组织", colspan=5), head("总计", rowspan=2)),
        (
            head("商业\n企业"),
            head("科研\n机构"),
            head("社会公益组织"),
            head("法律服务机构"),
            head("其他"),
        ),
    )


def _result_rows(groups: tuple[Group, ...]) -> list[Row]:
    n_rows = sum(len(items) for _, items in groups)
    rows: list[Row] = []
    for group, items in groups:
        for index, (text, code) in enumerate(items):
            lead: list[Slot] = [label("三、本年度办理结果", rowspan=n_rows)] if not rows else []
            if group is None:
                lead.append(label(text, colspan=2))
            else:
                if index == 0:
                    lead.append(label(group, rowspan=len(items)))
                lead.append(label(text))
            rows.append((*lead, *_applicant_values(code)))
    return rows


def _table3(other: tuple[Group, ...]) -> tuple[Row, ...]:
    groups: tuple[Group, ...] = (
        (None, (("（一）予以公开", "req.granted"),)),
        (None, (("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "req.partial"),)),
        ("（三）不予公开", DENIED),
        ("（四）无法提供", UNABLE),
        ("（五）不予处理", NOT_PROCESSED),
        *other,
        (None, (("（七）总计", "req.total"),)),
    )
    return (
        *_table3_header(),
        (label("一、本年新收政府信息公开申请数量", colspan=3), *_applicant_values("req.received")),
        (label("二、上年结转政府信息公开申请数量", colspan=3), *_applicant_values("req.carried_in")),
        *_result_rows(groups),
        (label("四、结转下年度继续办理", colspan=3), *_applicant_values("req.carried_out")),
    )


# --- table 四 -------------------------------------------------------------------------------------

OUTCOMES = (
    ("结果维持", "upheld"),
    ("结果\n纠正", "corrected"),
    ("其他\n结果", "other"),
    ("尚未\n审结", "pending"),
)


def _table4() -> tuple[Row, ...]:
    outcome_heads = (*(text for text, _ in OUTCOMES), "总计")
    suit_heads = ("结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计")
    suffixes = (*(suffix for _, suffix in OUTCOMES), "total")
    return (
        (head("行政复议", colspan=5), head("行政诉讼", colspan=10)),
        (
            *(head(text, rowspan=2) for text in outcome_heads),
            head("未经复议直接起诉", colspan=5),
            head("复议后起诉", colspan=5),
        ),
        tuple(head(text) for _ in range(2) for text in suit_heads),
        tuple(
            value(f"{prefix}.{s}")
            for prefix in ("review", "suit_direct", "suit_after_review")
            for s in suffixes
        ),
    )


# --- the old national table -----------------------------------------------------------------------

OLD_ROWS: tuple[tuple[str, str, str], ...] = (
    ("一、主动公开情况", "—", ""),
    ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "old.proactive.total"),
    ("其中：主动公开规范性文件数", "条", "old.proactive.normative_docs"),
    ("制发规范性文件总数", "件", "old.proactive.normative_docs_issued"),
    ("（二）通过不同渠道和方式公开政府信息的情况", "—", ""),
    ("1．政府公报公开政府信息数", "条", "old.proactive.channel.gazette"),
    ("2．政府网站公开政府信息数", "条", "old.proactive.channel.website"),
    ("3．政务微博公开政府信息数", "条", "old.proactive.channel.weibo"),
    ("4．政务微信公开政府信息数", "条", "old.proactive.channel.wechat"),
    ("5．其他方式公开政府信息数", "条", "old.proactive.channel.other"),
    ("二、回应解读情况", "—", ""),
    ("（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", "old.response.hotspots"),
    ("（二）通过不同渠道和方式回应解读的情况", "—", ""),
    ("1．参加或举办新闻发布会总次数", "次", "old.response.press_conferences"),
    ("其中：主要负责同志参加新闻发布会次数", "次", "old.response.press_conferences_heads"),
    ("2．政府网站在线访谈次数", "次", "old.response.online_interviews"),
    ("其中：主要负责同志参加政府网站在线访谈次数", "次", "old.response.online_interviews_heads"),
    ("3．政策解读稿件发布数", "篇", "old.response.interpretations"),
    ("4．微博微信回应事件数", "次", "old.response.weibo_wechat"),
    ("5．其他方式回应事件数", "次", "old.response.other"),
    ("三、依申请公开情况", "—", ""),
    ("（一）收到申请数", "件", "old.requests.received"),
    ("1．当面申请数", "件", "old.requests.received.in_person"),
    ("2．传真申请数", "件", "old.requests.received.fax"),
    ("3．网络申请数", "件", "old.requests.received.online"),
    ("4．信函申请数", "件", "old.requests.received.letter"),
    ("（二）申请办结数", "件", "old.requests.closed"),
    ("1．按时办结数", "件", "old.requests.closed.on_time"),
    ("2．延期办结数", "件", "old.requests.closed.extended"),
    ("（三）申请答复数", "件", "old.requests.answered"),
    ("1．属于已主动公开范围数", "件", "old.requests.answered.already_public"),
    ("2．同意公开答复数", "件", "old.requests.answered.granted"),
    ("3．同意部分公开答复数", "件", "old.requests.answered.partial"),
    ("4．不同意公开答复数", "件", "old.requests.answered.denied"),
    ("其中：涉及国家秘密", "件", "old.requests.answered.denied.state_secret"),
    ("涉及商业秘密", "件", "old.requests.answered.denied.commercial_secret"),
    ("涉及个人隐私", "件", "old.requests.answered.denied.privacy"),
    ("危及国家安全、公共安全、经济安全和社会稳定", "件", "old.requests.answered.denied.security_stability"),
    ("不是《条例》所指政府信息", "件", "old.requests.answered.denied.not_gov_info"),
    ("法律法规规定的其他情形", "件", "old.requests.answered.denied.other_legal"),
    ("5．不属于本行政机关公开数", "件", "old.requests.answered.not_this_agency"),
    ("6．申请信息不存在数", "件", "old.requests.answered.not_exist"),
    ("7．告知作出更改补充数", "件", "old.requests.answered.amend"),
    ("8．告知通过其他途径办理数", "件", "old.requests.answered.redirected"),
    ("四、行政复议数量", "件", "old.reconsideration.total"),
    ("（一）维持具体行政行为数", "件", "old.reconsideration.upheld"),
    ("（二）被依法纠错数", "件", "old.reconsideration.corrected"),
    ("（三）其他情形数", "件", "old.reconsideration.other"),
    ("五、行政诉讼数量", "件", "old.litigation.total"),
    ("（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "old.litigation.upheld"),
    ("（二）被依法纠错数", "件", "old.litigation.corrected"),
    ("（三）其他情形数", "件", "old.litigation.other"),
    ("六、举报投诉数量", "件", "old.complaints"),
    ("七、依申请公开信息收取的费用", "万元", "old.fees"),
    ("八、机构建设和保障经费情况", "—", ""),
    ("（一）政府信息公开工作专门机构数", "个", "old.org.bodies"),
    ("（二）设置政府信息公开查阅点数", "个", "old.org.reading_points"),
    ("（三）从事政府信息公开工作人员数", "人", "old.staff.total"),
    ("1．专职人员数（不包括政府公报及政府网站工作人员数）", "人", "old.staff.full_time"),
    ("2．兼职人员数", "人", "old.staff.part_time"),
    (
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        "万元",
        "old.org.budget",
    ),
    ("九、政府信息公开会议和培训情况", "—", ""),
    ("（一）召开政府信息公开工作会议或专题会议数", "次", "old.training.meetings"),
    ("（二）举办各类培训班数", "次", "old.training.classes"),
    ("（三）接受培训人员数", "人次", "old.training.trainees"),
)


def _old_table() -> tuple[Row, ...]:
    rows: list[Row] = [(head("统计指标"), head("单位"), head("统计数"))]
    for text, unit, code in OLD_ROWS:
        rows.append((label(text), label(unit), value(code) if code else label("")))
    return tuple(rows)


# --- the tables of each template ------------------------------------------------------------------

T2_WIDTHS = (2435, 2435, 2435, 2435)
T3_WIDTHS = (754, 921, 3271, *(685,) * 7)
T4_WIDTHS = (*(649,) * 7, *(650,) * 8)
HEADING_2 = "二、主动公开政府信息情况"
HEADING_3 = "三、收到和处理政府信息公开申请情况"
HEADING_4 = "四、政府信息公开行政复议、行政诉讼情况"


def official_tables(template: str) -> tuple[OfficialTable, ...]:
    """The tables a summary of `template` reports fills, in the order they are printed."""
    if template == "old":
        return (
            OfficialTable("old", "政府信息公开情况统计表", "统计表", _old_table(), (6300, 1000, 2440), 1),
        )
    if template not in ("v2019", "v2021"):
        raise ValueError(
            f"no official layout for template {template!r}; one of {', '.join(SUMMARY_TEMPLATES)}"
        )
    table2 = _table2_v2021() if template == "v2021" else _table2_v2019()
    other: tuple[Group, ...] = (
        (("（六）其他处理", OTHER_V2021),)
        if template == "v2021"
        else ((None, (("（六）其他处理", "req.other"),)),)
    )
    return (
        OfficialTable("t2", HEADING_2, "二 主动公开", table2, T2_WIDTHS),
        OfficialTable("t3", HEADING_3, "三 依申请公开", _table3(other), T3_WIDTHS, 3),
        OfficialTable("t4", HEADING_4, "四 复议诉讼", _table4(), T4_WIDTHS),
    )


def value_cells(template: str) -> tuple[tuple[str, str], ...]:
    """Every (code, breakdown) the official tables of `template` print, in reading order."""
    return tuple(cell for table in official_tables(template) for cell in table.values())
