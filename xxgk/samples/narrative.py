"""Narrative paragraphs of a report, with the figures they state plainly as `text.*` facts."""

from __future__ import annotations

import random
from decimal import Decimal

from xxgk.samples.model import Fact, Para, Plan
from xxgk.samples.values import plain

MARKER = "【示例数据】本报告为 xxgk 生成的示例，机关名称真实、数字虚构。"
PROACTIVE = (
    "全年主动公开政府信息{n}条",
    "{y}年共主动公开政府信息{n}条",
    "累计主动公开政府信息{n}条",
    "本年度主动公开各类政府信息{n}条",
    "{y}年新增主动公开政府信息{n}条",
)
REQUESTS = (
    "本年度共收到政府信息公开申请{n}件",
    "全年共受理政府信息公开申请{n}件",
    "{y}年共收到依申请公开申请{n}件",
    "本年度共收到{n}件申请",
    "全年新收政府信息公开申请{n}件",
)
NO_FEES = (
    ("{y}年，本机关未收取信息处理费。", "未收取信息处理费"),
    ("无收取信息处理费情况。", "无收取信息处理费"),
    ("本年度未发生收取信息处理费的情况。", "未发生收取信息处理费"),
)
"""Plain statements that no fees were charged, each with the phrase read as fees = 0."""
NO_REQUESTS = ("本年度未收到政府信息公开申请。", "{y}年未收到有关政府信息公开申请。")
TOPICS = {
    "教育": "招生入学、教育收费、学校安全",
    "公安": "户籍办理、交通管理、治安防控",
    "财政": "预决算、政府采购、惠民惠农补贴",
    "自然资源": "国土空间规划、土地征收、不动产登记",
    "生态环境": "环境质量、环评审批、执法监测",
    "卫生": "医疗机构、疾病防控、健康服务",
    "市场监督": "食品安全抽检、“双随机、一公开”监管、消费维权",
    "人力资源": "就业创业、社会保险、人事考试",
    "住房": "保障性住房、建筑市场监管、老旧小区改造",
    "交通": "公路建设、运输管理、公交出行",
    "税务": "税费优惠政策、纳税服务、欠税公告",
    "街道": "社区治理、民生实事、城市管理",
    "镇": "乡村振兴、村务公开、民生实事",
    "乡": "乡村振兴、村务公开、民生实事",
}
DEFAULT_TOPIC = "重大决策、政策解读、重点民生事项"


def topic(agency: str) -> str:
    return next((text for key, text in TOPICS.items() if key in agency), DEFAULT_TOPIC)


def text_fact(code: str, number: int) -> Fact:
    return Fact(code, "", plain(Decimal(number)), "zero" if number == 0 else "number", str(number))


def stated(rng: random.Random, bank: tuple[str, ...], number: int, year: int, code: str) -> tuple[str, Fact]:
    return rng.choice(bank).format(n=number, y=year), text_fact(code, number)


def title_of(plan: Plan) -> str:
    year = f"{plan.year}年度" if plan.has("title_niandu") else f"{plan.year}年"
    suffix = "（更正版）" if plan.version_of else ""
    return f"{plan.agency.name}{year}政府信息公开工作年度报告{suffix}"


