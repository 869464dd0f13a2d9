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
    "reports": """SELECT report_id FROM reports WHERE report_id IN (SELECT unnest($digests))
                  UNION SELECT report_id FROM _dead WHERE report_id IN (SELECT unnest($digests))""",
}


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
        known = frozenset(
            r[0] for r in con.execute(LOOKUPS["reports"], {"digests": params["digests"]}).fetchall()
        )
        loaded = bool(con.execute("SELECT count(*) FROM (SELECT 1 FROM reports LIMIT 1)").fetchall()[0][0])
        digest = con.execute("SELECT value FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY]).fetchall()
    finally:
        con.close()
    return WarehouseState(sources, known, errors, digest[0][0] if digest else None, loaded=loaded)
