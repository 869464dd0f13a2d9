"""Format and deadline checks F1–F6 (etl/compliance.py), each with documents that pass and fail."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.compliance import (
    NEW_LAYOUT,
    OLD_LAYOUT,
    compliance_checks,
    deadline,
    deadline_check,
    order_check,
    period_check,
    publication_date,
    sections_check,
    signature_check,
    tables_check,
)
from etl.pipeline import parse_bytes, with_evidence
from etl.records import CellRef, Document, Fact, Paragraph, ReportMeta, Table, TableCell
from etl.templates import TEMPLATE_SPECS

FILLER = "本机关坚持以公开为常态、不公开为例外，认真落实政府信息公开各项工作要求，取得了积极成效。" * 2
NEW_HEADINGS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
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
PERIOD = "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。"
SIGNATURE = ("某某县财政局", "2024年1月20日")


def document(*texts: str, tables: tuple[Table, ...] = ()) -> Document:
    blocks = tuple(Paragraph(i, text) for i, text in enumerate(texts))
    return Document("x.html", "html", "utf-8", "", (*blocks, *tables))


def new_report(headings: tuple[str, ...] = NEW_HEADINGS, ending: tuple[str, ...] = SIGNATURE) -> Document:
    body = [f"根据条例编制本报告。{PERIOD}"]
    for heading in headings:
        body += [heading, FILLER]
    return document(*body, *ending)


def meta(
    year: int | None = 2023, agency: str | None = "某某县财政局", published: str | None = None
) -> ReportMeta:
    return ReportMeta("", agency, "title", year, "title", published=published)


def status(check: object) -> str:
    return str(getattr(check, "status", None))


# --- F1 / F2: sections --------------------------------------------------------------------------------


def test_six_sections_in_order_pass() -> None:
    report = new_report()
    assert status(sections_check(report, NEW_LAYOUT)) == "pass"
    assert status(order_check(report, NEW_LAYOUT)) == "pass"


def test_a_missing_section_fails_and_is_named() -> None:
    check = sections_check(new_report(NEW_HEADINGS[:4] + NEW_HEADINGS[5:]), NEW_LAYOUT)
    assert check.status == "fail"
    assert check.message_zh == "缺少：五、存在的主要问题及改进情况"
    assert check.message == "missing: 五 Problems and improvements"


def test_swapped_sections_fail_the_order() -> None:
    swapped = (*NEW_HEADINGS[:4], NEW_HEADINGS[5], NEW_HEADINGS[4])
    report = new_report(swapped)
    assert sections_check(report, NEW_LAYOUT).status == "pass"
    check = order_check(report, NEW_LAYOUT)
    assert check.status == "fail"
    assert check.message_zh.endswith("六、其他需要报告的事项；五、存在的主要问题及改进情况")


def test_heading_variants_and_separators_are_sections() -> None:
    variants = (
        "一．总体情况",
        "二.主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    )
    assert sections_check(new_report(variants), NEW_LAYOUT).status == "pass"


def test_a_heading_joined_with_its_text_still_counts() -> None:
    """A PDF reader joins a heading with the lines after it into one paragraph."""
    joined = tuple(f"{heading} {FILLER}" for heading in NEW_HEADINGS)
    report = document(PERIOD, *joined, *SIGNATURE)
    assert sections_check(report, NEW_LAYOUT).status == "pass"


def test_a_sub_heading_named_like_a_section_does_not_move_it() -> None:
    """(二)依申请公开方面 inside 一、总体情况 is no heading of section 三: numbered headings win."""
    body = ["根据条例编制本报告。", "一、总体情况", "依申请公开", FILLER]
    for heading in NEW_HEADINGS[1:]:
        body += [heading, FILLER]
    assert order_check(document(*body), NEW_LAYOUT).status == "pass"


def test_flattened_text_finds_headings_inside_paragraphs() -> None:
    glued = "根据条例编制本报告。" + "".join(f"{heading}{FILLER * 4}" for heading in NEW_HEADINGS)
    report = document("某某县财政局2023年政府信息公开工作年度报告", glued)
    assert sections_check(report, NEW_LAYOUT).status == "pass"
    assert order_check(report, NEW_LAYOUT).status == "pass"


def test_a_file_of_tables_only_is_not_assessable() -> None:
    table = Table(0, (TableCell("统计指标", 0, 0),), 1, 1)
    report = document(tables=(table,))
    assert sections_check(report, NEW_LAYOUT).status == "not_assessable"
    assert order_check(report, NEW_LAYOUT).status == "not_assessable"


def test_old_reports_carry_the_six_items_in_either_closing_order() -> None:
    report = document(*(part for heading in OLD_HEADINGS for part in (heading, FILLER)))
    assert sections_check(report, OLD_LAYOUT).status == "pass"
    assert order_check(report, OLD_LAYOUT).status == "pass"  # 其他 before 问题, as the national sample
    article_order = (*OLD_HEADINGS[:6], OLD_HEADINGS[7], OLD_HEADINGS[6])
    report = document(*(part for heading in article_order for part in (heading, FILLER)))
    assert order_check(report, OLD_LAYOUT).status == "pass"  # the article's own order


def test_old_reports_fail_without_an_item_or_out_of_order() -> None:
    without_fees = [h for h in OLD_HEADINGS if "收费" not in h]
    check = sections_check(document(*(p for h in without_fees for p in (h, FILLER))), OLD_LAYOUT)
    assert check.status == "fail" and check.message_zh == "缺少：（三）政府信息公开的收费及减免情况"
    shuffled = (OLD_HEADINGS[4], OLD_HEADINGS[2], *OLD_HEADINGS[3:4], *OLD_HEADINGS[5:])
    assert order_check(document(*(p for h in shuffled for p in (h, FILLER))), OLD_LAYOUT).status == "fail"


# --- F3: tables ---------------------------------------------------------------------------------------


def facts(*codes: str) -> dict[tuple[str, str], Fact]:
    ref = CellRef(1, "", "")
    return {(c, ""): Fact(c, "", Decimal(1), "1", "number", ref) for c in codes}


def test_every_table_of_the_template_found() -> None:
    present = facts("v2021.licensing.decisions", "req.total", "review.total")
    assert status(tables_check(present, NEW_LAYOUT)) == "pass"
    check = tables_check(facts("req.total", "review.total"), NEW_LAYOUT)
    assert check is not None and check.status == "fail"
    assert check.message_zh == "未找到或无法读取：表二（主动公开政府信息情况）"
    assert tables_check(facts("old.proactive.total"), OLD_LAYOUT) is None


# --- F4: the period sentence ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (PERIOD, "pass"),
        ("本报告中所列数据的统计期限为2023年1月1日至12月31日。", "pass"),
        ("本报告所列数据统计时限自2023年1月1日起至2023年12月31日止。", "pass"),
        ("本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。", "fail"),
        ("本报告所列数据的统计期限自2023年1月1日起至2023年6月30日止。", "fail"),
        ("本报告所列数据的统计期限为本年度。", "fail"),
        ("本报告由总体情况等六个部分组成。", "fail"),
    ],
)
def test_period_statement(sentence: str, expected: str) -> None:
    check = period_check(document(sentence, FILLER * 3), NEW_LAYOUT, 2023)
    assert check is not None and check.status == expected, check


def test_period_is_not_asked_of_old_reports() -> None:
    assert period_check(document(FILLER), OLD_LAYOUT, 2016) is None


# --- F5: the signature ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        (SIGNATURE, "pass"),
        (("某某县财政局\n2024年1月20日",), "pass"),
        (("某某县人民政府办公室", "二〇二四年一月二十日"), "pass"),
        (("六、其他需要报告的事项", "本年度未收取信息处理费。"), "fail"),
        (("2024年1月20日",), "fail"),
        (("本报告于2024年1月20日经局务会审议通过，现予公布，欢迎社会各界监督。",), "fail"),
    ],
)
def test_signature(ending: tuple[str, ...], expected: str) -> None:
    check = signature_check(new_report(ending=ending), NEW_LAYOUT, "某某县财政局")
    assert check is not None and check.status == expected, check


def test_signature_at_the_end_of_flattened_text() -> None:
    glued = FILLER * 20 + "本年度未收取信息处理费。某某县财政局2024年1月20日"
    check = signature_check(document("标题", glued), NEW_LAYOUT, "某某县财政局")
    assert check is not None and check.status == "pass"


# --- F6: the deadline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agency", "year", "published", "expected"),
    [
        ("某某县财政局", 2023, "2024-01-20", "pass"),
        ("某某县财政局", 2023, "2024-02-08 16:34", "fail"),  # a department after 31 January
        ("国家税务总局某某县税务局", 2023, "2024-02-01", "fail"),
        ("某某县人民政府", 2023, "2024-03-31", "pass"),  # a government until 31 March
        ("某某县人民政府", 2023, "2024-04-01", "fail"),
        ("某某县人民政府办公室", 2023, "2024-03-10", "pass"),
        ("某某镇人民政府", 2023, "2024-03-10", "pass"),
        ("平潭综合实验区", 2021, "2022-02-08", "pass"),
        ("某某县财政局", 2017, "2018-03-20", "pass"),  # the 2008 regulation: everyone until 31 March
        ("某某县财政局", 2018, "2019-04-02", "fail"),
        ("某某县财政局", 2023, None, "not_assessable"),
        ("某某县财政局", None, "2024-01-20", "not_assessable"),
        ("某某县财政局", 2023, "2023-11-20", "not_assessable"),
    ],
)
def test_deadline(agency: str, year: int | None, published: str | None, expected: str) -> None:
    check = deadline_check(meta(year, agency, published))
    assert check.status == expected, check


def test_a_late_report_says_by_how_much_in_both_languages() -> None:
    check = deadline_check(meta(2023, "某某县财政局", "2024-02-08"))
    assert check.actual == 8
    assert check.message_zh == (
        "发布日期2024年2月8日，应于2024年1月31日前公布（条例第四十九条（部门）：1月31日前），逾期8天"
    )
    assert check.message.endswith("8 days late")


def test_the_manifest_date_is_used_when_the_page_has_none() -> None:
    undated = document(FILLER)
    assert deadline_check(meta(published=undated.meta_value("published"))).status == "not_assessable"
    dated = with_evidence(undated, {"published": "2024-03-02"})
    assert deadline_check(meta(published=dated.meta_value("published"))).status == "fail"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_publication_dates_read_back(day: date) -> None:
    assert publication_date(day.isoformat()) == day
    assert publication_date(f"{day.year}年{day.month}月{day.day}日 09:30") == day
    assert publication_date(f"{day.year}/{day.month:02d}/{day.day:02d}") == day


def test_deadlines_follow_the_regulations() -> None:
    assert deadline(2018, "department")[0] == date(2019, 3, 31)
    assert deadline(2019, "department")[0] == date(2020, 1, 31)
    assert deadline(2019, "vertical")[0] == date(2020, 1, 31)
    assert deadline(2019, "zone")[0] == date(2020, 3, 31)


# --- wiring -----------------------------------------------------------------------------------------------


def test_each_template_describes_its_layout() -> None:
    assert TEMPLATE_SPECS["v2021"].layout is NEW_LAYOUT and TEMPLATE_SPECS["v2019"].layout is NEW_LAYOUT
    assert TEMPLATE_SPECS["old"].layout is OLD_LAYOUT and TEMPLATE_SPECS["old_fujian"].layout is OLD_LAYOUT
    ids = [c.check_id for c in compliance_checks(new_report(), NEW_LAYOUT, meta(), facts("req.total"))]
    assert ids == ["F1", "F2", "F3", "F4", "F5", "F6"]
    old = [c.check_id for c in compliance_checks(new_report(), OLD_LAYOUT, meta(), {})]
    assert old == ["F1", "F2", "F6"]


def test_every_format_check_is_a_warning_in_both_languages() -> None:
    found = compliance_checks(new_report(NEW_HEADINGS[:5], ()), NEW_LAYOUT, meta(published="2024-05-01"), {})
    assert {c.severity for c in found} == {"warning"}
    assert all(c.message and c.message_zh for c in found)
    assert {c.check_id for c in found if c.status == "fail"} == {"F1", "F3", "F5", "F6"}


def test_parsed_reports_carry_the_format_checks() -> None:
    """A generated department report of 2024, published on 17 January 2025 (its page says so)."""
    path = Path(__file__).parent / "fixtures" / "reports" / "江山市农业农村局_2024.htm"
    report = parse_bytes(str(path), path.read_bytes())
    found = {c.check_id: c.status for c in report.checks if c.check_id.startswith("F")}
    assert found == {"F1": "pass", "F2": "pass", "F3": "pass", "F4": "pass", "F5": "pass", "F6": "pass"}
    late = path.read_bytes().replace(b"2025-01-17 16:18", b"2025-02-17 16:18")
    checks = parse_bytes(str(path), late).checks
    assert {c.check_id for c in checks if c.status == "fail"} == {"F6"}
