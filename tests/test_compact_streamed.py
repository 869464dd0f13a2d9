"""A first build's segments merged at once, and a merge streamed without a sort: the rows and order of
`merge_sql`'s one sort (docs/scale.md §5, "A first build's rows written once")."""

from __future__ import annotations

import hashlib
import threading
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_store import _files, snapshot
from warehouse.db import connect
from warehouse.engine import duckdb
from warehouse.publish import current_version
from warehouse.store import compact, parts
from warehouse.store.catalog import Catalog, Part, stored_columns
from warehouse.store.parts import SORT_KEYS, copy_to
from xxgk import ingest as ingest_module
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


def _id(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def _facts_segment(con: duckdb.DuckDBPyConnection, target: Path, reports: list[tuple[int, int]]) -> None:
    _segment(con, "facts", target, reports)


def _segment(
    con: duckdb.DuckDBPyConnection, relation: str, target: Path, reports: list[tuple[int, int]]
) -> None:
    """A part of `relation`'s stored columns holding `reports` (report number, its rows), sorted as
    written."""
    values = ", ".join(f"({n}, {rows})" for n, rows in reports) or "(0, 0)"
    columns = ", ".join(f"CAST({_value(c)} AS {t}) AS {c}" for c, t in stored_columns(relation))
    copy_to(
        con,
        f"SELECT {columns} FROM (VALUES {values}) AS r(n, rows), range(r.rows) AS k(i) "
        f"ORDER BY {SORT_KEYS[relation]}",
        target,
        row_group=7,
    )


def _value(column: str) -> str:
    made = {
        "report_id": "sha256(CAST(n AS VARCHAR))",
        "metric_code": "'m' || (i % 3)",  # rows of equal keys: their order is the file's
        "breakdown": "CASE WHEN i % 4 = 0 THEN NULL ELSE 'b' || (i % 2) END",
        "value": "i * 1.5",
        "value_raw": "n || '/' || i",
        "table_no": "i",
        "page": "n",
    }
    return made.get(column, "NULL")


def _rows(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[object, ...]]:
    return con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def _keys(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [(r[0], r[1], r[2] or "") for r in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    placed=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 9)), min_size=1, max_size=40),
    dead=st.sets(st.integers(0, 39), max_size=6),
    chunk=st.integers(1, 12),
    chunk_rows=st.integers(1, 30),
)
def test_a_streamed_merge_writes_the_rows_of_the_one_sort_in_its_order(
    tmp_path_factory: pytest.TempPathFactory,
    placed: list[tuple[int, int]],
    dead: set[int],
    chunk: int,
    chunk_rows: int,
) -> None:
    """Reports n = 0.. placed in segment `placed[n][0]` with `placed[n][1]` rows; any chunk of reports
    (at most `chunk`, as few as reach `chunk_rows` rows): the same file as in chunks of `chunk`."""
    directory = tmp_path_factory.mktemp("streamed")
    con = duckdb.connect()
    try:
        files = []
        for segment in range(4):
            name = f"parts/run/s{segment}-facts.parquet"
            _facts_segment(
                con, directory / name, [(n, rows) for n, (s, rows) in enumerate(placed) if s == segment]
            )
            files.append(name)
        gone = sorted(_id(n) for n in dead)
        once, streamed = directory / "once.parquet", directory / "streamed.parquet"
        copy_to(con, compact.merge_sql(directory, "facts", files, gone), once)
        by_reports = directory / "by-reports.parquet"
        compact._streamed_merge(con, directory, "facts", files, gone, by_reports, chunk_reports=chunk)
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(compact, "CHUNK_ROWS", chunk_rows)
            written = compact._streamed_merge(
                con, directory, "facts", files, gone, streamed, chunk_reports=chunk
            )
        sorted_rows, streamed_rows = _rows(con, once), _rows(con, streamed)
        in_files = [row for name in files for row in _rows(con, directory / name)]
    finally:
        con.close()
    assert written == len(sorted_rows)
    assert _keys(streamed_rows) == _keys(sorted_rows)  # the order of the one sort
    by_report: dict[str, list[tuple[object, ...]]] = {}
    for row in in_files:
        by_report.setdefault(str(row[0]), []).append(row)
    alive = sorted(r for r in by_report if r not in gone)
    assert streamed_rows == [row for report in alive for row in by_report[report]]  # equal keys: files' order
    assert streamed.read_bytes() == by_reports.read_bytes()


