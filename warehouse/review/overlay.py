"""Corrections and review statuses on a reader's DuckDB connection, applied at query time.

`prepare` turns a snapshot of the review database into small relations, computed once per warehouse
version and review revision: the rows as stored (`review_corrections`, `review_status`,
`review_carried`), the corrections that apply with the values before and after (`review_overlay`, which
reads only the corrected reports' facts) and those reports' series summed again
(`review_corrected_series`). `register` puts them on a connection or cursor; named SQL then reads
`facts`, `facts_long`, `report_series` and `series` through CTEs of the same names that apply the
corrections (rows), or adds them to an aggregate as a delta (`review_delta_*.sql`). The warehouse
version itself is never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar, cast

import duckdb
import pyarrow as pa

from warehouse import queries
from warehouse.filters import confirmed_facts
from warehouse.review.model import Snapshot

CORRECTIONS = "review_corrections"
STATUS = "review_status"
CARRIED = "review_carried"
OVERLAY = "review_overlay"
CORRECTED_SERIES = "review_corrected_series"

_STRING = pa.string()
_CORRECTION_COLUMNS = (
    ("id", pa.int64()),
    ("report_id", _STRING),
    ("metric_code", _STRING),
    ("breakdown", _STRING),
    ("value", _STRING),
    ("original_value", _STRING),
    ("original_raw", _STRING),
    ("kind", _STRING),
    ("reason", _STRING),
    ("agency_id", _STRING),
    ("agency", _STRING),
    ("year", pa.int64()),
    ("source_file", _STRING),
    ("created_by", _STRING),
    ("created_at", _STRING),
    ("carried_from", pa.int64()),
)
_STATUS_COLUMNS = (
    ("report_id", _STRING),
    ("status", _STRING),
    ("comment", _STRING),
    ("user", _STRING),
    ("at", _STRING),
)
_CARRIED_COLUMNS = (("correction_id", pa.int64()), ("report_id", _STRING), ("decision", _STRING))

# Each relation a query may read corrected, the CTEs it needs (in order), and the SQL of each;
# `review_overlay` and `review_corrected_series` are registered tables, so they need no CTE.
CTE_FILES = {
    "facts": "review_cte_facts",
    "facts_long": "review_cte_facts_long",
    "report_series": "review_cte_report_series",
    "series": "review_cte_series",
}
BASE = "review_base"
"""`review_base_facts` and `review_base_report_series`: what the corrected `facts` and `report_series` are
built on — the tables, or their stand-ins without unconfirmed OCR values (warehouse/filters.py)."""
NEEDS: dict[str, tuple[str, ...]] = {
    OVERLAY: (),
    CORRECTED_SERIES: (),
    BASE: (),
    "facts": (BASE,),
    "facts_long": (),
    "report_series": (BASE,),
    "series": ("report_series",),
}
PASS_THROUGH = (
    "review_base_facts AS (SELECT * FROM main.facts),\n"
    "review_base_report_series AS (SELECT * FROM main.report_series)"
)
SERIES_COLUMNS = "report_id, series_code, breakdown, comparable_group, value"
"""The columns of `report_series`, in its order: a stand-in for it (`ctes(series_base=…)`) selects these."""


def _table(columns: tuple[tuple[str, pa.DataType], ...], rows: Sequence[tuple[object, ...]]) -> pa.Table:
    schema = pa.schema(list(columns))
    return pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in rows], schema=schema)


def relations(snapshot: Snapshot) -> dict[str, pa.Table]:
    """The snapshot as Arrow tables, ready to register (active corrections only)."""
    corrections = [
        tuple(getattr(c, name) for name, _ in _CORRECTION_COLUMNS) for c in snapshot.corrections if c.active
    ]
    statuses = [(e.report_id, e.status, e.comment, e.user, e.at) for e in snapshot.statuses]
    decided = {(k.correction_id, k.report_id): k.decision for k in snapshot.carried}
    for c in snapshot.corrections:  # a correction carried over counts even if its decision was not recorded
        if c.carried_from is not None and c.active:
            decided.setdefault((c.carried_from, c.report_id), "carried")
    carried = [(correction, report, decision) for (correction, report), decision in decided.items()]
    return {
        CORRECTIONS: _table(_CORRECTION_COLUMNS, corrections),
        STATUS: _table(_STATUS_COLUMNS, statuses),
        CARRIED: _table(_CARRIED_COLUMNS, carried),
    }


def prepare(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> dict[str, pa.Table]:
    """Every review relation for the version behind `con`: compute once per version and revision (the
    dashboard caches it), then `register` on each cursor."""
    tables = relations(snapshot)
    for name, table in tables.items():
        con.register(name, table)
    listed = corrected_reports(snapshot)
    for name, query in ((OVERLAY, "review_cte_overlay"), (CORRECTED_SERIES, "review_cte_corrected_series")):
        if listed == NONE_LISTED:  # both read only facts of corrected reports: none, so no row
            tables[name] = _table(_EMPTY_COLUMNS[name], [])
        else:
            tables[name] = con.sql(queries.sql(query).replace("$corrected_reports", listed)).to_arrow_table()
        con.register(name, tables[name])
    return tables


_DECIMAL = pa.decimal128(38, 6)
_EMPTY_COLUMNS = {
    OVERLAY: (
        ("report_id", _STRING), ("metric_code", _STRING), ("breakdown", _STRING),
        ("correction_id", pa.int64()), ("kind", _STRING), ("value", _DECIMAL), ("semantic", _STRING),
        ("original_value", _DECIMAL),
        ("original_semantic", _STRING), ("confidence", _STRING), ("ocr_confirmed", pa.bool_()),
    ),
    CORRECTED_SERIES: (
        ("report_id", _STRING), ("series_code", _STRING), ("breakdown", _STRING),
        ("comparable_group", _STRING), ("value", _DECIMAL), ("original_value", _DECIMAL),
        ("ocr_unconfirmed", pa.bool_()),
    ),
}  # fmt: skip
"""The columns of `review_cte_overlay.sql` and `review_cte_corrected_series.sql`, for a version with no
correction: planning them opens the facts, OCR cells, reports and series of every bucket and part (about
0.1 s at 100k reports, paid on the first view after each publish) for tables that are empty then.
`tests/test_dashboard_scale_queries.py` compares them with the queries' own."""


