"""Compaction merges a run's documents a range of report ids at a time: the rows and order of one sort,
in memory bounded by a range (docs/scale.md §5, "The full build's tail at 100k")."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.engine import duckdb
from warehouse.store import compact
from warehouse.store.memory import parse_size
from warehouse.store.parts import copy_to


def _id(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _segments(directory: Path, segments: int, per_segment: int, text_bytes: int) -> list[str]:
    """Documents part files of `segments` segments, each sorted by report id, as the part writer writes."""
    con = duckdb.connect()
    files = []
    try:
        for segment in range(segments):
            name = f"parts/run/s{segment:04d}-documents.parquet"
            first = segment * per_segment
            copy_to(
                con,
                f"SELECT sha256(CAST(i AS VARCHAR)) AS report_id, "
                f"repeat(md5(CAST(i AS VARCHAR)), {text_bytes // 32}) AS text "
                f"FROM range({first}, {first + per_segment}) AS t(i) ORDER BY report_id",
                directory / name,
            )
            files.append(name)
    finally:
        con.close()
    return files


def test_a_ranged_merge_writes_the_rows_of_one_sort_in_its_order(tmp_path: Path) -> None:
    files = _segments(tmp_path, segments=5, per_segment=40, text_bytes=64)
    dead = sorted(_id(n) for n in (3, 77, 150, 199))
    con = duckdb.connect()
    try:
        sorted_once = tmp_path / "once.parquet"
        copy_to(con, compact.merge_sql(tmp_path, "documents", files, dead), sorted_once)
        ranged = tmp_path / "ranged.parquet"
        written = compact._ranged_merge(con, tmp_path, "documents", files, dead, ranged, range_rows=17)
        once = con.execute(f"SELECT * FROM read_parquet('{sorted_once}')").fetchall()
        pieces = con.execute(f"SELECT * FROM read_parquet('{ranged}')").fetchall()
    finally:
        con.close()
    assert written == len(once) == 196
    assert pieces == once
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".parquet") == [
        "once.parquet",
        "ranged.parquet",
    ]


@pytest.mark.slow
def test_the_documents_merge_fits_a_memory_limit_one_sort_does_not(tmp_path: Path) -> None:
    """≈ 196 MB of text under a 256 MB limit: one sort fails (DuckDB cannot spill its rows), the ranges
    of 1,000 documents (≈ 16 MB) do not."""
    files = _segments(tmp_path, segments=4, per_segment=3_000, text_bytes=16_384)
    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '256MB'")
        con.execute(f"SET temp_directory = '{tmp_path / 'spill'}'")
        con.execute("SET threads = 2")
        with pytest.raises(duckdb.OutOfMemoryException):
            copy_to(con, compact.merge_sql(tmp_path, "documents", files, []), tmp_path / "once.parquet")
        target = tmp_path / "ranged.parquet"
        written = compact._ranged_merge(con, tmp_path, "documents", files, [], target, range_rows=1_000)
        ids = [r[0] for r in con.execute(f"SELECT report_id FROM read_parquet('{target}')").fetchall()]
    finally:
        con.close()
    assert written == 12_000
    assert ids == sorted(_id(n) for n in range(12_000))


@given(
    rows=st.integers(min_value=0, max_value=10**7),
    decoded=st.integers(min_value=0, max_value=10**11),
    range_rows=st.integers(min_value=1, max_value=10**6),
)
def test_a_ranged_merge_s_limit_holds_twice_a_range_and_no_less_than_its_floor(
    rows: int, decoded: int, range_rows: int
) -> None:
    limit = compact.range_limit(rows, decoded, range_rows)
    per_range = decoded * min(rows, range_rows) / max(rows, 1)
    assert limit >= compact.RANGED_DUCKDB
    assert limit >= compact.RANGE_MEMORY * per_range - compact.RANGE_MEMORY
    assert limit == compact.RANGED_DUCKDB or limit <= compact.RANGE_MEMORY * per_range
    assert compact.range_limit(rows, decoded + 10**6, range_rows) >= limit


def test_a_ranged_merge_sets_duckdb_s_limit_back(tmp_path: Path) -> None:
    """The ranges sort under `range_limit` (256 MB here), and the connection's limit is set again after."""
    files = _segments(tmp_path, segments=4, per_segment=50, text_bytes=256)
    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '1GB'")
        before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        target = tmp_path / "ranged.parquet"
        written = compact._ranged_merge(con, tmp_path, "documents", files, [], target, range_rows=60)
        after = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()
    assert written == 200
    set_before, set_after = parse_size(before), parse_size(after)
    assert set_before is not None and set_after is not None
    assert abs(set_after - set_before) <= 2**20 // 10  # DuckDB shows it to 0.1 MiB
