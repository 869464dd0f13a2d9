"""Format and deadline checks F1–F6 (docs/checks.md): what the report contains besides its figures.

Each template's `ReportLayout` (read through `etl/templates.py`) says which sections it must have, which
statistics tables, and whether the 统计期限 sentence and the signature (unit and date at the end) are
required. The checks read the parsed `Document`'s paragraphs — headings and their order — never the web
page around it, and the publication date the page or a collection's manifest gives (`ReportMeta`).

Sections. A heading is a paragraph that starts with a top-level number (一、 二． 三.) followed by the
section's words, or a short paragraph (≤ 40 characters) that is only those words; in a document whose
text was flattened into a few long paragraphs, a numbered heading is also found inside a paragraph. Each
section is known by the words that name it (总体情况; 主动公开; 收到和处理 / 依申请; 复议 / 诉讼; 问题;
其他需要报告); a heading names the section whose words come first in it. Old reports (2008 条例 Art. 32)
print the six items as headings or sub-headings, numbered or not.

Deadline (F6). 2008 条例 Art. 31: every agency by 31 March of the following year — reports for 2008–2018.
2019 条例 Art. 49 (in force 15 May 2019): departments at county level and above by 31 January,
governments by 31 March — reports for 2019 on. A report is called late only when it is late under every
reading that fits its unit: governments, their offices, townships and development zones (which the
article does not name) get 31 March, departments and vertically managed units 31 January. Without a
publication date, or without the report year, the check is `not_assessable`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from etl.agencies import classify
from etl.normalise import fold, remember
from etl.places import UNRESOLVED
from etl.records import CheckResult, CheckStatus, Document, Fact, ReportMeta, new_check_result

NUMERALS = "一二三四五六七八九十"
NUMBERED = re.compile(rf"([{NUMERALS}]{{1,2}})[、.．]")
SHORT_HEADING = 40
GLUED_PARAGRAPHS = 6
GLUED_LENGTH = 1000
"""A document of fewer paragraphs than this, one of them longer than GLUED_LENGTH, had its text
flattened: its headings are inside paragraphs."""
SENTENCE_END = re.compile(r"[。！？；]")
FIRST_NEW_RULE_YEAR = 2019
FORMAT_CHECK_IDS = ("F1", "F2", "F3", "F4", "F5", "F6")
MARCH_KINDS = ("government", "government_office", "township", "zone")


@dataclass(frozen=True)
class Section:
    number: str
    name_zh: str
    name_en: str
    words: re.Pattern[str]
    rank: int
    """Its place in the order (F2); sections of one rank may come in either order."""


@dataclass(frozen=True)
class StatTable:
    name_zh: str
    name_en: str
    prefixes: tuple[str, ...]
    """Metric code prefixes of the table's cells: the table is present when one of them was read."""


@dataclass(frozen=True)
class ReportLayout:
    """What a report of a template must contain besides its figures."""

    sections: tuple[Section, ...]
    numbered: bool
    """Headings carry the statutory numbers (new format); old reports print the items in any form."""
    tables: tuple[StatTable, ...]
    period_statement: bool
    signature: bool


