"""The narrative diff: sections cut at headings, paired by heading, sentences classed exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from warehouse.documents.textdiff import align, diff_texts, sections, share

EARLIER = """江山市某局2020年政府信息公开工作年度报告
一、总体情况
（一）主动公开方面。2020年新增主动公开政府信息300条。本局坚持公开为常态。
（二）平台建设。持续优化政府信息公开专栏。
二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t/\t/\t/
四．因政府信息公开工作被申请行政复议、提起行政诉讼情况
本年度未发生行政复议。
五、存在的主要问题及改进情况
存在公开内容不够全面等问题。
七、附则
本报告以中文为准。
江山市某局
2021年1月5日"""

LATER = """一、总体情况
（一）主动公开方面。2021年新增主动公开政府信息512条。本局坚持公开为常态。
（二）平台建设。持续优化政府信息公开专栏。
（三）新举措。上线依申请公开网上办理系统。
二、主动公开政府信息情况
规章\t/\t/\t/
四、政府信息公开行政复议、行政诉讼情况
本年度未发生行政复议。
五、存在的主要问题及改进情况
存在公开内容不够全面等问题。
本报告以中文为准。"""


def test_sections_leave_out_tables_captions_and_signature() -> None:
    found = sections(EARLIER)
    assert [s.heading for s in found][:3] == ["", "一、总体情况", "二、主动公开政府信息情况"]
    assert found[0].sentences == ("江山市某局2020年政府信息公开工作年度报告",)
    assert found[2].sentences == (), "table rows and the caption are not narrative"
    assert found[-1].sentences == ("本报告以中文为准。",), "the signature and the date are not narrative"
    assert found[1].sentences[:3] == (
        "（一）主动公开方面。",
        "2020年新增主动公开政府信息300条。",
        "本局坚持公开为常态。",
    )


def test_sections_pair_by_heading_even_when_renamed() -> None:
    pairs = align(sections(EARLIER), sections(LATER))
    named = [(b.heading if b else None, a.heading if a else None) for b, a in pairs]
    assert (
        "四．因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ) in named
    assert ("七、附则", None) in named
    assert ("", None) in named
    assert named.index(("七、附则", None)) > named.index(
        ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况")
    )


def test_sentences_are_copied_changed_added_removed_or_moved() -> None:
    diffs = diff_texts(EARLIER, LATER)
    status = {s.text: s.status for d in diffs for s in d.sentences}
    assert status["本局坚持公开为常态。"] == "unchanged"
    assert status["2021年新增主动公开政府信息512条。"] == "figures_changed"
    assert status["上线依申请公开网上办理系统。"] == "added"
    assert status["江山市某局2020年政府信息公开工作年度报告"] == "removed"
    later_status = {s.text: s.status for d in diffs for s in d.sentences if s.later}
    assert later_status["本报告以中文为准。"] == "unchanged", "copied from another section is still copied"
    overview = next(d for d in diffs if d.heading_after == "一、总体情况")
    later = [s for s in overview.sentences if s.later]
    copied = sum(len(s.text) for s in later if s.status == "unchanged")
    assert overview.copied_share == share(copied, sum(len(s.text) for s in later))
    moved = next(d for d in diffs if d.heading_before == "七、附则")
    assert [s.status for s in moved.sentences] == ["moved"]


def test_share_is_rounded_half_up_and_none_without_text() -> None:
    assert share(1, 8) == Decimal("12.5")
    assert share(1, 3) == Decimal("33.3")
    assert share(2, 3) == Decimal("66.7")
    assert share(0, 0) is None


line = st.text(alphabet="公开政府信息本局坚持为常态年月日条件，", min_size=3, max_size=30).map(
    lambda s: s + "。"
)


@given(st.lists(line, min_size=1, max_size=8))
def test_a_report_compared_with_itself_is_all_copied(body: list[str]) -> None:
    text = "一、总体情况\n" + "\n".join(body)
    diffs = diff_texts(text, text)
    assert all(s.status == "unchanged" for d in diffs for s in d.sentences)
    assert all(d.copied_share in (Decimal(100), None) for d in diffs)
