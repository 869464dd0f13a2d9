"""The fixed cost of a one-file ingest (docs/scale.md §5, one file): one DuckDB instance for the whole
run, the derivation's tables left to it when nothing is compacted, small inserts staged as lists, and
the parse worker warmed up before its first file. Each keeps the answers: the warehouse is the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import _duckdb
import pytest

from tests.conftest import FIXTURES, ROOT
from tests.test_store import _batches, _rows, snapshot
from warehouse import load
from warehouse.publish import current_version
from warehouse.store import derive, session
from warehouse.store.rollups import RELATIONS
from xxgk.ingest import ingest, rebuild
from xxgk.samples import generate_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fixed_cost_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


def _counting_connect(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    real = _duckdb.connect

    def counted(database: str = ":memory:", *args: object, **kwargs: object) -> object:
        opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(_duckdb, "connect", counted)
    return opened


def test_a_run_opens_one_duckdb_instance_and_stores_what_instances_of_their_own_stored(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The current version (lookups), the part writer and derivation, the patched new version and the
    oldest kept version (garbage collection) all go through one instance; the warehouse equals a
    rebuild's and one built without the session."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    batches = _batches(corpus, inbox, 4)
    for batch in batches[:3]:
        ingest(batch, wh)
    opened = _counting_connect(monkeypatch)
    ingest(batches[3], wh)  # a version to look up, one to patch, one to collect
    assert len(opened) == 1, opened
    assert opened == [":memory:"]
    assert not session.active()
    monkeypatch.undo()
    incremental = snapshot(wh)

    # the same runs, each caller opening its own instances (no session), give the same warehouse
    other = tmp_path / "other"
    monkeypatch.setattr(session, "begin", lambda: None)
    monkeypatch.setattr(session, "end", lambda: None)
    for batch in batches:
        ingest(batch, other)
    monkeypatch.undo()
    assert snapshot(other) == incremental
    rebuild(wh)
    assert snapshot(wh) == incremental


def test_a_failed_run_ends_its_session_and_publishes_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    version, before = current_version(wh), snapshot(wh)

    def broken(*_: object) -> None:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(derive, "_write_buckets", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        ingest(second, wh)
    assert not session.active()
    monkeypatch.undo()
    assert current_version(wh) == version and snapshot(wh) == before
    assert not list(wh.glob("*.tmp")) and not list(wh.glob("*.wal"))
    ingest(second, wh)  # the next run is not hindered by anything the failed one attached
    assert current_version(wh) != version


def test_the_derivation_is_cleared_only_before_a_compaction(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dropping the derivation's ~50 tables one by one cost ~15 ms; a run that compacts nothing leaves
    them to the instance it closes. A run that compacts (or folds a log) still clears them first."""
    cleared: list[int] = []
    real = derive._clear

    def counted(con: Any) -> None:
        cleared.append(1)
        real(con)

    monkeypatch.setattr(derive, "_clear", counted)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    files = [f for batch in _batches(corpus, inbox, 1) for f in batch]
    ingest(files[:1], wh)  # the first build: a full derivation
    assert cleared == [1]
    runs = []
    for file in files[1:5]:  # one-report segments: the fourth of a level is compacted with the others
        before = len(cleared)
        ingest([file], wh)
        runs.append(len(cleared) - before)
    assert runs == [0, 0, 1, 0], runs  # segments: 2, 3, then 4 → merged before the run's derivation ends


def test_a_few_rows_are_staged_as_lists_not_bound_value_by_value() -> None:
    """VALUES binds every value (60 facts of 14 columns: 27 ms); one list per column costs ~2.7 ms. Only a
    single row goes in as VALUES. Both store the same values, each by one INSERT (no staged table: one
    file, eighteenth pass)."""
    con = _duckdb.connect()
    try:
        con.execute("CREATE TABLE t (a VARCHAR, b DECIMAL(38, 6), c BIGINT)")
        executed: list[str] = []

        class Spy:
            def execute(self, sql: str, *args: object) -> object:
                executed.append(sql)
                return con.execute(sql, *args)

            def unregister(self, name: str) -> object:
                return con.unregister(name)

        kinds, spy = ["VARCHAR", "DECIMAL(38, 6)", "BIGINT"], cast(Any, Spy())
        load.insert_columns(spy, "t", ["a", "b", "c"], kinds, [["x", None], ["1.1234567", None], [3, None]])
        assert len(executed) == 1 and executed[0].startswith("INSERT INTO t"), executed  # one statement
        assert "VALUES" not in executed[0], executed
        executed.clear()
        load.insert_columns(spy, "t", ["a", "b", "c"], kinds, [["y"], ["-2.5"], [4]])
        assert len(executed) == 1 and executed[0].startswith("INSERT INTO t"), executed
        assert "VALUES" in executed[0], executed
        rows = con.execute("SELECT a, CAST(b AS VARCHAR), c FROM t ORDER BY a NULLS LAST").fetchall()
        assert rows == [("x", "1.123457", 3), ("y", "-2.500000", 4), (None, None, None)]
    finally:
        con.close()


