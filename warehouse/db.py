"""The one place that opens DuckDB connections and applies the schema."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.engine import duckdb
from warehouse.errors import SchemaMismatch, WarehouseError

SCHEMA_VERSION = "5"
PACKAGE = Path(__file__).parent
"""The `warehouse` package's directory, where its data files lie (installed as a directory, editable or not):
read by path, as `etl.package_data` does, which spares the run importing importlib.resources (tempfile, and
zipfile, uuid and platform on its first use)."""


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
"""DuckDB's own memory per connection; sorts and joins beyond it spill to disk (README: national scale). In
an ingest's work after its last file (derivation, logs, compaction) what the process holds outside DuckDB
is taken off it, down to half of it (warehouse/store/memory.py)."""


def _configured(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_progress_bar = false")  # a long rebuild run from a terminal printed DuckDB's bars
    # The store's Parquet files never change once written (warehouse/store): keep their footers and blocks.
    con.execute("SET parquet_metadata_cache = true")
    con.execute("SET cache_local_files = true")
    return con


def quoted(path: Path | str) -> str:
    """A file path (ATTACH, COPY … TO, read_parquet) or any text as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def open_version(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published version whose schema version this code reads. Within an
    ingest's session (warehouse/store/session.py), a cursor of the session's instance with the file
    attached, when the file is where it was written."""
    con = _attached_version(Path(path))
    if con is None:
        try:
            con = connect(path, read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the warehouse version {path}: {_first_line(exc)}") from None
    try:
        check_version(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _attached_version(path: Path) -> duckdb.DuckDBPyConnection | None:
    """The version at `path` attached read-only to the session's instance (it stays attached until the
    session ends), or None: no session, or a moved warehouse (read as `connect` reads it)."""
    from warehouse.store import session

    if not session.active():
        return None
    from warehouse.store.version import stored_root

    try:
        found = session.attach(path, read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open the warehouse version {path}: {_first_line(exc)}") from None
    if found is None:
        return None
    con = found[0]
    root = stored_root(con)
    if root is not None and root != str(path.resolve().parent):
        con.close()
        return None
    return con


def stored_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The schema version a file says it has: None for a new, empty file; "" when it has tables but
    no version (written before versions were recorded)."""
    try:  # the usual case, without listing the tables (duckdb_tables() costs about 10 ms a call)
        found = con.execute("SELECT value FROM warehouse_info WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:
        tables = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        return "" if tables[0][0] else None
    return str(found[0][0]) if found else ""


def check_version(con: duckdb.DuckDBPyConnection, path: str | Path) -> None:
    """Refuse a file written with another schema version, before any statement of schema.sql runs."""
    found = stored_version(con)
    if found is None or found == SCHEMA_VERSION:
        return
    raise SchemaMismatch(version_message(path, found))


def version_message(path: str | Path, found: str) -> str:
    newer = found.isdigit() and int(found) > int(SCHEMA_VERSION)
    written = f"schema version {found}" if found else "no schema version"
    return (
        f"{path} was written by {'a newer' if newer else 'an older'} version of xxgk ({written}; this "
        f"version reads schema version {SCHEMA_VERSION}): ingest the reports into a new --warehouse "
        "directory"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def schema_sql() -> str:
    return PACKAGE.joinpath("schema.sql").read_text(encoding="utf-8")


def apply_schema(con: duckdb.DuckDBPyConnection, path: str | Path = "") -> None:
    """Create missing tables and views; a file written with another schema version is refused first."""
    check_version(con, path or "the warehouse")
    con.execute(schema_sql())
    found = con.execute("SELECT value FROM warehouse_info WHERE key = 'schema_version'").fetchall()
    if not found:
        con.execute("INSERT INTO warehouse_info VALUES ('schema_version', ?)", [SCHEMA_VERSION])
