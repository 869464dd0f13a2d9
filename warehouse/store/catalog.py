"""What a published version is made of: immutable Parquet parts, per-bucket derived files, dead reports.

A version is a small DuckDB file (`warehouse-<time>-<pid>.duckdb`) holding this catalogue, the small tables
(metrics, series_map, runs, warehouse_info) and views named like the schema's tables over the Parquet files
it lists, so any DuckDB connection that opens it reads the warehouse as before (docs/scale.md).

Three kinds of stored relation:
- parts: rows of the reports parsed in one run, never rewritten except by compaction; a report's rows in
  them stop counting when its id is in `_dead` (a changed file replaced it);
- logs: sources and ingest errors appended per run; the latest row per path wins;
- buckets: the report rows with everything derived across reports (places after overrides, agency ids,
  is_current, checks_failed) and the cross-report checks, in files per hash bucket of the agency, so an
  ingest rewrites only the buckets of the agencies it touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import schema_sql
from warehouse.engine import duckdb

PART_RELATIONS = (
    "reports_parsed",
    "facts",
    "checks",
    "parse_warnings",
    "documents",
    "report_series",
    "check_inputs",
    "ocr_cells",
)
"""Per-run immutable relations. `checks` holds the per-report checks; `reports_parsed` the report rows as
parsed (with the hidden columns below); `check_inputs` the few facts the cross-report checks read."""
LOG_RELATIONS = ("sources_log", "errors_log")
BUCKET_RELATIONS = ("reports", "xchecks")
SCHEMA_TABLE = {
    "reports_parsed": "reports",
    "check_inputs": "facts",
    "xchecks": "checks",
    "sources_log": "sources",
    "errors_log": "ingest_errors",
}
"""Stored relations whose columns are those of a schema table (plus hidden ones)."""
HIDDEN_REPORT_COLUMNS = {
    "_own_failed": "BIGINT",
    "_fingerprint": "VARCHAR",
    "_nonzero": "BIGINT",
    "_key": "VARCHAR",
    "_bucket": "INTEGER",
}
"""Kept with each stored report row, never shown by the `reports` view: the count of its own failed
checks, its X4 fingerprint, its agency key (the partition of is_current and X1–X5) and bucket."""
LOG_COLUMNS = {"_seq": "BIGINT"}
N_BUCKETS = 4
"""Buckets of a new warehouse; doubled (all buckets rewritten once) whenever they would hold more than
BUCKET_REPORTS reports on average, so a touched bucket stays small and readers open few files."""
BUCKET_REPORTS = 4000
MAX_BUCKETS = 1024


def bucket_count(reports: int, current: int) -> int:
    count = max(current, N_BUCKETS)
    while reports > count * BUCKET_REPORTS and count < MAX_BUCKETS:
        count *= 2
    return count


STORE_FORMAT = "parts-1"
ROLLUPS_FORMAT = "8"
"""`warehouse_info.rollups` of a version whose pre-aggregated tables are complete (2: with `agg_ranking`;
3: with `agg_profile` and `agg_gaps`; 4: `agg_failed.severity_rank`, its files sorted by it; 5:
`agg_failed.cells` and `.printed`, `agg_reports.title` and `.published`, for the review findings; 6:
`agg_agencies`, one row per agency and filtered columns with year masks, for the pickers and the coverage
grid's choice; 7: `agg_listing`, the review listing's columns in its order; 8: `agg_superseded`, the
reports that are not current with their places, for a place's name);
a version with another value is read as having none, and its next ingest (or `writer.add_rollups`) builds
them all."""
DELTA_PREFIX = "delta:"
"""`_rollups.relation` of a province's delta files (`delta:agg_metrics`, …)."""


@dataclass(frozen=True)
class Part:
    relation: str
    file: str
    """Relative to the warehouse directory."""
    rows: int
    segment: str
    """The flush (or compaction) that wrote it: a segment's files hold the same reports."""


@dataclass(frozen=True)
class Catalog:
    """The files of one version, relative to the warehouse directory."""

    parts: tuple[Part, ...] = ()
    buckets: dict[int, tuple[str, str]] = field(default_factory=dict)
    """bucket → (reports file, xchecks file)."""
    dead: frozenset[str] = frozenset()
    place_inputs: str | None = None
    run_seq: int = 0
    n_buckets: int = N_BUCKETS
    rollups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """province → pre-aggregated files, in `store.rollups.RELATIONS` order (docs/scale.md)."""
    rollup_deltas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """province → its delta since its files were written, in `store.rollups.DELTA_RELATIONS` order."""
    n_reports: int | None = None
    """Rows of the buckets' `reports` files (`warehouse_info.reports`), kept by difference so that sizing
    the buckets reads no footer; None in a version written before it was kept."""

    def files(self, relation: str) -> list[str]:
        if relation in BUCKET_RELATIONS:
            index = BUCKET_RELATIONS.index(relation)
            return [files[index] for _, files in sorted(self.buckets.items())]
        return [p.file for p in self.parts if p.relation == relation]

    def referenced(self) -> set[str]:
        found = {p.file for p in self.parts}
        for files in self.buckets.values():
            found.update(files)
        for rolled in (*self.rollups.values(), *self.rollup_deltas.values()):
            found.update(rolled)
        return found


_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {}


def schema_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Table → ((column, type), ...) as schema.sql defines them, in order."""
    if not _COLUMNS:
        con = duckdb.connect()
        try:
            con.execute(schema_sql())
            learn_columns(con)
        finally:
            con.close()
    return _COLUMNS


def learn_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Take the columns from a connection holding just schema.sql (the part writer's), so the process
    need not open a database of its own for them (a DuckDB instance costs ~25 ms to open and close)."""
    if _COLUMNS:
        return
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE NOT internal AND database_name = current_database() ORDER BY table_name, column_index"
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        found.setdefault(table, []).append((column, kind))
    _COLUMNS.update({table: tuple(columns) for table, columns in found.items()})


def stored_columns(relation: str) -> tuple[tuple[str, str], ...]:
    """The columns a stored relation's files have: its schema table's, plus the hidden ones."""
    columns = schema_columns()[SCHEMA_TABLE.get(relation, relation)]
    if relation in ("reports_parsed", "reports"):
        columns += tuple(HIDDEN_REPORT_COLUMNS.items())
    if relation in LOG_RELATIONS:
        columns += tuple(LOG_COLUMNS.items())
    return columns


def read_catalog(con: duckdb.DuckDBPyConnection, schema: str = "main") -> Catalog:
    """The catalogue stored in a version file opened (or attached as `schema`) on `con`."""
    info = dict(con.execute(f"SELECT key, value FROM {schema}.warehouse_info").fetchall())
    parts = tuple(
        Part(r, f, n, g)
        for r, f, n, g in con.execute(
            f"SELECT relation, file, n_rows, segment FROM {schema}._parts ORDER BY seq"
        ).fetchall()
    )
    buckets = {
        b: (r, x)
        for b, r, x in con.execute(
            f"SELECT bucket, reports_file, xchecks_file FROM {schema}._buckets"
        ).fetchall()
    }
    dead = frozenset(r[0] for r in con.execute(f"SELECT report_id FROM {schema}._dead").fetchall())
    rollups: dict[str, list[str]] = {}
    deltas: dict[str, list[str]] = {}
    if info.get("rollups") == ROLLUPS_FORMAT:
        for province, relation, file in con.execute(
            f"SELECT province, relation, file FROM {schema}._rollups ORDER BY province, seq"
        ).fetchall():
            kept = deltas if str(relation).startswith(DELTA_PREFIX) else rollups
            kept.setdefault(str(province), []).append(str(file))
    return Catalog(
        parts=parts,
        buckets=buckets,
        dead=dead,
        place_inputs=info.get("place_inputs"),
        run_seq=int(info.get("run_seq", "0")),
        n_buckets=int(info.get("n_buckets", str(N_BUCKETS))),
        rollups={p: tuple(f) for p, f in rollups.items()},
        rollup_deltas={p: tuple(f) for p, f in deltas.items()},
        n_reports=int(info["reports"]) if "reports" in info else None,
    )


Runs = list[tuple[object, ...]]
_READ: dict[tuple[str, int, int], tuple[Catalog, Runs]] = {}
"""Catalogue and run rows of the versions this process read or wrote, by (path, mtime, size): a published
version never changes, and an ingest reads the current one up to three times (to collect garbage before
and after it publishes, and to build on it), each an open of a DuckDB file."""


def _file_key(version: Path) -> tuple[str, int, int] | None:
    try:
        found = version.stat()
    except OSError:
        return None
    return str(version.resolve()), found.st_mtime_ns, found.st_size


def remember(version: Path, catalog: Catalog, runs: Runs) -> None:
    """Keep what a version file of this schema version holds (read, or just written and closed)."""
    key = _file_key(version)
    if key is not None:
        _READ[key] = (catalog, list(runs))


def recall(version: Path) -> tuple[Catalog, Runs] | None:
    """What `remember` kept of this very file, or None."""
    key = _file_key(version)
    found = _READ.get(key) if key is not None else None
    return (found[0], list(found[1])) if found is not None else None


def is_store_version(con: duckdb.DuckDBPyConnection, schema: str = "main") -> bool:
    """The connection's database (or the attached one named `schema`) has the store's catalogue. Tried
    by reading none of `_parts`: listing the tables with duckdb_tables() costs about 10 ms a call."""
    try:
        con.execute(
            f'SELECT 1 FROM "{schema}"._parts LIMIT 0'
            if schema != "main"
            else "SELECT 1 FROM main._parts LIMIT 0"
        )
    except duckdb.CatalogException:
        return False
    return True


def absolute(directory: Path, files: list[str]) -> list[str]:
    """The files' absolute paths: the directory resolved once (the files under it are ours, never links)."""
    root = directory.resolve()
    return [str(root / f) for f in files]
