"""Keep the number of part files bounded: merge segments of similar size (size-tiered, like an LSM tree).

A segment is the set of part files one flush wrote (the same reports in every relation). Segments are
grouped by level, floor(log4(reports)); when a level holds FANOUT segments they are merged into one of the
next level, leaving out the rows of dead reports. Every row is rewritten about log4(N) times over the life
of a warehouse, and a version lists at most (FANOUT - 1) segments per level. A dead report id leaves
`_dead` once no remaining segment holds it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

from warehouse.db import quoted
from warehouse.engine import duckdb
from warehouse.store.catalog import PART_RELATIONS, Catalog, Part
from warehouse.store.parts import SORT_KEYS, copy_to, part_row_group
from warehouse.store.version import scan_sql

FANOUT = 4
RANGED = frozenset({"documents"})
"""Relations whose merge is sorted a range of report ids at a time: a report's text is one value of
kilobytes, and DuckDB's sort cannot spill such rows — merging the 100,000 documents of a first build (≈ 0.5
GB of text) in one sort failed under the tail's memory limit (≈ 0.48 GB, store/memory.py)."""
RANGE_ROWS = 25_000
"""A ranged merge sorts about this many rows at a time (of documents: ≈ 130 MB of text, at the ≈ 5.1 KB a
report of the national samples)."""


def _level(reports: int) -> int:
    return int(math.log(max(reports, 1), FANOUT))


def segments(catalog: Catalog) -> dict[str, list[Part]]:
    found: dict[str, list[Part]] = defaultdict(list)
    for part in catalog.parts:
        if part.segment:
            found[part.segment].append(part)
    return dict(found)


def _size(parts: list[Part]) -> int:
    return next((p.rows for p in parts if p.relation == "reports_parsed"), 0)


def due(catalog: Catalog) -> list[str] | None:
    """The segments of the lowest level that holds FANOUT of them, or None."""
    by_level: dict[int, list[str]] = defaultdict(list)
    for segment, parts in segments(catalog).items():
        by_level[_level(_size(parts))].append(segment)
    for level in sorted(by_level):
        if len(by_level[level]) >= FANOUT:
            return sorted(by_level[level])
    return None


def compact(con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog, run_id: str) -> Catalog:
    """Merge due segments until none is due; returns the catalogue with the merged parts."""
    step = 0
    while (chosen := due(catalog)) is not None:
        catalog = _merge(con, directory, catalog, chosen, f"{run_id}/c{step:03d}")
        step += 1
    return catalog


def _merge(
    con: duckdb.DuckDBPyConnection, directory: Path, catalog: Catalog, chosen: list[str], segment: str
) -> Catalog:
    merging = set(chosen)
    dead = sorted(catalog.dead)
    merged: list[Part] = []
    for relation in PART_RELATIONS:
        files = [p.file for p in catalog.parts if p.segment in merging and p.relation == relation]
        name = f"parts/{segment}-{relation}.parquet"
        if relation in RANGED:
            rows = _ranged_merge(con, directory, relation, files, dead, directory / name)
        else:
            sql = merge_sql(directory, relation, files, dead)
            rows = copy_to(con, sql, directory / name, part_row_group(relation))
        merged.append(Part(relation, name, rows, segment))
    kept = [p for p in catalog.parts if not p.segment or p.segment not in merging]
    remaining = replace(catalog, parts=tuple(kept))
    still = scan_sql(directory, "reports_parsed", remaining.files("reports_parsed"))
    held = {
        str(r[0])
        for r in con.execute(
            f"SELECT report_id FROM ({still}) WHERE report_id IN (SELECT unnest({_list(dead)}))"
        ).fetchall()
    }
    return replace(catalog, parts=tuple(kept + merged), dead=frozenset(held))


def merge_sql(directory: Path, relation: str, files: list[str], dead: list[str]) -> str:
    """The rows of a merged part of `relation`: those of `files` but the dead reports', in its sort order."""
    return (
        f"SELECT * FROM ({scan_sql(directory, relation, files)}) "
        f"WHERE report_id NOT IN (SELECT unnest({_list(dead)})) ORDER BY {SORT_KEYS[relation]}"
    )


def _ranged_merge(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    relation: str,
    files: list[str],
    dead: list[str],
    target: Path,
    range_rows: int = RANGE_ROWS,
) -> int:
    """`merge_sql`'s rows written to `target` without sorting them all at once: each range of report ids
    (about RANGE_ROWS rows) sorted into a file of its own, then the files read in order into
    one part (DuckDB keeps the order of the files and of their rows while `preserve_insertion_order` is
    on). The rows and their order are `merge_sql`'s."""
    bounds = _range_bounds(con, directory, files, range_rows)
    if not bounds:
        return copy_to(con, merge_sql(directory, relation, files, dead), target, part_row_group(relation))
    edges: list[str | None] = [None, *bounds, None]
    pieces = []
    try:
        for index, (low, high) in enumerate(pairwise(edges)):
            bounds_sql = []
            if low is not None:
                bounds_sql.append(f"report_id >= {quoted(low)}")
            if high is not None:
                bounds_sql.append(f"report_id < {quoted(high)}")
            within = " AND ".join(bounds_sql)
            piece = target.with_name(f"{target.stem}.r{index:04d}.parquet")
            copy_to(
                con,
                f"SELECT * FROM ({merge_sql(directory, relation, files, dead)}) WHERE {within}",
                piece,
                part_row_group(relation),
            )
            pieces.append(piece)
        ordered = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        con.execute("SET preserve_insertion_order = true")
        try:
            listed = ", ".join(quoted(p) for p in pieces)
            return copy_to(con, f"SELECT * FROM read_parquet([{listed}])", target, part_row_group(relation))
        finally:
            con.execute(f"SET preserve_insertion_order = {str(bool(ordered)).lower()}")
    finally:
        for piece in pieces:
            piece.unlink(missing_ok=True)


def _range_bounds(con: duckdb.DuckDBPyConnection, directory: Path, files: list[str], rows: int) -> list[str]:
    """Report ids that cut `files`' rows into ranges of about `rows`; [] for one range."""
    if not files:
        return []
    listed = ", ".join(quoted(directory / f) for f in files)
    found = con.execute(
        f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata([{listed}])"
    ).fetchall()
    if int(found[0][0]) <= rows:
        return []
    cut = con.execute(f"""
        SELECT report_id FROM (
            SELECT report_id, row_number() OVER (ORDER BY report_id) AS n
            FROM (SELECT DISTINCT report_id FROM read_parquet([{listed}]) WHERE report_id IS NOT NULL))
        WHERE n > 1 AND (n - 1) % {int(rows)} = 0 ORDER BY report_id""").fetchall()
    return [str(r[0]) for r in cut]


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"