NEW_SECTIONS = (
    Section("一", "总体情况", "General situation", re.compile(r"总体情况|概述"), 1),
    Section("二", "主动公开政府信息情况", "Proactive disclosure", re.compile(r"主动公开"), 2),
    Section(
        "三",
        "收到和处理政府信息公开申请情况",
        "Requests received and handled",
        re.compile(r"收到和处理|依申请"),
        3,
    ),
    Section(
        "四",
        "政府信息公开行政复议、行政诉讼情况",
        "Reconsideration and litigation",
        re.compile(r"复议|诉讼"),
        4,
    ),
    Section("五", "存在的主要问题及改进情况", "Problems and improvements", re.compile(r"问题"), 5),
    Section("六", "其他需要报告的事项", "Other matters to report", re.compile(r"其他需要报告|其他事项"), 6),
)
OLD_SECTIONS = (
    Section("（一）", "主动公开政府信息的情况", "Proactive disclosure", re.compile(r"主动公开"), 1),
    Section(
        "（二）",
        "依申请公开政府信息和不予公开政府信息的情况",
        "Requests and refusals",
        re.compile(r"依申请|申请公开"),
        2,
    ),
    Section("（三）", "政府信息公开的收费及减免情况", "Fees and waivers", re.compile(r"收费"), 3),
    Section(
        "（四）",
        "因政府信息公开申请行政复议、提起行政诉讼的情况",
        "Reconsideration and litigation",
        re.compile(r"复议|诉讼"),
        4,
    ),
    Section(
        "（五）",
        "政府信息公开工作存在的主要问题及改进情况",
        "Problems and improvements",
        re.compile(r"问题|改进"),
        5,
    ),
    Section(
        "（六）", "其他需要报告的事项", "Other matters to report", re.compile(r"其他需要报告|其他事项"), 5
    ),
)
"""The six items of the 2008 条例 Art. 32. The article lists contents, not an order: reports follow its
order or the national sample's (domain notes §2: 其他需要报告的事项 before the problems), so the last two
share a rank."""

NEW_TABLES = (
    StatTable("表二（主动公开政府信息情况）", "table 二 (proactive disclosure)", ("v2019.", "v2021.")),
    StatTable("表三（收到和处理政府信息公开申请情况）", "table 三 (requests)", ("req.",)),
    StatTable(
        "表四（行政复议、行政诉讼情况）", "table 四 (reconsideration and litigation)", ("review.", "suit_")
    ),
)
NEW_LAYOUT = ReportLayout(
    NEW_SECTIONS, numbered=True, tables=NEW_TABLES, period_statement=True, signature=True
)
OLD_LAYOUT = ReportLayout(OLD_SECTIONS, numbered=False, tables=(), period_statement=False, signature=False)
"""The old formats had one statistics table (without it the report does not load), no required period
sentence and the unit in the table's 填报单位 line."""

PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)")
PERIOD_RANGE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日[^0-9]{0,6}?(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
PERIOD_WINDOW = 60
DIGIT_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HANZI_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
ISO_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
UNIT_END = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|委员会|管委会|局|委|办|院|厅|中心|室|所|队|处|会|馆|站|社|部|街道|镇|乡|区|县|市)$"
)
SIGNATURE_LINES = 6
DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


# --- sections (F1, F2) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    section: int
    position: tuple[int, int]
    text: str


_NAMED: dict[int, tuple[Sequence[Section], dict[str, int | None]]] = {}
"""`_named` per sections (by identity, the sequence kept alongside) and heading text: the same headings
recur in report after report, and each asks every section's pattern."""


def _named(text: str, sections: Sequence[Section]) -> int | None:
    """The section whose words come first in a heading's text."""
    head = text[:SHORT_HEADING]
    kept = _NAMED.get(id(sections))
    if kept is None or kept[0] is not sections:
        kept = _NAMED[id(sections)] = (sections, {})
    known = kept[1]
    try:
        return known[head]
    except KeyError:
        pass
    hits = [(m.start(), i) for i, s in enumerate(sections) if (m := s.words.search(head))]
    return remember(known, head, min(hits)[1] if hits else None)


def _numbered_headings(index: int, text: str, anywhere: bool) -> Iterable[tuple[int, int, str]]:
    """(paragraph, offset, heading words) of each top-level numbered heading: at the start of the
    paragraph, or anywhere in a flattened one."""
    if not anywhere:  # only a match at the start: not a search through the paragraph
        first = NUMBERED.match(text)
        if first is not None:
            yield index, 0, text[first.end() : first.end() + SHORT_HEADING]
        return
    for match in NUMBERED.finditer(text):
        yield index, match.start(), text[match.end() : match.end() + SHORT_HEADING]


def _is_glued(texts: Sequence[str]) -> bool:
    return len(texts) < GLUED_PARAGRAPHS and any(len(t) > GLUED_LENGTH for t in texts)