REPORT_ID = re.compile(r"[0-9a-f]{64}")


def corrected_reports(snapshot: Snapshot) -> str:
    """The reports with active corrections as SQL literals for `IN (…)` (DuckDB prunes a sorted scan by
    a literal list, not by a list parameter); report ids are SHA-256 hex, anything else is left out."""
    ids = sorted({c.report_id for c in snapshot.corrections if c.active and REPORT_ID.fullmatch(c.report_id)})
    return ", ".join(f"'{i}'" for i in ids) or NONE_LISTED


NONE_LISTED = "NULL"
"""`corrected_reports` when no report has an active correction: `IN (NULL)` holds for no row."""


def register(con: duckdb.DuckDBPyConnection, snapshot: Snapshot | dict[str, pa.Table]) -> None:
    """Make the review relations visible to queries on this connection (or cursor); a snapshot is
    prepared on the spot, prepared relations are only registered."""
    if isinstance(snapshot, Snapshot):
        prepare(con, snapshot)
        return
    for name, table in snapshot.items():
        con.register(name, table)


class Known:
    """What the reads on one cursor would otherwise ask DuckDB again on every read, each a statement of
    ≈ 0.3–0.45 ms at 100k reports (a page makes 8–12 reads, each asking two to five of them): the review
    relations registered on the cursor and which of them hold rows (`rows`, from the tables registered),
    and answers about the version kept as the reads first find them (`memo`: `has_current_rollup`, the
    store's bucket layout for `_in_bucket`). Only for a cursor of one published version, read-only, whose
    relations are not registered again: the dashboard's pooled cursors (dashboard/data.py), inside `known`."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, rows: dict[str, bool]) -> None:
        self.cursor = cursor
        self.rows = rows
        self.memo: dict[str, object] = {}


T = TypeVar("T")
_KNOWN: ContextVar[Known | None] = ContextVar("xxgk_review_known", default=None)


@contextmanager
def known(answers: Known) -> Iterator[None]:
    """Reads on `answers.cursor` within this block take what `answers` knows instead of asking DuckDB."""
    token = _KNOWN.set(answers)
    try:
        yield
    finally:
        _KNOWN.reset(token)


def known_for(con: duckdb.DuckDBPyConnection) -> Known | None:
    """The `Known` of `con` when a read on it runs within `known`; None for any other connection."""
    found = _KNOWN.get()
    return found if found is not None and found.cursor is con else None


def remembered(con: duckdb.DuckDBPyConnection, key: str, ask: Callable[[], T]) -> T:
    """`ask()`, asked once per pooled cursor when `con` has a `Known` (kept in its `memo` under `key`)."""
    answers = known_for(con)
    if answers is None:
        return ask()
    if key not in answers.memo:
        answers.memo[key] = ask()
    return cast(T, answers.memo[key])


def has_rows(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether a registered review relation holds any row (usually none: nothing corrected or reviewed),
    so a query can leave out a join that would add nothing."""
    answers = known_for(con)
    if answers is not None and relation in answers.rows:
        return answers.rows[relation]
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {relation})").fetchall()[0][0])


