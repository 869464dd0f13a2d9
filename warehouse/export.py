"""Long-table exports of the current warehouse version: CSV (UTF-8 with BOM), XLSX with an about sheet,
or Parquet."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

import duckdb
import pandas as pd

from warehouse import queries
from warehouse.db import open_version
from warehouse.errors import WarehouseError
from warehouse.names import EXPORTS
from warehouse.publish import require_current
from warehouse.review import overlay
from warehouse.review.ledger import load_snapshot

__all__ = ["EXPORTS", "export_table"]
Format = Literal["csv", "xlsx", "parquet"]
DECIMAL_COLUMNS = ("value", "expected", "actual", "original_value")
CORRECTED = {"facts": ("facts_long",), "series": ("series",)}
"""Exports that read values, and the relations they read with the corrections applied."""


def export_sql(con: duckdb.DuckDBPyConnection, directory: Path, what: str) -> str:
    """The export's SQL, with the review database's corrections registered on `con` and applied."""
    overlay.register(con, load_snapshot(directory))
    sql = queries.sql(f"export_{what}").strip().rstrip(";")
    return overlay.corrected(sql, *CORRECTED[what]) if what in CORRECTED else sql


def _exact_decimals(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """Decimals as text without trailing zeros, so CSV holds exactly what was printed; timestamps as
    DuckDB's text, so every chunk of a streamed CSV prints them alike."""
    types = dict((d[0], str(d[1])) for d in con.execute(f"DESCRIBE {sql}").fetchall())
    names = {c: '"' + c.replace('"', '""') + '"' for c in types}
    replaced = [
        f"rtrim(rtrim(CAST({names[c]} AS VARCHAR), '0'), '.') AS {names[c]}"
        for c in DECIMAL_COLUMNS
        if c in types
    ]
    replaced += [
        f"CAST({names[c]} AS VARCHAR) AS {names[c]}" for c, t in types.items() if t.startswith("TIMESTAMP")
    ]
    if not replaced:
        return sql
    return f"SELECT * REPLACE ({', '.join(replaced)}) FROM ({sql})"


CSV_CHUNK_VECTORS = 32
"""DuckDB vectors (2,048 rows each) per DataFrame a CSV export converts and writes at a time."""
XLSX_MAX_ROWS = 1_048_575
"""An Excel sheet's rows, less the header."""


def write_csv(con: duckdb.DuckDBPyConnection, sql: str, stream: BinaryIO, *, bom: bool) -> int:
    """Write the query's rows to `stream` as CSV, a chunk at a time, so memory does not grow with the
    export; returns the number of rows."""
    result = con.execute(_exact_decimals(con, sql))
    rows = 0
    header = True
    while True:
        chunk = result.fetch_df_chunk(CSV_CHUNK_VECTORS)
        if chunk.empty and not header:
            break
        text = chunk.to_csv(index=False, header=header)
        stream.write(text.encode("utf-8-sig" if bom and header else "utf-8"))
        rows += len(chunk)
        header = False
    return rows


def _write_csv_file(con: duckdb.DuckDBPyConnection, sql: str, out: Path) -> int:
    """The CSV written beside `out` and renamed onto it, so a failed export leaves no half file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as file:
            rows = write_csv(con, sql, file, bom=True)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def export_table(
    directory: Path, what: str, fmt: Format, out: Path | None, stream: BinaryIO | None = None
) -> tuple[Path | None, int, bytes | None]:
    """Write an export. CSV with no `out` goes to `stream`, or with no stream is returned as bytes
    (without a BOM). Returns (path, rows, data)."""
    version = require_current(directory)
    con = open_version(version)
    try:
        sql = export_sql(con, directory, what)
        if fmt == "parquet":
            target = out or Path(f"xxgk_{what}.parquet")
            copied = con.execute(f"COPY ({sql}) TO '{_quote(target)}' (FORMAT parquet, COMPRESSION zstd)")
            return target, int(copied.fetchall()[0][0]), None
        if fmt == "csv":
            if out is not None:
                return out, _write_csv_file(con, sql, out), None
            if stream is not None:
                return None, write_csv(con, sql, stream, bom=False), None
            buffer = io.BytesIO()
            rows = write_csv(con, sql, buffer, bom=False)
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


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


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
