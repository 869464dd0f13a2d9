"""A small real warehouse for the review tests: three fixture reports (old, v2019, v2021) copied to a
folder of their own, so tests can replace a file and ingest again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from warehouse.db import connect
from warehouse.publish import require_current
from xxgk.ingest import ingest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reports"
NAMES = ("常山县天马街道办事处_2021.htm", "常山县司法局_2020.txt", "柯城区财政局_2017.html")


def build(base: Path) -> tuple[Path, Path]:
    """(reports folder, warehouse directory) with the three reports loaded."""
    reports = base / "reports"
    reports.mkdir(parents=True)
    for name in NAMES:
        shutil.copyfile(FIXTURES / name, reports / name)
    directory = base / "data"
    summary = ingest([reports], directory)
    assert summary.count("loaded") == len(NAMES), summary.failed
    return reports, directory


def query(directory: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def report_of(directory: Path, name: str) -> str:
    rows = query(directory, "SELECT report_id FROM reports WHERE file_name = ?", [name])
    assert rows, name
    return str(rows[0][0])
