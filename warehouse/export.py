"""Long-table exports of the current warehouse version: CSV (UTF-8 with BOM), XLSX with an about sheet,
or Parquet."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

import duckdb
import pandas as pd

from warehouse import queries
from warehouse.db import open_version, quoted
from warehouse.errors import WarehouseError
from warehouse.names import EXPORTS
from warehouse.publish import require_current
from warehouse.review import overlay
from warehouse.review.ledger import load_snapshot

__all__ = ["EXPORTS", "export_table"]
Format = Literal["csv", "xlsx", "parquet"]
CORRECTED = {"facts": ("facts_long",), "series": ("series",)}
"""Exports that read values, and the relations they read with the corrections applied."""


def export_sql(con: duckdb.DuckDBPyConnection, directory: Path, what: str) -> str:
    """The export's SQL, with the review database's corrections registered on `con` and applied."""
    overlay.register(con, load_snapshot(directory))
    sql = queries.sql(f"export_{what}").strip().rstrip(";")
    return overlay.corrected(sql, *CORRECTED[what]) if what in CORRECTED else sql


def csv_sql(con: duckdb.DuckDBPyConnection, sql: str, *, bom: bool = False) -> str:
    """The query's columns as the CSV prints them: decimals without trailing zeros (exactly what was
    printed), timestamps as DuckDB's text, booleans as True/False and an empty text as an empty field
    (as exports printed them before DuckDB wrote them); with `bom`, the first header starts with the
    UTF-8 BOM, so that Excel reads the file as UTF-8 (DuckDB's CSV writer has no BOM of its own)."""
    columns = []
    for number, (name, kind) in enumerate(
        (d[0], str(d[1])) for d in con.execute(f"DESCRIBE {sql}").fetchall()
    ):
        column = _identifier(name)
        if _scale(kind) > 0:
            expression = f"rtrim(rtrim(CAST({column} AS VARCHAR), '0'), '.')"
        elif kind.startswith("TIMESTAMP"):
            expression = f"CAST({column} AS VARCHAR)"
        elif kind == "BOOLEAN":
            expression = f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END"
        elif kind == "VARCHAR":
            expression = f"nullif({column}, '')"
        else:
            expression = column
        header = ("\ufeff" if bom and number == 0 else "") + name
        columns.append(f"{expression} AS {_identifier(header)}")
    return f"SELECT {', '.join(columns)} FROM ({sql})"


def _scale(kind: str) -> int:
    """Digits after the point of a DECIMAL type (DESCRIBE's `DECIMAL(38,6)`); 0 for any other type."""
    found = re.fullmatch(r"DECIMAL\(\d+,\s*(\d+)\)", kind)
    return int(found.group(1)) if found else 0


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


XLSX_MAX_ROWS = 1_048_575
"""An Excel sheet's rows, less the header."""


def write_csv(con: duckdb.DuckDBPyConnection, sql: str, target: Path, *, bom: bool) -> int:
    """The query's rows written to the file `target` by DuckDB's CSV writer, which streams them (memory
    does not grow with the export); returns the number of rows."""
    copied = con.execute(f"COPY ({csv_sql(con, sql, bom=bom)}) TO {quoted(target)} (FORMAT csv, HEADER)")
    return int(copied.fetchall()[0][0])


def _write_csv_file(con: duckdb.DuckDBPyConnection, sql: str, out: Path) -> int:
    """The CSV written beside `out` and renamed onto it, so a failed export leaves no half file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        rows = write_csv(con, sql, partial, bom=True)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def _write_csv_stream(con: duckdb.DuckDBPyConnection, sql: str, stream: BinaryIO) -> int:
    """The CSV written to a scratch file, then copied to `stream` a block at a time. DuckDB cannot write
    to an open stream, and writing to /dev/stdout would reopen a file that standard output appends to
    (`>>`) and truncate it."""
    with tempfile.TemporaryDirectory(prefix="xxgk-export-") as scratch:
        written = Path(scratch) / "export.csv"
        rows = write_csv(con, sql, written, bom=False)
        with written.open("rb") as file:
            shutil.copyfileobj(file, stream)
    return rows


def export_table(
    directory: Path, what: str, fmt: Format, out: Path | None, stream: BinaryIO | None = None
) -> tuple[Path | None, int, bytes | None]:
    """Write an export. CSV with no `out` goes to `stream`, or with no stream is returned as bytes
    (both without a BOM). Returns (path, rows, data)."""
    version = require_current(directory)
    con = open_version(version)
    try:
        sql = export_sql(con, directory, what)
        if fmt == "parquet":
            target = out or Path(f"xxgk_{what}.parquet")
            copied = con.execute(f"COPY ({sql}) TO {quoted(target)} (FORMAT parquet, COMPRESSION zstd)")
            return target, int(copied.fetchall()[0][0]), None
        if fmt == "csv":
            if out is not None:
                return out, _write_csv_file(con, sql, out), None
            if stream is not None:
                return None, _write_csv_stream(con, sql, stream), None
            buffer = io.BytesIO()
            rows = _write_csv_stream(con, sql, buffer)
            return None, rows, buffer.getvalue()
        rows = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
        if rows > XLSX_MAX_ROWS:
            raise WarehouseError(
                f"{what} has {rows:,} rows, more than an Excel sheet holds ({XLSX_MAX_ROWS:,}): "
                "export it as --format csv or parquet"
            )
        frame = con.execute(sql).df()
    finally:
        con.close()
    target = out or Path(f"xxgk_{what}.xlsx")
    write_xlsx(frame, target, what, version)
    return target, len(frame), None


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel shows Chinese correctly."""
    text: str = frame.to_csv(index=False)
    return text.encode("utf-8-sig")


def about_rows(
    what: str, filters: list[tuple[str, str]], version: str, rows: int, now: datetime | None = None
) -> pd.DataFrame:
    """The `about` sheet of every XLSX export: contents, filters, data version, time and row count."""
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    items = [("内容 contents", what), *filters, ("数据版本 data version", version)]
    items += [("生成时间 generated at", generated), ("行数 rows", str(rows))]
    items.append(("来源 source", "xxgk — 政府信息公开工作年度报告 warehouse"))
    return pd.DataFrame(items, columns=["项目 item", "值 value"])


def xlsx_bytes(frame: pd.DataFrame, sheet: str, about: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        frame.to_excel(writer, sheet_name=_sheet_name(sheet), index=False)
        about.to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    return cleaned if cleaned and cleaned != "about" else "data"


def write_xlsx(frame: pd.DataFrame, target: Path, what: str, version: Path) -> None:
    about = about_rows(what, [("筛选 filters", "none (whole warehouse)")], version.name, len(frame))
    target.write_bytes(xlsx_bytes(frame, what, about))
