"""Write the reports parsed in one run as immutable Parquet parts.

Reports are inserted into an in-memory DuckDB with the warehouse schema (the same insert code as always,
so a column added to schema.sql and to the row builders in load.py is stored without further change) and
flushed to Parquet every few thousand reports, so memory stays flat however big the run.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.db import connect, quoted
from warehouse.engine import duckdb
from warehouse.load import arrow_table, as_arrow, delete_reports, insert_columns, staged_kinds, table_columns
from warehouse.packed import PackedRows
from warehouse.rows import Print, ReportRows
from warehouse.series import refresh_series_map
from warehouse.store import session
from warehouse.store.aside import shared
from warehouse.store.catalog import PART_RELATIONS, Part, learn_columns
from warehouse.store.staging import PRINTS, STAGING, create_staging

if TYPE_CHECKING:
    import pyarrow as pa

FLUSH_REPORTS = 2000
BESIDE_REPORTS = 500
"""Up to this many reports in a segment, its part files are written by two cursors of the run's instance
(store/aside.py; the work tables are in the in-memory database's STAGING schema, which both see): a
one-file run's six files side by side. A larger segment is written by a bulk run while its workers parse
on the cores, one file after another."""
LAST_BESIDE = True
"""The run's last segment, flushed after its last file (`PartWriter.expect`), written by two cursors however
large: the parse workers' cores are free by then (docs/scale.md §5, issue12sy)."""
CHECK_INPUT_METRICS = (
    "req.carried_in",
    "req.carried_out",
    *(
        f"v2021.{kind}.{term}"
        for kind in ("normative_docs", "regulations")
        for term in ("in_force", "issued", "repealed")
    ),
)
"""The facts X1 and X2 read (warehouse/crosschecks), kept apart so a touched agency's checks are
recomputed without reading all its facts."""

SORT_KEYS = {
    "reports_parsed": "report_id",
    "facts": "report_id, metric_code, breakdown",
    "checks": "report_id, check_id, breakdown",
    "parse_warnings": "report_id",
    "documents": "report_id",
    "report_series": "report_id, series_code, breakdown",
    "check_inputs": "report_id, metric_code, breakdown",
    "ocr_cells": "report_id, metric_code, breakdown",
}
"""Every part is sorted by report id, so reading one report's rows skips the other row groups."""
ROW_GROUP_ROWS = 100_000
"""Rows per Parquet row group: a point read by report id decodes one row group of each part. Measured
on the 100k synthetic store (docs/scale.md §5): smaller row groups make a point read into `facts`
slower — DuckDB pays for every row group of the file (its footer entry, its statistics, its readers),
about 25–50 µs each, whether it is read or not; a segment of 50,000 reports holds 7.1M facts, so a read
of one report's facts (`held_facts`, the report page) took 14.7 ms in row groups of 100,000 against 100
in row groups of 8,192 (checks 10 against 24, series 6 against 14; docs/scale.md §5, one file, ninth
pass) — so the parts read for a few reports at a time keep large ones."""
PART_ROW_GROUPS = {"documents": 2048, "reports_parsed": 8192, "check_inputs": 16_384}
"""Rows per row group of the parts that differ from ROW_GROUP_ROWS: a report's text is one row, and a
row group of 100,000 documents is decoded whole (all their text) to show one; every ingest looks its
new hashes up in `reports_parsed` (one row per report), which decoded a row group of up to 100,000 ids
per segment — 23 ms at 100k reports, growing with the warehouse; in row groups of 8,192 the same lookup
took 9 ms (docs/scale.md §5, one file, sixth pass). The check inputs (about 10 rows a report) are read
for every report of a touched agency (16 of them, spread over every row group of a segment): 21.6 →
11.5 ms at 100k reports in row groups of 16,384 (8,192: 11.6; 4,096: 16.0; a full scan the same)."""
BUCKET_DICTIONARY = 8192
"""DICTIONARY_SIZE_LIMIT of a bucket's report file (about 3,000–4,500 reports): every string column is
dictionary-encoded, and DuckDB writes a Bloom filter for such a column, so X4's neighbour search over four
columns of every bucket file (`derive._search`) took 13.1 ms of CPU against 26.3 at 100k reports (the
files 15 % larger, a bucket's write 2–4 ms more, its reads the same; docs/scale.md §5, one file, ninth
pass). A count of entries, allocated per column: 1,000,000 ran a 1 GB instance out of memory writing
one bucket of 3,100 reports (10,000,000 reached 18 GB)."""
PART_SQL = {
    "reports_parsed": """
        SELECT r.*, coalesce(o.n, 0) AS _own_failed, p.fingerprint AS _fingerprint, p.nonzero AS _nonzero,
               CAST(NULL AS VARCHAR) AS _key, CAST(NULL AS INTEGER) AS _bucket
        FROM {reports} AS r
        LEFT JOIN {report_prints} AS p USING (report_id)
        LEFT JOIN (
            SELECT report_id, count(*) AS n FROM {checks} WHERE status = 'fail' GROUP BY report_id
        ) AS o USING (report_id)
        ORDER BY r.report_id""",
    "facts": f"SELECT * FROM {{facts}} ORDER BY {SORT_KEYS['facts']}",
    "checks": f"SELECT * FROM {{checks}} ORDER BY {SORT_KEYS['checks']}",
    "parse_warnings": "SELECT * FROM {parse_warnings} ORDER BY report_id",
    "documents": "SELECT * FROM {documents} ORDER BY report_id",
    "ocr_cells": f"SELECT * FROM {{ocr_cells}} ORDER BY {SORT_KEYS['ocr_cells']}",
    "report_series": """
        SELECT f.report_id, m.series_code, m.breakdown, m.comparable_group, sum(f.value) AS value
        FROM {facts} AS f
        JOIN {reports} AS r ON r.report_id = f.report_id
        JOIN series_map AS m
          ON m.template = r.template AND m.metric_code = f.metric_code AND m.metric_breakdown = f.breakdown
        GROUP BY ALL
        ORDER BY f.report_id, m.series_code, m.breakdown""",
    "check_inputs": f"""
        SELECT * FROM {{facts}} WHERE metric_code IN ({", ".join(f"'{m}'" for m in CHECK_INPUT_METRICS)})
        ORDER BY report_id, metric_code, breakdown""",
}
"""Each part's rows, over the segment's work tables (`{facts}` and the like: the table, or the view of its
rows held as Arrow, `HeldRows`)."""
SINGLE_TABLE = {
    "facts": "facts",
    "checks": "checks",
    "parse_warnings": "parse_warnings",
    "documents": "documents",
    "ocr_cells": "ocr_cells",
}
"""The part relations that copy one work table whole: empty when it is (`PartWriter._empty_tables`)."""
WORK_TABLES = ("facts", "checks", "parse_warnings", "documents", "ocr_cells", "reports")


def work_tables_ddl(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The CREATE TABLE statement of each work table as it stands (keys, NOT NULLs, checks). A segment's
    work tables are dropped and created again by them, not emptied by DELETE: an in-memory table keeps
    the string blocks of its deleted rows, so a bulk run's driver grew by its documents' texts, ≈ 5 KB a
    report, all through the parse phase (≈ 0.5 GB at 100k; docs/scale.md §5, the lead's trace)."""
    rows = con.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ?",
        [STAGING],
    ).fetchall()
    found = {str(name): str(sql) for name, sql in rows}
    return {table: found[table] for table in WORK_TABLES}


HELD = ("reports", "facts", "checks", "parse_warnings", "documents", "ocr_cells")
"""Work tables whose rows a batch staged as Arrow (a bulk run's) are held as Arrow until the segment is
written, not inserted: the parts are written from them (`HeldRows`). Inserting them cost the driver
more than writing them: an INSERT copies every value into DuckDB's table, which the flush then reads
again (docs/scale.md §5, the driver's CPU a report)."""
HELD_PRINTS = "held_prints"
"""The temporary table of a segment's prints computed by its workers (`HeldRows.prints`)."""


@dataclass(frozen=True)
class TableSpec:
    """A work table as its rows held as Arrow are checked and read: its columns and their types, the
    columns that must not be NULL and its CHECK constraints (schema.sql's)."""

    columns: tuple[tuple[str, str], ...]
    required: tuple[str, ...]
    checks: tuple[str, ...]


def table_specs(con: duckdb.DuckDBPyConnection) -> dict[str, TableSpec]:
    """The HELD tables of the STAGING schema as `TableSpec`s."""
    found = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = ? ORDER BY table_name, column_index",
        [STAGING],
    ).fetchall()
    rules = con.execute(
        "SELECT table_name, constraint_type, expression, constraint_column_names FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND schema_name = ? AND constraint_type IN ('NOT NULL', "
        "'CHECK') ORDER BY table_name, constraint_index",
        [STAGING],
    ).fetchall()
    return {
        table: TableSpec(
            tuple((c, t) for name, c, t in found if name == table),
            tuple(cs[0] for name, kind, _, cs in rules if name == table and kind == "NOT NULL"),
            tuple(e for name, kind, e, _ in rules if name == table and kind == "CHECK"),
        )
        for table in HELD
    }


@dataclass
class HeldRows:
    """A segment's rows of the HELD tables, as the Arrow tables the batches were staged as. At the flush
    each is registered and read through a view (`held_<table>`) that casts its columns to the table's
    types, as an INSERT would: the decimals staged as text, a column staged as text when a batch held
    only NULLs."""

    con: duckdb.DuckDBPyConnection
    batches: dict[str, list[pa.Table]] = field(default_factory=dict)
    printed: dict[str, Print] = field(default_factory=dict)
    """The segment's reports' `report_prints` rows as their workers computed them (`report_print`)."""
    unprinted: bool = False
    """A report of the segment came without its print: the segment's are computed from its facts."""
    made: dict[str, Callable[[duckdb.DuckDBPyConnection], object]] = field(default_factory=dict)
    """What `views` made on its connection (a registered table and its view, the prints), by name, as
    steps that make it again on another cursor (`mirror`)."""

    @functools.cached_property
    def specs(self) -> dict[str, TableSpec]:
        """Read once a run, when a batch is first held (a one-file run never asks)."""
        return table_specs(self.con)

    @functools.cached_property
    def prints(self) -> str:
        """The schema's `report_prints` view, over `facts` (its SQL, as DuckDB gives it)."""
        return str(
            self.con.execute(
                "SELECT sql FROM duckdb_views() WHERE database_name = current_database() "
                "AND schema_name = ? AND view_name = ?",
                [STAGING, PRINTS],
            ).fetchall()[0][0]
        )

    def hold(self, table: str, columns: tuple[str, ...], data: list[Any]) -> bool:
        """Hold a batch of `table`'s rows when it is staged as Arrow; False when it is not."""
        if table not in HELD or not as_arrow(len(data[0]) * len(columns)):
            return False
        types = dict(self.specs[table].columns)
        kinds = [
            _staged_type(types[column]) if isinstance(values, list) and _nulls(values) else kind
            for column, kind, values in zip(columns, staged_kinds(table, columns, data), data, strict=True)
        ]
        self.batches.setdefault(table, []).append(arrow_table(columns, kinds, data))
        return True

    def note_prints(self, new: Sequence[ReportRows | PackedRows]) -> None:
        """Keep the prints `new` came with; a report without one makes the segment compute them all."""
        for item in new:
            printed = item.prints if isinstance(item, PackedRows) else None
            if printed is None:
                self.unprinted = True
            else:
                self.printed[item.report_id] = printed

    def rows(self, table: str) -> int:
        return sum(batch.num_rows for batch in self.batches.get(table, ()))

    def insert(self, con: duckdb.DuckDBPyConnection, tables: Sequence[str]) -> None:
        """The rows held of `tables` inserted into their work tables (and held no more)."""
        for table in tables:
            if table in self.batches:
                view = self._register(con, table)
                try:
                    con.execute(f"INSERT INTO {table} SELECT * FROM {view}")
                finally:
                    self._unregister(con, table)
                del self.batches[table]

    @contextlib.contextmanager
    def views(self, con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, str]]:
        """The sources of PART_SQL: each work table, or the view of its rows held, checked first against
        the table's constraints (a batch breaking one is inserted, which raises DuckDB's own error)."""
        sources = {table: table for table in (*WORK_TABLES, PRINTS)}
        try:
            for table in list(self.batches):
                sources[table] = self._register(con, table)
                if not self._valid(con, table):
                    self.insert(con, [table])  # raises the constraint's error
                    sources[table] = table
            if self.printed and not self.unprinted:
                sources[PRINTS] = self._held_prints(con)
            elif "facts" in self.batches:
                sources[PRINTS] = self._prints(con, sources["facts"])
            yield sources
        finally:
            for table in list(self.batches):
                self._unregister(con, table)
            if sources[PRINTS] != PRINTS:  # made by `_held_prints` or `_prints`
                con.execute(f"DROP VIEW IF EXISTS temp.held_{PRINTS}")
                con.execute(f"DROP TABLE IF EXISTS temp.{HELD_PRINTS}")
            self.made.clear()
            self.batches.clear()
            self.printed.clear()
            self.unprinted = False

    def _register(self, con: duckdb.DuckDBPyConnection, table: str) -> str:
        import pyarrow as pa

        rows = pa.concat_tables(self.batches[table])
        given = set(self.batches[table][0].column_names)
        select = ", ".join(
            f'CAST("{c}" AS {t}) AS "{c}"' if c in given else f'CAST(NULL AS {t}) AS "{c}"'
            for c, t in self.specs[table].columns
        )
        view = f"CREATE OR REPLACE TEMP VIEW held_{table} AS SELECT {select} FROM _held_{table}"

        def make(cursor: duckdb.DuckDBPyConnection) -> None:
            cursor.register(f"_held_{table}", rows)
            cursor.execute(view)

        make(con)
        self.made[table] = make
        return f"held_{table}"

    def _unregister(self, con: duckdb.DuckDBPyConnection, table: str) -> None:
        con.execute(f"DROP VIEW IF EXISTS temp.held_{table}")
        con.unregister(f"_held_{table}")
        self.made.pop(table, None)

    def mirror(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """The held rows' views and prints `views` made, made again on another cursor of the instance (a
        connection's registered tables and temporary views are its own)."""
        for make in self.made.values():
            make(cursor)

    def _valid(self, con: duckdb.DuckDBPyConnection, table: str) -> bool:
        spec, batches = self.specs[table], self.batches[table]
        given = set(batches[0].column_names)
        if any(c not in given or b.column(c).null_count for c in spec.required for b in batches):
            return False
        if not spec.checks:
            return True
        broken = " OR ".join(f"({check}) IS FALSE" for check in spec.checks)
        return not con.execute(f"SELECT count(*) FROM _held_{table} WHERE {broken}").fetchall()[0][0]

    def _held_prints(self, con: duckdb.DuckDBPyConnection) -> str:
        """`report_prints` of the segment as its workers computed them: a temporary table, a row a report
        (NULLs for a report without one: the parts' LEFT JOIN reads the same)."""
        ids = list(self.printed)
        values = [ids, [self.printed[i][0] for i in ids], [self.printed[i][1] for i in ids]]

        def make(cursor: duckdb.DuckDBPyConnection) -> None:
            cursor.execute(
                f"CREATE OR REPLACE TEMP TABLE {HELD_PRINTS} AS SELECT unnest(?::VARCHAR[]) AS report_id, "
                "unnest(?::VARCHAR[]) AS fingerprint, unnest(?::BIGINT[]) AS nonzero",
                values,
            )

        make(con)
        self.made[PRINTS] = make
        return HELD_PRINTS

    def _prints(self, con: duckdb.DuckDBPyConnection, facts: str) -> str:
        """`report_prints` over the facts held: the schema's view, read from `facts`' view instead."""
        head = f"CREATE VIEW {STAGING}.{PRINTS} AS "
        body = self.prints.removeprefix(head)
        if body == self.prints or body.count(" FROM facts ") != 1:
            raise ValueError(f"{PRINTS}: a view not read from facts: {self.prints}")
        view = (
            f"CREATE OR REPLACE TEMP VIEW held_{PRINTS} AS {body.replace(' FROM facts ', f' FROM {facts} ')}"
        )

        def make(cursor: duckdb.DuckDBPyConnection) -> None:
            cursor.execute(view)

        make(con)
        self.made[PRINTS] = make
        return f"held_{PRINTS}"


def _nulls(values: list[object]) -> bool:
    """Every value is NULL (its type not told by a value: the table's is held)."""
    return not any(value is not None for value in values)


def _staged_type(declared: str) -> str:
    """The type a column of the declared type is held as: decimals as their text (cast when read)."""
    return "VARCHAR" if declared.startswith("DECIMAL") else declared


class PartWriter:
    """Collects parsed reports and writes them as parts under DIR/parts/<run>/."""

    def __init__(self, directory: Path, run_id: str, segment_prefix: str = "") -> None:
        self.directory, self.run_id, self.segment_prefix = directory, run_id, segment_prefix
        self._con = session.cursor() or connect(None)
        staged = session.prepared()  # the work tables created with the run's instance (xxgk/launch.py)
        self.parts: list[Part] = []
        self.released = False
        self.pending = 0
        self.flushes = 0
        self.held: HeldRows | None = None
        self._ids: set[str] = set()
        """The report ids of the segment (its work tables' and held rows')."""
        self._work_ddl: dict[str, str] = {}
        """The statements that create the work tables again, empty, after a segment (`work_tables_ddl`),
        read when first needed (a one-file run never does)."""
        self._inserted = dict.fromkeys(WORK_TABLES, 0)
        """Rows inserted into each work table this segment: none, or at least as many as it holds (a report
        added again has its rows deleted); `_empty_tables` counts no rows in DuckDB."""
        self.expected: int | None = None
        """The reports the run will add at most (`expect`); None when not told."""
        self._added = 0
        self._flushed = False
        """The work tables hold a flushed segment's rows, the run's last (`flush(last=True)`): `release` drops
        them next, so they are made again only should `add` come after all (≈ 3.5 ms of a one-file run)."""
        # Set up in a thread (DuckDB releases the GIL while it runs a statement): an ingest sends its files
        # to the parse workers next and waits for them meanwhile (docs/scale.md §5, one file, tenth pass).
        self._setting_up: ThreadPoolExecutor | None = ThreadPoolExecutor(max_workers=1)
        self._set_up = self._setting_up.submit(self._setup, staged)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The writer's connection, once set up (a connection is not used by two threads at once)."""
        self._ready()
        return self._con

    def _setup(self, staged: Future[duckdb.DuckDBPyConnection] | None) -> None:
        # The schema's tables in a schema of their own, so that `release` leaves an empty database.
        if staged is None:
            create_staging(self._con)
        else:
            self._con.close()
            self._con = staged.result()
        learn_columns(self._con)
        refresh_series_map(self._con)
        self.held = HeldRows(self._con)

    def _ready(self) -> None:
        """Wait for the setup; raises what it raised."""
        if self._setting_up is not None:
            self._setting_up.shutdown(wait=True)
            self._setting_up = None
            self._set_up.result()

    def expect(self, reports: int) -> None:
        """Tell the writer how many reports the run will add at most (its files to parse): the segment
        flushed once that many have come is written by two cursors (`flush`)."""
        self.expected = reports

    def add(self, new: Sequence[ReportRows | PackedRows], at: datetime) -> None:
        if not new:
            return
        self._ready()
        assert self.held is not None
        if self._flushed:
            self._renew_work_tables()
        ids = {item.report_id for item in new}
        held = len(ids) == len(new)  # else inserted, and the key of `reports` refuses a report twice
        if not held or not self._ids.isdisjoint(ids):  # a report of the segment again: its rows replaced
            for table in HELD:
                self._inserted[table] += self.held.rows(table)
            self.held.insert(self._con, HELD)
            delete_reports(self._con, ids)
        self._ids |= ids
        self.held.note_prints(new)
        for table, columns, data in table_columns(new, at):
            if not (held and self.held.hold(table, columns, data)):
                insert_columns(self._con, table, list(columns), staged_kinds(table, columns, data), data)
                self._inserted[table] += len(data[0])
        self.pending += len(new)
        self._added += len(new)
        if self.pending >= FLUSH_REPORTS:
            self.flush()

    def _all_in(self) -> bool:
        """Every report the run told to expect has come (its parse workers are done)."""
        return self.expected is not None and self._added >= self.expected

    def _renew_work_tables(self) -> None:
        self._work_ddl = self._work_ddl or work_tables_ddl(self._con)
        self._con.execute(";".join(f"DROP TABLE {t};{self._work_ddl[t]}" for t in WORK_TABLES))
        self._flushed = False
        self._inserted = dict.fromkeys(WORK_TABLES, 0)

    def flush(self, *, last: bool = False) -> None:
        """Write the segment's parts; the work tables are made again, empty, for the next segment unless it
        is the run's `last`."""
        self._ready()
        if not self.pending:
            return
        assert self.held is not None
        segment = f"{self.run_id}/{self.segment_prefix}{self.flushes:04d}"
        beside = self.pending <= BESIDE_REPORTS  # a small run: two cursors write them, from the work tables
        empty = self._empty_tables(beside)
        names = {r: f"parts/{segment}-{r}.parquet" for r in PART_RELATIONS if r not in empty}
        with self.held.views(self._con) as sources:

            def write(relation: str) -> Callable[[duckdb.DuckDBPyConnection], int]:
                target, row_group = self.directory / names[relation], part_row_group(relation)
                sql = PART_SQL[relation].format_map(sources)
                return lambda cursor: copy_to(cursor, sql, target, row_group)

            jobs = [write(relation) for relation in names]
            held = self.held

            def prepare(cursor: duckdb.DuckDBPyConnection) -> None:
                cursor.execute(f"SET search_path = '{STAGING}'")
                if not beside:
                    held.mirror(cursor)

            # the run's last segment, after its last file: the parse workers' cores are free, so its parts
            # are written by two cursors, each part by one thread as before (docs/scale.md §5, issue12sy)
            if (beside or (LAST_BESIDE and self._all_in())) and len(jobs) > 1:
                counts = shared(self._con, jobs, prepare)
            else:
                counts = [job(self._con) for job in jobs]
        for (relation, name), rows in zip(names.items(), counts, strict=True):
            if not rows and relation != "reports_parsed":
                (self.directory / name).unlink()
                continue
            self.parts.append(Part(relation, name, rows, segment))
        self._ids.clear()
        if last:
            self._flushed = True
        else:
            self._renew_work_tables()
        self.pending = 0
        self.flushes += 1

    def _empty_tables(self, unheld: bool) -> set[str]:
        """The relations whose part would be empty, told by the rows inserted into the work tables they
        copy and the rows held (a relation told non-empty whose rows were all deleted writes an empty file,
        which `flush` removes). A segment names no file for an empty relation (a relation without files
        reads as no rows), so a run without OCR, warnings or check inputs writes no Parquet file for them,
        and the version's views of those relations stay as they were (docs/scale.md §5, one file, seventh
        pass). Rows held of a table that also has rows in its work table (a batch staged as lists), or all
        of them when `unheld`, are inserted first: a part is written from one of the two."""
        assert self.held is not None
        stored = dict(self._inserted)
        rows = {t: n + self.held.rows(t) for t, n in stored.items()}
        self.held.insert(self._con, [t for t in HELD if unheld or stored[t]])
        self.held.unprinted |= unheld  # the second cursor sees none of this one's temporary tables
        return {relation for relation, table in SINGLE_TABLE.items() if not rows[table]}

    def close(self) -> None:
        if not self.released:
            with contextlib.suppress(Exception):  # the run is abandoned: a failed setup says nothing more
                self._ready()
            self._con.close()

    def release(self) -> duckdb.DuckDBPyConnection:
        """The writer's connection with its tables dropped, for the run's derivation (a DuckDB instance
        costs about 25 ms of CPU to open and close); the caller closes it, the writer is done."""
        self._ready()
        self._con.execute("SET search_path = 'main'")
        self._con.execute(f"DROP SCHEMA {STAGING} CASCADE")
        self.released = True
        return self._con

    def files(self, relation: str) -> list[str]:
        return [p.file for p in self.parts if p.relation == relation]


def part_row_group(relation: str) -> int:
    """Rows per row group of a part of `relation` (written by an ingest, compaction or the benchmarks'
    synthetic stores; parts written before keep theirs until compaction merges their segment)."""
    return PART_ROW_GROUPS.get(relation, ROW_GROUP_ROWS)


def copy_to(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    target: Path,
    row_group: int = ROW_GROUP_ROWS,
    dictionary: int = 0,
) -> int:
    """Write the rows of `sql` to a new Parquet file, `row_group` rows per row group (`dictionary`: the
    DICTIONARY_SIZE_LIMIT, entries, when not DuckDB's own); returns how many were written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    limit = f", DICTIONARY_SIZE_LIMIT {int(dictionary)}" if dictionary else ""
    written = con.execute(
        f"COPY ({sql}) TO {quoted(target)} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {int(row_group)}{limit})"
    ).fetchall()
    return int(written[0][0])
