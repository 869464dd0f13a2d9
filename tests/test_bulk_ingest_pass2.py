"""The bulk ingest path, second pass (docs/scale.md §2): each faster form against the plain one it
replaces — the decimal text of a value, a check's cells, the grid budget, the resolved paths of the walk,
the worker's one hash of a file, and the checks of a bulk run staged as Arrow."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, DecimalException
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import etl.limits as limits
import etl.pipeline as pipeline
import warehouse.load as load
import xxgk.ingest as ingest_module
from etl.errors import LimitExceeded
from etl.pipeline import parse_bytes
from etl.records import ParsedReport
from tests.conftest import FIXTURES
from warehouse.db import apply_schema, connect
from warehouse.rows import (
    CHECK_COLUMNS,
    MICRO,
    STORED,
    Columns,
    ReportRows,
    cells_text,
    micro_text,
    report_rows,
)
from xxgk.ingest import discover
from xxgk.parsing import Job, parse_one

REPORTS = FIXTURES / "reports"


def _quantized(value: Decimal) -> str | type[BaseException]:
    """What `micro_text` gave before: the value quantized to six places under DECIMAL(38, 6)'s rules."""
    try:
        return str(value.quantize(MICRO, context=STORED))
    except DecimalException as exc:
        return type(exc)


def _fast(value: Decimal) -> str | type[BaseException]:
    try:
        text = micro_text(value)
    except DecimalException as exc:
        return type(exc)
    assert text is not None
    return text


@given(st.integers(min_value=-(10**40), max_value=10**40))
@settings(max_examples=400, deadline=None)
def test_a_whole_number_gets_the_text_quantize_gives(number: int) -> None:
    """The digits of a whole number with six zeros appended, or the same error for over 32 digits."""
    for value in (Decimal(number), Decimal(number).scaleb(0), Decimal(f"{number}")):
        assert _fast(value) == _quantized(value)


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.builds(Decimal, st.from_regex(r"-?[0-9]{1,40}(\.[0-9]{0,9})?(E[+-]?[0-9]{1,2})?", fullmatch=True))
)
@settings(max_examples=600, deadline=None)
def test_any_decimal_gets_the_text_quantize_gives(value: Decimal) -> None:
    """Exponents other than 0, signed zeros, NaN and infinities take `quantize` as before."""
    assert _fast(value) == _quantized(value)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-0",
        "12",
        "-7",
        "1E+3",
        "1.5",
        "0.0000001",
        "NaN",
        "-Infinity",
        "9" * 32,
        "9" * 33,
        "-" + "9" * 32,
    ],
)
def test_decimal_text_examples(text: str) -> None:
    assert _fast(Decimal(text)) == _quantized(Decimal(text))
    assert micro_text(None) is None


@pytest.mark.parametrize(
    "cells",
    [
        (),
        (("req.new", ""),),
        (("req.new", "natural"), ("req.carried_in", ""), ("a|b", "c;d")),
        (("x", None), (1, "y")),  # not strs: formatted as before
    ],
)
def test_cells_text_is_the_formatted_pairs(cells: tuple[tuple[str, str], ...]) -> None:
    assert cells_text(cells) == ";".join(f"{code}|{breakdown}" for code, breakdown in cells)


@dataclass
class _OldBudget:
    """`GridBudget` before this pass (copied): each limit checked through its method on every cell."""

    path: str
    used: int = 0
    table_used: int = field(default=0, repr=False)

    def place(self, col: int, rowspan: int, colspan: int) -> None:
        limits.MAX_TABLE_COLUMNS.check(self.path, col + colspan)
        taken = rowspan * colspan
        self.table_used += taken
        self.used += taken
        limits.MAX_TABLE_CELLS.check(self.path, self.table_used)
        limits.MAX_DOCUMENT_CELLS.check(self.path, self.used)


