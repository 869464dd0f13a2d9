"""CSV exports are written a chunk at a time (memory does not grow with the export) and are the same
bytes as the whole table written at once; XLSX refuses what an Excel sheet cannot hold; a failed export
leaves no half file; a closed pipe ends `xxgk export` quietly."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import export
from warehouse.db import open_version
from warehouse.errors import WarehouseError
from warehouse.publish import require_current

CSV_EXPORTS = ("facts", "reports", "checks", "errors", "warnings", "coverage", "agencies", "series")


@pytest.mark.parametrize("what", CSV_EXPORTS)
def test_a_streamed_csv_export_is_the_whole_table_written_at_once(
    sample_warehouse: Path, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "CSV_CHUNK_VECTORS", 1)
    _, rows, streamed = export.export_table(sample_warehouse, what, "csv", None)
    con = open_version(require_current(sample_warehouse))
    try:
        sql = export.export_sql(con, sample_warehouse, what)
        whole = con.execute(export._exact_decimals(con, sql)).df()
    finally:
        con.close()
    assert streamed == whole.to_csv(index=False).encode("utf-8")
    assert rows == len(whole)
    if what == "facts":
        assert rows > 3 * 2048, "the facts span several chunks"


def test_chunks_print_their_columns_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk whose timestamps are all at midnight, or whose integers are never NULL, prints them as
    every other chunk does (pandas chooses a column's format from the values it is given)."""
    monkeypatch.setattr(export, "CSV_CHUNK_VECTORS", 1)
    sql = """SELECT i, CASE WHEN i >= 2048 AND i % 7 = 0 THEN NULL ELSE i::INTEGER END AS n,
                    CASE WHEN i < 2048 THEN TIMESTAMP '2026-01-01' + INTERVAL (i) DAY
                         ELSE TIMESTAMP '2026-01-01 10:11:12.5' END AS at,
                    CAST(i AS DECIMAL(38, 6)) / 4 AS value, i % 3 = 0 AS flag, 'a,"b"' || i AS text
             FROM range(5000) t(i) ORDER BY i"""
    out = io.BytesIO()
    rows = export.write_csv(duckdb.connect(), sql, out, bom=True)
    lines = out.getvalue().decode("utf-8-sig").splitlines()
    assert rows == 5000 and len(lines) == 5001
    assert lines[0] == "i,n,at,value,flag,text"
    assert lines[1] == '0,0,2026-01-01 00:00:00,0,True,"a,""b""0"'
    assert lines[2] == '1,1,2026-01-02 00:00:00,0.25,False,"a,""b""1"'
    assert lines[2049] == '2048,2048,2026-01-01 10:11:12.5,512,False,"a,""b""2048"'
    assert lines[2052] == '2051,,2026-01-01 10:11:12.5,512.75,False,"a,""b""2051"'


def test_an_empty_export_is_its_header() -> None:
    out = io.BytesIO()
    assert export.write_csv(duckdb.connect(), "SELECT 1 AS a, 'x' AS b WHERE false", out, bom=True) == 0
    assert out.getvalue() == "a,b\n".encode("utf-8-sig")


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


def test_export_to_a_pipe_closed_early_ends_quietly(sample_warehouse: Path) -> None:
    command = [sys.executable, "-m", "xxgk", "export", "facts", "--warehouse", str(sample_warehouse)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"agency,year,")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
