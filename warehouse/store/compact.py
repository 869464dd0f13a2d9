"""Keep the number of part files bounded: merge segments of similar size (size-tiered, like an LSM tree).

A segment is the set of part files one flush wrote (the same reports in every relation). Segments are
grouped by level, floor(log4(reports)); when a level holds FANOUT segments they are merged into one of the
next level, leaving out the rows of dead reports. Every row is rewritten about log4(N) times over the life
of a warehouse, and a version lists at most (FANOUT - 1) segments per level, or the RUN_SEGMENTS of one run
alone at theirs. A dead report id leaves `_dead` once no remaining segment holds it.

A merge takes every segment of its level at once (a first build's 50 segments of 2,000 reports at 100k:
one merge, each row rewritten once). A merge of many rows whose segments hold disjoint reports is
streamed (`_streamed_merge`): every segment is sorted by report id and holds all the rows of its
reports, so the merged order is the segments' rows interleaved report by report — no sort. Its readers
hold ≈ 3–5 MiB a file; past STREAMED_MEMORY the files are merged in groups into spool files first. A first
build's streamed merges run on a thread beside its derivation (`merging_beside`).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.db import quoted
from warehouse.engine import duckdb
from warehouse.load import packed_groups
from warehouse.store.catalog import PART_RELATIONS, Catalog, Part, stored_columns
from warehouse.store.memory import give_back, parse_size
from warehouse.store.parts import SORT_KEYS, copy_to, part_row_group
from warehouse.store.stages import stage
from warehouse.store.version import scan_sql

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

FANOUT = 4
RUN_SEGMENTS = 8
"""A level holding only one run's segments, at most this many, is not due: a bulk run's flushes are left as
written until another segment shares their level (then all are merged, as FANOUT has it). A 10k first
build's five segments of 2,000 reports so skip the merge in its tail (≈ 2.4 of its ≈ 6 CPU s), and a point
read decodes a row group of each of them instead of one (docs/scale.md §5, issue12tl2); a larger run (the
100k build's 50 segments) is merged as before."""
STREAMED_FILES = 64
"""A streamed merge reads at most this many files (it holds a batch of each, ≈ 3 MB of facts); a merge
of more is sorted."""
STREAMED_ROWS = 50_000
"""A relation's merge of at least this many rows is streamed when it can be (below it the one sort is
cheap, and a one-file run's compaction does not load pyarrow)."""
BATCH_ROWS = 2048
"""Rows a streamed merge decodes from a file at a time."""
STREAMED_DUCKDB = 128 * 1000**2
"""DuckDB's memory limit, bytes, while a merge is streamed (at most the one set): it only counts the
reports' rows, and pyarrow's readers and writer beside it hold ≈ 0.2 GB at 100k (STREAMED_MEMORY of
readers and the rows in flight), outside DuckDB's limit."""
CHUNK_REPORTS = 500
"""Reports a streamed merge puts in order at a time (their rows gathered from every segment), at most…"""
CHUNK_ROWS = 8192
"""…and no more reports than hold about this many rows: what a merge holds grows with the rows in
flight, and 500 reports are 18,500 checks or 71,000 facts. Merging the 100k build's 50 segments alone,
chunks of 100 reports held 41 and 43 MiB less than chunks of 500 at their peak (checks, facts), for the
same CPU; but a chunk of few rows (`reports_parsed`: one a report) costs its CPU in chunks (docs/scale.md
§5, issue12fl)."""
READER_BYTES = 3 * 2**20
"""What a pyarrow reader of a segment holds besides its decoded row group (measured: 50 readers of the
100k checks segments, one batch taken from each, 5.2 MiB a reader for row groups of 2.9 MB decoded, 2.8–3.1
MiB for row groups 9 times smaller or pages of 1 MB; docs/scale.md §5, issue12tm)."""
STREAMED_MEMORY = 64 * 2**20
"""The readers a streamed merge opens at once hold at most about this many bytes (READER_BYTES and the
largest decoded row group, from the footer, of each file); past it the files are merged in groups that fit
into spooled files first (`_spool`), then those: each row decoded and put in order once more, and what the
merge holds no longer grows with the segments merged (≈ 10 MB a segment before: ≈ 0.5 GB at 100k)."""
SPOOL_COMPRESSION = "lz4"
"""The codec of a streamed merge's spool files (Arrow IPC), read back once and removed."""
RANGED = frozenset({"documents"})
"""Relations whose merge is sorted a range of report ids at a time: a report's text is one value of
kilobytes, and DuckDB's sort cannot spill such rows — merging the 100,000 documents of a first build (≈ 0.5
GB of text) in one sort failed under the tail's memory limit (≈ 0.48 GB, store/memory.py)."""
RANGE_ROWS = 25_000
"""A ranged merge sorts about this many rows at a time (of documents: ≈ 130 MB of text, at the ≈ 5.1 KB a
report of the national samples)."""
RANGED_DUCKDB = 256 * 1000**2
"""DuckDB's memory limit, bytes, while a merge is ranged (at most the one set), unless RANGE_MEMORY times a
range's bytes is more: at the tail's limit (≈ 477 MiB at 100k) its sorts held ≈ 0.39 GB beside the process
and set the 100k tail's peak; at 256 MB ≈ 0.29 GB, the same file (docs/scale.md §5, issue12tp)."""
RANGE_MEMORY = 2
"""A range's sort cannot spill its texts: it is given at least this many times their decoded size (the
footers' count, which is less for texts a dictionary holds once)."""


def _level(reports: int) -> int:
    return int(math.log(max(reports, 1), FANOUT))


def segments(catalog: Catalog) -> dict[str, list[Part]]:
    found: dict[str, list[Part]] = defaultdict(list)
    for part in catalog.parts:
        if part.segment:
            found[part.segment].append(part)
    return dict(found)


def _size(parts: list[Part]) -> int:
    return next((p.rows for p in parts if p.relation == "reports_parsed"), 0)


def due(catalog: Catalog) -> list[str] | None:
    """The segments of the lowest level that holds FANOUT of them, but not one run's alone (`_one_run`), or
    None."""
    by_level: dict[int, list[str]] = defaultdict(list)
    for segment, parts in segments(catalog).items():
        by_level[_level(_size(parts))].append(segment)
    for level in sorted(by_level):
        if len(by_level[level]) >= FANOUT and not _one_run(by_level[level]):
            return sorted(by_level[level])
    return None


def _one_run(level: list[str]) -> bool:
    """Whether a level's segments (`RUN/NAME`) are at most RUN_SEGMENTS flushes of one run."""
    return len(level) <= RUN_SEGMENTS and len({segment.split("/", 1)[0] for segment in level}) == 1


def compact(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    catalog: Catalog,
    run_id: str,
    premerged: Premerged | None = None,
) -> Catalog:
    """Merge due segments until none is due; returns the catalogue with the merged parts. `premerged`: the
    first merge's streamed relations, written beside the derivation (`merging_beside`), used when they are
    that merge's and left out the dead reports the catalogue names."""
    step = 0
    while (chosen := due(catalog)) is not None:
        ready = _usable(con, directory, catalog, chosen, premerged) if step == 0 else ()
        catalog = _merge(con, directory, catalog, chosen, _merged_segment(run_id, step), ready)
        step += 1
    return catalog


def _merged_segment(run_id: str, step: int) -> str:
    """The segment a run's `step`-th merge writes."""
    return f"{run_id}/c{step:03d}"


def _merging_parts(catalog: Catalog, merging: set[str], relation: str) -> list[Part]:
    return [p for p in catalog.parts if p.segment in merging and p.relation == relation]


def _streamed(relation: str, parts: list[Part]) -> bool:
    """Whether the merge of `parts` of `relation` is tried streamed (`_streamed_merge`), in `_merge` and
    beside the derivation (`premerge`) alike."""
    return relation not in RANGED and sum(p.rows for p in parts) >= STREAMED_ROWS


@dataclass(frozen=True)
class Premerged:
    """A merge's parts written ahead of it: of the segments `chosen`, into `segment`, the rows of the
    reports `dead` left out."""

    chosen: tuple[str, ...]
    segment: str
    dead: frozenset[str]
    parts: tuple[Part, ...]


class Premerging:
    """The merges of `compact`'s first merge that can be written ahead of it, taken one relation at a
    time by whoever is free: the thread beside the derivation (the streamed ones, on a DuckDB instance of
    its own: the merge reads the segments, which stay until the version is published, and writes new
    files) and, once the derivation is done, the run's thread too (any of them, the ranged `documents`
    too), so that the second core is not left idle while the last merges finish."""

    def __init__(self, directory: Path, catalog: Catalog, run_id: str, chosen: list[str]) -> None:
        merging = set(chosen)
        self.directory = directory
        self.chosen = tuple(chosen)
        self.segment = _merged_segment(run_id, 0)
        self.dead = sorted(catalog.dead)
        self._left = [
            (relation, found)
            for relation in PART_RELATIONS
            if (found := _merging_parts(catalog, merging, relation))
            and (relation in RANGED or _streamed(relation, found))
        ]
        self._written: list[Part] = []
        self._lock = threading.Lock()

    def left(self) -> tuple[str, ...]:
        """The relations no one has taken yet."""
        with self._lock:
            return tuple(relation for relation, _ in self._left)

    def work(self, con: duckdb.DuckDBPyConnection, *, ranged: bool, label: str) -> None:
        """Merge relations not yet taken on `con` until none is left (`ranged`: the ranged ones too)."""
        while (taken := self._take(ranged)) is not None:
            relation, chosen_parts = taken
            name = f"parts/{self.segment}-{relation}.parquet"
            files, target = [p.file for p in chosen_parts], self.directory / name
            with stage(f"{label}: {relation}"):
                if relation in RANGED:
                    rows: int | None = _ranged_merge(con, self.directory, relation, files, self.dead, target)
                else:
                    rows = _streamed_merge(con, self.directory, relation, files, self.dead, target)
            if rows is not None:
                with self._lock:
                    self._written.append(Part(relation, name, rows, self.segment))

    def _take(self, ranged: bool) -> tuple[str, list[Part]] | None:
        with self._lock:
            for index, (relation, _) in enumerate(self._left):
                if ranged or relation not in RANGED:
                    return self._left.pop(index)
        return None

    def premerged(self) -> Premerged:
        """What was written, in PART_RELATIONS' order."""
        with self._lock:
            written = sorted(self._written, key=lambda p: PART_RELATIONS.index(p.relation))
        return Premerged(self.chosen, self.segment, frozenset(self.dead), tuple(written))


def premerge(premerging: Premerging, then: Callable[[], None] = lambda: None) -> None:
    """The streamed relations of `premerging` merged on a DuckDB instance of this thread's own; `then`
    called when none is left for it."""
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{STREAMED_DUCKDB}B'")
        con.execute("SET threads = 1")
        premerging.work(con, ranged=False, label="compact beside")
    finally:
        con.close()
    then()


@contextmanager
def merging_beside(
    directory: Path,
    catalog: Catalog,
    chosen: list[str],
    run_id: str,
    then: Callable[[], None] = lambda: None,
) -> Iterator[Callable[[duckdb.DuckDBPyConnection], Premerged | None]]:
    """`premerge` of `catalog`'s first due merge, of the segments `chosen` (`due`'s), on a thread while
    inside (`then` called on it when it is done); yields the function that, given the run's connection,
    merges what the thread has not taken yet on it, then waits for the thread and returns what both
    wrote. Leaving waits for the thread in any case (an error inside: its files are the run's, removed by
    its abort)."""
    premerging = Premerging(directory, catalog, run_id, chosen)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-compact")
    future = pool.submit(premerge, premerging, then)

    def finish(con: duckdb.DuckDBPyConnection) -> Premerged:
        premerging.work(con, ranged=True, label="compact")
        future.result()
        return premerging.premerged()

    try:
        yield finish
    finally:
        pool.shutdown(wait=True)


def _usable(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    catalog: Catalog,
    chosen: list[str],
    premerged: Premerged | None,
) -> tuple[Part, ...]:
    """The parts of `premerged` that `_merge` of `chosen` would write, or none (their files removed):
    the same segments, and no report whose rows they hold dead now but not then, or the other way."""
    if premerged is None or not premerged.parts:
        return ()
    changed = sorted(premerged.dead ^ catalog.dead)
    same = premerged.chosen == tuple(chosen)
    if same and not (changed and _holds_any(con, directory, catalog, chosen, changed)):
        return premerged.parts
    for part in premerged.parts:
        (directory / part.file).unlink(missing_ok=True)
    return ()


def _holds_any(
    con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog, chosen: list[str], reports: list[str]
) -> bool:
    files = [p.file for p in catalog.parts if p.segment in set(chosen) and p.relation == "reports_parsed"]
    found = con.execute(
        f"SELECT count(*) FROM ({scan_sql(directory, 'reports_parsed', files)}) "
        f"WHERE report_id IN (SELECT unnest({_list(reports)}))"
    ).fetchall()
    return bool(found[0][0])


def _merge(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    catalog: Catalog,
    chosen: list[str],
    segment: str,
    ready: tuple[Part, ...] = (),
) -> Catalog:
    merging = set(chosen)
    dead = sorted(catalog.dead)
    merged: list[Part] = []
    done = {p.relation: p for p in ready}
    for relation in PART_RELATIONS:
        if relation in done:
            merged.append(done[relation])
            continue
        chosen_parts = _merging_parts(catalog, merging, relation)
        files = [p.file for p in chosen_parts]
        name = f"parts/{segment}-{relation}.parquet"
        with stage(f"compact: {relation}"):
            streamed = None
            if _streamed(relation, chosen_parts):
                streamed = _streamed_merge(con, directory, relation, files, dead, directory / name)
            if streamed is not None:
                rows = streamed
            elif relation in RANGED:
                rows = _ranged_merge(con, directory, relation, files, dead, directory / name)
            else:
                sql = merge_sql(directory, relation, files, dead)
                rows = copy_to(con, sql, directory / name, part_row_group(relation))
        merged.append(Part(relation, name, rows, segment))
    kept = [p for p in catalog.parts if not p.segment or p.segment not in merging]
    remaining = replace(catalog, parts=tuple(kept))
    still = scan_sql(directory, "reports_parsed", remaining.files("reports_parsed"))
    held = {
        str(r[0])
        for r in con.execute(
            f"SELECT report_id FROM ({still}) WHERE report_id IN (SELECT unnest({_list(dead)}))"
        ).fetchall()
    }
    return replace(catalog, parts=tuple(kept + merged), dead=frozenset(held))


def merge_sql(directory: Path, relation: str, files: list[str], dead: list[str]) -> str:
    """The rows of a merged part of `relation`: those of `files` but the dead reports', in its sort order."""
    return (
        f"SELECT * FROM ({scan_sql(directory, relation, files)}) "
        f"WHERE report_id NOT IN (SELECT unnest({_list(dead)})) ORDER BY {SORT_KEYS[relation]}"
    )


def _ranged_merge(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    relation: str,
    files: list[str],
    dead: list[str],
    target: Path,
    range_rows: int = RANGE_ROWS,
) -> int:
    """`merge_sql`'s rows written to `target` without sorting them all at once: each range of report ids
    (about RANGE_ROWS rows) sorted into a file of its own, then the files read in order into
    one part (DuckDB keeps the order of the files and of their rows while `preserve_insertion_order` is
    on). The rows and their order are `merge_sql`'s."""
    rows, decoded = _footer_sizes(con, directory, files) if files else (0, 0)
    bounds = _range_bounds(con, directory, files, range_rows) if rows > range_rows else []
    if not bounds:
        return copy_to(con, merge_sql(directory, relation, files, dead), target, part_row_group(relation))
    with _limited(con, range_limit(rows, decoded, range_rows)):
        return _ranges_merged(con, directory, relation, files, dead, target, bounds)


def range_limit(rows: int, decoded: int, range_rows: int) -> int:
    """DuckDB's memory limit for a ranged merge of `rows` rows of `decoded` bytes, `range_rows` a range."""
    per_range = decoded * min(rows, range_rows) // max(rows, 1)
    return max(RANGED_DUCKDB, RANGE_MEMORY * per_range)


def _ranges_merged(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    relation: str,
    files: list[str],
    dead: list[str],
    target: Path,
    bounds: list[str],
) -> int:
    edges: list[str | None] = [None, *bounds, None]
    pieces = []
    try:
        for index, (low, high) in enumerate(pairwise(edges)):
            bounds_sql = []
            if low is not None:
                bounds_sql.append(f"report_id >= {quoted(low)}")
            if high is not None:
                bounds_sql.append(f"report_id < {quoted(high)}")
            within = " AND ".join(bounds_sql)
            piece = target.with_name(f"{target.stem}.r{index:04d}.parquet")
            copy_to(
                con,
                f"SELECT * FROM ({merge_sql(directory, relation, files, dead)}) WHERE {within}",
                piece,
                part_row_group(relation),
            )
            pieces.append(piece)
        ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        con.execute("SET preserve_insertion_order = true")
        try:
            listed = ", ".join(quoted(p) for p in pieces)
            return copy_to(con, f"SELECT * FROM read_parquet([{listed}])", target, part_row_group(relation))
        finally:
            con.execute(f"SET preserve_insertion_order = {str(bool(ordered)).lower()}")
    finally:
        for piece in pieces:
            piece.unlink(missing_ok=True)


def _range_bounds(con: duckdb.DuckDBPyConnection, directory: Path, files: list[str], rows: int) -> list[str]:
    """Report ids that cut `files`' rows into ranges of about `rows`; [] for one range."""
    listed = ", ".join(quoted(directory / f) for f in files)
    cut = con.execute(f"""
        SELECT report_id FROM (
            SELECT report_id, row_number() OVER (ORDER BY report_id) AS n
            FROM (SELECT DISTINCT report_id FROM read_parquet([{listed}]) WHERE report_id IS NOT NULL))
        WHERE n > 1 AND (n - 1) % {int(rows)} = 0 ORDER BY report_id""").fetchall()
    return [str(r[0]) for r in cut]


def _footer_sizes(con: duckdb.DuckDBPyConnection, directory: Path, files: list[str]) -> tuple[int, int]:
    """Rows of `files` and their bytes decoded (before compression), as their footers count them."""
    listed = ", ".join(quoted(directory / f) for f in files)
    rows = con.execute(f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata([{listed}])").fetchall()
    decoded = con.execute(
        f"SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata([{listed}])"
    ).fetchall()
    return int(rows[0][0]), int(decoded[0][0])


def _list(values: list[str]) -> str:
    return "[" + ", ".join(map(quoted, values)) + "]::VARCHAR[]"


def _streamed_merge(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    relation: str,
    files: list[str],
    dead: list[str],
    target: Path,
    chunk_reports: int = CHUNK_REPORTS,
) -> int | None:
    """`merge_sql`'s rows in its order written to `target` without a sort, or None (nothing written) when
    the files do not allow it: more than STREAMED_FILES, their columns differ from the stored ones, a
    report's rows are in two of them, or a row has no report id. Each file is sorted by its relation's
    keys, report id first, so the merged rows are, report by report in id order, that report's rows in
    its file's order; a file is read once, BATCH_ROWS at a time, and written as the reports come."""
    import pyarrow.parquet as pq

    paths = [directory / f for f in files]
    if not 0 < len(paths) <= STREAMED_FILES:
        return None
    schema = _nullable(pq.read_schema(paths[0]))
    if schema.names != [c for c, _ in stored_columns(relation)]:
        return None
    if any(_nullable(pq.read_schema(p)) != schema for p in paths[1:]):
        return None
    with _limited(con, STREAMED_DUCKDB):
        runs = _report_runs(con, paths, dead)
        if runs is None:
            return None
        with _system_memory():
            return _write_streamed(relation, paths, schema, runs, target, chunk_reports)


class _SystemPool:
    """pyarrow's default pool set to the C library's while at least one merge is inside `_system_memory`,
    the pool it replaced set back when the last leaves: a first build's merges can run on two threads at
    once, and pyarrow's default pool is the process's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._replaced: pa.MemoryPool | None = None

    def enter(self) -> None:
        import pyarrow as pa

        with self._lock:
            if not self._inside:
                self._replaced = pa.default_memory_pool()
                pa.set_memory_pool(pa.system_memory_pool())
            self._inside += 1

    def leave(self) -> None:
        import pyarrow as pa

        with self._lock:
            self._inside -= 1
            if not self._inside and self._replaced is not None:
                pa.set_memory_pool(self._replaced)
                self._replaced = None


_SYSTEM_POOL = _SystemPool()


@contextmanager
def _system_memory() -> Iterator[None]:
    """pyarrow's allocations inside made by the C library's allocator, and what they freed handed back
    after: pyarrow's own pool (mimalloc) kept ≈ 0.25 GB of a 100k facts merge resident after it, and the
    next relation's merge grew on top of it."""
    _SYSTEM_POOL.enter()
    try:
        yield
    finally:
        _SYSTEM_POOL.leave()
        give_back()


def _write_streamed(
    relation: str,
    paths: list[Path],
    schema: pa.Schema,
    runs: tuple[np.ndarray, np.ndarray, np.ndarray],
    target: Path,
    chunk_reports: int,
) -> int:
    import numpy as np
    import pyarrow.parquet as pq

    file_of, rows_of, keep = runs
    groups = reader_groups([_reader_bytes(p) for p in paths], STREAMED_MEMORY)
    target.parent.mkdir(parents=True, exist_ok=True)
    spooled = [target.with_name(f"{target.stem}.g{index:04d}.arrows") for index in range(len(groups))]
    try:
        if len(groups) == 1:
            streams = [_Stream(pq.ParquetFile(p).iter_batches(batch_size=BATCH_ROWS), schema) for p in paths]
        else:
            group_of = np.empty(len(paths), dtype=np.int64)
            for index, (members, spool) in enumerate(zip(groups, spooled, strict=True)):
                group_of[members] = index
                local = _runs_of(runs, members, len(paths))
                _spool([paths[m] for m in members], schema, local, spool, chunk_reports)
                give_back()  # the group's readers freed: the next group and the final pass reuse the pages
            streams = [_Stream(_spooled_batches(spool), schema) for spool in spooled]
            file_of = group_of[file_of]
        row_group = part_row_group(relation)
        written = 0
        with pq.ParquetWriter(target, schema, compression="zstd") as writer:
            pending = _RowGroups(writer, row_group)
            for ordered in _in_order(streams, file_of, rows_of, keep, chunk_reports):
                pending.add(ordered)
                written += ordered.num_rows
            pending.close()
        return written
    finally:
        for spool in spooled:
            spool.unlink(missing_ok=True)


def reader_groups(sizes: list[int], budget: int) -> list[list[int]]:
    """The indexes of files whose readers hold `sizes` bytes, cut in consecutive groups of at most
    `budget` bytes (a file alone when it holds more); one group when all fit."""
    return packed_groups(list(enumerate(sizes)), budget)


def _reader_bytes(path: Path) -> int:
    """What a reader of `path` holds: READER_BYTES and its largest row group decoded (its footer's count)."""
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    largest = max((meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)), default=0)
    return READER_BYTES + largest


def _runs_of(
    runs: tuple[np.ndarray, np.ndarray, np.ndarray], members: list[int], files: int
) -> tuple[np.ndarray, np.ndarray]:
    """The reports of files `members` of `files` (in id order): the index of each one's file among them,
    its rows."""
    import numpy as np

    file_of, rows_of, _ = runs
    local = np.full(files, -1, dtype=np.int64)
    local[members] = np.arange(len(members))
    inside = local[file_of] >= 0
    return local[file_of[inside]], rows_of[inside]


def _spool(
    paths: list[Path], schema: pa.Schema, runs: tuple[np.ndarray, np.ndarray], spool: Path, chunk_reports: int
) -> None:
    """The rows of `paths` (every report, dead ones too), merged in report order into an Arrow IPC stream
    file of BATCH_ROWS batches (lz4): read back a batch at a time, it holds no decoded row group."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    file_of, rows_of = runs
    streams = [_Stream(pq.ParquetFile(p).iter_batches(batch_size=BATCH_ROWS), schema) for p in paths]
    options = pa.ipc.IpcWriteOptions(compression=SPOOL_COMPRESSION)
    with pa.OSFile(str(spool), "wb") as sink, pa.ipc.new_stream(sink, schema, options=options) as writer:
        for ordered in _in_order(streams, file_of, rows_of, np.ones(len(file_of), dtype=bool), chunk_reports):
            writer.write_table(ordered, max_chunksize=BATCH_ROWS)


def _spooled_batches(spool: Path) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    with pa.OSFile(str(spool), "rb") as source, pa.ipc.open_stream(source) as reader:
        yield from reader


def _in_order(
    streams: list[_Stream], file_of: np.ndarray, rows_of: np.ndarray, keep: np.ndarray, chunk_reports: int
) -> Iterator[pa.Table]:
    """The rows of the reports (in id order) in chunks of consecutive reports (`chunk_windows`), in
    order (`_chunk_in_order`)."""
    for window in chunk_windows(rows_of, chunk_reports, CHUNK_ROWS):
        yield _chunk_in_order(streams, file_of[window], rows_of[window], keep[window])


def chunk_windows(rows_of: np.ndarray, chunk_reports: int, chunk_rows: int) -> Iterator[slice]:
    """Consecutive windows of the reports holding `rows_of` rows each: as few reports as reach
    `chunk_rows` rows (at least one), at most `chunk_reports`."""
    import numpy as np

    ends = np.cumsum(rows_of)
    start, reports = 0, len(rows_of)
    while start < reports:
        before = int(ends[start - 1]) if start else 0
        reached = int(np.searchsorted(ends, before + chunk_rows, side="left")) + 1
        stop = min(max(reached, start + 1), start + chunk_reports, reports)
        yield slice(start, stop)
        start = stop


@contextmanager
def _limited(con: duckdb.DuckDBPyConnection, limit: int) -> Iterator[None]:
    """DuckDB's memory limit at most `limit` bytes inside (what it holds beyond it handed back or spilled)."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    set_to = parse_size(str(before))
    if set_to is not None and set_to <= limit:
        yield
        return
    con.execute(f"SET memory_limit = '{int(limit)}B'")
    give_back()
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = {quoted(str(before))}")


def _report_runs(
    con: duckdb.DuckDBPyConnection, paths: list[Path], dead: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """For every report of `paths` in id order: the index of its file, its rows there and whether it is
    kept (not in `dead`); None when a report is in two files or a row has no report id. The ids stay in
    DuckDB: 100,000 of them as Python strings held through a merge were ≈ 11 MB beside the derivation."""
    import numpy as np

    listed = ", ".join(quoted(p) for p in paths)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _report_runs AS
        SELECT list_position([{listed}], filename) - 1 AS file_index, report_id, count(*) AS n
        FROM read_parquet([{listed}], filename = true)
        GROUP BY ALL""")
    try:
        reports, distinct, unnamed = con.execute(
            "SELECT count(*), count(DISTINCT report_id), count(*) - count(report_id) FROM _report_runs"
        ).fetchall()[0]
        if unnamed or distinct != reports:
            return None
        found = con.execute(f"""
            SELECT file_index::BIGINT AS file_index, n::BIGINT AS n,
                   report_id NOT IN (SELECT unnest({_list(dead)})) AS kept
            FROM _report_runs ORDER BY report_id""").fetchnumpy()
    finally:
        con.execute("DROP TABLE IF EXISTS _report_runs")
    return (
        np.asarray(found["file_index"], dtype=np.int64),
        np.asarray(found["n"], dtype=np.int64),
        np.asarray(found["kept"], dtype=bool),
    )


def _nullable(schema: pa.Schema) -> pa.Schema:
    """`schema` with every field nullable (DuckDB marks a column required in a file where it holds no
    NULL: segments of one relation differ so)."""
    import pyarrow as pa

    return pa.schema([field.with_nullable(True) for field in schema])


class _Stream:
    """A file's rows (as `schema`), taken from its start a given number at a time."""

    def __init__(self, batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> None:
        self.batches, self.schema = batches, schema
        self.held: list[pa.RecordBatch] = []
        self.rows = 0

    def take(self, rows: int) -> pa.Table:
        import pyarrow as pa

        while self.rows < rows:
            batch = next(self.batches)
            self.held.append(pa.RecordBatch.from_arrays(batch.columns, schema=self.schema))
            self.rows += batch.num_rows
        table = pa.Table.from_batches(self.held, self.schema)
        rest = table.slice(rows)
        self.held, self.rows = rest.to_batches(), rest.num_rows
        return table.slice(0, rows)


def _chunk_in_order(
    streams: list[_Stream], file_of: np.ndarray, rows_of: np.ndarray, keep: np.ndarray
) -> pa.Table:
    """The rows of consecutive reports (in id order; each in file `file_of`, `rows_of` rows), taken
    from the front of their files' streams, in the reports' order; the rows of reports not kept dropped."""
    import numpy as np
    import pyarrow as pa

    needed = np.bincount(file_of, weights=rows_of, minlength=len(streams)).astype(np.int64)
    taken = np.flatnonzero(needed)
    pieces = [streams[f].take(int(needed[f])) for f in taken]
    piece_start = np.zeros(len(streams), dtype=np.int64)
    piece_start[taken] = np.cumsum(needed[taken]) - needed[taken]
    by_file = np.argsort(file_of, kind="stable")  # a file's reports in id order: their rows in its order
    ends = np.cumsum(rows_of[by_file])
    firsts = np.searchsorted(file_of[by_file], file_of[by_file], side="left")
    within = np.empty_like(rows_of)
    within[by_file] = ends - rows_of[by_file] - (ends[firsts] - rows_of[by_file][firsts])
    starts, counts = (piece_start[file_of] + within)[keep], rows_of[keep]
    positions = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    return pa.concat_tables(pieces).take(pa.array(positions))


class _RowGroups:
    """Writes tables to a Parquet writer in row groups of exactly `rows` (the last one the rest)."""

    def __init__(self, writer: pq.ParquetWriter, rows: int) -> None:
        self.writer, self.size = writer, rows
        self.held: list[pa.Table] = []
        self.rows = 0

    def add(self, table: pa.Table) -> None:
        self.held.append(table)
        self.rows += table.num_rows
        if self.rows >= self.size:
            self._write(self.rows - self.rows % self.size)

    def close(self) -> None:
        self._write(self.rows)

    def _write(self, rows: int) -> None:
        import pyarrow as pa

        if not rows:
            return
        table = pa.concat_tables(self.held)
        self.writer.write_table(table.slice(0, rows), row_group_size=self.size)
        rest = table.slice(rows)
        self.held, self.rows = [rest], rest.num_rows
