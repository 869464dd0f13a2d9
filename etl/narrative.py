"""Figures the narrative states plainly: items proactively disclosed, requests received, fees charged,
disclosure staff.

Only explicit sentences count ("主动公开政府信息132条", "共公布政府信息2599条", "共收到70件申请",
"未收到政府信息公开申请", "未发生收费情况" as fees 0, "配备政府信息公开工作人员3名");
a figure that is a guess is never stored. Several different figures for one metric keep the first and
say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from etl.extract.rows import FactCollector
from etl.normalise import one_line
from etl.records import Paragraph, new_cell_ref
from etl.values import ParsedValue

_NUM = r"(\d[\d,，]*(?:\.\d+)?)"
_GAP = r"[^。；;，,：:\d]{0,24}?"
_OTHER_MATTERS = r"复议|诉讼|举报|投诉|信访"
_REQUEST_GAP = rf"(?:(?!{_OTHER_MATTERS})[^。；;，,：:\d]){{0,40}}?"
"""Between 收到/受理 and 申请: one clause, never about reconsideration, lawsuits or complaints."""


@dataclass(frozen=True)
class Pattern:
    code: str
    regex: re.Pattern[str]
    unit_group: int | None = None
    zero: bool = False
    needs: str = ""
    """Text every match holds: a paragraph without it is not searched (tests/test_narrative.py)."""


_SCOPE = r"(?:全年|全区|全县|全市|全镇|全局|本年度|本年|年内|今年|共计|共|累计|新增|总计|合计)"
_WHOSE = r"(?:[我本全][^。；;，,：:\d]{0,8}?)?(?:各类)?(?:政府)?"
_CHANNEL = r"(?:收到|受理|接收|接到|新收)"
_DISCLOSURE = r"(?:政府信息公开|政务公开|信息公开)"
NO_FEES = re.compile(
    r"(?:未|没有|无|不)(?:发生|曾)?(?:收取|收)[^。；;，,\d]{0,6}?(?:信息处理费|费用)"
    r"|(?:未|没有)(?:发生|产生)(?:过)?(?:任何)?(?:信息处理费)?(?:的)?收费(?:情况|行为|事项)?"
)
"""A statement that no fees were charged: "未收取任何费用", "没有收取信息处理费", "未发生收费情况"."""

PATTERNS = (
    Pattern(
        "text.proactive.total",
        re.compile(
            rf"{_SCOPE}[^。；;，,：:\d]{{0,12}}?主动公开{_WHOSE}信息(?:共计|总计|合计|共|达)?\s*{_NUM}\s*条"
        ),
        needs="主动公开",
    ),
    Pattern(
        "text.proactive.total",
        re.compile(rf"主动公开(?:政府)?信息(?:共计|总计|合计|共|达)?\s*{_NUM}\s*条"),
        needs="主动公开",
    ),
    Pattern(
        "text.proactive.total",
        re.compile(rf"(?:主动公布|公布|主动发布){_WHOSE}信息(?:共计|总计|合计|共|达)?\s*{_NUM}\s*条"),
        needs="信息",
    ),
    Pattern(
        "text.requests.received",
        re.compile(
            rf"{_CHANNEL}{_REQUEST_GAP}(?:政府信息公开|信息公开)?申请(?:共计|合计|总计|共)?\s*{_NUM}\s*件"
        ),
        needs="申请",
    ),
    Pattern("text.requests.received", re.compile(rf"{_CHANNEL}(?:各类)?{_NUM}件{_GAP}申请"), needs="申请"),
    Pattern(
        "text.requests.received",
        re.compile(
            rf"{_CHANNEL}{_REQUEST_GAP}依申请(?:公开)?(?:政府)?(?:信息)?(?:公开)?(?:申请|事项)?"
            rf"(?:共计|合计|总计|共)?\s*{_NUM}\s*件"
        ),
        needs="申请",
    ),
    Pattern(
        "text.requests.received",
        re.compile(r"(?:未|没有)(?:收到|受理|接到)[^。；;，,\d复诉]{0,14}?申请"),
        zero=True,
        needs="申请",
    ),
    Pattern(
        "text.fees.amount",
        re.compile(rf"收取{_GAP}(?:信息处理费|费用){_GAP}\s*{_NUM}\s*(万元|元)"),
        unit_group=2,
        needs="收取",
    ),
    Pattern("text.fees.amount", NO_FEES, zero=True, needs="收"),
    Pattern(
        "text.staff.total",
        re.compile(
            rf"(?:配备|配有|共有|现有|安排|明确)(?:了)?(?:专门)?(?:从事)?{_DISCLOSURE}(?:工作)?(?:的)?(?:工作)?人员"
            rf"(?:共计|共)?\s*{_NUM}\s*(?:名|人)"
        ),
        needs="人员",
    ),
    Pattern(
        "text.staff.total",
        re.compile(rf"从事{_DISCLOSURE}工作(?:的)?(?:工作)?人员(?:共计|共)?\s*{_NUM}\s*(?:名|人)"),
        needs="人员",
    ),
)
_EXCLUDE_BEFORE = ("结转", "上年", "其他应", "其中", "类")


def _excluded(text: str, start: int) -> bool:
    window = text[max(0, start - 4) : start]
    return any(word in window for word in _EXCLUDE_BEFORE)


def extract_narrative(paragraphs: Sequence[Paragraph], collector: FactCollector) -> None:
    found: dict[str, list[tuple[str, Paragraph, str | None]]] = {}
    texts = [(paragraph, one_line(paragraph.text)) for paragraph in paragraphs]
    holding: dict[str, list[tuple[Paragraph, str]]] = {}  # the paragraphs a pattern searches, per `needs`
    for pattern in PATTERNS:
        searched = holding.get(pattern.needs)
        if searched is None:
            searched = holding[pattern.needs] = [(p, text) for p, text in texts if pattern.needs in text]
        for paragraph, text in searched:
            for match in pattern.regex.finditer(text):
                if _excluded(text, match.start()):
                    continue
                raw = match.group(0) if pattern.zero else match.group(1)
                unit = match.group(pattern.unit_group) if pattern.unit_group else None
                found.setdefault(pattern.code, []).append((raw, paragraph, unit))
    store_found(found, collector)


def store_found(found: dict[str, list[tuple[str, Paragraph, str | None]]], collector: FactCollector) -> None:
    """Store each code's first reading as its fact, and warn when the narrative states other figures too."""
    for code, readings in found.items():
        raw, paragraph, unit = readings[0]
        ref = new_cell_ref(None, "正文", "", paragraph.page, f"paragraph {paragraph.index + 1}")
        reading = ParsedValue(Decimal(0), "zero") if not any(ch.isdigit() for ch in raw) else None
        collector.add(code, "", raw.replace("，", ","), ref, printed_unit=unit, reading=reading)
        others = sorted({r for r, _, _ in readings[1:] if r != raw})
        if others:
            collector.warn(
                "narrative_figures",
                f"{code}: narrative also states {', '.join(others)}; kept {raw}",
                ref.locator,
            )


def no_fees_statement(paragraphs: Sequence[str]) -> str | None:
    """The sentence saying no fees were charged ("本机关未收取信息处理费"), if the narrative has one."""
    for paragraph in paragraphs:
        if "收" not in paragraph:  # in every match; `one_line` only removes characters
            continue
        match = NO_FEES.search(one_line(paragraph))
        if match:
            return match.group(0)
    return None