@given(
    rows=st.lists(st.integers(1, 50), max_size=60),
    chunk_reports=st.integers(1, 20),
    chunk_rows=st.integers(1, 200),
)
def test_chunk_windows_cut_the_reports_in_order_at_the_rows_or_the_reports_reached(
    rows: list[int], chunk_reports: int, chunk_rows: int
) -> None:
    import numpy as np

    windows = list(compact.chunk_windows(np.asarray(rows, dtype=np.int64), chunk_reports, chunk_rows))
    assert [i for w in windows for i in range(w.start, w.stop)] == list(range(len(rows)))
    for index, window in enumerate(windows):
        held = rows[window]
        assert 1 <= len(held) <= chunk_reports
        assert sum(held[:-1]) < chunk_rows  # no report more than needed to reach the rows
        if index < len(windows) - 1:
            assert sum(held) >= chunk_rows or len(held) == chunk_reports


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    placed=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 9)), min_size=1, max_size=40),
    dead=st.sets(st.integers(0, 39), max_size=6),
    chunk=st.integers(1, 12),
    budget=st.integers(1, 3),
)
def test_a_merge_of_more_readers_than_the_budget_is_spooled_in_groups_and_writes_the_same_file(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    placed: list[tuple[int, int]],
    dead: set[int],
    chunk: int,
    budget: int,
) -> None:
    """Six segments whose readers hold more than STREAMED_MEMORY: merged in groups of `budget` files into
    spooled files, then those; the part is the file the merge of all readers at once writes, byte for
    byte, and no spooled file is left."""
    directory = tmp_path_factory.mktemp("spooled")
    con = duckdb.connect()
    try:
        files = []
        for segment in range(6):
            name = f"parts/run/s{segment}-facts.parquet"
            _facts_segment(
                con, directory / name, [(n, rows) for n, (s, rows) in enumerate(placed) if s == segment]
            )
            files.append(name)
        gone = sorted(_id(n) for n in dead)
        at_once, spooled = directory / "at-once.parquet", directory / "merged" / "spooled.parquet"
        written = compact._streamed_merge(con, directory, "facts", files, gone, at_once, chunk_reports=chunk)
        spools: list[int] = []
        spool = compact._spool

        def counted(*args: Any) -> None:
            spools.append(1)
            spool(*args)

        monkeypatch.setattr(compact, "_spool", counted)
        monkeypatch.setattr(compact, "STREAMED_MEMORY", budget * compact.READER_BYTES + 4096)
        again = compact._streamed_merge(con, directory, "facts", files, gone, spooled, chunk_reports=chunk)
    finally:
        con.close()
        monkeypatch.undo()
    assert len(spools) >= 2
    assert again == written
    assert spooled.read_bytes() == at_once.read_bytes()
    assert [p.name for p in spooled.parent.iterdir()] == ["spooled.parquet"]


@given(sizes=st.lists(st.integers(1, 100), max_size=30), budget=st.integers(1, 300))
def test_reader_groups_cut_the_files_in_order_into_groups_within_the_budget(
    sizes: list[int], budget: int
) -> None:
    groups = compact.reader_groups(sizes, budget)
    assert [i for group in groups for i in group] == list(range(len(sizes)))
    assert all(len(g) == 1 or sum(sizes[i] for i in g) <= budget for g in groups)
    assert all(sum(sizes[i] for i in [*a, b[0]]) > budget for a, b in pairwise(groups))  # each one full
    if sizes and sum(sizes) <= budget:
        assert len(groups) == 1


