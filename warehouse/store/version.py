"""Write one version file: the catalogue, the small tables and the views over the Parquet files.

A version is written from scratch, or — when the previous one was written by this same code for this same
directory — as a copy of it with only what differs replaced: its catalogue rows, new run rows, and the views
whose files changed (schema.sql's views read those by name and are kept as they are). Binding schema.sql's
views and filling the metric catalogue were half of writing a version (docs/scale.md)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path

from warehouse.db import SCHEMA_VERSION, schema_sql
from warehouse.engine import arrow_scans, duckdb
from warehouse.load import metric_rows
from warehouse.series import series_map
from warehouse.store import session
from warehouse.store.aside import shared
from warehouse.store.catalog import (
    DELTA_PREFIX,
    ROLLUPS_FORMAT,
    STORE_FORMAT,
    Catalog,
    absolute,
    stored_columns,
)
from warehouse.store.stages import stage
from warehouse.store.staging import VIEW_NAME, split_statements

REAL_TABLES = ("warehouse_info", "metrics", "series_map", "runs")
CATALOG_DDL = """
CREATE TABLE _parts (seq INTEGER, relation VARCHAR, file VARCHAR, n_rows BIGINT, segment VARCHAR);
CREATE TABLE _buckets (bucket INTEGER, reports_file VARCHAR, xchecks_file VARCHAR);
CREATE TABLE _dead (report_id VARCHAR PRIMARY KEY);
CREATE TABLE _rollups (province VARCHAR, seq INTEGER, relation VARCHAR, file VARCHAR);
CREATE TABLE _views (name VARCHAR, sql VARCHAR);
"""
STATIC_KEY = "static"
"""`warehouse_info` key: the fingerprint of what every version written by this code holds alike (schema,
catalogue tables, metrics, series map); a previous version is patched only when it carries the same."""
FRESH_EVERY = 64
"""Every so many runs a version is written from scratch, so that the blocks a patched copy frees do not
pile up in its file."""
TABLE_NAME = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)")


@cache
def _schema_statements() -> tuple[tuple[str, str, str], ...]:
    """(kind, name, sql) of every statement of schema.sql, kind 'table' or 'view'."""
    found = []
    for text in split_statements(schema_sql()):
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


def write_version(
    path: Path,
    directory: Path,
    catalog: Catalog,
    runs: list[tuple[object, ...]],
    previous: Path | None = None,
    begun: Begun | None = None,
) -> None:
    """Create the version file at `path` (a new name): catalogue, small tables, views; checkpointed.
    `previous`, the version this one follows, is patched into it when it can be (`_patched`); `begun`,
    that patch begun while the run derived (`begin_patch`, for the same `path` and `previous`)."""
    if previous is not None and _patched(path, previous, directory, catalog, runs, begun):
        return
    con = duckdb.connect(str(path))
    try:
        # Binding each view reads its files' footers; schema.sql's views bind `reports` again and again.
        con.execute("SET parquet_metadata_cache = true")
        con.execute("BEGIN TRANSACTION")  # one commit, one sync of the write-ahead log (`_Open.begin`)
        for kind, name, sql in _schema_statements():
            if kind == "table" and name in REAL_TABLES:
                con.execute(sql)
        con.execute(CATALOG_DDL)
        _fill(con, catalog, runs, directory)
        views = _define_views(con, directory, catalog)
        insert_rows(con, "_views", sorted(views.items()))
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


class _Open:
    """A copy of the previous version open for patching: its connection (a cursor of the run's instance
    with the copy attached as `alias`, or a connection of its own) and the views it holds, by name."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, alias: str) -> None:
        self.path, self.con, self.alias = path, con, alias
        self.views: dict[str, str] = {}
        self.open_transaction = False

    def begin(self) -> None:
        """Hold what is written into the copy in one transaction until `commit`: each statement committed
        on its own wrote and synced the copy's write-ahead log (≈ 36 syncs a one-file ingest, against 2)."""
        self.con.execute("BEGIN TRANSACTION")
        self.open_transaction = True

    def commit(self) -> None:
        if self.open_transaction:
            self.open_transaction = False
            self.con.execute("COMMIT")

    def close(self) -> None:
        if self.alias:
            session.detach(self.con, self.alias)  # the file is closed, so checkpointed, when detached
        else:
            self.con.close()

    def remove(self) -> None:
        """Close and delete the copy (the run failed, or it cannot be patched)."""
        try:
            if self.open_transaction:
                self.open_transaction = False
                with contextlib.suppress(duckdb.Error):
                    self.con.execute("ROLLBACK")
            self.close()
        finally:
            self.path.unlink(missing_ok=True)
            Path(f"{self.path}.wal").unlink(missing_ok=True)


