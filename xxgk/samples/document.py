"""One report assembled from its plan: title, narrative sections and tables, in reading order."""

from __future__ import annotations

import random
from decimal import Decimal

from xxgk.samples import narrative as N
from xxgk.samples.figures import profile_of, scaled
from xxgk.samples.model import Block, Document, Figures, Para, Plan, Table
from xxgk.samples.values import WAN

NEW_HEADINGS = (
    ("一", ("总体情况",)),
    ("二", ("主动公开政府信息情况",)),
    ("三", ("收到和处理政府信息公开申请情况",)),
    (
        "四",
        (
            "政府信息公开行政复议、行政诉讼情况",
            "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
        ),
    ),
    ("五", ("存在的主要问题及改进情况", "存在问题及改进情况", "政府信息公开工作存在的主要问题及改进情况")),
    ("六", ("其他需要报告的事项",)),
)
OLD_HEADINGS = (
    "一、政府信息公开工作的基本情况",
    "二、政府信息主动公开、依申请公开等基本情况",
    "主动公开政府信息的情况",
    "依申请公开政府信息和不予公开政府信息的情况",
    "政府信息公开的收费及减免情况",
    "因政府信息公开申请行政复议、提起行政诉讼的情况",
    "其他需要报告的事项",
    "政府信息公开工作中存在的主要问题及改进情况",
)


def published_on(plan: Plan, rng: random.Random) -> str:
    month = 1 if plan.agency.kind not in ("gov_office", "town") or rng.random() < 0.4 else rng.randint(2, 3)
    return f"{plan.year + 1}-{month:02d}-{rng.randint(8, 28):02d}"


def signature(plan: Plan, published: str) -> Para:
    year, month, day = (int(part) for part in published.split("-"))
    return Para(f"{plan.agency.name}\n{year}年{month}月{day}日", "sign")


def new_headings(plan: Plan, rng: random.Random) -> list[str]:
    separator = rng.choice(("．", ".")) if plan.has("heading_variant") and rng.random() < 0.5 else "、"
    found = []
    for number, variants in NEW_HEADINGS:
        text = rng.choice(variants[1:]) if plan.has("heading_variant") and len(variants) > 1 else variants[0]
        found.append(f"{number}{separator}{text}")
    return found


def stated_numbers(plan: Plan, figures: Figures, rng: random.Random) -> tuple[int, int, bool, bool]:
    """(proactive, requests) as the narrative states them, and whether it states each at all."""
    if plan.new:
        proactive = scaled(rng, profile_of(plan.agency).proactive) + 5
        requests = int(figures[("req.received", "total")])
    else:
        proactive = int(figures[("old.proactive.total", "")])
        requests = int(figures[("old.requests.received", "")])
    if "T2" in plan.faults:
        proactive += rng.choice((-1, 1)) * rng.randint(2, 12)
    if "T1" in plan.faults:
        requests = requests + rng.randint(1, 5) if requests < 3 or rng.random() < 0.5 else requests - 2
    say_proactive = "T2" in plan.faults or rng.random() < 0.85
    say_requests = "T1" in plan.faults or rng.random() < 0.85
    return max(proactive, 1), requests, say_proactive, say_requests


def new_body(plan: Plan, figures: Figures, tables: tuple[Table, ...], rng: random.Random) -> list[Block]:
    headings = new_headings(plan, rng)
    proactive, requests, say_p, say_r = stated_numbers(plan, figures, rng)
    fees = rng.randint(10, 4000) if plan.template == "v2021" and rng.random() < 0.06 else 0
    t2, t3, t4 = tables
    body: list[Block] = [
        Para(headings[0], "heading"),
        N.proactive_para(plan, rng, proactive, say_p),
        N.requests_para(plan, rng, requests, say_r, "（二）依申请公开方面。"),
        *N.management_paras(plan, rng),
        Para(headings[1], "heading"),
        t2,
        Para(headings[2], "heading"),
        t3,
        Para(headings[3], "heading"),
        t4,
    ]
    problems = [Para(headings[4], "heading"), *N.problems_paras(plan)]
    other = [Para(headings[5], "heading"), N.fees_para(plan, rng, fees)]
    if "F1" in plan.faults:
        problems = []
    if "F2" in plan.faults:
        return [*body, *other, *problems]
    return [*body, *problems, *other]


def old_table_title(plan: Plan) -> list[Para]:
    place = plan.agency.place
    year = "" if plan.has("table_title_year_missing") else str(plan.year)
    return [
        Para(f"附件：{plan.agency.name}{plan.year}年度{place}政府信息公开年度统计表", "meta"),
        Para(f"{year}年度{place}政府信息公开年度统计表", "meta"),
        Para(f"（{year}年度）", "meta"),
        Para(f"填报单位（盖章）：{plan.agency.name}", "meta"),
    ]


def old_fees(figures: Figures) -> Para:
    yuan = int(figures[("old.fees", "")] * WAN)
    if not yuan:
        return Para("\u3000\u3000无。")
    return Para(
        f"本年度共收取检索、复制、邮寄等费用{yuan}元。", facts=(N.text_fact("text.fees.amount", yuan),)
    )


def old_body(plan: Plan, figures: Figures, tables: tuple[Table, ...], rng: random.Random) -> list[Block]:
    proactive, requests, say_p, say_r = stated_numbers(plan, figures, rng)
    disputes = figures[("old.reconsideration.total", "")] + figures[("old.litigation.total", "")]
    h = OLD_HEADINGS
    return [
        Para(h[0], "heading"),
        *N.old_basic_paras(plan, rng),
        Para(h[1], "heading"),
        Para(h[2], "subheading"),
        N.proactive_para(plan, rng, proactive, say_p),
        Para(h[3], "subheading"),
        N.requests_para(plan, rng, requests, say_r, ""),
        Para(h[4], "subheading"),
        old_fees(figures),
        Para(h[5], "subheading"),
        Para(
            "\u3000\u3000无。"
            if disputes == Decimal(0)
            else "本年度发生的行政复议、行政诉讼情况详见附件统计表。"
        ),
        Para(h[6], "subheading"),
        Para("\u3000\u3000无。"),
        Para(h[7], "heading"),
        *N.problems_paras(plan),
        *old_table_title(plan),
        *tables,
    ]


def late(plan: Plan) -> str:
    """A publication date after every deadline (31 March of the next year): planted fault F6."""
    return f"{plan.year + 1}-04-{10 + len(plan.agency.name) % 18:02d}"


def build_document(plan: Plan, figures: Figures, tables: tuple[Table, ...], rng: random.Random) -> Document:
    published = published_on(plan, rng)
    body = new_body(plan, figures, tables, rng) if plan.new else old_body(plan, figures, tables, rng)
    blocks: list[Block] = [Para(N.MARKER, "marker"), N.intro(plan, rng), *body]
    if "F6" in plan.faults:
        published = late(plan)
    if plan.new and "F5" not in plan.faults:
        blocks.append(signature(plan, published))
    title = None if plan.has("no_title") else N.title_of(plan)
    return Document(plan, title, tuple(blocks), published)
