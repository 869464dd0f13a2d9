"""Bytes of a table as CSV (UTF-8 with BOM for Excel), XLSX with an about sheet, or Parquet; CSV and XLSX
are written the same way as `xxgk export` writes them."""

from __future__ import annotations

import io
import re

import pandas as pd

from warehouse.export import about_rows, csv_bytes, xlsx_bytes

__all__ = ["about_rows", "csv_bytes", "file_stem", "parquet_bytes", "xlsx_bytes"]


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def file_stem(what: str, parts: list[str]) -> str:
    """`xxgk_<what>_<filter parts>`, safe on every file system."""
    pieces = ["xxgk", what, *[p for p in parts if p]]
    return re.sub(r"[^\w.\-]+", "-", "_".join(pieces)).strip("-")