def find_sections(document: Document, layout: ReportLayout) -> dict[int, Found]:
    """The first heading of each section (index into layout.sections), numbered headings first."""
    texts = [fold(p.text) for p in document.paragraphs]
    glued = _is_glued(texts)
    found: dict[int, Found] = {}
    for index, text in enumerate(texts):
        for paragraph, offset, words in _numbered_headings(index, text, glued):
            section = _named(words, layout.sections)
            if section is not None and section not in found:
                found[section] = Found(section, (paragraph, offset), words)
    plain: dict[int, Found] = {}
    for index, text in enumerate(texts):
        bare = NUMBERED.sub("", text, count=1) if NUMBERED.match(text) else text
        if len(bare) > SHORT_HEADING or SENTENCE_END.search(bare[:-1]):
            continue
        section = _named(bare, layout.sections)
        if section is not None and section not in plain:
            plain[section] = Found(section, (index, 0), bare)
    if not layout.numbered:
        return {s: _earliest(found.get(s), plain.get(s)) for s in {*found, *plain}}
    return {**plain, **found}


def _earliest(a: Found | None, b: Found | None) -> Found:
    candidates = [f for f in (a, b) if f is not None]
    return min(candidates, key=lambda f: f.position)


def _has_narrative(document: Document) -> bool:
    return sum(len(p.text.strip()) for p in document.paragraphs) >= 200


def _section_name(section: Section, lang: str) -> str:
    if lang == "en":
        return f"{section.number} {section.name_en}"
    return f"{section.number}{'' if section.number.startswith('（') else '、'}{section.name_zh}"


def sections_check(
    document: Document, layout: ReportLayout, known: Mapping[int, Found] | None = None
) -> CheckResult:
    """F1: every statutory section present (`known`: what `find_sections` found, when known)."""
    if not _has_narrative(document):
        return _not_assessable(
            "F1", "the file holds no report text (only tables)", "文件中没有报告正文（只有表格）"
        )
    found = find_sections(document, layout) if known is None else known
    missing = [s for i, s in enumerate(layout.sections) if i not in found]
    count = len(layout.sections)
    if not missing:
        return _result("F1", "pass", f"all {count} sections present", f"{count}个部分齐全")
    en = "; ".join(_section_name(s, "en") for s in missing)
    zh = "；".join(_section_name(s, "zh") for s in missing)
    return _result("F1", "fail", f"missing: {en}", f"缺少：{zh}", expected=count, actual=count - len(missing))


def order_check(
    document: Document, layout: ReportLayout, known: Mapping[int, Found] | None = None
) -> CheckResult:
    """F2: the sections found follow the statutory order (`known`: as in `sections_check`)."""
    if not _has_narrative(document):
        return _not_assessable(
            "F2", "the file holds no report text (only tables)", "文件中没有报告正文（只有表格）"
        )
    found = sorted(
        (find_sections(document, layout) if known is None else known).values(), key=lambda f: f.position
    )
    if len(found) < 2:
        return _not_assessable("F2", "fewer than two sections found", "找到的部分少于两个，无法判断顺序")
    ranks = [layout.sections[f.section].rank for f in found]
    numbers = [layout.sections[f.section].number for f in found]
    if ranks == sorted(ranks):
        return _result("F2", "pass", "in order: " + " ".join(numbers), "顺序为" + "、".join(numbers))
    sections = [layout.sections[f.section] for f in found]
    en = "; ".join(_section_name(s, "en") for s in sections)
    zh = "；".join(_section_name(s, "zh") for s in sections)
    return _result("F2", "fail", f"printed in the order: {en}", f"实际顺序为：{zh}")


# --- tables (F3) -----------------------------------------------------------------------------------


def tables_check(
    facts: Mapping[tuple[str, str], Fact], layout: ReportLayout, present: Collection[str] | None = None
) -> CheckResult | None:
    """F3: every statistics table of the template was found and read (None: a one-table template).
    `present`: the facts' codes, when the caller has them."""
    if not layout.tables:
        return None
    codes = {code for code, _ in facts} if present is None else present
    missing = [t for t in layout.tables if not any(code.startswith(t.prefixes) for code in codes)]
    if not missing:
        return _result(
            "F3", "pass", f"all {len(layout.tables)} tables found", f"{len(layout.tables)}张统计表齐全"
        )
    en = ", ".join(t.name_en for t in missing)
    zh = "、".join(t.name_zh for t in missing)
    return _result("F3", "fail", f"not found or not readable: {en}", f"未找到或无法读取：{zh}")


