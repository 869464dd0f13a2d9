"""Write parsed reports, sources and ingest errors into a warehouse version being built."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

from etl.catalogue import metrics
from etl.places import place_after_overrides
from etl.records import ParsedReport
from warehouse.crosschecks import run_cross_checks
from warehouse.engine import arrow_scans, duckdb
from warehouse.packed import Column, PackedRows, is_packed, text_array, unpacked
from warehouse.rows import (
    CHECK_COLUMNS,
    DECIMAL_COLUMNS,
    DOCUMENT_COLUMNS,
    FACT_COLUMNS,
    OCR_COLUMNS,
    REPORT_COLUMNS,
    WARNING_COLUMNS,
    Columns,
    ReportRows,
    place_columns,
    report_rows,
)
from warehouse.series import refresh_report_series, refresh_series_map
from warehouse.store.strings import StringRows

if TYPE_CHECKING:
    import pyarrow as pa

K = TypeVar("K")

DECIMAL_TYPE = "DECIMAL(38, 6)"
SMALL_INSERT_ROWS = 1
"""Up to this many rows go in as one VALUES statement. Binding is per value there: 60 facts of 14
columns took 27 ms of CPU as VALUES against 2.7 ms as one list per column; only a single row is
cheaper as VALUES (1.5 against 1.6 ms; docs/scale.md §5, one file)."""
STAGED_AS_LISTS = 200_000
"""Up to this many values go in as one list per column: a one-file ingest (or a few files) then never
imports pyarrow (which imports pandas: about 0.4 s and 100 MB); beyond, as Arrow."""
ARROW_ONCE_LOADED = 2_000
"""Once pyarrow is loaded (a bulk run's facts crossed STAGED_AS_LISTS), batches of more values than this
go in as Arrow too: it costs nothing more to load, and lists cost more per value (the checks of 200
reports, 110,000 values: 44 ms of CPU as lists, 8 ms as Arrow; docs/scale.md §2, the bulk ingest path,
second pass)."""


@dataclass(frozen=True)
class LoadedFile:
    report: ParsedReport
    path: str
    size: int


@dataclass(frozen=True)
class IngestError:
    path: str
    content_hash: str | None
    kind: str
    reason: str


class Sources(Mapping[str, str]):
    """Path → content hash of the files a run loaded, held packed (warehouse/store/strings.py): a bulk
    run keeps one for each of its files through its derivation. Set a path at a time (`sources[path] =
    digest`); read whole (`items()`, the paths): a lookup unpacks them all, the latest hash of a path
    wins, in the order its path was first set, as in a dict."""

    def __init__(self, given: Mapping[str, str] | None = None) -> None:
        self._rows = StringRows(2, (given or {}).items())

    def __setitem__(self, path: str, digest: str) -> None:
        self._rows.append((path, digest))

    def _latest(self) -> dict[str, str]:
        return {path: digest for path, digest in self._rows}

    def __getitem__(self, path: str) -> str:
        return self._latest()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._latest())

    def __len__(self) -> int:
        return len(self._latest())

    def __bool__(self) -> bool:
        return len(self._rows) > 0

    def items(self) -> ItemsView[str, str]:
        return self._latest().items()

    def __repr__(self) -> str:
        return f"Sources({self._latest()!r})"


@dataclass
class Batch:
    """What an ingest run changes besides the reports themselves: path mappings and error rows."""

    at: datetime
    sources: Sources = field(default_factory=Sources)
    errors: list[IngestError] = field(default_factory=list)
    cleared_errors: set[str] = field(default_factory=set)
    overrides: dict[str, str] = field(default_factory=dict)
    """Agency name (folded) → 6-digit division code, from the user's overrides file."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Agency name variant → canonical name, from the user's aliases file."""
    refresh: bool = False
    """Recompute places, agencies and cross-report checks even when no file changed."""

    def __post_init__(self) -> None:
        if not isinstance(self.sources, Sources):  # a dict (the benchmarks', the tests')
            self.sources = Sources(self.sources)

    @property
    def place_inputs(self) -> str:
        return place_inputs_digest(self.overrides, self.aliases)

    @property
    def empty(self) -> bool:
        return not (self.sources or self.errors or self.cleared_errors or self.refresh)


PLACE_INPUTS_KEY = "place_inputs"


def place_inputs_digest(overrides: dict[str, str], aliases: dict[str, str]) -> str:
    text = json.dumps([sorted(overrides.items()), sorted(aliases.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WarehouseState:
    """What the current version already holds, read before parsing."""

    sources: dict[str, str]
    report_ids: frozenset[str]
    errors: dict[str, tuple[str | None, str, str]]
    place_inputs: str | None = None
    """Digest of the overrides and aliases the places were last resolved with."""
    loaded: bool = False
    """The warehouse holds at least one report (the maps above may hold only what a run asked about)."""


def is_recorded(state: WarehouseState, error: IngestError) -> bool:
    """The same failure of the same bytes is already in the warehouse."""
    return state.errors.get(error.path) == (error.content_hash, error.kind, error.reason)


def read_state(con: duckdb.DuckDBPyConnection) -> WarehouseState:
    sources = dict(con.execute("SELECT path, report_id FROM sources").fetchall())
    report_ids = frozenset(r[0] for r in con.execute("SELECT report_id FROM reports").fetchall())
    errors = {
        p: (h, k, r)
        for p, h, k, r in con.execute(
            "SELECT source_file, content_hash, kind, reason FROM ingest_errors"
        ).fetchall()
    }
    digest = con.execute("SELECT value FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY]).fetchall()
    return WarehouseState(sources, report_ids, errors, digest[0][0] if digest else None, bool(report_ids))


def empty_state() -> WarehouseState:
    return WarehouseState({}, frozenset(), {})


def refresh_metrics(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM metrics")
    columns = ("code", "templates", "section", "label_zh", "label_en", "unit", "parent", "breakdown")
    rows = metric_rows()
    _insert(
        con,
        "metrics",
        [dict(zip(columns, row, strict=True)) for row in rows],
        dict.fromkeys(columns, "VARCHAR"),
    )


def metric_rows() -> list[tuple[str | None, ...]]:
    """The metric catalogue as rows of the `metrics` table."""
    return [
        (m.code, ",".join(m.templates), m.section, m.label_zh, m.label_en, m.unit, m.parent, m.breakdown)
        for m in metrics().values()
    ]


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, object]],
    types: dict[str, str] | None = None,
) -> None:
    if not rows:
        return
    columns = list(rows[0])
    data = [[row[c] for row in rows] for c in columns]
    kinds = [(types or {}).get(c) or _infer_values(values) for c, values in zip(columns, data, strict=True)]
    insert_columns(con, table, columns, kinds, data)


def insert_columns(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], kinds: list[str], data: list[list[object]]
) -> None:
    """Insert rows given as one list of values per column, staged as `kinds` (the table's own types apply
    on insert: a decimal staged as its text is cast to DECIMAL(38, 6), exactly). Rows not staged as Arrow
    are inserted by one statement, not staged in a temporary table first (≈ 1–2 ms of CPU a table saved;
    docs/scale.md §5, one file, eighteenth pass)."""
    names = ", ".join(columns)
    if not as_arrow(len(data[0]) * len(columns)):
        select, parameters = _selected(columns, kinds, data)
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM ({select})", parameters)
        return
    _staged(con, columns, kinds, data)
    try:
        con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming")
    finally:
        _unstage(con)


def _staged(
    con: duckdb.DuckDBPyConnection, columns: list[str], kinds: list[str], data: list[list[object]]
) -> None:
    """Columns of values as the relation `_incoming`: a VALUES list when small, one list per column up to
    a few thousand rows, an Arrow table when large."""
    if not as_arrow(len(data[0]) * len(columns)):
        select, parameters = _selected(columns, kinds, data)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS {select}", parameters)
        return
    con.register("_incoming", arrow_table(columns, kinds, data))


def arrow_table(columns: Sequence[str], kinds: Sequence[str], data: Sequence[Any]) -> pa.Table:
    """Columns of values (or Arrow arrays already, a packed text column's) as an Arrow table, each column
    of the Arrow type of its kind; DuckDB can scan it (`arrow_scans`)."""
    import pyarrow as pa

    arrow = {
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "TIMESTAMP": pa.timestamp("us"),
        DECIMAL_TYPE: pa.decimal128(38, 6),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int32(),
        "BLOB": pa.binary(),
    }
    arrays = [
        values if isinstance(values, pa.Array) else pa.array(values, type=arrow[k])  # packed text: built
        for values, k in zip(data, kinds, strict=True)
    ]
    arrow_scans()
    return pa.Table.from_arrays(arrays, names=list(columns))


def as_arrow(values: int) -> bool:
    """Whether a batch of `values` values is staged as Arrow rather than as lists (`_staged`)."""
    return values > STAGED_AS_LISTS or (values > ARROW_ONCE_LOADED and "pyarrow" in sys.modules)


def _selected(columns: list[str], kinds: list[str], data: list[list[object]]) -> tuple[str, list[object]]:
    """A SELECT of columns of values and its parameters: a VALUES list for a single row, else `_listed`."""
    rows = len(data[0])
    if rows > SMALL_INSERT_ROWS:
        return _listed(columns, kinds, data)
    marks = "(" + ", ".join(f"CAST(? AS {k})" for k in kinds) + ")"
    values = ", ".join([marks] * rows)
    parameters = [value for row in zip(*data, strict=True) for value in row]
    return f"SELECT * FROM (VALUES {values}) AS v({', '.join(columns)})", parameters


def _listed(columns: list[str], kinds: list[str], data: list[list[object]]) -> tuple[str, list[object]]:
    """One list parameter per column, unnested side by side (no per-value binding, no pyarrow)."""
    select = ", ".join(f"unnest(CAST(? AS {k}[])) AS {c}" for c, k in zip(columns, kinds, strict=True))
    return f"SELECT {select}", list(data)


def _unstage(con: duckdb.DuckDBPyConnection) -> None:
    con.unregister("_incoming")
    con.execute("DROP TABLE IF EXISTS temp._incoming")


def _infer_values(values: Sequence[object]) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    if isinstance(sample, datetime):
        return "TIMESTAMP"
    return "VARCHAR"


def delete_reports(con: duckdb.DuckDBPyConnection, report_ids: Iterable[str]) -> None:
    wanted = sorted(set(report_ids))
    if not wanted:
        return
    present = "SELECT report_id FROM reports WHERE report_id IN (SELECT unnest(?::VARCHAR[]))"
    ids = [row[0] for row in con.execute(present, [wanted]).fetchall()]
    if not ids:
        return
    for table in ("facts", "ocr_cells", "parse_warnings", "checks", "documents", "reports"):
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [ids])


def insert_reports(con: duckdb.DuckDBPyConnection, new: Sequence[LoadedFile], at: datetime) -> None:
    """Insert parsed reports (replacing rows with the same content hash) with their facts and checks."""
    insert_rows(con, [report_rows(item.report, item.path, item.size) for item in new], at)


def insert_rows(con: duckdb.DuckDBPyConnection, new: Sequence[ReportRows | PackedRows], at: datetime) -> None:
    """Insert reports as their rows (warehouse/rows.py, built where they were parsed; a bulk run's packed,
    warehouse/packed.py), replacing rows with the same content hash; `at` is their `ingested_at`. Each
    table's rows go in as one batch of columns."""
    delete_reports(con, [item.report_id for item in new])
    for table, columns, data in table_columns(new, at):
        insert_columns(con, table, list(columns), staged_kinds(table, columns, data), data)


TableColumns = tuple[str, tuple[str, ...], list[Any]]


def table_columns(new: Sequence[ReportRows | PackedRows], at: datetime) -> list[TableColumns]:
    """The rows `new` adds to each table, as (table, its columns, one list of values or Arrow array per
    column), in the order `insert_rows` inserts them; tables without rows left out."""
    reports = [list(column) for column in zip(*(item.report for item in new), strict=True)]
    documents = [list(column) for column in zip(*(item.document for item in new), strict=True)]
    tables: tuple[tuple[str, tuple[str, ...], list[Any]], ...] = (
        ("reports", (*REPORT_COLUMNS, "ingested_at"), [*reports, [at] * len(new)]),
        ("facts", FACT_COLUMNS, _many_rows(new, "facts", len(FACT_COLUMNS))),
        ("checks", CHECK_COLUMNS, _many_rows(new, "checks", len(CHECK_COLUMNS))),
        ("parse_warnings", WARNING_COLUMNS, _stacked([item.warnings for item in new], len(WARNING_COLUMNS))),
        ("documents", DOCUMENT_COLUMNS, documents),
        ("ocr_cells", OCR_COLUMNS, _stacked([item.ocr for item in new], len(OCR_COLUMNS))),
    )
    return [(table, columns, data) for table, columns, data in tables if data and data[0]]


def staged_kinds(table: str, columns: Sequence[str], data: Sequence[Sequence[object]]) -> list[str]:
    """The type each column of a table's rows is staged as (`_kind`)."""
    return [_kind(table, c, values) for c, values in zip(columns, data, strict=True)]


def _many_rows(new: Sequence[ReportRows | PackedRows], table: str, width: int) -> list[Any]:
    """The columns of the facts or checks of `new`, one after the other: as `_stacked` gives them, but a
    column packed in every report (warehouse/packed.py) as one Arrow array when the batch is staged as
    Arrow (`as_arrow`), else unpacked into its values."""
    plain = [item for item in new if isinstance(item, ReportRows)]
    if len(plain) == len(new):
        return _stacked([item.facts if table == "facts" else item.checks for item in plain], width)
    held: list[tuple[Sequence[object], Sequence[Column]]] = []
    total = 0
    for item in new:
        if isinstance(item, PackedRows):
            count = item.n_facts if table == "facts" else item.n_checks
            if count:
                held.append(([item.report_id] * count, item.facts if table == "facts" else item.checks))
                total += count
        else:
            columns = item.facts if table == "facts" else item.checks
            if columns:  # its columns as lists: a tuple among packed columns is a `PackedText`
                held.append((columns[0], [list(values) for values in columns[1:]]))
                total += len(columns[0])
    arrow = as_arrow(total * width)
    data: list[Any] = [list(chain.from_iterable(ids for ids, _ in held))]
    for index in range(width - 1):
        parts = [columns[index] for _, columns in held]
        packed = [p for p in parts if is_packed(p)]
        if arrow and parts and len(packed) == len(parts):
            data.append(text_array(packed))
        else:
            data.append([value for part in parts for value in unpacked(part)])
    return data


def _stacked(parts: Sequence[Columns], width: int) -> list[list[object]]:
    """The columns of many reports' rows, one after the other."""
    data: list[list[object]] = [[] for _ in range(width)]
    for columns in parts:
        for values, column in zip(data, columns, strict=False):  # a report without rows has no columns
            values.extend(column)
    return data


def _kind(table: str, column: str, values: Sequence[object]) -> str:
    """The type a column is staged as: decimals as their text (cast on insert), the OCR cells' declared
    types, a packed text column's text (an Arrow array already), else the type of its first value that
    is not NULL."""
    if column in DECIMAL_COLUMNS or not isinstance(values, list | tuple):
        return "VARCHAR"
    if table == "ocr_cells" and column in OCR_TYPES:
        return OCR_TYPES[column]
    return _infer_values(values)


OCR_TYPES: dict[str, str] = {
    **dict.fromkeys(("x0", "top", "x1", "bottom", "score"), "DOUBLE"),
    "page": "INTEGER",
    "confirmed": "BOOLEAN",
    "crop_png": "BLOB",
}


def apply_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Everything but the reports themselves: metrics, sources, errors, places and agencies (with the
    user's overrides and aliases), which versions are current, and the cross-report checks."""
    refresh_metrics(con)
    refresh_series_map(con)
    _apply_sources(con, batch)
    _apply_errors(con, batch)
    refresh_places(con, batch.overrides, batch.aliases)
    con.execute("DELETE FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY])
    con.execute("INSERT INTO warehouse_info VALUES (?, ?)", [PLACE_INPUTS_KEY, batch.place_inputs])
    refresh_current(con)
    refresh_report_series(con)
    run_cross_checks(con)


PLACE_INPUTS = "SELECT report_id, agency, year, parsed_place_code FROM reports"


PLACES_BATCH = 50_000
"""Reports whose places are computed and written back together: whole years, as many as fit."""


def refresh_places(
    con: duckdb.DuckDBPyConnection, overrides: dict[str, str], aliases: dict[str, str]
) -> None:
    """Apply the overrides and aliases to every report again, so an edited file applies to reports loaded
    earlier too; without an override a report keeps the place its document gave. A few years at a time
    (`packed_groups`), so memory stays bounded in a warehouse of a million reports and a small warehouse
    takes one pass, not one per year."""
    counts: list[tuple[int, int]] = con.execute(
        "SELECT coalesce(year, -1), count(*) FROM reports GROUP BY ALL ORDER BY 1"
    ).fetchall()
    for years in packed_groups(counts, PLACES_BATCH):
        _refresh_places_of_years(con, years, overrides, aliases)


def packed_groups(counts: Sequence[tuple[K, int]], size: int) -> list[list[K]]:
    """Keys (years, provinces) packed in order into groups of up to `size` reports (a larger key alone)."""
    groups: list[list[K]] = []
    held = 0
    for key, n in counts:
        if not groups or held + n > size:
            groups.append([])
            held = 0
        groups[-1].append(key)
        held += n
    return groups


def _refresh_places_of_years(
    con: duckdb.DuckDBPyConnection, years: list[int], overrides: dict[str, str], aliases: dict[str, str]
) -> None:
    """`years` as `coalesce(year, -1)`, as `refresh_current` partitions them."""
    rows = []
    found = con.execute(f"{PLACE_INPUTS} WHERE coalesce(year, -1) IN (SELECT unnest(?::BIGINT[]))", [years])
    for report_id, agency, year, parsed in found.fetchall():
        place = place_after_overrides(agency, year, parsed, overrides)
        columns = place_columns(agency, place, aliases)
        del columns["place_note"]  # the document's own note stays; `override` explains itself
        rows.append({"report_id": report_id, **columns})
    if not rows:
        return
    names = [c for c in rows[0] if c != "report_id"]
    update = f"UPDATE reports SET {', '.join(f'{c} = p.{c}' for c in names)} FROM {{}} AS p "
    update += "WHERE reports.report_id = p.report_id"
    fields = list(rows[0])
    data = [[row[c] for row in rows] for c in fields]
    if not as_arrow(len(rows) * len(fields)):  # one statement, the places its parameters
        select, parameters = _selected(fields, [_infer_values(values) for values in data], data)
        con.execute(update.format(f"({select})"), parameters)
        return
    _insert_temp(con, "_places", rows)
    try:
        con.execute(update.format("_places"))
    finally:
        con.execute("DROP TABLE IF EXISTS _places")


def _insert_temp(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[dict[str, object]]) -> None:
    columns = list(rows[0])
    data = [[row[c] for row in rows] for c in columns]
    _staged(con, columns, [_infer_values(values) for values in data], data)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _incoming")
    finally:
        _unstage(con)


def _apply_sources(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    for path, report_id in batch.sources.items():
        con.execute("DELETE FROM sources WHERE path = ?", [path])
        con.execute("INSERT INTO sources VALUES (?, ?, ?)", [path, report_id, batch.at])
    orphans = [
        r[0]
        for r in con.execute(
            "SELECT report_id FROM reports WHERE report_id NOT IN (SELECT report_id FROM sources)"
        ).fetchall()
    ]
    delete_reports(con, orphans)
    refresh_source_files(con)


def refresh_source_files(con: duckdb.DuckDBPyConnection) -> None:
    """A report whose file now holds other content is named after another path that still holds it."""
    con.execute("""
        UPDATE reports SET source_file = s.path, file_name = regexp_extract(s.path, '[^/]+$')
        FROM (SELECT report_id, min(path) AS path FROM sources GROUP BY report_id) AS s
        WHERE reports.report_id = s.report_id AND reports.source_file NOT IN
              (SELECT path FROM sources WHERE sources.report_id = reports.report_id)
    """)


def _apply_errors(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    for path in batch.cleared_errors:
        con.execute("DELETE FROM ingest_errors WHERE source_file = ?", [path])
    for error in batch.errors:
        con.execute("DELETE FROM ingest_errors WHERE source_file = ?", [error.path])
        con.execute(
            "INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?)",
            [error.path, error.content_hash, error.kind, error.reason, batch.at],
        )


def refresh_current(con: duckdb.DuckDBPyConnection) -> None:
    """Mark one current version per (agency_id, year): the latest published, then the latest ingested,
    then the most complete (more cells read)."""
    con.execute("""
        UPDATE reports SET is_current = ranked.rank = 1
        FROM (
            SELECT report_id, row_number() OVER (
                PARTITION BY coalesce(agency_id, agency, report_id), coalesce(year, -1)
                ORDER BY left(published, 10) DESC NULLS LAST, ingested_at DESC, found_cells DESC NULLS LAST,
                         source_file DESC
            ) AS rank
            FROM reports
        ) AS ranked
        WHERE reports.report_id = ranked.report_id
    """)