def intro(plan: Plan, rng: random.Random) -> Para:
    agency, year = plan.agency.name, plan.year
    parts = [
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{plan.agency.province}有关工作要求，"
    ]
    if plan.has("compile_sentence"):
        parts.append(f"现编制并公布本单位{year}年政府信息公开工作年度报告。")
    else:
        parts.append(f"{agency}编制了本报告。")
    if plan.new:
        parts.append(
            "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
            "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六个部分组成。"
        )
    if plan.has("stat_period_sentence"):
        parts.append(f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。")
    phone = f"0570-{rng.randint(3000000, 8999999)}"
    parts.append(
        f"本报告电子版可在“{plan.agency.site}”门户网站政府信息公开专栏查阅或下载。"
        f"如对本报告有任何疑问，请与{agency}联系（电话：{phone}）。"
    )
    return Para("".join(parts))


def proactive_para(plan: Plan, rng: random.Random, number: int, state: bool) -> Para:
    prefix = "（一）主动公开方面。" if plan.new else ""
    lead = (
        f"{prefix}{plan.year}年，{plan.agency.name}坚持“公开为常态、不公开为例外”，"
        f"围绕{topic(plan.agency.name)}等重点领域，"
    )
    if not state:
        return Para(lead + "持续加大政府信息主动公开力度，及时准确发布各类信息。")
    sentence, fact = stated(rng, PROACTIVE, number, plan.year, "text.proactive.total")
    interpretations = rng.randint(2, 40)
    rest = f"，发布政策解读{interpretations}篇，主要通过政府门户网站、政务新媒体和公开栏等渠道公开。"
    return Para(lead + sentence + rest, facts=(fact,))


def no_requests(plan: Plan, rng: random.Random, prefix: str) -> Para:
    """A plain statement of none: a zero fact whose printed form is the phrase itself ("未收到…申请")."""
    if not plan.new and rng.random() < 0.4:
        return Para("\u3000\u3000无。")
    sentence = rng.choice(NO_REQUESTS).format(y=plan.year)
    phrase = sentence[sentence.index("未收到") : sentence.index("申请") + 2]
    return Para(prefix + sentence, facts=(Fact("text.requests.received", "", "0", "zero", phrase),))


def requests_para(plan: Plan, rng: random.Random, number: int, state: bool, prefix: str) -> Para:
    if number == 0 and state and rng.random() < 0.7:
        return no_requests(plan, rng, prefix)
    if not state:
        return Para(prefix + "严格按照法定时限和程序办理政府信息公开申请，规范答复文书格式。")
    sentence, fact = stated(rng, REQUESTS, number, plan.year, "text.requests.received")
    return Para(f"{prefix}{sentence}，均在法定期限内予以答复。", facts=(fact,))


def fees_para(plan: Plan, rng: random.Random, yuan: int) -> Para:
    if yuan:
        fact = text_fact("text.fees.amount", yuan)
        return Para(
            f"{plan.year}年，本机关依据《政府信息公开信息处理费管理办法》共收取信息处理费{yuan}元。",
            facts=(fact,),
        )
    sentence, phrase = rng.choice(NO_FEES)
    return Para(sentence.format(y=plan.year), facts=(Fact("text.fees.amount", "", "0", "zero", phrase),))


def management_paras(plan: Plan, rng: random.Random) -> list[Para]:
    meetings = rng.randint(1, 6)
    return [
        Para(
            "（三）政府信息管理。严格落实信息发布“三审”制度，做好公开属性认定和保密审查，"
            f"全年召开专题会议{meetings}次研究部署政务公开工作。"
        ),
        Para("（四）平台建设。持续优化政府信息公开专栏栏目设置，加强政务新媒体日常监测和内容保障。"),
        Para(
            f"（五）监督保障。将政务公开工作纳入年度考核，组织业务培训{rng.randint(1, 5)}次，"
            "不断提升工作人员业务能力。"
        ),
    ]


def problems_paras(plan: Plan) -> list[Para]:
    return [
        Para(
            f"{plan.year}年，我单位政府信息公开工作取得一定成效，但仍存在公开内容不够全面、政策解读形式较为单一、"
            "依申请公开答复规范化水平有待提高等问题。"
        ),
        Para(
            f"{plan.year + 1}年，我们将采取以下措施加以改进：一是深化重点领域信息公开；二是丰富政策解读形式；"
            "三是加强业务培训，提升依申请公开办理质量。"
        ),
    ]


def old_basic_paras(plan: Plan, rng: random.Random) -> list[Para]:
    return [
        Para("（一）组织领导、工作机构、机制和制度建设情况", "subheading"),
        Para(
            f"{plan.agency.name}成立政府信息公开工作领导小组，"
            f"明确分管领导和{rng.choice(('办公室', '综合科'))}负责政府信息公开日常工作，"
            "建立健全信息发布审核、保密审查和责任追究等制度。"
        ),
        Para("（二）公开载体建设情况", "subheading"),
        Para(
            f"通过政府门户网站、{rng.choice(('政务微信', '政务微博', '公开栏'))}和新闻媒体等多种形式，"
            f"及时发布{topic(plan.agency.name)}等方面信息。"
        ),
    ]
