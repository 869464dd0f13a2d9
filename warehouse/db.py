"""The one place that opens DuckDB connections and applies the schema."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.errors import SchemaMismatch

SCHEMA_VERSION = "5"


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection with the project's settings; `None` opens an in-memory database."""
    database = ":memory:" if path is None else str(path)
    con = _configured(duckdb.connect(database, read_only=read_only))
    if read_only and path is not None:
        from warehouse.store.version import open_moved, stored_root

        root = stored_root(con)
        if root is not None and root != str(Path(path).resolve().parent):
            con.close()  # the warehouse directory was moved or copied: read it where it is now
            con = _configured(duckdb.connect())
            open_moved(con, Path(path).resolve())
    return con


MEMORY_LIMIT = os.environ.get("XXGK_MEMORY_LIMIT", "1GB")
"""DuckDB's own memory per connection; sorts and joins beyond it spill to disk (README: national scale)."""


def _configured(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    # The store's Parquet files never change once written (warehouse/store): keep their footers and blocks.
    con.execute("SET parquet_metadata_cache = true")
    con.execute("SET cache_local_files = true")
    return con


def schema_sql() -> str:
    return resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and views; refuse a file written with another schema version."""
    con.execute(schema_sql())
    found = con.execute("SELECT value FROM warehouse_info WHERE key = 'schema_version'").fetchall()
    if found and found[0][0] != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"warehouse schema version {found[0][0]} is not {SCHEMA_VERSION}: ingest the reports into a new "
            "--warehouse directory"
        )
    if not found:
        con.execute("INSERT INTO warehouse_info VALUES ('schema_version', ?)", [SCHEMA_VERSION])
