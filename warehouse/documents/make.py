"""The two documents as bytes, from a published warehouse version: what the CLI writes to a file and the
dashboard hands to a download button. Each call opens its own read-only connection, so it may run on the
dashboard's download thread."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import duckdb

from warehouse.db import open_version
from warehouse.documents.compare import Comparison
from warehouse.documents.compare_docx import comparison_docx
from warehouse.documents.compare_html import comparison_html
from warehouse.documents.compare_xlsx import comparison_xlsx
from warehouse.documents.reads import build_comparison, build_summary
from warehouse.documents.summary import Summary, SummaryRequest
from warehouse.documents.summary_docx import summary_docx
from warehouse.documents.summary_xlsx import summary_xlsx
from warehouse.review import overlay
from warehouse.review.ledger import load_snapshot

SummaryFormat = Literal["docx", "xlsx"]
CompareFormat = Literal["docx", "xlsx", "html"]
SUMMARY_FORMATS: tuple[SummaryFormat, ...] = ("docx", "xlsx")
COMPARE_FORMATS: tuple[CompareFormat, ...] = ("docx", "xlsx", "html")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}
SUMMARY_WRITERS: dict[str, Callable[[Summary], bytes]] = {"docx": summary_docx, "xlsx": summary_xlsx}
COMPARE_WRITERS: dict[str, Callable[[Comparison], bytes]] = {
    "docx": comparison_docx,
    "xlsx": comparison_xlsx,
    "html": comparison_html,
}


def _open(version: Path) -> duckdb.DuckDBPyConnection:
    """The version read-only, with the reviewers' corrections of its warehouse directory applied."""
    con = open_version(version)
    overlay.register(con, load_snapshot(version.parent))
    return con


def make_summary(version: Path, request: SummaryRequest) -> Summary:
    con = _open(version)
    try:
        return build_summary(con, request, version.name)
    finally:
        con.close()


def summary_bytes(version: Path, request: SummaryRequest, fmt: str) -> tuple[Summary, bytes]:
    summary = make_summary(version, request)
    return summary, SUMMARY_WRITERS[fmt](summary)


def make_comparison(version: Path, agency: str, years: tuple[int, int]) -> Comparison:
    con = _open(version)
    try:
        return build_comparison(con, agency, years, version.name)
    finally:
        con.close()


def comparison_bytes(
    version: Path, agency: str, years: tuple[int, int], fmt: str
) -> tuple[Comparison, bytes]:
    comparison = make_comparison(version, agency, years)
    return comparison, COMPARE_WRITERS[fmt](comparison)


def safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_.") or "xxgk"


def comparison_file_name(comparison: Comparison, fmt: str) -> str:
    return (
        safe_name(f"{comparison.agency}_{comparison.before.year}-{comparison.after.year}_年报对比")
        + f".{fmt}"
    )
