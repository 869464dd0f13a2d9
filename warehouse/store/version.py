"""Write one version file: the catalogue, the small tables and the views over the Parquet files."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb

from warehouse.db import SCHEMA_VERSION, schema_sql
from warehouse.load import metric_rows
from warehouse.series import series_map
from warehouse.store.catalog import (
    DELTA_PREFIX,
    ROLLUPS_FORMAT,
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
CREATE TABLE _rollups (province VARCHAR, seq INTEGER, relation VARCHAR, file VARCHAR);
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


def schema_view_sql(name: str) -> str:
    """schema.sql's CREATE statement of the view `name`."""
    return next(sql for kind, found, sql in _schema_statements() if kind == "view" and found == name)


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
        "_sources_log": scan("sources_log"),
        "_errors_log": scan("errors_log"),
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
    for relation in ("facts", "parse_warnings", "documents", "report_series", "ocr_cells"):
        views[relation] = f"SELECT * FROM ({scan(relation)}) {alive}"
    if catalog.rollups:
        from warehouse.store.rollups import RELATIONS, view_sql

        def read(files: list[str]) -> str:
            return f"read_parquet([{', '.join(_literal(p) for p in absolute(directory, files))}])"

        for relation in RELATIONS:
            views[relation] = view_sql(relation, catalog.rollups, catalog.rollup_deltas, read)
    return views


def write_version(path: Path, directory: Path, catalog: Catalog, runs: list[tuple[object, ...]]) -> None:
    """Create the version file at `path` (a new name): catalogue, small tables, views; checkpointed."""
    con = duckdb.connect(str(path))
    try:
        # Binding each view reads its files' footers; schema.sql's views bind `reports` again and again.
        con.execute("SET parquet_metadata_cache = true")
        for kind, name, sql in _schema_statements():
            if kind == "table" and name in REAL_TABLES:
                con.execute(sql)
        con.execute(CATALOG_DDL)
        _fill(con, catalog, runs, directory)
        _define_views(con, directory, catalog)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _define_views(con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog) -> None:
    for name, sql in _views(directory, catalog).items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    for kind, _, sql in _schema_statements():
        if kind == "view":
            con.execute(sql)


def stored_root(con: duckdb.DuckDBPyConnection) -> str | None:
    """The directory a version file's views point into, or None for a file that is not a store version."""
    try:
        found = con.execute("SELECT value FROM warehouse_info WHERE key = 'root'").fetchall()
    except duckdb.Error:
        return None
    return str(found[0][0]) if found else None


def open_moved(con: duckdb.DuckDBPyConnection, version: Path) -> None:
    """Make the in-memory connection `con` read a version whose warehouse directory was moved: the
    small tables are copied and the views point into the directory the file is in now."""
    from warehouse.store.catalog import read_catalog

    con.execute(f"ATTACH {_literal(str(version))} AS stored (READ_ONLY)")
    try:
        catalog = read_catalog(con, "stored")
        for table in (*REAL_TABLES, "_parts", "_buckets", "_dead"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM stored.{table}")
        # Where the files are now, for readers that name one file (dashboard_queries' bucket reads).
        con.execute(
            "UPDATE warehouse_info SET value = $root WHERE key = 'root'", {"root": str(version.parent)}
        )
        if catalog.rollups:
            con.execute("CREATE TABLE _rollups AS SELECT * FROM stored._rollups")
    finally:
        con.execute("DETACH stored")
    _define_views(con, version.parent, catalog)


def _fill(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, runs: list[tuple[object, ...]], directory: Path
) -> None:
    info = {
        "schema_version": SCHEMA_VERSION,
        "store_format": STORE_FORMAT,
        "run_seq": str(catalog.run_seq),
        "n_buckets": str(catalog.n_buckets),
        "root": str(directory.resolve()),
    }
    if catalog.place_inputs is not None:
        info["place_inputs"] = catalog.place_inputs
    if catalog.rollups:
        info["rollups"] = ROLLUPS_FORMAT
    if catalog.n_reports is not None:
        info["reports"] = str(catalog.n_reports)
    insert_rows(con, "warehouse_info", list(info.items()))
    insert_rows(con, "metrics", list(metric_rows()))
    insert_rows(con, "series_map", list(series_map()))
    insert_rows(con, "runs", runs)
    insert_rows(
        con, "_parts", [(i, p.relation, p.file, p.rows, p.segment) for i, p in enumerate(catalog.parts)]
    )
    insert_rows(con, "_buckets", [(b, r, x) for b, (r, x) in sorted(catalog.buckets.items())])
    insert_rows(con, "_dead", [(r,) for r in sorted(catalog.dead)])
    rolled: list[tuple[object, ...]] = [
        (p, i, f.rsplit("-", 1)[-1].removesuffix(".parquet"), f)
        for p, fs in sorted(catalog.rollups.items())
        for i, f in enumerate(fs)
    ]
    rolled += [
        (p, 100 + i, DELTA_PREFIX + f.rsplit("-", 1)[-1].removesuffix(".parquet"), f)
        for p, fs in sorted(catalog.rollup_deltas.items())
        for i, f in enumerate(fs)
    ]
    insert_rows(con, "_rollups", rolled)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[object, ...]]) -> None:
    """Rows in a few multi-row statements (executemany costs ~2 ms a row, and Arrow imports pandas,
    ~0.3 s, into a one-file ingest); many rows go through Arrow."""
    if len(rows) > 1000:
        import pyarrow as pa

        names = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
        data = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
        con.register("_rows", data)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        finally:
            con.unregister("_rows")
        return
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        marks = "(" + ", ".join("?" * len(chunk[0])) + ")"
        con.execute(
            f"INSERT INTO {table} VALUES {', '.join([marks] * len(chunk))}", [v for r in chunk for v in r]
        )
