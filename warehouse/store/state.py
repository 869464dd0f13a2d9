"""What the current version already holds about the inputs of a run, looked up by path and content hash
(never read whole), so planning a run costs the same in a warehouse of any size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from warehouse.db import open_version
from warehouse.load import PLACE_INPUTS_KEY, WarehouseState, empty_state

LOOKUPS = {
    "sources": """SELECT path, report_id FROM _sources_log WHERE path IN (SELECT unnest($paths))
                  QUALIFY row_number() OVER (PARTITION BY path ORDER BY _seq DESC) = 1""",
    "errors": """SELECT source_file, content_hash, kind, reason FROM (
                     SELECT * FROM _errors_log WHERE source_file IN (SELECT unnest($paths))
                     QUALIFY row_number() OVER (PARTITION BY source_file ORDER BY _seq DESC) = 1)
                 WHERE kind <> 'cleared'""",
}
KNOWN_REPORTS = """SELECT report_id FROM _reports_parsed WHERE report_id IN ({listed})
                   UNION SELECT report_id FROM _dead WHERE report_id IN ({listed})"""
"""Every report of the buckets is in the parts (sorted by report id), so a constant list is looked up by
each row group's min/max there, where the buckets (sorted by agency) would be read whole."""


LISTED = 1000
"""Up to this many hashes are written into the query as constants; more are joined as a list."""


def _listed(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values) or "NULL"


def lookup_state(version: Path | None, paths: Sequence[str], digests: Sequence[str]) -> WarehouseState:
    """The sources, errors and reports of the given paths and content hashes. A report whose content
    was replaced but is still stored counts as known: the same bytes coming back revive it."""
    if version is None:
        return empty_state()
    con = open_version(version)
    try:
        params = {"paths": list(paths), "digests": list(digests)}
        sources = {p: r for p, r in con.execute(LOOKUPS["sources"], {"paths": params["paths"]}).fetchall()}
        errors = {
            p: (h, k, r)
            for p, h, k, r in con.execute(LOOKUPS["errors"], {"paths": params["paths"]}).fetchall()
        }
        wanted = sorted(set(digests))
        if len(wanted) <= LISTED:
            found = con.execute(KNOWN_REPORTS.format(listed=_listed(wanted)))
        else:
            found = con.execute(KNOWN_REPORTS.format(listed="SELECT unnest($digests)"), {"digests": wanted})
        known = frozenset(r[0] for r in found.fetchall())
        loaded = bool(con.execute("SELECT count(*) FROM (SELECT 1 FROM reports LIMIT 1)").fetchall()[0][0])
        digest = con.execute("SELECT value FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY]).fetchall()
    finally:
        con.close()
    return WarehouseState(sources, known, errors, digest[0][0] if digest else None, loaded=loaded)
