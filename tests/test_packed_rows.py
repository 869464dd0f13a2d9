"""A bulk ingest's packed rows (warehouse/packed.py): lossless, and stored as the plain rows are."""

from __future__ import annotations

import pickle
import pickletools
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from warehouse.db import apply_schema, connect
from warehouse.load import insert_rows
from warehouse.packed import (
    PackedRows,
    is_packed,
    pack_column,
    pack_rows,
    packed_values,
    text_array,
    unpacked,
)
from warehouse.rows import FACT_COLUMNS, ReportRows
from xxgk.ingest import CHUNK, _first_plan, _plan
from xxgk.parsing import Job, parse_one

REPORTS = FIXTURES / "reports"
TABLES = ("reports", "facts", "checks", "parse_warnings", "documents", "ocr_cells")
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(["", "\x00", "a\x00b"])
VALUES = st.lists(st.none() | TEXT, min_size=1, max_size=40)


@given(VALUES)
def test_a_packed_column_gives_its_values_back(values: list[str | None]) -> None:
    """Text with NULs, empty strings and NULLs: packed or left as it is, the same values come back,
    also through pickle (how a worker sends it)."""
    column = pack_column(tuple(values))
    assert list(unpacked(pickle.loads(pickle.dumps(column, pickle.HIGHEST_PROTOCOL)))) == values
    if any(v is not None and "\x00" in v for v in values):
        assert not is_packed(column)


@given(st.lists(VALUES, min_size=1, max_size=6))
def test_packed_columns_as_one_arrow_array(columns: list[list[str | None]]) -> None:
    """The driver's Arrow array of several reports' packed columns holds their values in order."""
    parts = [pack_column(tuple(values)) for values in columns]
    packed = [p for p in parts if is_packed(p)]
    if not packed:
        return
    array = text_array(packed)
    array.validate(full=True)
    assert array.type == pa.string()
    assert array.to_pylist() == [v for p in packed for v in packed_values(p)]


def test_not_text_is_left_as_it_is() -> None:
    assert pack_column((1, None, 2)) == [1, None, 2]
    assert pack_column(("a", 1)) == ["a", 1]
    assert pack_column(("\ud800",)) == ["\ud800"]  # a lone surrogate cannot be encoded
    assert pack_column(()) == []


def _rows(name: str) -> ReportRows:
    result = parse_one(Job(str(REPORTS / name), rows=True)).result
    assert isinstance(result, ReportRows)
    return result


NAMES = ["江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx"]


@pytest.mark.parametrize("name", NAMES)
def test_a_bulk_job_gets_packed_rows(name: str) -> None:
    """A packed job's result unpacks to the rows a plain job gets; the report id is not sent per row."""
    packed = parse_one(Job(str(REPORTS / name), rows=True, packed=True)).result
    rows = _rows(name)
    assert isinstance(packed, PackedRows)
    assert packed.n_facts == len(rows.facts[0]) > 0
    assert len(packed.facts) == len(FACT_COLUMNS) - 1
    assert [list(unpacked(c)) for c in packed.facts] == [list(c) for c in rows.facts[1:]]
    assert [list(unpacked(c)) for c in packed.checks] == [list(c) for c in rows.checks[1:]]
    assert any(is_packed(c) for c in packed.facts)
    assert pickle.loads(pickle.dumps(packed, pickle.HIGHEST_PROTOCOL)) == packed


def _stored(new: list[ReportRows] | list[PackedRows]) -> dict[str, tuple[object, ...]]:
    con = connect(None)
    try:
        apply_schema(con)
        insert_rows(con, new, datetime(2026, 12, 4, 19, 0))
        return {
            table: (
                con.execute(f"DESCRIBE {table}").fetchall(),
                con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(),
            )
            for table in TABLES
        }
    finally:
        con.close()


@pytest.mark.parametrize("copies", [1, 40])
def test_packed_rows_are_stored_as_plain_rows(copies: int) -> None:
    """The same tables, types and rows whether the reports come packed or plain: a batch staged as lists
    (one report) and one staged as Arrow (pyarrow loaded, thousands of values), where the packed text
    columns go in as the driver's own Arrow arrays."""
    plain = [_rows(name) for name in NAMES]
    batch = [
        ReportRows(
            f"{n:04d}{r.report_id[4:]}",
            r.template,
            r.has_warnings,
            r.failing,
            (f"{n:04d}{r.report_id[4:]}", *r.report[1:]),
            ((f"{n:04d}{r.report_id[4:]}",) * len(r.facts[0]), *r.facts[1:]) if r.facts else (),
            ((f"{n:04d}{r.report_id[4:]}",) * len(r.checks[0]), *r.checks[1:]) if r.checks else (),
            r.warnings,
            (f"{n:04d}{r.report_id[4:]}", r.document[1]),
            r.ocr,
        )
        for n in range(copies)
        for r in plain
    ][: max(1, copies)]
    assert _stored(batch) == _stored([pack_rows(r) for r in batch])


def test_a_batch_of_packed_and_plain_rows_is_stored_as_plain_rows() -> None:
    """A plain report among packed ones (the early worker's first file, a report the driver turned into
    rows), staged as Arrow: its columns, tuples like a `PackedText`, are not taken for packed ones."""
    plain = [_rows(name) for name in NAMES]
    batch = [_renamed(r, n) for n in range(40) for r in plain]
    mixed = [r if n % 3 == 0 else pack_rows(r) for n, r in enumerate(batch)]
    assert _stored(batch) == _stored(mixed)


def _renamed(rows: ReportRows, n: int) -> ReportRows:
    rid = f"{n:04d}{rows.report_id[4:]}"
    return ReportRows(
        rid,
        rows.template,
        rows.has_warnings,
        rows.failing,
        (rid, *rows.report[1:]),
        ((rid,) * len(rows.facts[0]), *rows.facts[1:]) if rows.facts else (),
        ((rid,) * len(rows.checks[0]), *rows.checks[1:]) if rows.checks else (),
        rows.warnings,
        (rid, rows.document[1]),
        rows.ocr,
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_packed_report_crosses_the_pipe_as_builtins(name: str) -> None:
    """What a bulk worker sends for a report names no class of warehouse/packed.py but `PackedRows`: its
    packed columns are plain tuples, which pickle writes and reads without a Python call."""
    parsed = parse_one(Job(str(REPORTS / name), rows=True, packed=True))
    globals_named = {
        str(argument)
        for opcode, argument, _ in pickletools.genops(pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
        if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "GLOBAL")
    }
    assert "PackedRows" in globals_named
    assert "PackedText" not in globals_named
    assert any(is_packed(c) for c in parsed.result.facts)  # type: ignore[union-attr]


def test_only_a_bulk_run_packs(tmp_path: Path) -> None:
    files = [tmp_path / f"{n}.txt" for n in range(CHUNK + 1)]
    assert all(job.packed for job in _first_plan(files).to_parse)
    state = _empty_state()
    assert all(job.packed for job in _plan({f: f"{n:064x}" for n, f in enumerate(files)}, state).to_parse)
    assert not any(job.packed for job in _plan({files[0]: "0" * 64}, state).to_parse)


def _empty_state():  # type: ignore[no-untyped-def]
    from warehouse.load import empty_state

    return empty_state()
