"""Row and column labels of the three table families, as printed in the official templates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.catalogue import metrics
from etl.outcomes import outcome_groups


@dataclass(frozen=True)
class OldRow:
    code: str
    label: str
    unit: str
    indent: int = 0
    section: bool = False
    parent: str = ""


def _old(code: str, label: str, unit: str, indent: int = 0, parent: str = "") -> OldRow:
    return OldRow(code, label, unit, indent, False, parent)


def _section(code: str, label: str) -> OldRow:
    return OldRow(code, label, "—", 0, True)


_RECEIVED = "old.requests.received"
_CLOSED = "old.requests.closed"
_ANSWERED = "old.requests.answered"
_DENIED = "old.requests.answered.denied"

OLD_ROWS: tuple[OldRow, ...] = (
    _section("old.section.proactive", "一、主动公开情况"),
    _old("old.proactive.total", "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条"),
    _old("old.proactive.normative_docs", "其中：主动公开规范性文件数", "条", 2),
    _old("old.proactive.normative_docs_issued", "制发规范性文件总数", "件", 3),
    _section("old.section.proactive_channels", "（二）通过不同渠道和方式公开政府信息的情况"),
    _old("old.proactive.channel.gazette", "1．政府公报公开政府信息数", "条", 1),
    _old("old.proactive.channel.website", "2．政府网站公开政府信息数", "条", 1),
    _old("old.proactive.channel.weibo", "3．政务微博公开政府信息数", "条", 1),
    _old("old.proactive.channel.wechat", "4．政务微信公开政府信息数", "条", 1),
    _old("old.proactive.channel.other", "5．其他方式公开政府信息数", "条", 1),
    _section("old.section.response", "二、回应解读情况"),
    _old(
        "old.response.hotspots", "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次"
    ),
    _section("old.section.response_channels", "（二）通过不同渠道和方式回应解读的情况"),
    _old("old.response.press_conferences", "1．参加或举办新闻发布会总次数", "次", 1),
    _old("old.response.press_conferences_heads", "其中：主要负责同志参加新闻发布会次数", "次", 2),
    _old("old.response.online_interviews", "2．政府网站在线访谈次数", "次", 1),
    _old("old.response.online_interviews_heads", "其中：主要负责同志参加政府网站在线访谈次数", "次", 2),
    _old("old.response.interpretations", "3．政策解读稿件发布数", "篇", 1),
    _old("old.response.weibo_wechat", "4．微博微信回应事件数", "次", 1),
    _old("old.response.other", "5．其他方式回应事件数", "次", 1),
    _section("old.section.requests", "三、依申请公开情况"),
    _old(_RECEIVED, "（一）收到申请数", "件"),
    _old("old.requests.received.in_person", "1．当面申请数", "件", 1, _RECEIVED),
    _old("old.requests.received.fax", "2．传真申请数", "件", 1, _RECEIVED),
    _old("old.requests.received.online", "3．网络申请数", "件", 1, _RECEIVED),
    _old("old.requests.received.letter", "4．信函申请数", "件", 1, _RECEIVED),
    _old(_CLOSED, "（二）申请办结数", "件"),
    _old("old.requests.closed.on_time", "1．按时办结数", "件", 1, _CLOSED),
    _old("old.requests.closed.extended", "2．延期办结数", "件", 1, _CLOSED),
    _old(_ANSWERED, "（三）申请答复数", "件"),
    _old("old.requests.answered.already_public", "1．属于已主动公开范围数", "件", 1, _ANSWERED),
    _old("old.requests.answered.granted", "2．同意公开答复数", "件", 1, _ANSWERED),
    _old("old.requests.answered.partial", "3．同意部分公开答复数", "件", 1, _ANSWERED),
    _old(_DENIED, "4．不同意公开答复数", "件", 1, _ANSWERED),
    _old("old.requests.answered.denied.state_secret", "其中：涉及国家秘密", "件", 3, _DENIED),
    _old("old.requests.answered.denied.commercial_secret", "涉及商业秘密", "件", 5, _DENIED),
    _old("old.requests.answered.denied.privacy", "涉及个人隐私", "件", 5, _DENIED),
    _old(
        "old.requests.answered.denied.security_stability",
        "危及国家安全、公共安全、经济安全和社会稳定",
        "件",
        5,
        _DENIED,
    ),
    _old("old.requests.answered.denied.not_gov_info", "不是《条例》所指政府信息", "件", 5, _DENIED),
    _old("old.requests.answered.denied.other_legal", "法律法规规定的其他情形", "件", 5, _DENIED),
    _old("old.requests.answered.not_this_agency", "5．不属于本行政机关公开数", "件", 1, _ANSWERED),
    _old("old.requests.answered.not_exist", "6．申请信息不存在数", "件", 1, _ANSWERED),
    _old("old.requests.answered.amend", "7．告知作出更改补充数", "件", 1, _ANSWERED),
    _old("old.requests.answered.redirected", "8．告知通过其他途径办理数", "件", 1, _ANSWERED),
    _old("old.reconsideration.total", "四、行政复议数量", "件"),
    _old("old.reconsideration.upheld", "（一）维持具体行政行为数", "件", 0, "old.reconsideration.total"),
    _old("old.reconsideration.corrected", "（二）被依法纠错数", "件", 0, "old.reconsideration.total"),
    _old("old.reconsideration.other", "（三）其他情形数", "件", 0, "old.reconsideration.total"),
    _old("old.litigation.total", "五、行政诉讼数量", "件"),
    _old(
        "old.litigation.upheld",
        "（一）维持具体行政行为或者驳回原告诉讼请求数",
        "件",
        0,
        "old.litigation.total",
    ),
    _old("old.litigation.corrected", "（二）被依法纠错数", "件", 0, "old.litigation.total"),
    _old("old.litigation.other", "（三）其他情形数", "件", 0, "old.litigation.total"),
    _old("old.complaints", "六、举报投诉数量", "件"),
    _old("old.fees", "七、依申请公开信息收取的费用", "万元"),
    _section("old.section.org", "八、机构建设和保障经费情况"),
    _old("old.org.bodies", "（一）政府信息公开工作专门机构数", "个"),
    _old("old.org.reading_points", "（二）设置政府信息公开查阅点数", "个"),
    _old("old.staff.total", "（三）从事政府信息公开工作人员数", "人"),
    _old("old.staff.full_time", "1．专职人员数（不包括政府公报及政府网站工作人员数）", "人", 1),
    _old("old.staff.part_time", "2．兼职人员数", "人", 1),
    _old(
        "old.org.budget",
        "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        "万元",
    ),
    _section("old.section.training", "九、政府信息公开会议和培训情况"),
    _old("old.training.meetings", "（一）召开政府信息公开工作会议或专题会议数", "次"),
    _old("old.training.classes", "（二）举办各类培训班数", "次"),
    _old("old.training.trainees", "（三）接受培训人员数", "人次"),
)
OLD_HEADER = ("统计指标", "单位", "统计数")
OLD_SECTION_FIRST_ROW = {
    "old.section.proactive": "old.proactive.total",
    "old.section.proactive_channels": "old.proactive.channel.gazette",
    "old.section.response": "old.response.hotspots",
    "old.section.response_channels": "old.response.press_conferences",
    "old.section.requests": _RECEIVED,
    "old.section.org": "old.org.bodies",
    "old.section.training": "old.training.meetings",
}


@dataclass(frozen=True)
class T2Block:
    caption: str
    headers: tuple[str, ...]
    spans: tuple[int, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


_V19_ITEMS = ("上一年项目数量", "本年增/减", "处理决定数量")


def _v19(prefix: str) -> tuple[str, ...]:
    return (f"v2019.{prefix}.prev_items", f"v2019.{prefix}.change", f"v2019.{prefix}.decisions")


T2_V2019: tuple[T2Block, ...] = (
    T2Block(
        "第二十条第（一）项",
        ("本年新\n制作数量", "本年新\n公开数量", "对外公开总数量"),
        (1, 1, 1),
        (
            (
                "规章",
                ("v2019.regulations.made", "v2019.regulations.published", "v2019.regulations.total_public"),
            ),
            (
                "规范性文件",
                (
                    "v2019.normative_docs.made",
                    "v2019.normative_docs.published",
                    "v2019.normative_docs.total_public",
                ),
            ),
        ),
    ),
    T2Block(
        "第二十条第（五）项",
        _V19_ITEMS,
        (1, 1, 1),
        (("行政许可", _v19("licensing")), ("其他对外管理服务事项", _v19("other_services"))),
    ),
    T2Block(
        "第二十条第（六）项",
        _V19_ITEMS,
        (1, 1, 1),
        (("行政处罚", _v19("penalty")), ("行政强制", _v19("coercion"))),
    ),
    T2Block(
        "第二十条第（八）项",
        ("上一年项目数量", "本年增/减"),
        (1, 2),
        (("行政事业性收费", ("v2019.admin_fees.prev_items", "v2019.admin_fees.change")),),
    ),
    T2Block(
        "第二十条第（九）项",
        ("采购项目数量", "采购总金额"),
        (1, 2),
        (("政府集中采购", ("v2019.procurement.items", "v2019.procurement.amount")),),
    ),
)

T2_V2021: tuple[T2Block, ...] = (
    T2Block(
        "第二十条第（一）项",
        ("本年制发件数", "本年废止件数", "现行有效件数"),
        (1, 1, 1),
        (
            (
                "规章",
                ("v2021.regulations.issued", "v2021.regulations.repealed", "v2021.regulations.in_force"),
            ),
            (
                "行政规范性文件",
                (
                    "v2021.normative_docs.issued",
                    "v2021.normative_docs.repealed",
                    "v2021.normative_docs.in_force",
                ),
            ),
        ),
    ),
    T2Block(
        "第二十条第（五）项", ("本年处理决定数量",), (3,), (("行政许可", ("v2021.licensing.decisions",)),)
    ),
    T2Block(
        "第二十条第（六）项",
        ("本年处理决定数量",),
        (3,),
        (("行政处罚", ("v2021.penalty.decisions",)), ("行政强制", ("v2021.coercion.decisions",))),
    ),
    T2Block(
        "第二十条第（八）项",
        ("本年收费金额（单位：万元）",),
        (3,),
        (("行政事业性收费", ("v2021.admin_fees.amount",)),),
    ),
)

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_LEGAL = "法人或其他组织"
T3_LEGAL_COLUMNS = ("商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他")
BREAKDOWNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
LEGAL_BREAKDOWNS = BREAKDOWNS[1:6]
BREAKDOWNS_8 = ("natural_person", "legal_subtotal", *LEGAL_BREAKDOWNS, "total")
T3_HEAD = (
    ("一、本年新收政府信息公开申请数量", "req.received"),
    ("二、上年结转政府信息公开申请数量", "req.carried_in"),
)
T3_GROUP = "三、本年度办理结果"
T3_TAIL = ("四、结转下年度继续办理", "req.carried_out")

T3Group = tuple[str | None, tuple[tuple[str, str], ...]]


def _t3_results(template: str) -> tuple[T3Group, ...]:
    """Table 三's result rows as the template prints them, from the outcome groups' one definition
    (etl/outcome_groups.csv and the catalogue's labels): (group label or None, ((row label, code), …))."""
    found: list[T3Group] = []
    for group in outcome_groups():
        items = group.items_in(template)
        if items:
            found.append((f"{group.number}{group.label_zh}", tuple((i.printed, i.code) for i in items)))
        elif group.whole_code is not None:
            found.append((None, ((metrics()[group.whole_code].label_zh, group.whole_code),)))
    return (*found, (None, (("（七）总计", "req.total"),)))


T3_RESULTS: dict[str, tuple[T3Group, ...]] = {
    template: _t3_results(template) for template in ("v2019", "v2021")
}
T3_OUTCOMES: dict[str, tuple[str, ...]] = {
    template: tuple(code for _, rows in groups for _, code in rows if code != "req.total")
    for template, groups in T3_RESULTS.items()
}

T4_TOP = (("行政复议", 5), ("行政诉讼", 10))
T4_GROUPS = ("未经复议直接起诉", "复议后起诉")
T4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
T4_PREFIXES = ("review", "suit_direct", "suit_after_review")
T4_SUFFIXES = ("upheld", "corrected", "other", "pending", "total")
T4_CODES = tuple(f"{prefix}.{suffix}" for prefix in T4_PREFIXES for suffix in T4_SUFFIXES)

_ITEM_NUMBER = re.compile(r"^(\s*)(\d)[.．]")


def renumber(label: str, style: str) -> str:
    """Re-punctuate a leading item number: style is '.', '．' or '、'."""
    return _ITEM_NUMBER.sub(lambda m: f"{m.group(1)}{m.group(2)}{style}", label, count=1)


def mix_brackets(label: str) -> str:
    """Open a parenthesised note with a half-width bracket and close it full-width, as in real tables."""
    at = label.find("（", 1)
    if at < 0 or not label.endswith("）"):
        return label
    return f"{label[:at]}({label[at + 1 :]}"


def straight_quotes(label: str) -> str:
    return label.replace("“", '"').replace("”", '"')