def _placed(budget: object, cells: list[tuple[int, int, int]], tables: int) -> tuple[object, ...]:
    """Where the budget stopped (the error's text) and its counts, after placing `cells` in turn,
    starting a new table every `tables` cells."""
    error = ""
    try:
        for i, (col, rowspan, colspan) in enumerate(cells):
            if i and i % tables == 0:
                budget.table_used = 0  # type: ignore[attr-defined]
            budget.place(col, rowspan, colspan)  # type: ignore[attr-defined]
    except LimitExceeded as exc:
        error = str(exc)
    return error, budget.used, budget.table_used  # type: ignore[attr-defined]


@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(1, 6), st.integers(1, 6)), max_size=60),
    st.integers(1, 20),
)
@settings(max_examples=300, deadline=None)
def test_the_grid_budget_stops_where_and_as_it_did(cells: list[tuple[int, int, int]], tables: int) -> None:
    """With small limits, every sequence of cells stops at the same cell with the same message and
    counts (columns first, then the table's cells, then the document's)."""
    small = {
        "MAX_TABLE_COLUMNS": limits.Limit("MAX_TABLE_COLUMNS", 10, "grid columns in one table"),
        "MAX_TABLE_CELLS": limits.Limit("MAX_TABLE_CELLS", 40, "grid cells in one table"),
        "MAX_DOCUMENT_CELLS": limits.Limit("MAX_DOCUMENT_CELLS", 90, "grid cells in all tables"),
    }
    kept = {name: getattr(limits, name) for name in small}
    try:
        for name, limit in small.items():
            setattr(limits, name, limit)
        new = _placed(limits.GridBudget("x.html"), cells, tables)
        old = _placed(_OldBudget("x.html"), cells, tables)
    finally:
        for name, limit in kept.items():
            setattr(limits, name, limit)
    assert new == old


def _tree(root: Path) -> Path:
    """A folder of reports with a linked file, a linked folder, a link loop and a broken link."""
    data = root / "data"
    (data / "a" / "b").mkdir(parents=True)
    (data / "a" / "b" / "r1.html").write_text("x")
    (data / "a" / "r2.txt").write_text("x")
    (data / "a" / "notes.json").write_text("{}")
    outside = root / "outside"
    outside.mkdir()
    (outside / "r3.docx").write_text("x")
    (data / "linked.docx").symlink_to(outside / "r3.docx")
    (data / "folder").symlink_to(outside)
    (data / "a" / "loop").symlink_to(data / "a")
    (data / "broken.html").symlink_to(root / "nowhere.html")
    return data


