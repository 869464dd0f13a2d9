"""CSV exports are written by DuckDB's CSV writer, which streams (memory does not grow with the export),
and print what exports printed before, when pandas wrote the whole table at once; XLSX refuses what an
Excel sheet cannot hold; a failed export leaves no half file; standard output is appended to, never
reopened; a closed pipe ends `xxgk export` quietly."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse import export
from warehouse.db import open_version
from warehouse.errors import WarehouseError
from warehouse.publish import require_current

CSV_EXPORTS = ("facts", "reports", "checks", "errors", "warnings", "coverage", "agencies", "series")


def _as_text(directory: Path, what: str) -> tuple[str, list[list[str]]]:
    """The export's columns as the CSV prints them, read by DuckDB: (pandas' CSV of them, their rows)."""
    con = open_version(require_current(directory))
    try:
        frame = con.execute(export.csv_sql(con, export.export_sql(con, directory, what))).df()
    finally:
        con.close()
    rows = [["" if pd.isna(value) else str(value) for value in row] for row in frame.itertuples(index=False)]
    return frame.to_csv(index=False), [list(frame.columns), *rows]


@pytest.mark.parametrize("what", CSV_EXPORTS)
def test_duckdbs_csv_is_what_pandas_printed(sample_warehouse: Path, what: str) -> None:
    _, rows, written = export.export_table(sample_warehouse, what, "csv", None)
    printed, table = _as_text(sample_warehouse, what)
    assert written == printed.encode("utf-8")
    assert rows == len(table) - 1
    assert rows > 0 or what == "errors"


@pytest.mark.parametrize("what", ("facts", "reports", "agencies"))
def test_hostile_text_reads_back_as_stored(hostile_warehouse: Path, what: str, tmp_path: Path) -> None:
    """Names and labels with quotes, commas, line breaks and markup: the file read by a CSV reader gives
    every field as stored (DuckDB quotes a carriage return and a leading `#`, which pandas did not)."""
    out = tmp_path / f"{what}.csv"
    export.export_table(hostile_warehouse, what, "csv", out)
    with out.open(encoding="utf-8-sig", newline="") as file:
        read = list(csv.reader(file))
    assert read == _as_text(hostile_warehouse, what)[1]


def test_columns_print_as_exports_printed_them(tmp_path: Path) -> None:
    sql = """SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE i::INTEGER END AS n,
                    CASE WHEN i < 2048 THEN TIMESTAMP '2026-01-01' + INTERVAL (i) DAY
                         ELSE TIMESTAMP '2026-01-01 10:11:12.5' END AS at,
                    CAST(i / 4 AS DECIMAL(38, 6)) AS value, CASE WHEN i % 5 <> 4 THEN i % 3 = 0 END AS flag,
                    CASE i % 4 WHEN 0 THEN '' WHEN 1 THEN NULL ELSE 'a,"b"' || i END AS text
             FROM range(5000) t(i) ORDER BY i"""
    out = tmp_path / "x.csv"
    assert export.write_csv(duckdb.connect(), sql, out, bom=True) == 5000
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert len(lines) == 5001
    assert lines[0] == "i,n,at,value,flag,text"
    assert lines[1] == "0,,2026-01-01 00:00:00,0,True,"
    assert lines[2] == "1,1,2026-01-02 00:00:00,0.25,False,"
    assert lines[3] == '2,2,2026-01-03 00:00:00,0.5,False,"a,""b""2"'
    assert lines[5] == "4,4,2026-01-05 00:00:00,1,,"
    assert lines[2052] == '2051,,2026-01-01 10:11:12.5,512.75,False,"a,""b""2051"'


def test_an_empty_export_is_its_header(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert export.write_csv(duckdb.connect(), "SELECT 1 AS a, 'x' AS b WHERE false", out, bom=True) == 0
    assert out.read_bytes() == "a,b\n".encode("utf-8-sig")


def test_a_failed_csv_export_leaves_the_old_file_and_no_half_file(tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    out.write_text("kept")
    failing = (
        "SELECT i, CASE WHEN i < 4096 THEN i ELSE CAST('x' || i AS INTEGER) END AS n FROM range(9000) t(i)"
    )
    with pytest.raises(duckdb.ConversionException):
        export._write_csv_file(duckdb.connect(), failing, out)
    assert out.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["facts.csv"]


def test_xlsx_refuses_more_rows_than_a_sheet_holds(
    sample_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 10)
    with pytest.raises(WarehouseError, match=r"facts has [\d,]+ rows, more than an Excel sheet holds \(10\)"):
        export.export_table(sample_warehouse, "facts", "xlsx", tmp_path / "facts.xlsx")
    assert not (tmp_path / "facts.xlsx").exists()


def _export_command(directory: Path, what: str) -> list[str]:
    return [sys.executable, "-m", "xxgk", "export", what, "--warehouse", str(directory)]


def test_standard_output_appended_to_keeps_what_it_held(sample_warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "both.csv"
    target.write_bytes(b"earlier line\n")
    with target.open("ab") as appended:
        subprocess.run(_export_command(sample_warehouse, "agencies"), stdout=appended, check=True)
    printed, _ = _as_text(sample_warehouse, "agencies")
    assert target.read_bytes() == b"earlier line\n" + printed.encode("utf-8")


def test_export_to_a_pipe_closed_early_ends_quietly(sample_warehouse: Path) -> None:
    process = subprocess.Popen(
        _export_command(sample_warehouse, "facts"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"agency,year,")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


def test_only_decimals_with_digits_after_the_point_lose_trailing_zeros(tmp_path: Path) -> None:
    sql = """SELECT CAST(100 AS DECIMAL(18, 0)) AS whole, '100' AS value, CAST(100 AS DECIMAL(38, 6)) AS actual,
                    CAST(0.5 AS DECIMAL(38, 6)) AS expected, CAST(0 AS DECIMAL(38, 6)) AS zero"""
    out = tmp_path / "x.csv"
    export.write_csv(duckdb.connect(), sql, out, bom=False)
    assert out.read_text().splitlines() == ["whole,value,actual,expected,zero", "100,100,100,0.5,0"]
