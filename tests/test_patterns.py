"""Documents of our own that reproduce patterns of real published reports (tools/make_pattern_fixtures.py):
whose report it is, misprinted row labels, rows a table does not have, narrative wordings, page headers."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from etl.agencies import agency_id
from etl.pipeline import parse_document, parse_file
from etl.records import Document, ParsedReport, Table, TableCell
from tests.conftest import FIXTURES, GOLDEN
from tests.golden_io import read_golden, report_to_golden, write_golden
from warehouse.db import connect
from warehouse.publish import current_version
from xxgk.ingest import ingest

PATTERNS = FIXTURES / "patterns"
DOCUMENTS = sorted(p.name for p in PATTERNS.iterdir())
COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")


def _parse(name: str) -> ParsedReport:
    return parse_file(PATTERNS / name)


def _value(report: ParsedReport, code: str, breakdown: str = "") -> Decimal | None:
    return next(f.value for f in report.facts if (f.metric_code, f.breakdown) == (code, breakdown))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_pattern_document_matches_golden(name: str, update_golden: bool) -> None:
    golden = GOLDEN / f"pattern_{Path(name).stem}_{Path(name).suffix[1:]}.json"
    actual = report_to_golden(_parse(name))
    if update_golden or not golden.exists():
        write_golden(golden, actual)
        if not update_golden:
            pytest.fail(f"{golden.name} did not exist; written for review")
    assert actual == read_golden(golden)


@pytest.mark.parametrize("name", ["淮安市人民政府_2024.html", "淮安市人民政府_2024.pdf"])
def test_split_title_names_the_agency_not_the_compiling_office(name: str) -> None:
    report = _parse(name)
    assert (report.meta.agency, report.meta.agency_source, report.meta.year) == (
        "淮安市人民政府",
        "title",
        2024,
    )
    assert report.meta.title == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert "本报告由淮安市人民政府办公室" in report.text


def test_both_years_of_one_government_share_an_agency_id() -> None:
    ids = {
        agency_id(_parse(name).meta.agency)
        for name in ("淮安市人民政府_2023.html", "淮安市人民政府_2024.pdf")
    }
    assert ids == {"淮安市人民政府"}


@pytest.mark.parametrize("name", ["沭阳县教育局_2024.html", "沭阳县教育局_2024.txt"])
def test_county_department_report_stays_the_department(name: str) -> None:
    report = _parse(name)
    assert (report.meta.agency, report.meta.agency_source) == ("沭阳县教育局", "title")
    assert report.meta.county == "沭阳县"


@pytest.mark.parametrize(
    ("name", "code", "printed"),
    [
        ("淮安市人民政府_2024.html", "req.denied.law_forbidden", "2.其他法律行政止公开"),
        ("淮安市人民政府_2024.pdf", "req.denied.law_forbidden", "2.其他法律行政止公开"),
        ("沭阳县教育局_2024.html", "req.denied.third_party", "4.保护第三三方合法权益"),
        ("沭阳县教育局_2024.txt", "req.denied.third_party", "4.保护第三三方合法权益"),
    ],
)
def test_misprinted_row_label_keeps_its_cells_marked_fuzzy(name: str, code: str, printed: str) -> None:
    report = _parse(name)
    row = [f for f in report.facts if f.metric_code == code]
    assert sorted(f.breakdown for f in row) == sorted(COLUMNS)
    assert {f.confidence for f in row} == {"fuzzy_label"}
    assert {f.confidence for f in report.facts if f.metric_code != code} == {"exact"}
    warning = next(w for w in report.warnings if w.code == "fuzzy_label")
    assert printed in warning.message
    assert report.found_cells == report.expected_cells == 200
    assert {c.status for c in report.checks if c.check_id in ("N1", "N2", "N3")} == {"pass"}


@pytest.mark.parametrize("name", ["宿迁市水利局_2022.html", "宿迁市水利局_2022.pdf"])
def test_single_row_other_and_omitted_rows_are_judged_by_the_printed_layout(name: str) -> None:
    report = _parse(name)
    codes = {f.metric_code for f in report.facts}
    assert "req.other" in codes and not any(c.startswith("req.other.") for c in codes)
    assert not {"req.denied.enforcement_file", "req.denied.query_matter"} & codes
    assert _value(report, "req.other", "total") == 2
    # 10 table 二 cells + 21 printed table 三 rows × 7 columns + 15 table 四 cells
    assert report.found_cells == report.expected_cells == 10 + 21 * 7 + 15
    assert not [w for w in report.warnings if w.code == "missing_cells"]
    n2 = {c.breakdown: c.status for c in report.checks if c.check_id == "N2"}
    assert n2 == dict.fromkeys(COLUMNS, "pass")


def test_narrative_wordings_are_read() -> None:
    report = _parse("宿迁市水利局_2022.html")
    assert _value(report, "text.proactive.total") == 1286
    assert _value(report, "text.requests.received") == 10
    assert _value(report, "text.fees.amount") == 0
    assert _value(report, "text.staff.total") == 3
    assert next(c.status for c in report.checks if c.check_id == "T1") == "pass"
    shuyang = _parse("沭阳县教育局_2024.html")
    assert (_value(shuyang, "text.requests.received"), _value(shuyang, "text.staff.total")) == (18, 3)
    fee = next(f for f in shuyang.facts if f.metric_code == "text.fees.amount")
    assert (fee.value, fee.semantic, fee.value_raw) == (0, "zero", "未收取任何费用")


@pytest.mark.parametrize("name", ["沭阳县教育局_2024.html", "沭阳县教育局_2024.txt"])
def test_collector_block_gives_no_publisher_and_no_date(name: str) -> None:
    meta = _parse(name).meta
    assert meta.publisher == "沭阳县教育局"
    assert meta.published == "2025-01-20"
    assert meta.url == "http://www.shuyang.gov.cn/syjyj/xxgk/202501/t20250120_0000001.html"


def test_site_metadata_table_gives_publisher_and_date() -> None:
    meta = _parse("淮安市人民政府_2023.html").meta
    assert (meta.publisher, meta.published) == ("淮安市人民政府", "2024-02-25")


@pytest.mark.slow
def test_cross_year_checks_run_between_the_two_years_of_one_government(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("淮安市人民政府_2023.html", "淮安市人民政府_2024.pdf"):
        shutil.copy(PATTERNS / name, inbox / name)
    ingest([inbox], tmp_path / "data", jobs=1)
    version = current_version(tmp_path / "data")
    assert version is not None
    con = connect(version, read_only=True)
    try:
        agencies = con.execute("SELECT DISTINCT agency_id FROM reports").fetchall()
        checks = con.execute(
            "SELECT c.check_id, c.status FROM checks c JOIN reports r USING (report_id) "
            "WHERE c.check_id IN ('X1', 'X2') AND r.year = 2024 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert agencies == [("淮安市人民政府",)]
    assert ("X1", "pass") in checks and ("X2", "pass") in checks


def _table3_document(rows: list[tuple[str, ...]]) -> Document:
    """A v2021 report whose table 三 has the given result rows (label cells, then seven values)."""
    header = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    top = [
        ("一、本年新收政府信息公开申请数量", "3", "0", "0", "0", "0", "0", "3"),
        ("二、上年结转政府信息公开申请数量", "0", "0", "0", "0", "0", "0", "0"),
        ("（一）予以公开", "1", "0", "0", "0", "0", "0", "1"),
    ]
    tail = [
        ("（七）总计", "3", "0", "0", "0", "0", "0", "3"),
        ("四、结转下年度继续办理", "0", "0", "0", "0", "0", "0", "0"),
    ]
    lines = [header, *top, *rows, *tail]
    cells = tuple(TableCell(text, r, c) for r, line in enumerate(lines) for c, text in enumerate(line))
    t3 = Table(0, cells, len(lines), 8, aligned=False)
    t4_lines = [("行政复议", "结果维持"), tuple("0" for _ in range(15))]
    t4_cells = tuple(TableCell(text, r, c) for r, line in enumerate(t4_lines) for c, text in enumerate(line))
    t4 = Table(1, t4_cells, 2, 15, aligned=False)
    return Document("x.txt", "text", "utf-8", "某局2024年政府信息公开工作年度报告", (t3, t4))


def test_group_printed_as_one_row_and_as_its_rows_keeps_the_rows() -> None:
    other = [
        ("（六）其他处理", "2", "0", "0", "0", "0", "0", "2"),
        (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "1",
            "0",
            "0",
            "0",
            "0",
            "0",
            "1",
        ),
        ("3.其他", "1", "0", "0", "0", "0", "0", "1"),
    ]
    report = parse_document(_table3_document(other), "x")
    codes = {f.metric_code for f in report.facts}
    assert "req.other" not in codes and {"req.other.no_amendment", "req.other.other"} <= codes
    assert any(w.code == "group_row_values" and "（六）其他处理" in w.message for w in report.warnings)


def test_group_row_values_without_a_code_are_kept_out_and_said() -> None:
    denied = [("（三）不予公开", "2", "0", "0", "0", "0", "0", "2")]
    report = parse_document(_table3_document(denied), "x")
    assert not any(f.metric_code.startswith("req.denied") for f in report.facts)
    assert any(w.code == "group_row_values" and "不予公开" in w.message for w in report.warnings)