def _found_as_before(roots: list[Path], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """`discover` as before this pass: no folder's real path known, every file resolved one by one."""
    with monkeypatch.context() as patched:
        patched.setattr(ingest_module, "_real", lambda folder: None)
        return discover(roots).files


@pytest.fixture
def counted_resolve(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    calls: list[Path] = []
    plain = Path.resolve

    def resolve(self: Path, strict: bool = False) -> Path:
        calls.append(self)
        return plain(self, strict)

    monkeypatch.setattr(Path, "resolve", resolve)
    yield calls


def test_discover_resolves_only_what_a_link_leads_to(tmp_path: Path, counted_resolve: list[Path]) -> None:
    """The files of a plain folder are not resolved one by one; the paths found are their real paths,
    in the same order, with links, loops and broken links handled as before."""
    data = _tree(tmp_path)
    found = discover([data])
    names = [p.relative_to(tmp_path).as_posix() for p in found.files]
    assert names == ["data/a/b/r1.html", "data/a/r2.txt", "outside/r3.docx"]
    assert found.files == [Path(os.path.realpath(p)) for p in found.files]
    resolved = {p.name for p in counted_resolve}
    assert resolved == {"linked.docx", "r3.docx"}  # only the two paths through a link
    assert dict(found.ignored) == {".json": 1}
    assert sorted(reason for _, reason in found.skipped) == [
        "broken symbolic link",
        "symbolic link loop: a folder already walked",
    ]


def test_discover_from_a_relative_or_linked_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A root given relative to the working folder, or reached through a link, gives the same real paths
    as resolving every file did."""
    data = _tree(tmp_path)
    (tmp_path / "via").symlink_to(data)
    monkeypatch.chdir(tmp_path)
    roots = [Path("data"), Path("./data/"), tmp_path / "via", Path("via"), data / "a" / ".." / "a", Path(".")]
    for root in roots:
        found = discover([root])
        assert found.files and found.files == _found_as_before([root], monkeypatch)
    assert discover(roots).files == _found_as_before(roots, monkeypatch)


def test_a_worker_hashes_a_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`parse_bytes` takes the digest its caller computed of the same bytes (the worker's), and the
    report is the one it gave when it hashed them itself."""
    path = REPORTS / "江山市交通运输局_2021.txt"
    data = path.read_bytes()
    assert parse_bytes(str(path), data, digest="given").content_hash == "given"
    plain = parse_bytes(str(path), data)
    hashed: list[bytes] = []
    real = pipeline.content_hash

    def counted(data: bytes) -> str:
        hashed.append(data)
        return real(data)

    monkeypatch.setattr(pipeline, "content_hash", counted)
    assert parse_one(Job(str(path))).result == plain
    assert hashed == []


def _checks_rows(n: int) -> list[Columns]:
    """The checks of `n` copies of a fixture report under distinct report ids (a bulk chunk's checks)."""
    path = REPORTS / "江山市交通运输局_2021.txt"
    report = parse_one(Job(str(path))).result
    assert isinstance(report, ParsedReport)
    checks = report_rows(report, str(path), path.stat().st_size).checks
    return [((f"{i:064d}",) * len(checks[0]), *checks[1:]) for i in range(n)]


def _insert_checks(
    monkeypatch: pytest.MonkeyPatch, parts: list[Columns], arrow: bool
) -> list[tuple[object, ...]]:
    con = connect(None)
    apply_schema(con)
    data = load._stacked(parts, len(CHECK_COLUMNS))
    kinds = [load._kind("checks", c, v) for c, v in zip(CHECK_COLUMNS, data, strict=True)]
    monkeypatch.setattr(load, "ARROW_ONCE_LOADED", 0 if arrow else 10**12)
    load.insert_columns(con, "checks", list(CHECK_COLUMNS), kinds, data)
    stored = con.execute("SELECT * FROM checks ORDER BY ALL").fetchall()
    con.close()
    return stored


def test_a_bulk_runs_checks_go_in_as_arrow_with_the_same_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once pyarrow is loaded, the checks of a chunk (under STAGED_AS_LISTS values) are staged as Arrow,
    not as lists, and the stored rows are those the lists gave."""
    pytest.importorskip("pyarrow")
    parts = _checks_rows(40)
    values = sum(len(p[0]) for p in parts) * len(CHECK_COLUMNS)
    assert load.ARROW_ONCE_LOADED < values <= load.STAGED_AS_LISTS
    assert load.as_arrow(values)
    as_lists = _insert_checks(monkeypatch, parts, arrow=False)

    def no_lists(*_: object) -> None:
        raise AssertionError("staged as lists")

    monkeypatch.setattr(load, "_listed", no_lists)
    assert _insert_checks(monkeypatch, parts, arrow=True) == as_lists
    assert len(as_lists) == values // len(CHECK_COLUMNS)


def test_small_batches_never_load_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of up to ARROW_ONCE_LOADED values, or up to STAGED_AS_LISTS without pyarrow loaded, is
    staged as lists (a one-file ingest imports neither pyarrow nor pandas)."""
    assert not load.as_arrow(load.ARROW_ONCE_LOADED)
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    assert not load.as_arrow(load.STAGED_AS_LISTS)
    assert load.as_arrow(load.STAGED_AS_LISTS + 1)


def test_the_insert_stores_a_bulk_chunk_as_before() -> None:
    """A chunk of reports inserted with `insert_rows` (reports, facts, checks, warnings, documents) holds
    the same rows whichever way each table was staged."""
    pytest.importorskip("pyarrow")
    paths = sorted(p for p in REPORTS.iterdir() if p.suffix in (".txt", ".html", ".docx"))
    rows: list[ReportRows] = []
    for path in paths:
        result = parse_one(Job(str(path), rows=True)).result
        if isinstance(result, ReportRows):
            rows.append(result)
    assert len(rows) >= 5
    at = datetime(2026, 12, 3, 23, 0)
    stored = []
    for limit in (10**12, 0):
        load.ARROW_ONCE_LOADED, kept = limit, load.ARROW_ONCE_LOADED
        try:
            con = connect(None)
            apply_schema(con)
            load.insert_rows(con, rows, at)
            stored.append(
                [
                    con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                    for t in ("reports", "facts", "checks", "parse_warnings", "documents")
                ]
            )
            con.close()
        finally:
            load.ARROW_ONCE_LOADED = kept
    assert stored[0] == stored[1]


def _threads(con: object) -> int:
    return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])  # type: ignore[attr-defined]


