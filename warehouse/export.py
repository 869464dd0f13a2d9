"""Long-table exports of the current warehouse version: CSV (UTF-8 with BOM), XLSX with an about sheet,
or Parquet."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from warehouse import queries
from warehouse.db import open_version
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
    """Decimals as text without trailing zeros, so CSV holds exactly what was printed."""
    columns = [d[0] for d in con.execute(f"DESCRIBE {sql}").fetchall()]
    replaced = [
        f"rtrim(rtrim(CAST({c} AS VARCHAR), '0'), '.') AS {c}" for c in DECIMAL_COLUMNS if c in columns
    ]
    if not replaced:
        return sql
    return f"SELECT * REPLACE ({', '.join(replaced)}) FROM ({sql})"


def export_table(
    directory: Path, what: str, fmt: Format, out: Path | None
) -> tuple[Path | None, int, bytes | None]:
    """Write an export; with no `out` and CSV, return the bytes instead. Returns (path, rows, data)."""
    version = require_current(directory)
    con = open_version(version)
    try:
        sql = export_sql(con, directory, what)
        if fmt == "parquet":
            target = out or Path(f"xxgk_{what}.parquet")
            con.execute(f"COPY ({sql}) TO '{_quote(target)}' (FORMAT parquet, COMPRESSION zstd)")
            rows = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
            return target, int(rows), None
        frame = con.execute(_exact_decimals(con, sql) if fmt == "csv" else sql).df()
    finally:
        con.close()
    if fmt == "csv":
        if out is None:
            return None, len(frame), frame.to_csv(index=False).encode("utf-8")
        out.write_bytes(csv_bytes(frame))
        return out, len(frame), None
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
