"""The parse after the reader, trimmed (docs/scale.md §2, "The parse after the reader"): each fast form
gives what the plain one gave — the plain one copied here where it is gone (main 8fceb89)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from etl import checks, compliance, metadata, narrative, scope
from etl.compliance import NUMBERED, SHORT_HEADING
from etl.extract import cell_info, row_info
from etl.extract.rows import FactCollector
from etl.normalise import fold, one_line
from etl.records import Paragraph
from etl.templates import TEMPLATE_SPECS, template_of_text
from tests.test_parse_structural import _old_detect_scope

# --- the plain forms, as they were before this pass ----------------------------------------------------


def _old_numbered_headings(index: int, text: str, anywhere: bool) -> Iterable[tuple[int, int, str]]:
    for match in NUMBERED.finditer(text):
        if match.start() > 0 and not anywhere:
            break
        yield index, match.start(), text[match.end() : match.end() + SHORT_HEADING]


def _old_n5_bad(value: Decimal, may_be_negative: bool, money: bool) -> bool:
    return (value < 0 and not may_be_negative) or (not money and value != value.to_integral_value())


def _old_template_of_text(text: str) -> str | None:
    for tier in sorted({s.detection.tier for s in TEMPLATE_SPECS.values()}):
        members = [s for s in TEMPLATE_SPECS.values() if s.detection.tier == tier]
        if any(s.detection.hits(text) for s in members):
            return max(members, key=lambda s: s.detection.score(text)).name
    return None


def _old_extract_narrative(paragraphs: Sequence[Paragraph], collector: FactCollector) -> None:
    """`extract_narrative` before the paragraphs were picked once per `needs` word."""
    found: dict[str, list[tuple[str, Paragraph, str | None]]] = {}
    texts = [(paragraph, one_line(paragraph.text)) for paragraph in paragraphs]
    for pattern in narrative.PATTERNS:
        for paragraph, text in texts:
            if pattern.needs not in text:
                continue
            for match in pattern.regex.finditer(text):
                if narrative._excluded(text, match.start()):
                    continue
                raw = match.group(0) if pattern.zero else match.group(1)
                unit = match.group(pattern.unit_group) if pattern.unit_group else None
                found.setdefault(pattern.code, []).append((raw, paragraph, unit))
    narrative.store_found(found, collector)  # the rest of the function is unchanged


# --- the comparisons -------------------------------------------------------------------------------------

HEADING_PARTS = [
    "一、",
    "二．",
    "十一.",
    "三",
    "、",
    "概述",
    "主动公开",
    "。",
    " ",
    "\n",
    "1、",
    "（一）",
    "x",
]


@given(st.lists(st.sampled_from(HEADING_PARTS), max_size=12).map("".join), st.booleans())
@settings(max_examples=500, deadline=None)
def test_a_heading_matched_at_the_start_is_the_first_match_searched(text: str, anywhere: bool) -> None:
    assert list(compliance._numbered_headings(3, text, anywhere)) == list(
        _old_numbered_headings(3, text, anywhere)
    )


@given(st.decimals(allow_nan=False, allow_infinity=False), st.booleans(), st.booleans())
@settings(max_examples=500, deadline=None)
def test_value_flags_answer_n5_as_the_plain_test(value: Decimal, may_be_negative: bool, money: bool) -> None:
    for _ in range(2):  # computed, then kept
        negative, fractional = checks.value_flags(value)
        assert ((negative and not may_be_negative) or (fractional and not money)) == _old_n5_bad(
            value, may_be_negative, money
        )


def test_value_flags_of_equal_values_are_alike() -> None:
    for a, b in [("0", "-0"), ("1", "1.0"), ("1E+1", "10"), ("-0.0", "0")]:
        assert checks.value_flags(Decimal(a)) == checks.value_flags(Decimal(b))
    assert checks.value_flags(Decimal("-1")) == (True, False)
    assert checks.value_flags(Decimal("2.50")) == (False, True)


TITLE_PARTS = [
    "2023",
    "2019",
    "年",
    "年度",
    "政府信息公开",
    "工作",
    "统计表",
    "统计",
    "表",
    "。",
    "|",
    "附",
    "本",
]


@given(st.lists(st.sampled_from(TITLE_PARTS), max_size=20).map("".join))
@settings(max_examples=500, deadline=None)
def test_table_title_searched_from_its_end_is_the_search_of_the_body(body: str) -> None:
    new, old = metadata._table_title(body), metadata._TABLE_TITLE.search(body)
    assert (new and (new.span(), new.groups())) == (old and (old.span(), old.groups()))


def test_table_title_with_the_longest_gap_before_its_end() -> None:
    body = "前言。" + "2023年度" + "x" * 20 + "政府信息公开" + "y" * 8 + "统计表"
    found = metadata._table_title(body)
    assert found is not None and found.span() == metadata._TABLE_TITLE.search(body).span()  # type: ignore[union-attr]


SCOPE_PARTS = [
    "本报告",
    "年度报告",
    "综合",
    "各部门",
    "编制而成",
    "。",
    "\n",
    "|",
    " ",
    "汇总",
    "下属",
    "报",
    "告",
]


@given(st.lists(st.lists(st.sampled_from(SCOPE_PARTS), max_size=10).map("".join), max_size=5))
@settings(max_examples=400, deadline=None)
def test_scope_of_folded_paragraphs_is_the_scope(paragraphs: list[str]) -> None:
    assert scope.scope_of_folded([fold(p) for p in paragraphs]) == _old_detect_scope(paragraphs)
    assert scope.detect_scope(paragraphs) == _old_detect_scope(paragraphs)


def test_a_folded_text_holds_no_line_break() -> None:
    assert "\n" not in fold("本报告\n由 各部门\r\n汇总\u2028编制而成")


NARRATIVE_PARTS = [
    "主动公开政府信息",
    "132条",
    "共收到",
    "70件",
    "申请",
    "未收取",
    "费用",
    "人员",
    "3名",
    "信息",
    "。",
    "\n",
    "上年",
    "，",
    "全年",
]


@given(st.lists(st.lists(st.sampled_from(NARRATIVE_PARTS), max_size=10).map("".join), max_size=6))
@settings(max_examples=400, deadline=None)
def test_narrative_read_per_needs_word_is_the_narrative(texts: list[str]) -> None:
    paragraphs = [Paragraph(i, text, page=i % 2 or None) for i, text in enumerate(texts)]
    new, old = FactCollector(), FactCollector()
    narrative.extract_narrative(paragraphs, new)
    _old_extract_narrative(paragraphs, old)
    assert repr(new) == repr(old)


def test_the_narrative_adds_only_text_facts() -> None:
    """The pipeline counts the table cells before the narrative is read (`pipeline._table_cells`)."""
    assert all(pattern.code.startswith("text.") for pattern in narrative.PATTERNS)


MARKER_PARTS = sorted(
    {m for s in TEMPLATE_SPECS.values() for m in (*s.detection.markers, *s.detection.weak_markers)}
)


@given(st.lists(st.sampled_from([*MARKER_PARTS, "|", "x"]), max_size=8).map("|".join))
@settings(max_examples=300, deadline=None)
def test_template_tiers_built_once_detect_as_before(text: str) -> None:
    assert template_of_text(text) == _old_template_of_text(text)


def test_numbered_pattern_needs_two_characters() -> None:
    """`_numbered_headings` yields one match at the start: a second starts after a first's end."""
    assert all(len(m.group(0)) >= 2 for m in re.finditer(NUMBERED, "一、二、十一．"))


CELL_TEXTS = [
    "",
    "0",
    "12",
    "-",
    "无",
    "信息内容",
    "自然人",
    "法人或其他组织",
    "商业企业",
    "本年新收政府信息公开申请数量",
    "（一）予以公开",
    "维持",
    "总计",
    "x",
]


@given(st.lists(st.sampled_from(CELL_TEXTS), max_size=10).map(tuple))
@settings(max_examples=400, deadline=None)
def test_row_info_is_what_the_row_asked_of_its_cells(texts: tuple[str, ...]) -> None:
    for _ in range(2):  # computed, then kept
        row = row_info(texts)
        infos = [cell_info(text) for text in texts]
        assert row.infos == tuple(infos)
        assert row.row2 == next((i.row2 for i in infos if i.row2 is not None), None)
        assert row.header2 == any(i.header2 for i in infos)
        assert row.numeric == any(i.numeric for i in infos)
        assert row.header3 == any(i.header3 for i in infos)