WARM_PROBE = """
import sys
from xxgk.parsing import PRELOADED
from xxgk.workers import _preload
_preload(PRELOADED)
from etl.places import divisions
print(divisions.cache_info().currsize, "etl.readers.html" in sys.modules, "etl.readers.text" in sys.modules)
"""


def test_the_parse_worker_loads_the_divisions_before_it_is_ready_and_no_reader() -> None:
    """An early worker idles ~0.3 s before a one-file ingest hands it the file; the divisions, which
    every parse loads first (~25 ms), are loaded in that wait. No reader is: `xxgk parse` of a text file
    would pay for the HTML reader's import."""
    done = subprocess.run(
        [sys.executable, "-c", WARM_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "False", "False"]


def test_a_worker_started_with_a_warm_up_parses_as_before(tmp_path: Path) -> None:
    from xxgk.parsing import Job, parse_isolated

    report = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
    (parsed,) = list(parse_isolated([Job(str(report), "")]))
    assert parsed.result.__class__.__name__ == "ParsedReport"


def test_reports_parsed_parts_are_written_in_row_groups_of_8192_and_looked_up_the_same(
    corpus: Path, tmp_path: Path
) -> None:
    """An ingest's lookup of its hashes in `reports_parsed` decodes one row group per segment: the part
    is written (by a run and by compaction) in row groups of 8,192 reports, and a lookup in a file of
    many row groups finds what one row group gave."""
    from warehouse.store import parts, state

    assert parts.part_row_group("reports_parsed") == 8192
    con = _duckdb.connect()
    try:
        rows = "SELECT printf('%064d', i) AS report_id FROM range(20000) AS t(i) ORDER BY report_id"
        for name, size in (("small", 8192), ("whole", parts.ROW_GROUP_ROWS)):
            parts.copy_to(con, rows, tmp_path / f"{name}.parquet", size)
        groups = con.execute(
            f"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{tmp_path / 'small.parquet'}')"
        ).fetchall()
        assert groups == [(3,)]
        wanted = [f"{i:064d}" for i in (0, 8191, 8192, 16400, 19999)] + ["f" * 64]
        found = {
            name: state._lookup(
                con,
                f"SELECT report_id FROM read_parquet('{tmp_path / name}.parquet') WHERE report_id IN ({{listed}})",
                wanted,
            )
            for name in ("small", "whole")
        }
        assert sorted(found["small"]) == sorted(found["whole"]) and len(found["small"]) == 5
    finally:
        con.close()
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (batch,) = _batches(corpus, inbox, 1)
    ingest(batch, wh)
    version = current_version(wh)
    assert version is not None
    stored = [str(r) for (r,) in _rows(wh, "SELECT report_id FROM reports")]
    assert stored and state.lookup_state(version, [], [*stored, "f" * 64]).report_ids == frozenset(stored)


def test_schema_statements_are_split_as_duckdb_splits_them() -> None:
    """`split_statements` (no parser: ~2 ms against ~35 ms) gives `duckdb.extract_statements`'s texts."""
    from warehouse.db import schema_sql
    from warehouse.store.version import split_statements

    scripts = [
        schema_sql(),
        "select 1; select ';' -- a; comment\n; select 2",
        "select 'it''s;'; select \"a;b\" from t;  \n",
        "select 1 /* ; */; select $$a;b$$;",
    ]
    for script in scripts:
        assert split_statements(script) == [s.query for s in _duckdb.extract_statements(script)]


def test_every_file_of_a_run_is_fsynced_before_its_version_is_published(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's files are fsynced side by side, while the version file is written: all of them before
    the pointer moves; a failed fsync publishes nothing and leaves no file of the run."""
    import os

    from warehouse import publish
    from warehouse.store import gc

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second, third = _batches(corpus, inbox, 3)
    ingest(first, wh)
    synced: list[Path] = []
    real_fsync, real_replace = gc.fsync_path, os.replace
    at_publish: list[int] = []

    def fsync(path: Path) -> None:
        real_fsync(path)
        synced.append(path)

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)).name == publish.POINTER:
            at_publish.append(len(synced))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(gc, "fsync_path", fsync)
    monkeypatch.setattr(publish.os, "replace", replace)
    ingest(second, wh)
    monkeypatch.undo()
    run_files = {p for folder in gc.FOLDERS for p in synced if p.is_file() and folder in p.parts}
    assert run_files and all(p.suffix == ".parquet" for p in run_files)
    assert at_publish == [len(synced)]  # every fsync done before the pointer moved
    version, before = current_version(wh), snapshot(wh)
    files_before = sorted(p for p in wh.rglob("*") if p.is_file())

    def failing(path: Path) -> None:
        raise OSError("fsync failed (simulated)")

    monkeypatch.setattr(gc, "fsync_path", failing)
    with pytest.raises(OSError, match="simulated"):
        ingest(third, wh)
    monkeypatch.undo()
    assert current_version(wh) == version and snapshot(wh) == before
    assert sorted(p for p in wh.rglob("*") if p.is_file()) == files_before


def test_garbage_is_removed_side_by_side_and_the_same(tmp_path: Path) -> None:
    from warehouse.store.gc import in_threads

    files = [tmp_path / f"f{i}.parquet" for i in range(20)]
    for path in files:
        path.write_bytes(b"x")
    in_threads(lambda path: path.unlink(), files)
    assert not list(tmp_path.iterdir())
    with pytest.raises(FileNotFoundError):
        in_threads(lambda path: path.unlink(), files[:3])


def test_a_run_writes_no_part_file_for_an_empty_relation_and_keeps_its_view(tmp_path: Path) -> None:
    """A text report has no OCR cells: its run writes no `ocr_cells` part, names none in the catalogue
    and leaves the version's `ocr_cells` view as it was; the relation still reads (no rows)."""
    from warehouse.db import connect

    wh = tmp_path / "wh"
    ingest([FIXTURES / "reports" / "江山市交通运输局_2021.txt"], wh)
    first = current_version(wh)
    ingest([FIXTURES / "reports" / "江山市农业农村局_2024.htm"], wh)
    second = current_version(wh)
    assert first is not None and second is not None and first != second
    assert not list((wh / "parts").rglob("*-ocr_cells.parquet"))
    assert list((wh / "parts").rglob("*-reports_parsed.parquet"))
    views = []
    for version in (first, second):
        con = connect(version, read_only=True)
        try:
            parts = con.execute("SELECT relation, n_rows FROM _parts").fetchall()
            assert all(n > 0 for _, n in parts), parts
            assert "ocr_cells" not in {r for r, _ in parts}
            assert con.execute("SELECT count(*) FROM ocr_cells").fetchall() == [(0,)]
            assert con.execute("SELECT count(*) FROM facts").fetchall()[0][0] > 0
            views.append(dict(con.execute("SELECT name, sql FROM _views").fetchall()))
        finally:
            con.close()
    assert views[0]["ocr_cells"] == views[1]["ocr_cells"]
    assert views[0]["facts"] != views[1]["facts"]


ROLLUP_VIEWS = RELATIONS
"""Every pre-aggregated relation (warehouse/store/rollups.py)."""


def test_a_delta_relation_no_row_of_which_changed_keeps_its_file_and_its_answers(
    corpus: Path, tmp_path: Path
) -> None:
    """One file at a time into a warehouse: a province's delta keeps the previous delta's file of a
    per-report relation the run changed no row of (a report without failed checks or gaps), and the
    pre-aggregated views answer as a rebuild's."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    batches = _batches(corpus, inbox, 1)
    files = sorted(batches[0])
    ingest(files[:3], wh)
    kept = 0
    deltas = "SELECT province, file FROM _rollups WHERE relation LIKE 'delta:%'"
    for file in files[3:]:
        before = {str(f) for _, f in _rows(wh, deltas)}
        ingest([file], wh)
        by_province: dict[str, list[str]] = {}
        for province, name in _rows(wh, deltas):
            by_province.setdefault(str(province), []).append(str(name))
        for names in by_province.values():  # a province whose delta this run wrote again
            if any(name not in before for name in names):
                kept += sum(name in before for name in names)
    assert kept, "no delta file was kept: every run wrote all ten"
    incremental = {v: _rows(wh, f"SELECT * FROM {v}") for v in ROLLUP_VIEWS}
    rebuild(wh)
    assert {v: _rows(wh, f"SELECT * FROM {v}") for v in ROLLUP_VIEWS} == incremental
