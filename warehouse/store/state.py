"""What the current version already holds about the inputs of a run, looked up by path and content hash
(never read whole), so planning a run costs the same in a warehouse of any size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from warehouse.db import open_version
from warehouse.engine import duckdb
from warehouse.load import PLACE_INPUTS_KEY, WarehouseState, empty_state
from warehouse.store.catalog import absolute, is_store_version, read_catalog, recall, remember

LOOKUPS = {
    "sources": """SELECT path, report_id FROM _sources_log WHERE path IN ({listed})
                  QUALIFY row_number() OVER (PARTITION BY path ORDER BY _seq DESC) = 1""",
    "errors": """SELECT source_file, content_hash, kind, reason FROM (
                     SELECT * FROM _errors_log WHERE source_file IN ({listed})
                     QUALIFY row_number() OVER (PARTITION BY source_file ORDER BY _seq DESC) = 1)
                 WHERE kind <> 'cleared'""",
}
"""The logs are sorted by path, the parts by report id: a constant list of a few values is checked
against each row group's min/max, so a small run reads a few row groups (a list of more than LISTED
values is joined instead)."""
KNOWN_REPORTS = """SELECT report_id FROM _reports_parsed WHERE report_id IN ({listed})
                   UNION SELECT report_id FROM _dead WHERE report_id IN ({listed})"""
"""Every report of the buckets is in the parts, looked up there: the buckets are sorted by agency."""


LISTED = 1000
"""Up to this many hashes are written into the query as constants; more are joined as a list."""


def _lookup(con: duckdb.DuckDBPyConnection, sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    """The rows of `sql` with `{listed}` the given values: constants when few, else a joined list."""
    wanted = sorted(set(values))
    if len(wanted) > LISTED:
        return con.execute(sql.format(listed="SELECT unnest($values)"), {"values": wanted}).fetchall()
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in wanted) or "NULL"
    return con.execute(sql.format(listed=listed)).fetchall()


def lookup_state(
    version: Path | None,
    paths: Sequence[str],
    digests: Sequence[str],
    con: duckdb.DuckDBPyConnection | None = None,
) -> WarehouseState:
    """The sources, errors and reports of the given paths and content hashes. A report whose content
    was replaced but is still stored counts as known: the same bytes coming back revive it. `con`: the
    version already open (it is closed here). The version's catalogue is remembered on the way
    (`catalog.remember`), so the run that builds on it does not open the file again."""
    if version is None:
        return empty_state()
    con = con or open_version(version)
    try:
        sources = {p: r for p, r in _lookup(con, LOOKUPS["sources"], paths)}
        errors = {p: (h, k, r) for p, h, k, r in _lookup(con, LOOKUPS["errors"], paths)}
        known = frozenset(r[0] for r in _lookup(con, KNOWN_REPORTS, digests))
        info = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
        if "reports" in info:  # the count kept by the store (binding `reports` reads every bucket's footer)
            loaded = int(info["reports"]) > 0
        else:
            loaded = bool(con.execute("SELECT 1 FROM reports LIMIT 1").fetchall())
        if recall(version) is None and is_store_version(con):
            remember(
                version, read_catalog(con), [tuple(r) for r in con.execute("SELECT * FROM runs").fetchall()]
            )
    finally:
        con.close()
    return WarehouseState(sources, known, errors, info.get(PLACE_INPUTS_KEY), loaded=loaded)


def stored_counts(version: Path) -> tuple[int, int]:
    """Reports and values of a published version, from what the catalogue keeps and the Parquet footers:
    no row is read unless reports died (then only their row groups). Counting the `facts` view read the
    report id of every value (35 ms at 100k reports, growing with the warehouse). A version this process
    wrote or read, with no dead reports, is counted from its remembered catalogue without opening it."""
    known = recall(version)
    if known is not None and known[0].n_reports is not None and not known[0].dead:
        return known[0].n_reports, sum(p.rows for p in known[0].parts if p.relation == "facts")
    con = open_version(version)
    try:
        catalog = read_catalog(con)
        if catalog.n_reports is None:
            reports = int(con.execute("SELECT count(*) FROM reports").fetchall()[0][0])
        else:
            reports = catalog.n_reports
        files = absolute(version.parent, catalog.files("facts"))
        if not files:
            return reports, 0
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        values = int(
            con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata([{listed}])").fetchall()[0][0] or 0
        )
        if catalog.dead:  # their values stay in the parts until compaction
            values -= _dead_values(con, listed, sorted(catalog.dead))
    finally:
        con.close()
    return reports, values


def _dead_values(con: duckdb.DuckDBPyConnection, files: str, dead: list[str]) -> int:
    scan = f"SELECT count(*) FROM read_parquet([{files}]) WHERE report_id IN "
    if len(dead) > LISTED:
        return int(con.execute(scan + "(SELECT unnest(?::VARCHAR[]))", [dead]).fetchall()[0][0])
    listed = ", ".join("'" + r.replace("'", "''") + "'" for r in dead)
    return int(con.execute(f"{scan}({listed})").fetchall()[0][0])
