"""Warehouse round trips on real DuckDB files: idempotent ingest, replacement, bad input, exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import FIXTURES
from warehouse.db import connect
from warehouse.export import export_table
from warehouse.publish import current_version
from xxgk.ingest import ingest

pytestmark = pytest.mark.slow

REPORTS = FIXTURES / "reports"
KECHENG = "柯城区卫生健康局_2022_gbk.html"
JIANGAN = "湖北_江岸区民政局_2019_tabs.txt"


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in (KECHENG, JIANGAN):
        shutil.copy(REPORTS / name, folder / name)
    return folder


def _query(directory: Path, sql: str) -> list[tuple[object, ...]]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ingest_twice_changes_nothing(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    first = ingest([inbox], wh)
    assert (first.count("loaded"), first.failed) == (2, [])
    facts_before = _query(wh, "SELECT * FROM facts ORDER BY ALL")
    version = current_version(wh)
    second = ingest([inbox], wh)
    assert second.count("unchanged") == 2 and not second.published
    assert current_version(wh) == version
    assert _query(wh, "SELECT * FROM facts ORDER BY ALL") == facts_before
    assert _query(wh, "SELECT count(*) FROM runs") == [(1,)]


def test_changed_file_replaces_its_old_version(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox], wh)
    path = inbox / JIANGAN
    path.write_text(
        path.read_text(encoding="utf-8").replace("行政处罚\t40", "行政处罚\t41"), encoding="utf-8"
    )
    summary = ingest([inbox], wh)
    assert (summary.count("replaced"), summary.count("unchanged")) == (1, 1)
    rows = _query(wh, "SELECT value FROM facts WHERE metric_code = 'v2019.penalty.prev_items'")
    assert rows == [(41,)]
    assert _query(wh, "SELECT count(*) FROM reports") == [(2,)]


def test_bad_inputs_are_listed_and_lose_nothing(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox], wh)
    facts_before = _query(wh, "SELECT count(*) FROM facts")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "garbage.html").write_bytes(bytes(range(256)) * 8)
    (bad / "report.rtf").write_bytes(b"{\\rtf1 x}")
    (bad / "notes.json").write_text("{}")
    data = (REPORTS / KECHENG).read_bytes()
    (bad / "cut.html").write_bytes(data[: data.index("（五）不予处理".encode("gb18030"))])
    summary = ingest([bad, inbox], wh)
    reasons = {Path(o.path).name: o.reason for o in summary.failed}
    assert set(reasons) == {"empty.html", "garbage.html", "report.rtf", "cut.html"}
    assert reasons["empty.html"] == "empty file"
    assert "binary" in reasons["garbage.html"]
    assert "unsupported file type" in reasons["report.rtf"]
    assert "cut off" in reasons["cut.html"]
    assert summary.ignored == {".json": 1}
    assert _query(wh, "SELECT count(*) FROM facts") == facts_before
    assert _query(wh, "SELECT count(*) FROM ingest_errors") == [(4,)]
    again = ingest([bad, inbox], wh)
    assert not again.published and {o.reason for o in again.failed} == set(reasons.values())


def test_file_that_turns_bad_keeps_its_last_good_version(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox], wh)
    (inbox / JIANGAN).write_bytes(b"\x00\x01garbage")
    summary = ingest([inbox], wh)
    assert [o.status for o in summary.failed] == ["error"]
    assert _query(wh, "SELECT count(*) FROM reports") == [(2,)]
    assert _query(wh, "SELECT count(*) FROM ingest_errors") == [(1,)]


def test_same_bytes_at_another_path_are_recognised(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox], wh)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(inbox / KECHENG, copy / "again.html")
    summary = ingest([copy], wh)
    assert summary.count("unchanged") == 1
    assert _query(wh, "SELECT count(*) FROM reports") == [(2,)]
    assert _query(wh, "SELECT count(*) FROM sources") == [(3,)]


def test_open_reader_keeps_its_version_while_ingest_publishes(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox / KECHENG], wh)
    old = current_version(wh)
    assert old is not None
    reader = duckdb.connect(str(old), read_only=True)
    try:
        summary = ingest([inbox], wh, jobs=2)
        assert summary.published and current_version(wh) != old
        assert reader.execute("SELECT count(*) FROM reports").fetchall() == [(1,)]
    finally:
        reader.close()
    assert _query(wh, "SELECT count(*) FROM reports") == [(2,)]
    assert not list(wh.glob("*.wal")) and not list(wh.glob("*.tmp"))


def test_parallel_and_serial_ingest_agree(inbox: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        shutil.copy(REPORTS / KECHENG, inbox / f"{name}_{KECHENG}")
    ingest([inbox], tmp_path / "serial", jobs=1)
    ingest([inbox], tmp_path / "parallel", jobs=2)
    sql = "SELECT metric_code, breakdown, value, value_raw FROM facts ORDER BY ALL"
    assert _query(tmp_path / "serial", sql) == _query(tmp_path / "parallel", sql)


def test_exports(inbox: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([inbox], wh)
    csv_path, rows, _ = export_table(wh, "facts", "csv", tmp_path / "facts.csv")
    assert csv_path is not None
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    for column in (
        "agency",
        "year",
        "template",
        "province",
        "city",
        "county",
        "metric_code",
        "breakdown",
        "value",
        "value_raw",
        "semantic",
        "source_file",
    ):
        assert column in header
    assert rows == 200 + 25 + 198 + 2 + 4
    assert ",v2021.admin_fees.amount," in text and ",125000,12.5," in text
    xlsx, _, _ = export_table(wh, "checks", "xlsx", tmp_path / "checks.xlsx")
    assert xlsx is not None
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["checks", "about"]
    assert book["about"]["B3"].value
    parquet, _, _ = export_table(wh, "reports", "parquet", tmp_path / "reports.parquet")
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM '{parquet}'").fetchall() == [(2,)]
    _, _, data = export_table(wh, "errors", "csv", None)
    assert data is not None and data.decode().startswith("source_file,kind,reason")