# --- period statement (F4) -------------------------------------------------------------------------


def period_check(document: Document, layout: ReportLayout, year: int | None) -> CheckResult | None:
    """F4: the 统计期限 sentence, covering 1 January to 31 December of the report year."""
    if not layout.period_statement:
        return None
    if not _has_narrative(document):
        return _not_assessable(
            "F4", "the file holds no report text (only tables)", "文件中没有报告正文（只有表格）"
        )
    for paragraph in document.paragraphs:
        text = fold(paragraph.text)
        match = PERIOD.search(text)
        if match is None:
            continue
        window = text[match.end() : match.end() + PERIOD_WINDOW]
        span = PERIOD_RANGE.search(window)
        if span is None:
            return _result(
                "F4",
                "fail",
                "the period is named but its dates cannot be read",
                "提到统计期限，但未写明起止日期",
            )
        return _period_result(span, year)
    return _result("F4", "fail", "the reporting period is not stated", "未写明统计期限")


def _period_result(span: re.Match[str], year: int | None) -> CheckResult:
    start_year, start_month, start_day, end_year, end_month, end_day = span.groups()
    end_year = end_year or start_year
    printed = span.group(0)
    whole_year = (start_month, start_day, end_month, end_day) == (
        "1",
        "1",
        "12",
        "31",
    ) and start_year == end_year
    if whole_year and (year is None or int(start_year) == year):
        return _result("F4", "pass", f"stated: “{printed}”", f"写明“{printed}”")
    reason_en = "is not one calendar year" if not whole_year else f"is not the report year {year}"
    reason_zh = "不是一个完整年度" if not whole_year else f"与报告年度{year}年不符"
    return _result(
        "F4", "fail", f"the stated period “{printed}” {reason_en}", f"统计期限写为“{printed}”，{reason_zh}"
    )


# --- signature (F5) --------------------------------------------------------------------------------


def _tail_lines(document: Document) -> list[str]:
    tail: list[str] = []  # the last SIGNATURE_LINES non-empty folded lines, read from the end
    for paragraph in reversed(document.paragraphs):
        for line in reversed(paragraph.text.split("\n")):
            folded = fold(line)
            if folded:
                tail.append(folded)
                if len(tail) == SIGNATURE_LINES:
                    break
        if len(tail) == SIGNATURE_LINES:
            break
    tail.reverse()
    if tail and len(tail[-1]) > SHORT_HEADING:
        last = tail[-1]
        ends = [m.end() for m in SENTENCE_END.finditer(last[:-1])]
        tail[-1] = last[ends[-1] :] if ends else last[-SHORT_HEADING:]
    return tail


def _date_in(line: str) -> re.Match[str] | None:
    if len(line) > SHORT_HEADING + 20:
        return None
    return DIGIT_DATE.search(line) or HANZI_DATE.search(line)


def _is_unit(text: str, agency: str | None) -> bool:
    if not 2 <= len(text) <= SHORT_HEADING or SENTENCE_END.search(text):
        return False
    return bool(UNIT_END.search(text)) or (agency is not None and fold(agency) in text)