def test_duckdb_leaves_the_workers_their_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the parse workers run, the driver's DuckDB runs on the cores they leave (at least one),
    for every cursor of the instance; its threads are restored after, also when the loop fails."""
    monkeypatch.setattr(ingest_module, "cores", lambda: 4)
    con = connect(None)
    con.execute("SET threads = 4")
    other = con.cursor()
    with ingest_module.beside_workers(con, 2):
        assert _threads(con) == _threads(other) == 2
    assert _threads(other) == 4
    with pytest.raises(RuntimeError), ingest_module.beside_workers(con, 4):
        assert _threads(other) == 1
        raise RuntimeError
    assert _threads(con) == 4
    for workers in (0, -1):
        with ingest_module.beside_workers(con, workers):
            assert _threads(con) == 4
    con.execute("SET threads = 1")
    with ingest_module.beside_workers(con, 2):
        assert _threads(con) == 1
    con.close()


def test_an_ingest_runs_duckdb_beside_its_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ingest --jobs 2` of more than one chunk, on two cores, inserts with one DuckDB thread and derives
    with the instance's default again; a run of one chunk keeps the default."""
    seen: list[tuple[str, int]] = []
    monkeypatch.setattr(ingest_module, "cores", lambda: 2)
    from warehouse.store.writer import StoreRun

    add, finish = StoreRun.add, StoreRun.finish

    def added(self: StoreRun, *args: object) -> None:
        seen.append(("insert", _threads(self.parts.con)))
        add(self, *args)  # type: ignore[arg-type]

    def finished(self: StoreRun, *args: object, **kwargs: object) -> None:
        seen.append(("derive", _threads(self.parts.con)))
        finish(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(StoreRun, "add", added)
    monkeypatch.setattr(StoreRun, "finish", finished)
    monkeypatch.setattr(ingest_module, "CHUNK", 1)  # a run of more than one chunk
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx"):
        (folder / name).write_bytes((REPORTS / name).read_bytes())
    summary = ingest_module.ingest([folder], tmp_path / "wh", jobs=2)
    assert summary.count("loaded") == 2
    default = _threads(connect(None))
    assert seen == [("insert", 1), ("insert", 1), ("derive", default)]
    seen.clear()
    monkeypatch.setattr(ingest_module, "CHUNK", 200)  # one chunk: inserted once, after its last file
    (folder / "x.txt").write_bytes((REPORTS / "江山市交通运输局_2021.txt").read_bytes() + b"\n")
    ingest_module.ingest([folder], tmp_path / "wh", jobs=2)
    assert seen == [("insert", default), ("derive", default)]
