"""The summary (汇总) on the sample warehouse: equal to SQL sums over the facts cell by cell, written in the
official layout, and read back by `xxgk parse`'s library function (etl.pipeline.parse_file) to exactly the
same cells, title, agency (the place), year and scope — as DOCX and as XLSX, for all three templates."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from openpyxl import load_workbook

from etl.pipeline import parse_file
from tests.conftest import REAL_CORPUS
from warehouse.db import apply_schema, connect
from warehouse.documents.layout import official_tables, value_cells
from warehouse.documents.make import make_summary
from warehouse.documents.reads import cell_sums
from warehouse.documents.summary import (
    MixedTemplates,
    Summary,
    SummaryError,
    SummaryRequest,
    Unit,
)
from warehouse.publish import require_current
from xxgk.cli import cli

SQL_SUMS = """
SELECT f.metric_code, f.breakdown,
       sum(f.value) FILTER (WHERE f.semantic IN ('number', 'zero')) AS total,
       count(*) AS printed
FROM facts AS f JOIN reports AS r USING (report_id)
WHERE r.is_current AND r.year = $year AND $place IN (r.province_code, r.city_code, r.county_code)
  AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND r.template = $template
GROUP BY ALL
"""
CASES = [
    pytest.param("330802", 2024, "v2021", id="county-v2021"),
    pytest.param("330802", 2020, "v2019", id="county-v2019"),
    pytest.param("330802", 2017, "old", id="county-old"),
    pytest.param("330800", 2023, "v2021", id="city-v2021"),
]


def sql_sums(directory: Path, place: str, year: int, template: str) -> dict[tuple[str, str], Decimal | None]:
    con = connect(require_current(directory), read_only=True)
    try:
        found = con.execute(SQL_SUMS, {"place": place, "year": year, "template": template}).fetchall()
    finally:
        con.close()
    return {(code, breakdown): total for code, breakdown, total, _ in found}


@pytest.fixture(scope="module")
def summaries(sample_warehouse: Path) -> dict[tuple[str, int], Summary]:
    version = require_current(sample_warehouse)
    return {
        (place, year): make_summary(version, SummaryRequest(place, year))
        for place, year in (("330802", 2024), ("330802", 2020), ("330802", 2017), ("330800", 2023))
    }


@pytest.mark.slow
@pytest.mark.parametrize(("place", "year", "template"), CASES)
def test_summary_equals_sql_sums_over_the_facts(
    sample_warehouse: Path, summaries: dict[tuple[str, int], Summary], place: str, year: int, template: str
) -> None:
    summary = summaries[(place, year)]
    assert summary.template == template
    assert (
        len(summary.cells) == len(value_cells(template)) == {"v2021": 200, "v2019": 198, "old": 58}[template]
    )
    expected = sql_sums(sample_warehouse, place, year, template)
    for cell in summary.cells:
        assert cell.value == expected.get((cell.code, cell.breakdown)), (cell.code, cell.breakdown)
    assert any(cell.value for cell in summary.cells)


@pytest.mark.slow
def test_a_cell_blank_in_every_unit_stays_blank(summaries: dict[tuple[str, int], Summary]) -> None:
    blank = [(key, c.code) for key, s in summaries.items() for c in s.cells if c.value is None]
    assert blank, "the samples print '/' or nothing in some cell of every unit"
    assert all(
        c.numbers == 0 and c.blanks
        for s in summaries.values()
        for c in s.cells
        if c.value is None and c.complete
    )


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize(("place", "year", "template"), CASES)
def test_summary_reads_back_to_the_same_cells(
    tmp_path: Path, summaries: dict[tuple[str, int], Summary], place: str, year: int, template: str, fmt: str
) -> None:
    from warehouse.documents.make import SUMMARY_WRITERS

    summary = summaries[(place, year)]
    path = tmp_path / f"summary.{fmt}"
    path.write_bytes(SUMMARY_WRITERS[fmt](summary))
    report = parse_file(path)
    assert report.template == template
    table_facts = {(f.metric_code, f.breakdown): f for f in report.facts}
    assert not [code for code, _ in table_facts if code.startswith("text.")], "no narrative figure invented"
    assert {k: f.value for k, f in table_facts.items()} == {
        (c.code, c.breakdown): c.value for c in summary.cells
    }
    for cell in summary.cells:
        fact = table_facts[(cell.code, cell.breakdown)]
        assert fact.semantic == ("blank" if cell.value is None else ("zero" if cell.value == 0 else "number"))
    assert report.meta.title == summary.title
    assert report.meta.agency == summary.place_name
    assert report.meta.year == year
    assert report.meta.scope == "aggregate", "the summary says it was compiled from its units' reports"
    assert place in (report.meta.province_code, report.meta.city_code, report.meta.county_code)
    assert report.warnings == (), [w.message for w in report.warnings]


@pytest.mark.slow
def test_docx_has_the_official_merged_cells(
    summaries: dict[tuple[str, int], Summary], tmp_path: Path
) -> None:
    summary = summaries[("330802", 2024)]
    from warehouse.documents.summary_docx import summary_docx

    path = tmp_path / "s.docx"
    path.write_bytes(summary_docx(summary))
    doc = open_docx(str(path))
    assert doc.paragraphs[0].text == summary.title
    tables = doc.tables
    assert [(len(t.rows), len(t.columns)) for t in tables] == [(14, 4), (28, 10), (4, 15)]
    table3 = tables[1]
    assert table3.cell(5, 0).text == "三、本年度办理结果"
    assert table3.cell(5, 0)._tc is table3.cell(26, 0)._tc, "三、本年度办理结果 spans 22 rows"
    assert table3.cell(0, 0)._tc is table3.cell(2, 2)._tc, "the note spans 3 rows and 3 columns"
    received = summary.value("req.received", "total")
    assert table3.cell(3, 9).text == ("" if received is None else format(received.normalize(), "f"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert summary.version in text and "柯城区" in text and "汇总单位（2个）" in text


@pytest.mark.slow
def test_xlsx_has_one_sheet_per_table_and_an_about_sheet(
    summaries: dict[tuple[str, int], Summary], tmp_path: Path
) -> None:
    from warehouse.documents.summary_xlsx import summary_xlsx

    summary = summaries[("330800", 2023)]
    path = tmp_path / "s.xlsx"
    path.write_bytes(summary_xlsx(summary))
    book = load_workbook(path)
    assert book.sheetnames == ["二 主动公开", "三 依申请公开", "四 复议诉讼", "about"]
    table3 = book["三 依申请公开"]
    assert table3["A1"].value == summary.title
    assert "A8:A29" in {str(r) for r in table3.merged_cells.ranges}, "三、本年度办理结果 spans 22 rows"
    about = {row[0].value: row[1].value for row in book["about"].iter_rows() if row[0].value}
    assert about["地区 place"] == "衢州市（330800）"
    assert about["年度 year"] == "2023年"
    assert about["数据版本 data version"] == summary.version
    assert "own" in about["口径 scope"]
    names = [row[0].value for row in book["about"].iter_rows()]
    for unit in summary.units:
        assert unit.agency in names
    for missing in summary.missing:
        assert missing.agency in names
    assert any(str(n).startswith("N1 表三 第一项加第二项之和") for n in names) and any(
        str(n).startswith("N4 表四") for n in names
    )


@pytest.mark.slow
def test_vertical_units_only_when_asked(sample_warehouse: Path) -> None:
    version = require_current(sample_warehouse)
    local = make_summary(version, SummaryRequest("330825", 2023))
    every = make_summary(version, SummaryRequest("330825", 2023, include_vertical=True))
    assert len(every.units) == len(local.units) + 1
    assert [e.reason for e in local.excluded] == ["垂直管理单位 vertically managed"]
    vertical = next(u for u in every.units if u.is_vertical)
    assert vertical.agency == local.excluded[0].unit.agency


@pytest.mark.slow
def test_several_templates_are_refused_naming_the_units(sample_warehouse: Path) -> None:
    version = require_current(sample_warehouse)
    with pytest.raises(MixedTemplates) as refused:
        make_summary(version, SummaryRequest("330822", 2021))
    assert set(refused.value.by_template) == {"old", "v2021"}
    for names in refused.value.by_template.values():
        assert all(name in str(refused.value) for name in names)
    chosen = make_summary(version, SummaryRequest("330822", 2021, template="v2021"))
    assert chosen.template == "v2021" and all(u.template == "v2021" for u in chosen.units)
    assert [e.unit.template for e in chosen.excluded] == ["old"]


@pytest.mark.slow
def test_unknown_place_and_empty_year_are_clear_errors(sample_warehouse: Path) -> None:
    version = require_current(sample_warehouse)
    with pytest.raises(SummaryError, match="no report in the warehouse is placed under 110105"):
        make_summary(version, SummaryRequest("110105", 2023))
    with pytest.raises(SummaryError, match="no current 2010 report"):
        make_summary(version, SummaryRequest("330802", 2010))


def _unit(report: str) -> Unit:
    return Unit(report, report, report, "v2021", "own", "department", "county", False, f"{report}.html", "X")


def test_blank_stays_blank_and_gaps_are_named() -> None:
    con = connect(None)
    apply_schema(con)
    stored = [
        ("a", "x", "1.5", "number", "exact"),
        ("b", "x", None, "blank", "exact"),
        ("c", "x", "0", "zero", "inferred"),
        ("a", "y", None, "blank", "exact"),
        ("b", "y", None, "na", "exact"),
        ("a", "z", None, "invalid", "exact"),
        ("b", "z", "7", "number", "exact"),
        ("a", "other", "99", "number", "exact"),
    ]
    for report, code, value, semantic, confidence in stored:
        con.execute(
            "INSERT INTO facts (report_id, metric_code, breakdown, value, value_raw, semantic, confidence) "
            "VALUES (?, ?, '', ?, '', ?, ?)",
            [report, code, value, semantic, confidence],
        )
    x, y, z = cell_sums(con, [("x", ""), ("y", ""), ("z", "")], [_unit("a"), _unit("b"), _unit("c")])
    assert (x.value, x.numbers, x.blanks, x.inferred, x.complete) == (Decimal("1.5"), 2, 1, ("c",), True)
    assert y.value is None and y.blanks == 2 and y.not_printed == ("c",)
    assert z.value == Decimal("7") and z.unreadable == ("a",) and z.not_printed == ("c",) and not z.complete
    con.close()


def test_every_official_cell_is_a_catalogue_cell_of_its_template() -> None:
    from etl.catalogue import metrics

    for template in ("v2021", "v2019", "old"):
        for code, _ in value_cells(template):
            assert template in metrics()[code].templates, (template, code)
        placed = [p for table in official_tables(template) for p in table.placed()]
        assert all(
            p.col + p.slot.colspan <= len(t.widths) for t in official_tables(template) for p in t.placed()
        )
        assert placed


@pytest.mark.slow
def test_cli_writes_the_summary_and_exits_2_on_several_templates(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "汇总.xlsx"
    args = ["summary", "--place", "330802", "--year", "2024", "--warehouse", str(sample_warehouse)]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert parse_file(out).template == "v2021"
    mixed = runner.invoke(
        cli,
        [
            "summary",
            "--place",
            "330822",
            "--year",
            "2021",
            "--out",
            str(tmp_path / "m.docx"),
            "--warehouse",
            str(sample_warehouse),
        ],
    )
    assert mixed.exit_code == 2 and "--template" in mixed.output
    assert runner.invoke(cli, [*args, "--out", str(tmp_path / "x.pdf")]).exit_code == 2
    assert (
        runner.invoke(cli, ["summary", "--place", "3308", "--year", "2024", "--out", str(out)]).exit_code == 2
    )
    unknown = runner.invoke(cli, [*args[:2], "110105", *args[3:], "--out", str(out)])
    assert unknown.exit_code == 1 and "110105" in unknown.output


BLANK_TEMPLATE = REAL_CORPUS.parent / "templates" / "政府信息公开工作年度报告格式_v2021_空白.docx"


def test_v2021_layout_is_the_blank_template_cell_by_cell() -> None:
    if not BLANK_TEMPLATE.exists():
        pytest.skip(f"blank template not available ({BLANK_TEMPLATE})")
    from etl.readers import read_document

    document = read_document(str(BLANK_TEMPLATE), BLANK_TEMPLATE.read_bytes())
    ours = official_tables("v2021")
    assert len(document.tables) == len(ours)
    for table, printed in zip(ours, document.tables, strict=True):
        assert (table.n_rows, table.n_cols) == (printed.n_rows, printed.n_cols)
        mine = {(p.row, p.col): (p.slot.text, p.slot.rowspan, p.slot.colspan) for p in table.placed()}
        theirs = {(c.row, c.col): (c.text, c.rowspan, c.colspan) for c in printed.cells}
        assert mine == theirs, table.key
