"""The year-over-year comparison: a planted changed cell and a planted copied paragraph are found; a
template change (2020 → 2021) marks the cells whose meaning changed as not comparable; the three outputs
open and carry exact values; HTML escapes document text."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from openpyxl import load_workbook

from tests.conftest import FIXTURES
from warehouse.db import connect
from warehouse.documents.compare import CompareError, Comparison
from warehouse.documents.compare_docx import comparison_docx
from warehouse.documents.compare_html import comparison_html
from warehouse.documents.compare_xlsx import comparison_xlsx
from warehouse.documents.make import make_comparison
from warehouse.publish import require_current
from xxgk.cli import cli
from xxgk.ingest import ingest

pytestmark = pytest.mark.slow  # builds or ingests a warehouse
LATER = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
AGENCY = "江山市交通运输局"
PLANTED = (
    "（六）交通专项。本局在全市率先建立农村公路养护信息公开台账，逐月公布养护里程和资金使用情况。"
    "群众可通过“浙里办”查询本村道路养护责任人。"
)
NARRATIVE = re.compile(r"^（[一二三四五]）|^[0-9]{4}年，|^根据《")


def is_narrative(line: str) -> bool:
    return bool(NARRATIVE.match(line)) and "。" in line and "   " not in line


def earlier_report(text: str) -> str:
    """The 2021 report turned into a 2020 one: its own narrative, one table cell changed, and the planted
    paragraph under 一．总体情况."""
    lines = []
    for index, line in enumerate(text.splitlines()):
        if is_narrative(line):
            line = f"（{index}）第{index}项工作。本机关于年内按计划完成第{index}项任务，未发现问题。"
        elif line.startswith("行政处罚"):
            line = line.replace("115", "98")
        lines.append(line)
        if line.startswith("一．"):
            lines.append(PLANTED)
    earlier = "\n".join(lines) + "\n"
    return earlier.replace("2021年度政府信息公开", "2020年度政府信息公开").replace(
        "2022年1月18日", "2021年1月18日"
    )


def later_report(text: str) -> str:
    """The 2021 report with the planted paragraph copied in, after （五）监督保障."""
    lines = []
    for line in text.splitlines():
        lines.append(line)
        if line.startswith("（五）监督保障"):
            lines.append(PLANTED)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("planted")
    inbox = base / "in"
    inbox.mkdir()
    text = LATER.read_text(encoding="utf-8")
    later, earlier = later_report(text), earlier_report(text)
    assert PLANTED in later and PLANTED in earlier and "行政处罚    98" in earlier
    (inbox / f"{AGENCY}_2021.txt").write_text(later, encoding="utf-8")
    (inbox / f"{AGENCY}_2020.txt").write_text(earlier, encoding="utf-8")
    summary = ingest([inbox], base / "data", jobs=1)
    assert not summary.failed
    return base / "data"


@pytest.fixture(scope="module")
def comparison(planted: Path) -> Comparison:
    return make_comparison(require_current(planted), AGENCY, (2021, 2020))


def test_the_planted_changed_cell_is_found(comparison: Comparison) -> None:
    assert (comparison.before.year, comparison.after.year) == (2020, 2021)
    assert comparison.before.template == comparison.after.template == "v2021"
    changed = [c for c in comparison.cells if c.status == "changed"]
    assert [(c.code, c.breakdown) for c in changed] == [("v2021.penalty.decisions", "")]
    cell = changed[0]
    assert cell.before and cell.after
    assert (cell.before.value, cell.after.value, cell.change, cell.percent) == (
        Decimal(98),
        Decimal(115),
        Decimal(17),
        Decimal("17.3"),
    )
    assert comparison.count("not_comparable") == 0
    assert all(
        c.status == "unchanged" for c in comparison.cells if c.code.startswith(("req.", "review.", "suit_"))
    )


def test_the_planted_copied_paragraph_is_found(comparison: Comparison) -> None:
    later = [s for d in comparison.sections for s in d.sentences if s.later]
    copied = [s.text for s in later if s.status == "unchanged"]
    for sentence in ("（六）交通专项。", "群众可通过“浙里办”查询本村道路养护责任人。"):
        assert sentence in copied
    removed = [s.text for d in comparison.sections for s in d.sentences if s.status == "removed"]
    assert any("按计划完成" in s for s in removed), "the earlier year's own sentences are removed"
    added = [s.text for s in later if s.status == "added"]
    assert any("512条" in s for s in added)
    share = comparison.copied_share
    assert share is not None and Decimal(0) < share < Decimal(100)
    overall = (
        sum(len(s.text) for s in later if s.status == "unchanged") * 100 / sum(len(s.text) for s in later)
    )
    assert abs(float(share) - overall) < 0.06
    headings = [d.heading_after for d in comparison.sections]
    assert "一．总体情况" in headings and "六．其他需要报告的事项" in headings


def test_the_three_outputs_open_and_hold_exact_values(comparison: Comparison, tmp_path: Path) -> None:
    docx_path = tmp_path / "c.docx"
    docx_path.write_bytes(comparison_docx(comparison))
    doc = open_docx(str(docx_path))
    assert doc.paragraphs[0].text == comparison.title
    assert len(doc.tables) == 5
    cells = doc.tables[0]
    row = next(r for r in cells.rows if r.cells[1].text == "行政处罚 / 本年处理决定数量")
    assert [c.text for c in row.cells[4:8]] == ["98", "115", "+17", "+17.3%"]
    xlsx_path = tmp_path / "c.xlsx"
    xlsx_path.write_bytes(comparison_xlsx(comparison))
    book = load_workbook(xlsx_path)
    assert book.sheetnames == [
        "单元格 cells",
        "序列 series",
        "正文部分 sections",
        "正文逐句 sentences",
        "检查 checks",
        "about",
    ]
    sheet = book["单元格 cells"]
    found = {r[10].value: (r[4].value, r[5].value) for r in sheet.iter_rows(min_row=2) if not r[2].value}
    assert found["v2021.penalty.decisions"] == (98, 115)
    about = {r[0].value: r[1].value for r in book["about"].iter_rows()}
    assert about["数据版本 data version"] == comparison.version
    page = comparison_html(comparison).decode("utf-8")
    assert "行政处罚 / 本年处理决定数量" in page and "+17.3%" in page and comparison.version in page


def test_a_template_change_marks_cells_not_comparable(sample_warehouse: Path) -> None:
    version = require_current(sample_warehouse)
    con = connect(version, read_only=True)
    try:
        agency = con.execute(
            """SELECT a.agency_id FROM reports a JOIN reports b USING (agency_id)
               WHERE a.is_current AND b.is_current AND a.year = 2020 AND a.template = 'v2019'
                 AND b.year = 2021 AND b.template = 'v2021' ORDER BY 1 LIMIT 1"""
        ).fetchall()[0][0]
    finally:
        con.close()
    comparison = make_comparison(version, agency, (2020, 2021))
    status = {(c.code, c.breakdown): c for c in comparison.cells}
    for code, cell in status.items():
        if code[0].startswith(("v2019.", "v2021.", "req.other")):
            assert cell.status == "not_comparable", code
            assert "模板无此单元格" in cell.note
    assert status[("req.received", "total")].status in ("changed", "unchanged")
    assert status[("review.total", "")].status in ("changed", "unchanged")
    assert status[("req.received", "total")].change is not None
    series = {(s.series_code, s.breakdown): s for s in comparison.series}
    assert series[("requests.other", "total")].comparable, "Σ（六）其他处理 compares across 2019/2021"
    assert not series[("docs.normative.made", "")].comparable
    page = comparison_html(comparison).decode("utf-8")
    assert "不可比" in page and "v2019 改为 v2021" in page


def test_unknown_agency_and_missing_year_are_clear_errors(planted: Path) -> None:
    version = require_current(planted)
    with pytest.raises(CompareError, match="no agency in the warehouse"):
        make_comparison(version, "不存在的局", (2020, 2021))
    with pytest.raises(CompareError, match=r"no current report for 2019 .*reports: 2020, 2021"):
        make_comparison(version, AGENCY, (2019, 2021))
    with pytest.raises(CompareError, match="same"):
        make_comparison(version, AGENCY, (2021, 2021))


def test_the_dashboards_comparison_by_id_is_the_comparison_by_name(
    planted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agencies page compares the agency id its picker gave: the same comparison as by name (both
    reports' cells, checks, series and text read together), without resolving the id as a name over
    every report's names (`compare_agency`, which grows with the warehouse)."""
    from warehouse import dashboard_queries as dq
    from warehouse.documents import reads

    version = require_current(planted)
    by_name = make_comparison(version, AGENCY, (2021, 2020))
    con = connect(version, read_only=True)
    try:
        cursor = con.cursor()

        def no_names(*_: object) -> str:
            raise AssertionError("resolved the agency id as a name")

        monkeypatch.setattr(reads, "resolve_agency", no_names)
        by_id = dq.comparison(cursor, by_name.agency_id, (2020, 2021), version.name)
        with pytest.raises(CompareError, match="no current report for 2019"):
            dq.comparison(cursor, by_name.agency_id, (2019, 2021), version.name)
    finally:
        con.close()
    assert replace(by_id, generated_at=by_name.generated_at) == by_name
    assert by_id.before.checks and by_id.cells and by_id.series and by_id.sections


def test_cli_compare(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp.html"
    result = CliRunner().invoke(
        cli, ["compare", AGENCY, "--years", "2020", "2021", "--out", str(out), "--warehouse", str(planted)]
    )
    assert result.exit_code == 0, result.output
    assert "1 cells changed" in result.output
    assert out.read_bytes().startswith(b"<!DOCTYPE html>")
    failed = CliRunner().invoke(
        cli, ["compare", "不存在", "--years", "2020", "2021", "--out", str(out), "--warehouse", str(planted)]
    )
    assert failed.exit_code == 1 and "no agency" in failed.output