def copy_file(source: Path, target: Path) -> None:
    """`shutil.copyfile` on Linux (`os.sendfile`), without importing shutil, which a one-file ingest
    needs for nothing else: its import (bz2, lzma, fnmatch) is ≈ 2.4 ms of the run's thread's CPU
    before its first stage (docs/scale.md §5, one file, nineteenth pass)."""
    with open(source, "rb") as read, open(target, "wb") as write:
        offset, size = 0, os.fstat(read.fileno()).st_size
        try:
            while offset < size:
                sent = os.sendfile(write.fileno(), read.fileno(), offset, size - offset)
                if sent == 0:  # the file shrank meanwhile
                    break
                offset += sent
        except OSError:
            if offset:
                raise
            import shutil  # a file system without sendfile: copied as shutil.copyfile falls back to

            shutil.copyfileobj(read, write)


def _open_patch(path: Path, previous: Path, directory: Path, catalog: Catalog) -> _Open | None:
    """`previous` copied to `path` and opened, with the views whose text `catalog` changes bound again;
    None (and nothing at `path`) when it cannot be patched: written by other code, for another directory,
    before `_views` existed, or due to be written from scratch (FRESH_EVERY). `catalog` may be the run's
    catalogue before its derivation (its parts and logs, the previous buckets and rollups): `_patched`
    binds again what the final one changes beyond it."""
    copy_file(previous, path)
    found = session.attach(path, read_only=False)  # within an ingest: no instance of its own
    opened = _Open(path, *(found if found is not None else (duckdb.connect(str(path)), "")))
    try:
        con = opened.con
        info = dict(_info_rows(catalog, directory))
        stored = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
        same = all(stored.get(k) == info[k] for k in (STATIC_KEY, "schema_version", "store_format", "root"))
        if not same or catalog.run_seq % FRESH_EVERY == 0 or not _has_views_table(con):
            opened.remove()
            return None
        con.execute("SET parquet_metadata_cache = true")
        opened.views = dict(con.execute("SELECT name, sql FROM _views").fetchall())
        opened.begin()
        _bind_changed(opened, _views(directory, catalog))
    except BaseException:
        opened.remove()
        raise
    return opened


def _bind_changed(opened: _Open, views: dict[str, str]) -> None:
    """Define again the views whose text differs from what the copy holds (binding a view over Parquet
    files reads their footers: 3–20 ms each), on the copy's own connection (`_view_jobs`)."""
    for job in _view_jobs(opened, views):
        job(opened.con)


