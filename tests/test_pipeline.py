"""Whole-file parsing: templates detected by labels, non-reports rejected, truncation refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from etl.errors import IncompleteReport, NotAReport, UnreadableDocument
from etl.pipeline import parse_bytes, parse_file
from tests.conftest import FIXTURES, real_report

KECHENG = FIXTURES / "reports" / "柯城区卫生健康局_2022_gbk.html"


def test_letter_in_the_report_column_is_rejected() -> None:
    page = """<html><head><title>关于2014年政府信息公开工作要点落实情况的函_政府信息公开年报</title></head>
    <body><div id="zoom"><p>区政府办公室：</p><p>根据要求，现将我局2014年政府信息公开工作要点落实情况报告如下。
    一是加强组织领导。二是完善制度。三是强化监督。特此函告。</p></div></body></html>"""
    with pytest.raises(NotAReport, match="not an annual report"):
        parse_bytes("letter.html", page.encode())


def test_report_without_any_table_is_an_error_not_a_rejection() -> None:
    text = "某某局2020年政府信息公开工作年度报告\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    with pytest.raises(IncompleteReport, match="without a statistics table"):
        parse_bytes("x.txt", text.encode())


def test_report_cut_off_in_table_three_is_refused() -> None:
    data = KECHENG.read_bytes()
    cut = data[: data.index("（五）不予处理".encode("gb18030"))]
    with pytest.raises(IncompleteReport, match=r"cut off|truncated"):
        parse_bytes("cut.html", cut)


def test_binary_garbage_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument):
        parse_bytes("x.html", bytes(range(256)) * 20)


def test_template_comes_from_labels_not_year() -> None:
    report = parse_file(real_report("龙游县招商投资促进中心_2021.txt"))
    assert (report.template, report.meta.year) == ("old", 2021)


def test_real_old_report_shows_its_narrative_mismatch() -> None:
    report = parse_file(real_report("龙游县招商投资促进中心_2021.txt"))
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    assert facts[("text.proactive.total", "")].value == 132
    assert facts[("old.proactive.total", "")].value == 122
    t2 = [c for c in report.checks if c.check_id == "T2"]
    assert [(c.status, c.expected, c.actual) for c in t2] == [("fail", 122, 132)]
    blanks = [f for f in report.facts if f.semantic == "blank"]
    assert len(blanks) == 28
    assert facts[("old.org.budget", "")].value == 10000


def test_real_v2021_page_reads_misaligned_header_and_money() -> None:
    report = parse_file(real_report("平潭综合实验区_2021.html"))
    facts = {(f.metric_code, f.breakdown): f.value for f in report.facts}
    assert facts[("req.received", "natural_person")] == 64
    assert facts[("req.received", "other_org")] == 4
    assert facts[("req.received", "total")] == 70
    assert facts[("v2021.admin_fees.amount", "")] == Decimal("242523110.82")
    assert facts[("suit_direct.total", "")] == 12
    assert all(c.status == "pass" for c in report.checks if not c.check_id.startswith("F"))
    # the page ends with section 六's sentence: no unit and date at the end (its page header has them)
    assert {c.check_id for c in report.checks if c.status != "pass"} == {"F5"}


def test_eight_column_variant_reads_the_legal_subtotal() -> None:
    report = parse_file(KECHENG)
    facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    assert facts[("req.received", "legal_subtotal")].value == 5
    assert facts[("req.received", "natural_person")].value_raw == "２０"
    assert facts[("req.denied.state_secret", "total")].semantic == "blank"
    assert report.expected_cells == report.found_cells == 10 + 25 * 8 + 15


def test_parse_file_accepts_paths(tmp_path: Path) -> None:
    copy = tmp_path / "报告.html"
    copy.write_bytes(KECHENG.read_bytes())
    assert parse_file(copy).meta.agency == "柯城区卫生健康局"


def test_glued_digits_are_read_only_where_the_identities_leave_one_reading() -> None:
    glued = parse_file(real_report("平潭综合实验区_2021_flattened.txt"))
    html = parse_file(real_report("平潭综合实验区_2021.html"))
    from_html = {(f.metric_code, f.breakdown): f.value for f in html.facts}
    from_glued = {(f.metric_code, f.breakdown): f for f in glued.facts}
    assert len(from_glued) == len(from_html) - 3
    for key, fact in from_glued.items():
        assert fact.value == from_html[key], key
    ambiguous = {
        "v2021.normative_docs.issued",
        "v2021.normative_docs.repealed",
        "v2021.normative_docs.in_force",
    }
    assert not ambiguous & {code for code, _ in from_glued}
    assert {f.confidence for k, f in from_glued.items() if not k[0].startswith("text.")} == {"inferred"}
    assert any(w.code == "glued_digits" and "10 ways" in w.message for w in glued.warnings)


def _old_table_page(rows: list[tuple[str, str, str]], numbered: bool) -> bytes:
    cells = "".join(
        f"<tr>{f'<td>{i}</td>' if numbered else ''}<td>{label}</td><td>{unit}</td><td>{value}</td></tr>"
        for i, (label, unit, value) in enumerate(rows, start=1)
    )
    head = "<tr><td>序号</td><td>统计指标</td><td>单位</td><td>统计数</td></tr>" if numbered else ""
    page = f"""<html><head><title>某某县统计局2016年政府信息公开工作年度报告</title></head><body><div id="zoom">
    <p>本报告所列数据的统计期限自2016年1月1日起至2016年12月31日止。</p><table>{head}{cells}</table>
    <p>五、政府信息公开工作存在的主要问题及改进情况</p></div></body></html>"""
    return page.encode()


OLD_ROWS = [
    ("一、主动公开情况", "—", ""),
    ("（一）主动公开政府信息数", "条", "40"),
    ("其中：主动公开规范性文件数", "条", "2"),
    ("制发规范性文件总数", "件", "2"),
    ("三、依申请公开情况", "—", ""),
    ("（一）收到申请数", "件", "3"),
    ("1．当面申请数", "件", "1"),
    ("2．传真申请数", "件", "0"),
    ("3．网络申请数", "件", "2"),
    ("4．信函申请数", "件", "0"),
    ("四、行政复议数量", "件", "1"),
    ("（二）被依法纠错数", "件", "1"),
    ("五、行政诉讼数量", "件", "0"),
    ("（二）被依法纠错数", "件", "0"),
    ("七、依申请公开信息收取的费用", "万元", "0.05"),
]


@pytest.mark.parametrize("numbered", [False, True])
def test_old_table_rows_by_label_in_their_section(numbered: bool) -> None:
    report = parse_bytes("old.html", _old_table_page(OLD_ROWS, numbered))
    facts = {f.metric_code: f.value for f in report.facts}
    assert report.template == "old"
    assert facts["old.reconsideration.corrected"] == 1
    assert facts["old.litigation.corrected"] == 0
    assert facts["old.fees"] == 500
    assert facts["old.requests.received.online"] == 2
    assert "old.section.proactive" not in facts
    assert any(w.code == "missing_cells" for w in report.warnings)


def test_old_table_cut_off_at_the_end_of_the_file_is_refused() -> None:
    page = _old_table_page(OLD_ROWS, False).decode()
    cut = page[: page.index("四、行政复议数量")]
    with pytest.raises(IncompleteReport, match="incomplete"):
        parse_bytes("old.html", cut.encode())


def test_narrative_words_do_not_decide_the_template() -> None:
    from etl.templates import template_of_text

    narrative = "主动公开政府集中采购项目类信息55条,行政事业性收费信息3条"
    fujian = "指标名称计量单位2018年度历年累计主动公开文件数条2069其中:1.政府网站公开数条2069受理依申请公开信息总数条0对申请的答复总数条0"
    assert template_of_text(narrative + fujian) == "old_fujian"
    assert template_of_text(narrative + "本年新收政府信息公开申请数量") == "v2019"
    assert template_of_text("本年新收政府信息公开申请数量|申请人无正当理由逾期不补正") == "v2021"
