"""A bulk run's rows held as Arrow until the segment is written (warehouse/store/parts.py `HeldRows`): the
parts are the ones the work tables gave, row for row and in order, and the tables' constraints still hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyarrow  # noqa: F401  (loaded, as in a bulk run: batches of thousands of values are staged as Arrow)
import pytest

from tests.conftest import FIXTURES
from warehouse.engine import duckdb
from warehouse.packed import PackedRows, pack_rows
from warehouse.rows import FACT_COLUMNS, ReportRows
from warehouse.store import parts
from xxgk.parsing import Job, parse_one

NAMES = ["江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx", "柯城区财政局_2017.html"]
AT = datetime(2026, 12, 5, 1, 0)
Rows = ReportRows | PackedRows


@pytest.fixture(scope="module")
def parsed() -> list[ReportRows]:
    found = [parse_one(Job(str(FIXTURES / "reports" / name), rows=True)).result for name in NAMES]
    assert all(isinstance(rows, ReportRows) for rows in found)
    return found  # type: ignore[return-value]


def renamed_rows(rows: ReportRows, n: int) -> ReportRows:
    """`rows` as the report of another content hash."""
    rid = f"{n:04d}{rows.report_id[4:]}"
    return replace(
        rows,
        report_id=rid,
        report=(rid, *rows.report[1:]),
        facts=((rid,) * len(rows.facts[0]), *rows.facts[1:]) if rows.facts else (),
        checks=((rid,) * len(rows.checks[0]), *rows.checks[1:]) if rows.checks else (),
        warnings=((rid,) * len(rows.warnings[0]), *rows.warnings[1:]) if rows.warnings else (),
        document=(rid, rows.document[1]),
    )


def _copies(parsed: list[ReportRows], start: int, count: int) -> list[Rows]:
    return [pack_rows(renamed_rows(parsed[n % len(parsed)], n)) for n in range(start, start + count)]


def _parts(directory: Path, batches: list[list[Rows]]) -> dict[str, tuple[object, ...]]:
    """Each part the batches make, as its Parquet schema and its rows in the file's order."""
    writer = parts.PartWriter(directory, "run")
    try:
        for batch in batches:
            writer.add(batch, AT)
        writer.flush()
        con = writer.con
        return {
            part.relation: (
                con.execute(f"SELECT name, type FROM parquet_schema('{directory / part.file}')").fetchall(),
                con.execute(f"SELECT * FROM read_parquet('{directory / part.file}')").fetchall(),
            )
            for part in writer.parts
        }
    finally:
        writer.close()


def _inserted(
    monkeypatch: pytest.MonkeyPatch, directory: Path, batches: list[list[Rows]]
) -> dict[str, tuple[object, ...]]:
    """The parts as the work tables give them, nothing held."""
    with monkeypatch.context() as patched:
        patched.setattr(parts, "HELD", ())
        return _parts(directory, batches)


@pytest.mark.parametrize("beside", [0, parts.BESIDE_REPORTS], ids=["one cursor", "two cursors"])
def test_a_bulk_segment_is_held_and_its_parts_are_the_tables(
    parsed: list[ReportRows], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside: int
) -> None:
    """A segment's rows staged as Arrow are held, not inserted; its parts are the work tables' row for row,
    in order, with the same types: written from the held rows (one cursor) or, a small segment written by
    two cursors, from the work tables they are inserted into first. A first batch small enough to be
    staged as lists (inserted) and a report seen again (its rows replaced) are in it too."""
    monkeypatch.setattr(parts, "BESIDE_REPORTS", beside)
    first = _copies(parsed, 0, 1)
    bulk = _copies(parsed, 1, 60)
    again = [pack_rows(renamed_rows(parsed[2], 5))]  # report 5 of `bulk`, another content
    writer = parts.PartWriter(tmp_path / "probe", "run")
    try:
        writer.add(bulk, AT)
        assert writer.held is not None and writer.held.rows("facts") > 0
        assert writer.con.execute(
            "SELECT (SELECT count(*) FROM facts) + (SELECT count(*) FROM reports)"
        ).fetchall() == [(0,)]
    finally:
        writer.close()
    for name, batches in (("mixed", [first, bulk]), ("again", [bulk, again]), ("held", [bulk])):
        held = _parts(tmp_path / name / "held", batches)
        assert held == _inserted(monkeypatch, tmp_path / name / "inserted", batches)
        assert len(held["reports_parsed"][1]) == sum(map(len, batches)) - (name == "again")
        assert {"facts", "checks", "documents", "report_series", "check_inputs"} <= set(held)


def _broken(rows: ReportRows, column: str, value: object) -> ReportRows:
    index = FACT_COLUMNS.index(column)
    facts = list(rows.facts)
    facts[index] = (value, *facts[index][1:])
    return replace(rows, facts=tuple(facts))


@pytest.mark.parametrize(("column", "value"), [("semantic", "bogus"), ("value_raw", None)])
def test_the_tables_constraints_refuse_held_rows(
    parsed: list[ReportRows], tmp_path: Path, column: str, value: object
) -> None:
    """A fact breaking a CHECK or a NOT NULL of schema.sql fails the segment as its INSERT did."""
    bulk = _copies(parsed, 0, 30)
    bulk[7] = _broken(renamed_rows(parsed[1], 7), column, value)
    with pytest.raises(duckdb.ConstraintException):
        _parts(tmp_path, [bulk])


def test_a_report_twice_in_a_batch_is_refused(parsed: list[ReportRows], tmp_path: Path) -> None:
    bulk = _copies(parsed, 0, 30)
    with pytest.raises(duckdb.ConstraintException):
        _parts(tmp_path, [[*bulk, bulk[3]]])


def _kept_strings(con: duckdb.DuckDBPyConnection) -> int:
    """The bytes DuckDB's instance holds in string blocks (a table's strings too long to inline)."""
    found = con.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'OVERFLOW_STRINGS'"
    ).fetchall()
    return int(found[0][0])


def test_a_segments_work_tables_keep_nothing_of_it_once_written(
    parsed: list[ReportRows], tmp_path: Path
) -> None:
    """Each segment's documents (a report's text: kilobytes, inserted into the work table) are let go of when
    the segment is written: the driver does not grow with the segments (an emptied in-memory table keeps its
    deleted rows' strings, ≈ 5 KB a report: 0.5 GB at 100k)."""
    writer = parts.PartWriter(tmp_path, "run")
    try:
        kept = []
        for segment in range(4):
            writer.add(_copies(parsed, 300 * segment, 300), AT)
            assert writer.con.execute("SELECT count(*) FROM documents").fetchall() == [(300,)]
            writer.flush()
            kept.append(_kept_strings(writer.con))
        assert len([p for p in writer.parts if p.relation == "documents"]) == 4
        assert kept[-1] <= kept[0] < 256 * 1024 * 4
    finally:
        writer.close()
