"""A warehouse written by an older version gets one clear message from every command and the dashboard,
before any statement of schema.sql runs; a missing or damaged one gets a clear error page."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from tests.conftest import FIXTURES, ROOT
from warehouse.db import SCHEMA_VERSION
from warehouse.publish import POINTER, current_version
from xxgk.cli import cli

REPORT = FIXTURES / "reports" / "柯城区卫生健康局_2022_gbk.html"
APP = ROOT / "dashboard" / "app.py"
OLDER = f"was written by an older version of xxgk (schema version 4; this version reads schema version {SCHEMA_VERSION})"


@pytest.fixture(scope="module")
def old_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse as version 4 left it: one DuckDB file holding the tables themselves (no Parquet parts),
    here the two of them that the current code's statements would trip over first."""
    directory = tmp_path_factory.mktemp("old") / "wh"
    directory.mkdir()
    version = directory / "warehouse-20250101T000000000000-1.duckdb"
    con = duckdb.connect(str(version))
    con.execute("CREATE TABLE warehouse_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO warehouse_info VALUES ('schema_version', '4')")
    con.execute("CREATE TABLE reports (report_id VARCHAR, agency VARCHAR, year INTEGER)")
    con.execute("INSERT INTO reports VALUES ('abc', '柯城区卫生健康局', 2022)")
    con.execute("CHECKPOINT")
    con.close()
    (directory / POINTER).write_text(version.name + "\n", encoding="utf-8")
    assert current_version(directory) == version
    return directory


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", str(FIXTURES / "reports" / "江山市交通运输局_2021.txt")],
        ["export", "facts"],
        ["export", "reports", "--format", "xlsx", "--out", "never.xlsx"],
        ["checks"],
        ["export", "parquet-dataset", "--out", "never-dataset"],
        ["summary", "--place", "330802", "--year", "2022", "--out", "never.docx"],
        ["compare", "柯城区卫生健康局", "--years", "2021", "2022", "--out", "never.docx"],
        ["findings", "--place", "330802", "--year", "2022", "--out", "never-findings"],
    ],
    ids=["ingest", "export-csv", "export-xlsx", "checks", "dataset", "summary", "compare", "findings"],
)
def test_every_command_refuses_an_older_warehouse_with_one_message(
    old_warehouse: Path, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in old_warehouse.iterdir())
    result = CliRunner().invoke(cli, [*args, "--warehouse", str(old_warehouse)])
    assert result.exit_code == 1, result.output
    assert (
        OLDER in " ".join(result.output.split())
        and "ingest the reports into a new --warehouse directory" in result.output
    )
    assert "Traceback" not in result.output and "BinderException" not in result.output
    assert sorted(p.name for p in old_warehouse.iterdir()) == before
    assert list(tmp_path.iterdir()) == []  # no output file or folder begun


def _dashboard(directory: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(directory))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_dashboard_shows_the_message_for_an_older_warehouse(
    old_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _dashboard(old_warehouse, monkeypatch)
    (error,) = at.error
    assert OLDER in html.unescape(error.value)


def test_the_dashboard_shows_a_clear_page_for_a_missing_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "wh"
    directory.mkdir()
    (directory / POINTER).write_text("warehouse-gone.duckdb\n", encoding="utf-8")
    at = _dashboard(directory, monkeypatch)
    (error,) = at.error
    assert "warehouse&#45;gone&#46;duckdb" in error.value and "xxgk ingest" in error.value.replace(
        "&#32;", " "
    )


def test_the_dashboard_shows_a_clear_page_for_a_damaged_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "wh"
    directory.mkdir()
    (directory / "warehouse-x.duckdb").write_bytes(b"not a database" * 1000)
    (directory / POINTER).write_text("warehouse-x.duckdb\n", encoding="utf-8")
    at = _dashboard(directory, monkeypatch)
    (error,) = at.error
    assert "cannot open the warehouse version" in html.unescape(error.value)


def test_the_dashboard_says_how_to_start_without_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _dashboard(tmp_path / "none", monkeypatch)
    assert not at.error and at.info
    assert at.code[0].value == f"xxgk ingest 报告目录 --warehouse {tmp_path / 'none'}"


def test_an_older_warehouse_directory_is_left_as_it_was(old_warehouse: Path) -> None:
    copy = old_warehouse.parent / "copy"
    shutil.copytree(old_warehouse, copy)
    result = CliRunner().invoke(cli, ["ingest", str(REPORT), "--warehouse", str(copy)])
    assert result.exit_code == 1
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in old_warehouse.iterdir())


def _schema_of(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[object, ...]]:
    tables = con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        [schema],
    ).fetchall()
    version = con.execute(f"SELECT key, value FROM {schema}.warehouse_info ORDER BY key").fetchall()
    return [*tables, *version]


def test_a_new_database_is_set_up_with_its_version() -> None:
    """An empty database passes the version check and is set up with every table and the version row,
    the same each time."""
    from warehouse.db import apply_schema

    def set_up() -> list[tuple[object, ...]]:
        con = duckdb.connect()
        try:
            apply_schema(con)
            return _schema_of(con, "main")
        finally:
            con.close()

    first = set_up()
    assert first == set_up()
    assert ("schema_version", SCHEMA_VERSION) in first
    assert any(row[0] == "facts" for row in first)


def test_the_checked_path_still_refuses_an_older_schema() -> None:
    from warehouse.db import apply_schema
    from warehouse.errors import SchemaMismatch

    con = duckdb.connect()
    con.execute("CREATE TABLE warehouse_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO warehouse_info VALUES ('schema_version', '4')")
    with pytest.raises(SchemaMismatch, match="older version"):
        apply_schema(con, "old.duckdb")
