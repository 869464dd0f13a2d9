"""The review findings (审核意见): every failed check of the sample corpus in the Word document of its unit and
in the workbook, with its rule, what was found and the cells as printed; the command line and the
reviewers' comments."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document as read_docx
from openpyxl import load_workbook

from etl.check_catalogue import check_info
from warehouse.db import connect
from warehouse.documents.findings import (
    CellShown,
    Failure,
    Findings,
    FindingsError,
    FindingsRequest,
    ReviewNotes,
    group_failures,
)
from warehouse.documents.findings_docx import findings_zip
from warehouse.documents.findings_make import make_findings
from warehouse.documents.findings_reads import missing_codes
from warehouse.documents.findings_xlsx import findings_xlsx
from warehouse.publish import require_current
from xxgk.cli import cli

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def sql(directory: Path, query: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    """The paragraphs of a document as one text, and every table row's cells."""
    doc = read_docx(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]
    return text, rows


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- pure parts ---------------------------------------------------------------------------------------


def failure(check_id: str, severity: str, detail: str = "") -> Failure:
    return Failure(check_id, severity, "", detail, ())


def test_failures_are_grouped_errors_first_in_catalogue_order() -> None:
    grouped = group_failures(
        [
            failure("F6", "warning"),
            failure("N2", "error", "a"),
            failure("N1", "error"),
            failure("N2", "error", "b"),
        ]
    )
    assert [(g.check_id, len(g.failures)) for g in grouped] == [("N1", 1), ("N2", 2), ("F6", 1)]
    assert grouped[0].rule == "表三 第一项加第二项之和不等于第三项加第四项之和"


def test_a_request_keeps_the_units_asked_for() -> None:
    assert not FindingsRequest("330881", 2023).keeps("国家税务总局江山市税务局", "vertical", True)
    assert FindingsRequest("330881", 2023, include_vertical=True).keeps(
        "国家税务总局江山市税务局", "vertical", True
    )
    assert not FindingsRequest("330881", 2023, ("township",)).keeps("江山市财政局", "department", False)
    assert FindingsRequest("330881", 2023, agency="财政").keeps("江山市财政局", "department", False)
    with pytest.raises(FindingsError, match="6-digit"):
        FindingsRequest("3308", 2023)


def test_missing_cells_come_from_the_warning() -> None:
    assert missing_codes("req.granted,review.total", "") == ["req.granted", "review.total"]
    message = "3 template cells not read: req.granted, v2021.coercion.decisions, nonsense.code"
    assert missing_codes("", message) == ["req.granted", "v2021.coercion.decisions"]


def test_a_cell_says_where_it_is() -> None:
    cell = CellShown("表三", "（一）予以公开", "自然人", "", 4)
    assert cell.where() == "表三 （一）予以公开 / 自然人（第4页）" and cell.printed_or_blank == "（空白）"


# --- over the sample warehouse ------------------------------------------------------------------------


@pytest.mark.slow
def test_every_failed_check_of_the_sample_corpus_is_sent_back(sample_warehouse: Path) -> None:
    failed = sql(
        sample_warehouse,
        """
        SELECT r.year, r.report_id, r.agency, c.check_id, c.message_zh, r.city_code
        FROM checks c JOIN reports r USING (report_id)
        WHERE c.status = 'fail' AND r.is_current ORDER BY 1, 2, 4""",
    )
    assert {row[3][0] for row in failed} >= {"N", "O", "F", "X"}
    assert all(row[5] == "330800" for row in failed), "every failing report is placed under 衢州市"
    by_year: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in failed:
        by_year[row[0]].append(row)
    version = require_current(sample_warehouse)
    for year, rows in by_year.items():
        findings = make_findings(version, FindingsRequest("330800", year, include_vertical=True), now=NOW)
        documents = unzipped(findings_zip(findings))
        assert len(documents) == len(findings.units)
        by_report = {u.report_id: u for u in findings.units}
        book = load_workbook(io.BytesIO(findings_xlsx(findings)))
        problems = {(r[0], r[3], r[5]) for r in book["审核意见"].iter_rows(min_row=2, values_only=True)}
        for _, report_id, agency, check_id, message, _ in rows:
            unit = by_report[report_id]
            text, table_rows = docx_text(documents[f"{unit.agency}_{year}_审核意见.docx"])
            info = check_info(check_id)
            assert info is not None and info.failed_zh in text and message in text, (agency, check_id)
            assert (agency, check_id, message) in problems, (agency, check_id)
            shown = {tuple(row[:4]) for row in table_rows}
            for cell in next(f for c in unit.checks for f in c.failures if f.detail == message).cells:
                if cell.printed.strip():
                    assert (cell.table, cell.row, cell.column, cell.printed) in shown, (
                        agency,
                        check_id,
                        cell,
                    )