def is_registered(con: duckdb.DuckDBPyConnection) -> bool:
    if known_for(con) is not None:
        return True
    try:
        con.execute(f"SELECT 1 FROM {CORRECTIONS} LIMIT 0")
    except duckdb.CatalogException:
        return False
    return True


def _ordered(wanted: Iterable[str]) -> list[str]:
    order: list[str] = []

    def visit(name: str) -> None:
        for needed in NEEDS[name]:
            visit(needed)
        if name not in order:
            order.append(name)

    for name in wanted:
        visit(name)
    return order


def ctes(*relations: str, hide_ocr: bool = False, series_base: str = "") -> str:
    """`name AS (…), …` for the corrected relations asked for and those they read (no WITH, no comma
    after the last), to put in front of a query that reads those names. With `hide_ocr` they build on
    the stand-ins without OCR values no identity confirms; `series_base`, a SELECT of SERIES_COLUMNS
    holding every `report_series` row the query reads (such as the `agg_profile` rows of some agencies),
    is what the corrected `report_series` builds on instead of the table (not with `hide_ocr`)."""
    if series_base and hide_ocr:
        raise ValueError("series_base stands in for report_series without the OCR filter")
    found: list[str] = []
    for name in _ordered(relations):
        if name == BASE:
            base = PASS_THROUGH
            if series_base:
                base = base.replace("SELECT * FROM main.report_series", series_base)
            found.append(
                confirmed_facts("review_base_facts", "review_base_report_series") if hide_ocr else base
            )
        elif name in CTE_FILES:
            body = queries.sql(CTE_FILES[name]).strip().replace("$hide_ocr", "TRUE" if hide_ocr else "FALSE")
            found.append(f"{name} AS (\n{body}\n)")
    return ",\n".join(found)


LEADING_WITH = re.compile(r"^((?:\s*--[^\n]*\n)*)\s*WITH\s+", re.IGNORECASE)


def with_clause(*parts: str) -> str:
    """`WITH a, b, …` of the non-empty CTE lists given ('' when all are empty)."""
    kept = ",\n".join(p for p in parts if p)
    return f"WITH {kept}\n" if kept else ""


def corrected(sql: str, *relations: str, hide_ocr: bool = False) -> str:
    """`sql` reading the named relations with the corrections applied (its own WITH, if it has one, is
    joined to the CTEs put in front)."""
    head = ctes(*relations, hide_ocr=hide_ocr)
    found = LEADING_WITH.match(sql)
    if found:
        own = f"{found.group(1)}{sql[found.end() :]}"
        return f"WITH {head},\n{own}" if head else sql
    return with_clause(head) + sql


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Register an empty overlay on a connection nobody registered the review relations on."""
    if not is_registered(con):
        register(con, Snapshot())
