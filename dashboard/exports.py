"""Bytes of a table as CSV (UTF-8 with BOM for Excel), XLSX with an about sheet, or Parquet."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    text: str = frame.to_csv(index=False)
    return text.encode("utf-8-sig")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def about_rows(
    what: str, filters: list[tuple[str, str]], version: str, rows: int, now: datetime | None = None
) -> pd.DataFrame:
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


def file_stem(what: str, parts: list[str]) -> str:
    """`xxgk_<what>_<filter parts>`, safe on every file system."""
    pieces = ["xxgk", what, *[p for p in parts if p]]
    return re.sub(r"[^\w.\-]+", "-", "_".join(pieces)).strip("-")