@pytest.mark.slow
def test_planted_faults_reach_the_findings(sample_warehouse: Path) -> None:
    """Each fault the generator planted (truth files) is a finding of its unit's report."""
    planted = []
    for path in (sample_warehouse.parent / "samples").glob("*.truth.json"):
        truth = json.loads(path.read_text(encoding="utf-8"))
        planted += [(truth["file"], truth["year"], fault) for fault in truth["planted_faults"]]
    assert {fault for _, _, fault in planted} >= {"N1", "O1", "T1", "F1", "F2", "F4", "F5", "F6"}
    version = require_current(sample_warehouse)
    made = {}
    for file_name, year, fault in planted:
        if year not in made:
            made[year] = make_findings(version, FindingsRequest("330800", year, include_vertical=True))
        units = [u for u in made[year].units if Path(u.source_file).name == file_name]
        if not units:
            continue  # a superseded version (its corrected file is current)
        assert fault in {c.check_id for c in units[0].checks}, (file_name, fault)


@pytest.mark.slow
def test_a_clean_report_gets_a_short_letter_and_the_workbook_lists_units_without_a_report(
    sample_warehouse: Path,
) -> None:
    version = require_current(sample_warehouse)
    gap = sql(
        sample_warehouse,
        "SELECT year, agency_name FROM coverage WHERE status = 'missing' AND within_span ORDER BY 1 LIMIT 1",
    )
    year, agency = gap[0]
    findings = make_findings(version, FindingsRequest("330800", year, include_vertical=True), now=NOW)
    clean = next(u for u in findings.units if u.clean)
    text, _ = docx_text(unzipped(findings_zip(findings))[f"{clean.agency}_{year}_审核意见.docx"])
    assert "未发现需要更正或注意的问题" in text and "审核状态：待审核" in text and "2026年3月1日" in text
    book = load_workbook(io.BytesIO(findings_xlsx(findings)))
    assert book.sheetnames == [
        "单位汇总",
        "审核意见",
        "涉及的单元格",
        "审核更正",
        "未发布年报的单位",
        "about",
    ]
    missing = [row[0] for row in book["未发布年报的单位"].iter_rows(min_row=2, values_only=True)]
    assert agency in missing
    units = [row[0] for row in book["单位汇总"].iter_rows(min_row=2, values_only=True)]
    assert units == [u.agency for u in findings.units]