class Begun:
    """The patch of the next version begun in a thread, on a cursor of the run's instance, while the run
    derives (docs/scale.md §5, one file, tenth pass): the previous version copied and attached, and the
    views over the run's parts and logs bound again; `bind` binds those of a later catalogue (the run's
    buckets, once written) in the same thread. `_patched` finishes it with the final catalogue; `abandon`
    removes it when the run fails."""

    def __init__(self, path: Path, previous: Path, directory: Path, catalog: Catalog) -> None:
        self.path, self.previous, self.directory = path, previous, directory
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.future = self.pool.submit(_open_patch, path, previous, directory, catalog)
        self.later: list[Future[None]] = []

    def bind(self, catalog: Catalog) -> None:
        """Bind the views `catalog` changes, after what was begun (in the thread: returns at once)."""

        def work() -> None:
            opened = self.future.result()
            if opened is not None:
                _bind_changed(opened, _views(self.directory, catalog))

        self.later.append(self.pool.submit(work))

    def also(self, work: Callable[[], object]) -> None:
        """Run `work` in the thread after what was begun; what it raises is ignored (a cache to fill)."""

        def quietly() -> None:
            with contextlib.suppress(Exception):  # only a cache is lost
                work()

        self.later.append(self.pool.submit(quietly))

    def opened(self) -> _Open | None:
        """Wait for the thread: the open copy, or None when it cannot be patched; raises what it raised."""
        self.pool.shutdown(wait=True)
        opened = self.future.result()
        try:
            for later in self.later:
                later.result()
        except BaseException:
            if opened is not None:
                opened.remove()
            raise
        return opened

    def abandon(self) -> None:
        """Wait for the thread, then close and delete the copy (a failure there left none)."""
        self.pool.shutdown(wait=True)
        if self.future.exception() is None:
            opened = self.future.result()
            if opened is not None:
                opened.remove()


def begin_patch(path: Path, previous: Path | None, directory: Path, catalog: Catalog) -> Begun | None:
    """`Begun` within an ingest's session (a second cursor of its instance) when there is a previous
    version; None otherwise (the version is then patched or written whole at the end, as before)."""
    if previous is None or not session.active():
        return None
    return Begun(path, previous, directory, catalog)


def _patched(
    path: Path,
    previous: Path,
    directory: Path,
    catalog: Catalog,
    runs: list[tuple[object, ...]],
    begun: Begun | None = None,
) -> bool:
    """Write `path` as a copy of `previous` with the catalogue, runs and views of this version; False
    (and nothing at `path`) when `previous` cannot be patched (`_open_patch`)."""
    with stage("version: wait for its thread"):
        opened = begun.opened() if begun is not None else _open_patch(path, previous, directory, catalog)
    if opened is None:
        return False
    con = opened.con
    try:
        views = _views(directory, catalog)
        jobs = [*_view_jobs(opened, views), *_patch_jobs(catalog, runs, directory, opened, views)]
        with stage("version: catalogue, views"):
            opened.commit()  # what was written beside the derivation (`_Open.begin`)
            opened.begin()
            if opened.alias:  # within the run's instance: two cursors (store/aside.py), a transaction each
                shared(con, jobs, prepare=lambda cursor: _begin_on(cursor, opened.alias), finish=_commit)
            else:
                for job in jobs:
                    job(con)
            opened.commit()
        with stage("version: checkpoint"):
            con.execute(f"CHECKPOINT {opened.alias}" if opened.alias else "CHECKPOINT")
    except BaseException:
        opened.remove()
        raise
    opened.close()
    return True


def _begin_on(cursor: duckdb.DuckDBPyConnection, alias: str) -> None:
    cursor.execute(f"USE {alias}")
    cursor.execute("BEGIN TRANSACTION")


def _commit(cursor: duckdb.DuckDBPyConnection) -> None:
    cursor.execute("COMMIT")


def _patch_jobs(
    catalog: Catalog, runs: list[tuple[object, ...]], directory: Path, opened: _Open, views: dict[str, str]
) -> list[Callable[[duckdb.DuckDBPyConnection], None]]:
    """The patched version's catalogue rows (a job a table: its rows deleted and inserted), its new runs,
    the views it no longer has dropped and the view SQL it holds (`_views`): jobs on the cursor given,
    each on tables of its own, so two cursors can take them beside the views bound again
    (`_view_jobs`)."""

    def replaced(table: str, rows: list[tuple[object, ...]]) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def job(con: duckdb.DuckDBPyConnection) -> None:
            con.execute(f"DELETE FROM {table}")
            insert_rows(con, table, rows)

        return job

    def run_rows(con: duckdb.DuckDBPyConnection) -> None:
        kept = con.execute("SELECT * FROM runs").fetchall()
        if runs[: len(kept)] == kept:
            insert_rows(con, "runs", runs[len(kept) :])
        else:
            con.execute("DELETE FROM runs")
            insert_rows(con, "runs", runs)

    def dropped(con: duckdb.DuckDBPyConnection) -> None:
        for name in opened.views.keys() - views.keys():
            con.execute(f"DROP VIEW IF EXISTS {name}")

    rows = _catalog_rows(catalog, directory)
    return [
        *(replaced(table, found) for table, found in rows.items()),
        run_rows,
        dropped,
        replaced("_views", sorted(views.items())),
    ]