def test_a_streamed_merge_writes_row_groups_of_its_relation_and_declines_what_it_cannot_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(parts.PART_ROW_GROUPS, "facts", 500)
    con = duckdb.connect()
    try:
        _facts_segment(con, tmp_path / "a.parquet", [(n, 30) for n in range(0, 40, 2)])
        _facts_segment(con, tmp_path / "b.parquet", [(n, 30) for n in range(1, 40, 2)])
        _facts_segment(con, tmp_path / "c.parquet", [(4, 3)])  # report 4 is in a.parquet too
        target = tmp_path / "merged.parquet"
        written = compact._streamed_merge(con, tmp_path, "facts", ["a.parquet", "b.parquet"], [], target)
        groups = con.execute(
            f"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{target}') ORDER BY 1"
        ).fetchall()
        refused = tmp_path / "refused.parquet"
        twice = compact._streamed_merge(con, tmp_path, "facts", ["a.parquet", "c.parquet"], [], refused)
        copy_to(con, "SELECT 'x' AS report_id", tmp_path / "other.parquet")
        other = compact._streamed_merge(con, tmp_path, "facts", ["a.parquet", "other.parquet"], [], refused)
    finally:
        con.close()
    assert written == 1200
    assert [g[1] for g in groups] == [500, 500, 200]
    assert twice is None and other is None and not refused.exists()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("first_build_corpus")
    generate_corpus(base, n_agencies=4, years=range(2018, 2023), include_bad=True)
    return base


def _segments(directory: Path) -> list[tuple[str, int]]:
    con = connect(current_version(directory), read_only=True)
    try:
        return [
            (str(r[0]), int(r[1]))
            for r in con.execute(
                "SELECT segment, n_rows FROM _parts WHERE segment <> '' AND relation = 'reports_parsed' ORDER BY 1"
            ).fetchall()
        ]
    finally:
        con.close()


def test_a_first_build_in_many_segments_is_one_segment_with_the_answers_of_one_flush(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(corpus)
    ingest(files, tmp_path / "one")  # one flush: one segment, nothing to merge
    monkeypatch.setattr(ingest_module, "CHUNK", 3)  # the bulk path, its rows added three reports at a time
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 2)  # and flushed as a segment each time
    monkeypatch.setattr(compact, "RUN_SEGMENTS", 0)  # and its segments merged however few
    monkeypatch.setattr(compact, "STREAMED_ROWS", 1)  # every merge streamed
    streamed: dict[str, int | None] = {}
    threads: set[str] = set()
    merge = compact._streamed_merge

    def recording(con: duckdb.DuckDBPyConnection, directory: Path, relation: str, *args: Any) -> int | None:
        threads.add(threading.current_thread().name.split("_")[0])
        streamed[relation] = merge(con, directory, relation, *args)
        return streamed[relation]

    monkeypatch.setattr(compact, "_streamed_merge", recording)
    ingest(files, tmp_path / "many")
    assert {"facts", "checks", "report_series", "reports_parsed"} <= set(streamed)  # documents: ranged
    assert None not in streamed.values()
    assert "xxgk-compact" in threads <= {"xxgk-compact", "MainThread"}  # beside the derivation, and after it
    merged = _segments(tmp_path / "many")
    assert len(merged) == 1 and merged == [(merged[0][0], _segments(tmp_path / "one")[0][1])]
    assert "/c000" in merged[0][0]  # written by the compaction, not a flush
    assert snapshot(tmp_path / "many") == snapshot(tmp_path / "one")


