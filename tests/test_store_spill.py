"""A run's DuckDB can spill into its run folder before anything else made that folder (a first build's
logs sorted beyond the memory limit: the 1M synthetic store failed so)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.db import quoted
from warehouse.engine import duckdb
from warehouse.store.writer import spill_folder

ROWS = 1_000_000
"""Sorted under SORT_LIMIT these spill (≈ 24 MB of rows, a sort needs about twice that)."""
SORT_LIMIT = "24MB"


def _sort_beyond_limit(directory: Path, spill: Path) -> bool:
    """Whether DuckDB spilled (its spill folder exists before the connection closes and removes it)."""
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{SORT_LIMIT}'")
        con.execute("SET threads = 1")
        con.execute(f"SET temp_directory = {quoted(spill)}")
        con.execute(f"CREATE TEMP TABLE t AS SELECT hash(i) AS k, i, i * 3 AS j FROM range({ROWS}) r(i)")
        out = directory / "sorted.parquet"
        con.execute(f"COPY (SELECT * FROM t ORDER BY k) TO {quoted(out)} (FORMAT parquet)")
        return spill.is_dir()
    finally:
        con.close()


def test_the_sort_spills_and_needs_the_folders_parent(tmp_path: Path) -> None:
    """The condition the fix is for: without the run's folder DuckDB cannot make its spill folder."""
    with pytest.raises(duckdb.IOException, match="Failed to create directory"):
        _sort_beyond_limit(tmp_path, tmp_path / "derived" / "run-a" / "spill")


def test_a_run_spills_into_a_fresh_warehouse(tmp_path: Path) -> None:
    spill = spill_folder(tmp_path, "run-b")
    assert spill == tmp_path / "derived" / "run-b" / "spill"
    assert _sort_beyond_limit(tmp_path, spill)
    assert duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet({quoted(tmp_path / 'sorted.parquet')})"
    ).fetchone() == (ROWS,)


def test_spill_folder_is_idempotent(tmp_path: Path) -> None:
    assert spill_folder(tmp_path, "run-c") == spill_folder(tmp_path, "run-c")
    assert not (tmp_path / "derived" / "run-c" / "spill").exists()  # made by DuckDB only if it spills