def signature_check(document: Document, layout: ReportLayout, agency: str | None) -> CheckResult | None:
    """F5: the unit's name and the date in the last lines of the report."""
    if not layout.signature:
        return None
    if not _has_narrative(document):
        return _not_assessable(
            "F5", "the file holds no report text (only tables)", "文件中没有报告正文（只有表格）"
        )
    tail = _tail_lines(document)
    dated = [(i, m) for i, line in enumerate(tail) if (m := _date_in(line))]
    if not dated:
        unit = any(_is_unit(line, agency) for line in tail)
        return _result(
            "F5",
            "fail",
            "no date at the end" + ("" if unit else ", and no unit's name"),
            "文末没有日期" + ("" if unit else "，也没有落款单位"),
        )
    index, match = dated[-1]
    before = tail[index][: match.start()]
    unit = _is_unit(before, agency) or any(_is_unit(line, agency) for line in tail[:index])
    if unit:
        return _result("F5", "pass", f"signed and dated “{match.group(0)}”", f"落款日期{match.group(0)}")
    return _result(
        "F5",
        "fail",
        f"dated “{match.group(0)}” but no unit's name",
        f"有日期{match.group(0)}，但没有落款单位",
    )


# --- deadline (F6) ---------------------------------------------------------------------------------


def publication_date(published: str | None) -> date | None:
    if not published:
        return None
    match = ISO_DATE.search(published)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def deadline(year: int, kind: str) -> tuple[date, str, str]:
    """The last day a report for `year` may be published, with the rule in both languages."""
    if year < FIRST_NEW_RULE_YEAR:
        return date(year + 1, 3, 31), "2008 regulation Art. 31: 31 March", "原条例第三十一条：3月31日前"
    if kind in MARCH_KINDS:
        return (
            date(year + 1, 3, 31),
            "regulation Art. 49, governments: 31 March",
            "条例第四十九条（政府）：3月31日前",
        )
    return (
        date(year + 1, 1, 31),
        "regulation Art. 49, departments: 31 January",
        "条例第四十九条（部门）：1月31日前",
    )


def deadline_check(meta: ReportMeta) -> CheckResult:
    """F6: published by the legal deadline, when the publication date is known."""
    published = publication_date(meta.published)
    if meta.year is None:
        return _not_assessable("F6", "the report year is not known", "报告年度不明")
    if published is None:
        return _not_assessable("F6", "the publication date is not known", "发布日期不明")
    if published <= date(meta.year, 12, 31):
        return _not_assessable(
            "F6",
            f"published {published.isoformat()}, before the report year ended",
            f"发布日期{_zh_date(published)}早于报告年度结束，无法判断",
        )
    kind = classify(meta.agency, UNRESOLVED).kind if meta.agency else "government"
    due, rule_en, rule_zh = deadline(meta.year, kind)
    late = (published - due).days
    status: CheckStatus = "fail" if late > 0 else "pass"
    en = f"published {published.isoformat()}, due {due.isoformat()} ({rule_en})"
    zh = f"发布日期{_zh_date(published)}，应于{_zh_date(due)}前公布（{rule_zh}）"
    if late > 0:
        en, zh = f"{en}: {late} days late", f"{zh}，逾期{late}天"
    return _result("F6", status, en, zh, expected=0, actual=max(late, 0))


def _zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- all of them -----------------------------------------------------------------------------------


def compliance_checks(
    document: Document,
    layout: ReportLayout,
    meta: ReportMeta,
    facts: Mapping[tuple[str, str], Fact],
    present: Collection[str] | None = None,
) -> tuple[CheckResult, ...]:
    """F1–F5 and the deadline; `present`: the facts' codes, when the caller has them."""
    sections = find_sections(document, layout) if _has_narrative(document) else {}  # read once for F1, F2
    found = (
        sections_check(document, layout, sections),
        order_check(document, layout, sections),
        tables_check(facts, layout, present),
        period_check(document, layout, meta.year),
        signature_check(document, layout, meta.agency),
        deadline_check(meta),
    )
    return tuple(check for check in found if check is not None)


def _result(
    check_id: str,
    status: CheckStatus,
    en: str,
    zh: str,
    *,
    expected: int | None = None,
    actual: int | None = None,
) -> CheckResult:
    return new_check_result(
        check_id,
        "warning",
        status,
        "",
        None if expected is None else Decimal(expected),
        None if actual is None else Decimal(actual),
        en,
        zh,
    )


def _not_assessable(check_id: str, en: str, zh: str) -> CheckResult:
    return _result(check_id, "not_assessable", f"not assessable: {en}", f"无法判断：{zh}")