def test_a_first_build_of_few_segments_leaves_them_as_written_with_the_answers_of_one_flush(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk run's segments alone at their level, at most RUN_SEGMENTS, are not merged: not in its tail,
    nor by the next run's (a segment of another level); the warehouse answers as one flush's."""
    files = _files(corpus)
    ingest(files[:-1], tmp_path / "one")
    monkeypatch.setattr(ingest_module, "CHUNK", 1)
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 4)  # segments of four reports, level 1 (the last of fewer)
    monkeypatch.setattr(compact, "RUN_SEGMENTS", 1000)
    merged: list[list[str]] = []
    merge = compact._merge
    monkeypatch.setattr(
        compact, "_merge", lambda con, d, c, chosen, *a: merged.append(chosen) or merge(con, d, c, chosen, *a)
    )
    ingest(files[:-1], tmp_path / "many")
    written = _segments(tmp_path / "many")
    assert (
        sum(rows >= compact.FANOUT for _, rows in written) >= compact.FANOUT and not merged
    )  # a level due on main
    assert all("/c" not in segment for segment, _ in written)
    assert snapshot(tmp_path / "many") == snapshot(tmp_path / "one")
    ingest(files[-1:], tmp_path / "many")  # one more report: a segment of level 0, another run's
    assert not merged and set(written) < set(_segments(tmp_path / "many"))


def test_one_runs_few_segments_alone_at_their_level_are_not_due() -> None:
    """`due`: a level holding at most RUN_SEGMENTS segments of one run is left as written; more of them, or
    FANOUT segments of two runs or more, are due (every segment of the level)."""

    def due(segments: list[str]) -> list[str] | None:
        held = (Part("reports_parsed", f"parts/{s}-reports_parsed.parquet", 2000, s) for s in segments)
        return compact.due(Catalog(parts=tuple(held)))

    one_run = [f"a/{n:04d}" for n in range(compact.RUN_SEGMENTS)]
    assert due(one_run) is None
    assert due([*one_run, "a/9999"]) == [*one_run, "a/9999"]
    assert due([*one_run[: compact.FANOUT - 1], "b/0000"]) == [*one_run[: compact.FANOUT - 1], "b/0000"]
    assert due([f"{run}/0000" for run in "abcd"]) == [f"{run}/0000" for run in "abcd"]
    assert due(["a/0000", "b/0000", "c/0000"]) is None


@pytest.mark.parametrize("capped", [False, True])
def test_a_first_builds_derivation_is_capped_beside_the_merges_and_after_them(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capped: bool
) -> None:
    """DuckDB's limit while the derivation runs beside the merges: the tail's, at most BESIDE_LIMIT; the
    tail's once the thread beside has nothing left to merge, at most AFTER_BESIDE_LIMIT."""
    from warehouse import db
    from warehouse.store import memory, writer

    monkeypatch.setattr(ingest_module, "CHUNK", 3)
    monkeypatch.setattr(parts, "FLUSH_REPORTS", 2)
    monkeypatch.setattr(compact, "RUN_SEGMENTS", 0)
    monkeypatch.setattr(compact, "STREAMED_ROWS", 1)
    configured = memory.parse_size(db.MEMORY_LIMIT)
    assert configured is not None
    monkeypatch.setattr(memory, "process_rss", lambda: configured // 10)  # the tail's limit: 0.9 of it
    # the caps: above the limits (left as the process leaves them), or under them (the limits set)
    beside_limit, after_limit = (
        (configured // 2, configured * 6 // 10) if capped else (configured, configured)
    )
    monkeypatch.setattr(memory, "BESIDE_LIMIT", beside_limit)
    monkeypatch.setattr(memory, "AFTER_BESIDE_LIMIT", after_limit)

    def limit(con: duckdb.DuckDBPyConnection) -> int:
        size = memory.parse_size(str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))
        assert size is not None
        return size

    deriving: list[int] = []
    widened: list[int] = []
    derive, widen = writer.derive, memory.Fitted.widen

    def derive_seen(inputs: Any, con: duckdb.DuckDBPyConnection, **kwargs: Any) -> Any:
        deriving.append(limit(con))
        return derive(inputs, con, **kwargs)

    def widen_seen(fit: memory.Fitted, con: duckdb.DuckDBPyConnection) -> None:
        widen(fit, con)
        widened.append(limit(con))

    monkeypatch.setattr(writer, "derive", derive_seen)
    monkeypatch.setattr(memory.Fitted, "widen", widen_seen)
    ingest(_files(corpus), tmp_path / "wh")
    alone = configured * 9 // 10
    assert len(deriving) == 1 and abs(deriving[0] - min(alone, beside_limit)) <= 1 << 20
    assert len(widened) == 1 and abs(widened[0] - min(alone, after_limit)) <= 1 << 20


def test_parts_merged_beside_are_taken_only_by_their_merge_and_its_dead_reports(tmp_path: Path) -> None:
    """`_usable`: the premerged parts of the same segments, unless a report they hold died (or came back)
    since; otherwise none, and their files removed."""
    con = duckdb.connect()
    try:
        held = []
        for segment, reports in (("s0", range(4)), ("s1", range(4, 8))):
            name = f"parts/run/{segment}-reports_parsed.parquet"
            _segment(con, "reports_parsed", tmp_path / name, [(n, 1) for n in reports])
            held.append(Part("reports_parsed", name, 4, segment))
        merged = Part("facts", "parts/run/c000-facts.parquet", 1, "run/c000")

        def usable(chosen: list[str], dead: set[int]) -> tuple[Part, ...]:
            (tmp_path / merged.file).write_bytes(b"merged")
            catalog = Catalog(parts=tuple(held), dead=frozenset(_id(n) for n in dead))
            premerged = compact.Premerged(("s0", "s1"), "run/c000", frozenset({_id(9)}), (merged,))
            return compact._usable(con, tmp_path, catalog, chosen, premerged)

        assert usable(["s0", "s1"], {9}) == (merged,)
        assert usable(["s0", "s1"], {9, 10}) == (merged,)  # a report of no merged segment died
        assert usable(["s0", "s1"], set()) == (merged,)
        assert usable(["s0", "s1"], {9, 2}) == ()  # a report of the merge died since
        assert not (tmp_path / merged.file).exists()
        assert usable(["s0"], {9}) == ()
        assert not (tmp_path / merged.file).exists()
    finally:
        con.close()


SHARED = ("reports_parsed", "facts", "checks", "documents", "report_series", "check_inputs")


def _shared_catalog(con: duckdb.DuckDBPyConnection, directory: Path) -> Catalog:
    """Four segments of the relations a first build's merge shares, ten reports each."""
    held = []
    for segment in range(compact.FANOUT):
        reports = [(n, 1 + n % 3) for n in range(segment * 10, segment * 10 + 10)]
        for relation in SHARED:
            name = f"parts/run/s{segment}-{relation}.parquet"
            rows = [(n, 1) for n, _ in reports] if relation in ("reports_parsed", "documents") else reports
            _segment(con, relation, directory / name, rows)
            held.append(Part(relation, name, sum(r for _, r in rows), f"run/s{segment}"))
    return Catalog(parts=tuple(held))


def test_a_first_merge_is_shared_by_the_thread_beside_and_the_runs_thread_relation_by_relation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Premerging`: the thread beside the derivation takes the streamed relations only; the run's thread
    any left, `documents` (ranged) too; both at once write the files one merge after the other writes."""
    monkeypatch.setattr(compact, "STREAMED_ROWS", 1)
    monkeypatch.setattr(compact, "RUN_SEGMENTS", 0)  # the catalogue's segments are one run's
    con = duckdb.connect()
    try:
        catalog = _shared_catalog(con, tmp_path / "alone")
        for name in ("shared", "raced"):
            for part in catalog.parts:
                (tmp_path / name / part.file).parent.mkdir(parents=True, exist_ok=True)
                (tmp_path / name / part.file).write_bytes((tmp_path / "alone" / part.file).read_bytes())
        chosen = compact.due(catalog)
        assert chosen is not None
        merged = compact.compact(con, tmp_path / "alone", catalog, "run")
        alone = {p.relation: p for p in merged.parts if p.segment == "run/c000"}

        shared = compact.Premerging(tmp_path / "shared", catalog, "run", chosen)
        assert shared.left() == SHARED
        compact.premerge(shared)  # the thread's share: all but the ranged
        assert shared.left() == ("documents",)
        shared.work(con, ranged=True, label="compact")
        assert shared.left() == ()

        raced = compact.Premerging(tmp_path / "raced", catalog, "run", chosen)
        beside = threading.Thread(target=compact.premerge, args=(raced,))
        beside.start()
        raced.work(con, ranged=True, label="compact")
        beside.join()
    finally:
        con.close()
    for directory, premerging in (("shared", shared), ("raced", raced)):
        premerged = premerging.premerged()
        assert [p.relation for p in premerged.parts] == list(SHARED)
        for part in premerged.parts:
            assert part == alone[part.relation]
            assert (tmp_path / directory / part.file).read_bytes() == (
                tmp_path / "alone" / part.file
            ).read_bytes()


def test_merges_inside_the_system_pool_at_once_set_the_default_pool_back_when_the_last_leaves() -> None:
    """`_system_memory` on two threads at once: the system pool while either is inside, pyarrow's own
    after both (a first build's merges run on the run's thread and the one beside at once)."""
    import pyarrow as pa

    before = pa.default_memory_pool().backend_name
    first, second = compact._system_memory(), compact._system_memory()
    first.__enter__()
    second.__enter__()
    assert pa.default_memory_pool().backend_name == "system"
    first.__exit__(None, None, None)
    assert pa.default_memory_pool().backend_name == "system"  # the second merge is still inside
    second.__exit__(None, None, None)
    assert pa.default_memory_pool().backend_name == before