def _view_jobs(opened: _Open, views: dict[str, str]) -> list[Callable[[duckdb.DuckDBPyConnection], None]]:
    """One job a view whose text differs from what the copy holds: defined again on the cursor given
    (binding a view reads its files' footers, 1–3 ms each for the pre-aggregated tables' views, which a
    one-file run changes a dozen of: they are bound on two cursors beside the catalogue's rows)."""
    changed = [(name, sql) for name, sql in views.items() if opened.views.get(name) != sql]

    def bind(name: str, sql: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def job(cursor: duckdb.DuckDBPyConnection) -> None:
            cursor.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

        return job

    opened.views.update(changed)
    return [bind(name, sql) for name, sql in changed]


def _has_views_table(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND table_name = '_views'"
    ).fetchall()
    return bool(found[0][0])


@cache
def static_fingerprint() -> str:
    """What every version written by this code holds alike, hashed (STATIC_KEY)."""
    digest = hashlib.sha256()
    for text in (
        schema_sql(),
        CATALOG_DDL,
        STORE_FORMAT,
        repr(list(metric_rows())),
        repr(list(series_map())),
    ):
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _define_views(con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog) -> dict[str, str]:
    """Create the catalogue's views and schema.sql's; the catalogue's views by name, as defined."""
    views = _views(directory, catalog)
    for name, sql in views.items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    for kind, _, sql in _schema_statements():
        if kind == "view":
            con.execute(sql)
    return views


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


def _info_rows(catalog: Catalog, directory: Path) -> list[tuple[str, str]]:
    info = {
        "schema_version": SCHEMA_VERSION,
        "store_format": STORE_FORMAT,
        STATIC_KEY: static_fingerprint(),
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
    return list(info.items())


def _fill(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, runs: list[tuple[object, ...]], directory: Path
) -> None:
    insert_rows(con, "metrics", list(metric_rows()))
    insert_rows(con, "series_map", list(series_map()))
    insert_rows(con, "runs", runs)
    _fill_catalog(con, catalog, directory)


def _fill_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog, directory: Path) -> None:
    """warehouse_info and the catalogue tables (`_parts`, `_buckets`, `_dead`, `_rollups`)."""
    for table, rows in _catalog_rows(catalog, directory).items():
        insert_rows(con, table, rows)


def _catalog_rows(catalog: Catalog, directory: Path) -> dict[str, list[tuple[object, ...]]]:
    """The rows of warehouse_info and of the catalogue tables, by table."""
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
    return {
        "warehouse_info": list(_info_rows(catalog, directory)),
        "_parts": [(i, p.relation, p.file, p.rows, p.segment) for i, p in enumerate(catalog.parts)],
        "_buckets": [(b, r, x) for b, (r, x) in sorted(catalog.buckets.items())],
        "_dead": [(r,) for r in sorted(catalog.dead)],
        "_rollups": rolled,
    }


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Rows as one list per column, unnested side by side (executemany costs ~2 ms a row, a multi-row
    VALUES statement ~0.1 ms a row of parameter binding, and Arrow imports pyarrow into a one-file
    ingest); many rows go through Arrow."""
    if len(rows) > 1000:
        import pyarrow as pa

        names = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
        data = pa.table(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))
        arrow_scans()
        con.register("_rows", data)
        try:
            con.execute(f"INSERT INTO {table} SELECT * FROM _rows")
        finally:
            con.unregister("_rows")
        return
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    unnested = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    con.execute(f"INSERT INTO {table} SELECT {unnested}", columns)