@pytest.mark.slow
def test_the_command_line_writes_a_folder_a_zip_a_workbook_or_one_document(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["findings", "--place", "330800", "--year", "2023", "--warehouse", str(sample_warehouse)]
    result = runner.invoke(cli, [*base, "--out", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    folder = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert folder and all(name.endswith("_2023_审核意见.docx") for name in folder)
    assert runner.invoke(cli, [*base, "--out", str(tmp_path / "all.zip")]).exit_code == 0
    assert sorted(unzipped((tmp_path / "all.zip").read_bytes())) == folder
    assert runner.invoke(cli, [*base, "--out", str(tmp_path / "all.xlsx")]).exit_code == 0
    one = runner.invoke(cli, [*base, "--out", str(tmp_path / "one.docx")])
    assert one.exit_code == 1 and "one .docx holds one unit" in one.output
    agency = folder[0].split("_")[0]
    assert runner.invoke(cli, [*base, "--agency", agency, "--out", str(tmp_path / "one.docx")]).exit_code == 0
    text, _ = docx_text((tmp_path / "one.docx").read_bytes())
    assert text.startswith(f"{agency}2023年政府信息公开工作年度报告审核意见")
    wrong = runner.invoke(cli, [*base, "--format", "xlsx", "--out", str(tmp_path / "x.zip")])
    assert wrong.exit_code == 2 and "does not match" in wrong.output
    nowhere = runner.invoke(
        cli,
        [
            "findings",
            "--place",
            "990000",
            "--year",
            "2023",
            "--warehouse",
            str(sample_warehouse),
            "--out",
            str(tmp_path / "n.xlsx"),
        ],
    )
    assert nowhere.exit_code == 1 and "990000" in nowhere.output


@pytest.mark.slow
def test_reviewers_comments_corrections_and_status_go_into_the_letter_and_the_workbook(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    """Comments recorded from a CSV (`xxgk review import`) and a correction made in the review store
    reach the unit's letter and the workbook with the review status; the store is the only source."""
    directory = tmp_path / "data"
    shutil.copytree(sample_warehouse, directory)  # the review store of the shared warehouse stays empty
    ((report_id, source_file, agency),) = sql(
        directory,
        "SELECT report_id, source_file, agency FROM reports WHERE is_current AND year = 2023 "
        "ORDER BY report_id LIMIT 1",
    )
    ((code, breakdown, printed, value),) = sql(
        directory,
        "SELECT metric_code, breakdown, value_raw, value FROM facts WHERE report_id = ? "
        "AND metric_code LIKE 'req.%' AND value IS NOT NULL ORDER BY metric_code, breakdown LIMIT 1",
        [report_id],
    )
    comments = tmp_path / "comments.csv"
    comments.write_text(
        "source_file,comment,reviewer,date,status\n"
        f"{Path(source_file).name},表三第二项与上年报告不一致，请核实。,张三,2026-02-20 09:30,退回修改\n",
        encoding="utf-8-sig",
    )
    runner = CliRunner()
    where = ["--warehouse", str(directory)]
    imported = runner.invoke(cli, ["review", "import", str(comments), *where])
    assert imported.exit_code == 0 and "1 recorded" in imported.output, imported.output
    again = runner.invoke(cli, ["review", "import", str(comments), *where])
    assert again.exit_code == 0 and "0 recorded, 1 already there" in again.output, again.output
    corrected_value = str(int(value) + 7)
    fixes = tmp_path / "fixes.csv"
    fixes.write_text(
        "report_id,metric_code,breakdown,value,reason,kind\n"
        f"{report_id},{code},{breakdown},{corrected_value},单位来函确认,agency_error\n",
        encoding="utf-8",
    )
    fixed = runner.invoke(cli, ["corrections", "import", str(fixes), "--user", "李四", *where])
    assert fixed.exit_code == 0, fixed.output
    out = tmp_path / "f.xlsx"
    args = ["findings", "--place", "330800", "--year", "2023", *where]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    summary = {r[0]: r for r in book["单位汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary[agency][9] == "退回修改" and "张三：表三第二项与上年报告不一致" in summary[agency][10]
    assert "2026-02-20 09:30 张三" in summary[agency][10]
    others = [row[9] for name, row in summary.items() if name != agency]
    assert others and set(others) == {"待审核"}
    corrected = list(book["审核更正"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[5], r[6], r[8], r[9]) for r in corrected] == [
        (agency, printed, corrected_value, "单位来函确认", "李四")
    ]
    letter = tmp_path / "one.docx"
    office = ["--office", "衢州市政务公开办"]
    result = runner.invoke(cli, [*args, "--agency", agency, *office, "--out", str(letter)])
    assert result.exit_code == 0, result.output
    text, rows = docx_text(letter.read_bytes())
    assert (
        "审核状态：退回修改" in text
        and "2026-02-20 09:30 张三（退回修改）：表三第二项与上年报告不一致，请核实。" in text
    )
    assert "衢州市政务公开办" in text and "审核中更正的数值" in text
    assert any(row[3:5] == [printed, corrected_value] and "单位来函确认" in row[5] for row in rows), rows
    stray = tmp_path / "stray.csv"
    stray.write_text("report_id,comment\nnot-a-report,x\n", encoding="utf-8")
    lost = runner.invoke(cli, ["review", "import", str(stray), *where])
    assert lost.exit_code == 1 and "stray.csv line 2" in lost.output
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n", encoding="utf-8")
    unusable = runner.invoke(cli, ["review", "import", str(bad), *where])
    assert unusable.exit_code == 2 and "needs the columns" in unusable.output


def test_a_corrected_cell_says_so_beside_its_printed_value() -> None:
    from warehouse.documents.findings import CheckFindings, CorrectionNote, UnitFindings, with_reviews

    cell = CellShown("表三", "（一）予以公开", "自然人", "12", 4, "req.granted", "natural_person")
    other = CellShown("表三", "（二）部分公开", "自然人", "3", 4, "req.partial", "natural_person")
    check = CheckFindings("N1", "error", (Failure("N1", "error", "", "x", (cell, other)),))
    unit = UnitFindings("abc", "甲局", 2023, "", "/x/a.html", "v2021", None, (check,), (), ReviewNotes("abc"))
    note = CorrectionNote(replace(cell, page=None), "13", "agency_error", "来函", "李四", "2026-03-01 10:00")
    findings = Findings(FindingsRequest("330800", 2023), "衢州市", "v", (unit,), ())
    reviewed = with_reviews(findings, {"abc": ReviewNotes("abc", "returned", (), (note,))})
    cells = reviewed.units[0].checks[0].failures[0].cells
    assert [c.printed_and_corrected for c in cells] == ["12（已更正为 13）", "3"]
    assert reviewed.units[0].review.status_name == "退回修改" and note.kind_name.startswith("原文有误")
    from warehouse.documents.findings_docx import unit_docx

    clean = replace(reviewed.units[0], checks=())
    text, rows = docx_text(unit_docx(replace(reviewed, units=(clean,)), clean))
    assert "未发现校验错误，但有以下审核意见" in text and "审核状态：退回修改" in text
    assert rows[-1][:5] == ["表三", "（一）予以公开", "自然人", "12", "13"] and "来函" in rows[-1][5]


@pytest.mark.slow
def test_the_data_quality_page_offers_the_findings_of_the_chosen_place(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard import components

    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    # As in a warehouse too large for the findings to start open (components.OPEN_UP_TO).
    monkeypatch.setattr(components, "OPEN_UP_TO", 0)
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=90)
    at.switch_page("views/quality.py")
    at.run()
    assert "审核意见" in [s.value for s in at.subheader]
    assert any("选择一个地区" in i.value for i in at.info)
    at = AppTest.from_file(str(app), default_timeout=90)
    at.query_params["province"], at.query_params["city"] = "330000", "330800"
    at.switch_page("views/quality.py")
    at.run()  # a place without a year in the URL: the findings are built only once their expander opens
    assert not any("审核意见" in str(b.proto.label) for b in at.get("download_button"))
    assert "生成该地区一个年度的审核意见" in [e.label for e in at.expander]
    at = AppTest.from_file(str(app), default_timeout=90)
    for key, value in {"province": "330000", "city": "330800", "findings_year": "2023"}.items():
        at.query_params[key] = value
    at.switch_page("views/quality.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="findings_year").value == 2023
    findings = make_findings(require_current(sample_warehouse), FindingsRequest("330800", 2023))
    errors = sum(u.count("error") for u in findings.units)
    note = next(c.value for c in at.caption if "个单位" in c.value)
    assert note.startswith(f"{len(findings.units)}个单位：错误{errors}处")
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"审核意见 Word（每单位一份，ZIP）", "审核意见 Excel（全部单位）"} <= labels
