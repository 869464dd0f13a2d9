"""Write one version file: the catalogue, the small tables and the views over the Parquet files."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.db import SCHEMA_VERSION, schema_sql
from warehouse.load import refresh_metrics
from warehouse.series import refresh_series_map
from warehouse.store.catalog import (
    STORE_FORMAT,
    Catalog,
    absolute,
    stored_columns,
)

REAL_TABLES = ("warehouse_info", "metrics", "series_map", "runs")
CATALOG_DDL = """
CREATE TABLE _parts (seq INTEGER, relation VARCHAR, file VARCHAR, n_rows BIGINT, segment VARCHAR);
CREATE TABLE _buckets (bucket INTEGER, reports_file VARCHAR, xchecks_file VARCHAR);
CREATE TABLE _dead (report_id VARCHAR PRIMARY KEY);
"""
VIEW_NAME = re.compile(r"CREATE OR REPLACE VIEW (\w+)")
TABLE_NAME = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")


@cache
def _schema_statements() -> tuple[tuple[str, str, str], ...]:
    """(kind, name, sql) of every statement of schema.sql, kind 'table' or 'view'."""
    found = []
    for statement in duckdb.extract_statements(schema_sql()):
        text = statement.query
        view, table = VIEW_NAME.search(text), TABLE_NAME.search(text)
        if view is not None:
            found.append(("view", view.group(1), text))
        elif table is not None:
            found.append(("table", table.group(1), text))
    return tuple(found)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scan_sql(directory: Path, relation: str, files: list[str], *, hidden: bool = True) -> str:
    """A SELECT over a stored relation's files with its columns and types; empty when there are none."""
    columns = stored_columns(relation)
    if not hidden:
        columns = tuple(c for c in columns if not c[0].startswith("_"))
    if not files:
        return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns) + " WHERE false"
    paths = ", ".join(_literal(p) for p in absolute(directory, files))
    names = ", ".join(c for c, _ in columns)
    return f"SELECT {names} FROM read_parquet([{paths}], union_by_name = true)"


def _views(directory: Path, catalog: Catalog) -> dict[str, str]:
    def scan(relation: str, hidden: bool = True) -> str:
        return scan_sql(directory, relation, catalog.files(relation), hidden=hidden)

    alive = "WHERE report_id NOT IN (SELECT report_id FROM _dead)"
    own_checks = f"SELECT * FROM ({scan('checks')}) {alive}"
    views = {
        "_reports_all": scan("reports"),
        "reports": scan("reports", hidden=False),
        "_reports_parsed": f"SELECT * FROM ({scan('reports_parsed')}) {alive}",
        "_xchecks": scan("xchecks"),
        "checks": f"{own_checks} UNION ALL SELECT * FROM ({scan('xchecks')})",
        "_check_inputs": f"SELECT * FROM ({scan('check_inputs')}) {alive}",
        "sources": (
            f"SELECT path, report_id, seen_at FROM ({scan('sources_log')}) "
            "QUALIFY row_number() OVER (PARTITION BY path ORDER BY _seq DESC) = 1"
        ),
        "ingest_errors": (
            "SELECT source_file, content_hash, kind, reason, recorded_at FROM "
            f"(SELECT * FROM ({scan('errors_log')}) "
            "QUALIFY row_number() OVER (PARTITION BY source_file ORDER BY _seq DESC) = 1) "
            "WHERE kind <> 'cleared'"
        ),
    }
    for relation in ("facts", "parse_warnings", "documents", "report_series"):
        views[relation] = f"SELECT * FROM ({scan(relation)}) {alive}"
    return views


def write_version(
    path: Path, directory: Path, catalog: Catalog, runs: list[tuple[object, ...]]
) -> None:
    """Create the version file at `path` (a new name): catalogue, small tables, views; checkpointed."""
    con = duckdb.connect(str(path))
    try:
        for kind, name, sql in _schema_statements():
            if kind == "table" and name in REAL_TABLES:
                con.execute(sql)
        con.execute(CATALOG_DDL)
        _fill(con, catalog, runs)
        for name, sql in _views(directory, catalog).items():
            con.execute(f"CREATE VIEW {name} AS {sql}")
        for kind, name, sql in _schema_statements():
            if kind == "view":
                con.execute(sql)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _fill(con: duckdb.DuckDBPyConnection, catalog: Catalog, runs: list[tuple[object, ...]]) -> None:
    info = {
        "schema_version": SCHEMA_VERSION,
        "store_format": STORE_FORMAT,
        "run_seq": str(catalog.run_seq),
        "n_buckets": str(catalog.n_buckets),
    }
    if catalog.place_inputs is not None:
        info["place_inputs"] = catalog.place_inputs
    con.executemany("INSERT INTO warehouse_info VALUES (?, ?)", list(info.items()))
    refresh_metrics(con)
    refresh_series_map(con)
    _insert_many(con, "runs", runs)
    _insert_many(
        con, "_parts", [(i, p.relation, p.file, p.rows, p.segment) for i, p in enumerate(catalog.parts)]
    )
    _insert_many(con, "_buckets", [(b, r, x) for b, (r, x) in sorted(catalog.buckets.items())])
    _insert_many(con, "_dead", [(r,) for r in sorted(catalog.dead)])


def _insert_many(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[object, ...]]) -> None:
    """Rows in one Arrow batch (executemany costs ~2 ms a row)."""
    if not rows:
        return
    names = [r[0] for r in con.execute(f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' "
                                          "ORDER BY column_index").fetchall()]
    data = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
    con.register("_rows", data)
    try:
        con.execute(f"INSERT INTO {table} SELECT {', '.join(names)} FROM _rows")
    finally:
        con.unregister("_rows")

