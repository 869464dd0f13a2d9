"""Pre-aggregated tables for the dashboard's pages, one file per province and relation, kept by delta.

Current reports only. Cubes (`agg_metrics`, `agg_series`, `agg_checks`) hold sums and counts per
(grain, place, year, template, level, kind, vertical, scope) × metric / series / check, at three grains:
`P` (per province), `C` (per city) and `K` (per county), so a view of the whole country sums the province
rows and a county view reads its county's rows only. Own and aggregate scope are a dimension, never summed
together by the queries. Per-report rollups: `agg_reports` (the report columns the pages filter and count
on), `agg_failed` (failed checks with their report's columns and their severity's rank) and
`agg_coverage` (the `coverage` view, materialised per province of the agency).

An ingest changes the rows of the reports it derived again (`recomputed` in store/derive.py) and removes
the dead ones. It writes, per touched province, a small delta next to the province's files: the cubes'
difference (the old rows' contributions subtracted, the new rows' added — sums are DECIMAL, so this is
exact), the new per-report rows of the reports it replaces and the new coverage rows of the agencies it
replaces. The `agg_*` views sum a province's cube files with its delta (groups left without rows dropped,
`value` NULL where no value remains) and show its per-report rows but the replaced ones, plus the delta's.
Each ingest's delta holds the previous one's; past FOLD_REPORTS replaced reports it is folded into the
province's files, which are then written again. A full derivation builds everything from the current
reports.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import quoted
from warehouse.engine import duckdb
from warehouse.load import packed_groups
from warehouse.store.aside import Aside, side_by_side
from warehouse.store.catalog import Catalog
from warehouse.store.parts import ROW_GROUP_ROWS, copy_to
from warehouse.store.stages import stage

Connection = duckdb.DuckDBPyConnection

CUBES = ("agg_metrics", "agg_series", "agg_checks")
ROWS = (
    "agg_reports",
    "agg_failed",
    "agg_coverage",
    "agg_ranking",
    "agg_profile",
    "agg_gaps",
    "agg_agencies",
    "agg_listing",
    "agg_superseded",
)
RELATIONS = (*CUBES, *ROWS)
DELTA_RELATIONS = (*RELATIONS, "agg_replaced")
"""A province's delta: signed cube rows, the new rows of the reports and agencies it replaces, and
`agg_replaced` (kind 'report' or 'agency', id): whose rows in the province's files stop counting."""
REPLACED_KEY = {
    "agg_reports": ("report_id", "report"),
    "agg_failed": ("report_id", "report"),
    "agg_ranking": ("report_id", "report"),
    "agg_profile": ("report_id", "report"),
    "agg_gaps": ("report_id", "report"),
    "agg_coverage": ("agency_id", "agency"),
    "agg_agencies": ("agency_id", "agency"),
    "agg_listing": ("report_id", "report"),
    "agg_superseded": ("report_id", "report"),
}
NO_PROVINCE = "none"
"""The file key of reports without a province."""
SMALL_CHANGE = 5000
"""Up to this many changed reports, their rows are looked up by id; beyond, the parts are scanned."""
HELD_REPORTS = 500
"""Up to this many changed reports, their facts, series and checks are read from the parts once, into
temporary tables, for the differences (old and new), the per-report rows and the gaps, which read them
five times."""
FOLD_REPORTS = 100
"""A province's delta replaces at most this many reports; beyond, its files are written again with the
delta folded in (as compaction merges parts), so a delta stays small and so do the views' sums."""

BESIDE_REPORTS = 500
"""Up to this many changed reports, the update uses two cursors of the run's instance (store/aside.py): the
changed facts read beside their series and checks, the coverage computed beside the cube differences and
the per-report rows, and a province's files written two at a time. The tables they share are tables of the
in-memory database, not temporary ones (a cursor's temporary tables are its own)."""
BUILD_BESIDE = True
"""A full build's group (`build_all`) computes its coverage and writes its provinces' files on two cursors;
False: everything in turn on one (the reference the two-cursor build is tested against)."""

DIMENSIONS = (
    "province_code",
    "city_code",
    "county_code",
    "year",
    "template",
    "agency_level",
    "agency_kind",
    "is_vertical",
    "scope",
)
DIMS_SQL = ", ".join(DIMENSIONS)
CUBE_KEYS = {
    "agg_metrics": ("metric_code", "breakdown"),
    "agg_series": ("series_code", "comparable_group", "breakdown"),
    "agg_checks": ("check_id", "severity"),
}
CUBE_MEASURES = {
    "agg_metrics": ("value", "n_value", "n_blank", "n_rows"),
    "agg_series": ("value", "n_value", "n_rows"),
    "agg_checks": ("n_fail", "n_pass", "n_na", "n_reports_failing", "n_rows"),
}
"""`n_rows` counts the rows (facts, series values, checks) a group sums; a group is kept while it is not 0."""
PLACE_COLUMNS = ("province", "city", "county", "province_code", "city_code", "county_code")
"""A report's place: names and codes."""
REPORT_COLUMNS = (
    "report_id",
    "agency_id",
    "agency",
    "year",
    "template",
    *PLACE_COLUMNS,
    "place_code",
    "place_status",
    "agency_level",
    "agency_kind",
    "is_vertical",
    "scope",
    "checks_failed",
    "source_file",
    "is_current",
    "title",
    "published",
)
"""`title` and `published` for the review findings' units (warehouse/documents/findings_reads.py), which
read a place's current reports of one year from here instead of every bucket's `reports`."""
REPORT_COLUMNS_SQL = ", ".join(REPORT_COLUMNS)
LISTING_COLUMNS = (
    "report_id",
    "agency_id",
    "agency",
    *DIMENSIONS,
    "is_current",
    "checks_failed",
    "source_file",
)
"""`agg_listing`: the columns of `agg_reports` that the review listing (dash_review_listing.sql) shows and
`ReportFilter.condition` tests, in the listing's order (LISTING_SORT)."""
LISTING_SORT = "year DESC NULLS LAST, agency, report_id"
"""dash_review_listing.sql's order. A province's file in that order, in row groups of SMALL_ROW_GROUP rows,
lets DuckDB's top-N stop decoding once its page is full: the newest year's rows come first, and the row
groups and vectors its bound rules out are skipped (at 1M reports the listing's read 183 → 49 ms CPU,
docs/scale.md §5). The place-sorted `agg_reports` stays for the reads by place."""
SUPERSEDED_COLUMNS = ("report_id", *PLACE_COLUMNS, "is_current")
"""`agg_superseded`: the reports that are not current (`NOT is_current`: an older version of an agency's
report of a year), with their place columns, per province: a place's name is read from every report placed
under it, current or not (warehouse/documents/reads.py `place_name`), and the current ones are in
`agg_reports`; without this the others were read from every bucket's `reports` file (256 footers at 1M
reports, ≈ 65–75 ms CPU cold for a county's review findings or summary; docs/scale.md §5, issue12pa)."""
FAILED_REPORT_COLUMNS = ("report_id", "agency_id", "agency", "source_file", *DIMENSIONS, "is_current")
FAILED_CHECK_COLUMNS = (
    "check_id",
    "severity",
    "breakdown",
    "expected",
    "actual",
    "message",
    "message_zh",
    "cells",
    "printed",
)
"""`cells` (the check's `metric|breakdown;…` locator) and `printed`: the facts of the report those cells
name (metric_code, breakdown, row_label, column_label, page, value_raw; NULL when none is stored), so that
the review findings of a place read its failed checks and their printed cells from the province's file
by place instead of every report-sorted part's row groups of `checks` and `facts` (findings_reads.py)."""
PRINTED_COLUMNS = ("metric_code", "breakdown", "row_label", "column_label", "page", "value_raw")
SEVERITY_RANK_SQL = "CAST(CASE c.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END AS TINYINT)"
"""`agg_failed.severity_rank`: the first key of the quality page's order (errors first) as a column, which the
files are sorted by, so that DuckDB's top-N skips the row groups of warnings while errors fill a page."""
FAILED_COLUMNS_SQL = ", ".join(
    [f"r.{c}" for c in FAILED_REPORT_COLUMNS]
    + [f"c.{c}" for c in FAILED_CHECK_COLUMNS]
    + [f"{SEVERITY_RANK_SQL} AS severity_rank"]
)
RANKING_COLUMNS = (
    "report_id",
    "agency_id",
    "agency",
    *DIMENSIONS,
    "is_current",
    "series_code",
    "value",
    "n_value",
)
RANKING_BREAKDOWNS = ("", "total")
"""A series' total rows (its breakdowns, such as outcomes, are not ranked): the agencies page ranks the
selected reports by the sum of these, one row per current report and series in `agg_ranking`."""
RANKED_SERIES = (
    "requests.received",
    "requests.handled",
    "requests.granted",
    "requests.partial",
    "requests.carried_out",
    "proactive.items",
    "proactive.items_stated",
    "reconsideration",
    "litigation",
)
"""The series `agg_ranking` keeps (those the agencies page offers); others are ranked from the facts."""
PROFILE_REPORT_COLUMNS = ("report_id", "agency_id", "agency", *DIMENSIONS, "is_current")
"""The report columns of the agency-ordered rollups (those the pages show and filter on), which add:
`agg_profile` the `report_series` rows of RANKED_SERIES of each current report (series_code,
comparable_group, breakdown, value), and `agg_gaps` the cells without a value behind them (series_code,
breakdown, semantic, value_raw: dash_series_gaps's join of the facts whose value is NULL with
`series_map`). Kept in agency order, so one agency's profile reads a few rows: the report-sorted parts
scatter an agency's ~11 reports over as many row groups of 100,000 rows."""
AGENCY_ROW_GROUP = 32_768
"""Rows per row group of the agency-ordered rollups: one agency's rows sit in one or two row groups, which
DuckDB finds by their min/max agency id and decodes alone (8,192 costs more in statistics checks)."""
SMALL_ROW_GROUP = 8_192
"""Rows per row group of `agg_ranking` and `agg_failed`, whose reads want a few thousand rows of files
sorted by what they read (one series and year; the errors, then one county's warnings): DuckDB decodes a
row group whole, so at 100,000 rows a group it decoded ten times what the ranking shows (27 → 12 ms at
100k reports; 2,048 rows cost more again in row-group checks)."""
ROW_GROUPS = {
    "agg_profile": AGENCY_ROW_GROUP,
    "agg_gaps": AGENCY_ROW_GROUP,
    "agg_ranking": SMALL_ROW_GROUP,
    "agg_failed": SMALL_ROW_GROUP,
    "agg_coverage": SMALL_ROW_GROUP,
    "agg_listing": SMALL_ROW_GROUP,
}
PLACE_FIRST = "grain, city_code, county_code"
"""A cube file (one province) puts each city's and each county's rows together: a page filtered to a
county reads the row groups of that county only (at 100k reports 1 of 13 in the largest province instead
of 4), and the province rows a whole-country page reads stay together at the end (grain 'P')."""
SORT = {
    "agg_metrics": f"{PLACE_FIRST}, metric_code, breakdown, {DIMS_SQL}",
    "agg_series": f"{PLACE_FIRST}, series_code, comparable_group, breakdown, {DIMS_SQL}",
    "agg_checks": f"{PLACE_FIRST}, check_id, severity, {DIMS_SQL}",
    "agg_reports": "city_code, county_code, year, report_id",
    "agg_failed": "severity_rank, city_code, county_code, report_id, check_id, breakdown",
    "agg_coverage": "agency_id, year",
    "agg_ranking": "series_code, year, province_code, city_code, county_code, report_id",
    "agg_profile": "agency_id, report_id, series_code, breakdown, comparable_group",
    "agg_gaps": "agency_id, report_id, series_code, breakdown, semantic, value_raw",
    "agg_agencies": "city_code, county_code, agency_id, agency, agency_level, agency_kind, is_vertical",
    "agg_listing": LISTING_SORT,
    "agg_superseded": "city_code, county_code, report_id",
}


def province_key(code: object) -> str:
    return NO_PROVINCE if code is None else str(code)


@dataclass(frozen=True)
class Sources:
    """Where the rows of the reports a rollup reads come from: SELECTs over the parts of the new version."""

    directory: Path
    facts: str
    series: str
    own_checks: str
    split: tuple[Sources, Sources, frozenset[str]] | None = None
    """(the same over the earlier parts, the same over this run's parts, the ids parsed in this run): `only`
    reads those ids in this run's parts and the others in the earlier parts. No earlier part holds a report
    parsed in this run (known or dead ones are never parsed again), and looking for one there decoded a
    row group of 100,000 report ids per part and relation for nothing."""

    def held(self, con: Connection, *, beside: bool = False) -> Sources:
        """The same rows read once into tables of `con`'s in-memory database (for a few reports: see
        HELD_REPORTS); `beside`: the facts (the largest read) on a second cursor while the series and the
        checks are read here."""
        reads = {"facts": self.facts, "series": self.series, "own_checks": self.own_checks}

        def read(cursor: Connection, tables: list[str]) -> None:
            for table in tables:
                cursor.execute(f"CREATE OR REPLACE TABLE held_{table} AS {reads[table]}")

        if beside:
            side_by_side(
                con, lambda cursor: read(cursor, ["facts"]), lambda: read(con, ["series", "own_checks"])
            )
        else:
            read(con, list(reads))
        return Sources(
            self.directory,
            "SELECT * FROM held_facts",
            "SELECT * FROM held_series",
            "SELECT * FROM held_own_checks",
        )

    def only(self, ids: list[str]) -> Sources:
        """The same, restricted to `ids` by a constant list DuckDB checks against each row group's min/max
        (the parts are sorted by report id), so a small ingest reads a few row groups, not every fact."""
        if self.split is not None:
            earlier, written, fresh = self.split
            sides = [
                side.only(wanted)
                for side, wanted in (
                    (earlier, [i for i in ids if i not in fresh]),
                    (written, [i for i in ids if i in fresh]),
                )
                if wanted
            ] or [written.only([])]
            return Sources(
                self.directory,
                " UNION ALL ".join(side.facts for side in sides),
                " UNION ALL ".join(side.series for side in sides),
                " UNION ALL ".join(side.own_checks for side in sides),
            )
        listed = ", ".join("'" + i.replace("'", "''") + "'" for i in ids) or "NULL"
        where = f"WHERE report_id IN ({listed})"
        return Sources(
            self.directory,
            f"SELECT * FROM ({self.facts}) {where}",
            f"SELECT * FROM ({self.series}) {where}",
            f"SELECT * FROM ({self.own_checks}) {where}",
        )


def _contributions(con: Connection, sources: Sources, sides: Sequence[tuple[str, str, str]]) -> None:
    """Insert into the delta tables the K-grain cube rows of the current reports of each side
    `(reports, checks, signed)` — table `reports`, `checks` a SELECT of their cross-report check rows —
    multiplied by `signed` (1 or -1). The sides in one statement per cube (the previous rows of the
    changed reports and their new ones: 4 statements instead of 8, each 3–10 ms to parse, bind and plan
    over a few rows); a group both sides reach gets their sum, which the grains and the province's delta
    sum again as they would the two rows (DECIMAL and BIGINT sums: exact in any order)."""
    con.execute(
        "CREATE OR REPLACE TABLE contrib_ids AS "
        + " UNION ALL ".join(
            f"SELECT report_id, {DIMS_SQL}, checks_failed, CAST({signed} AS BIGINT) AS sign "
            f"FROM {reports} WHERE is_current"
            for reports, _, signed in sides
        )
    )
    checks = " UNION ALL ".join(
        f"SELECT *, CAST({signed} AS BIGINT) AS sign FROM "
        f"(SELECT * FROM ({sources.own_checks}) UNION ALL SELECT * FROM ({side_checks}))"
        for _, side_checks, signed in sides
    )
    con.execute(f"""
        INSERT INTO delta_agg_metrics
        SELECT r.{DIMS_SQL.replace(", ", ", r.")}, f.metric_code, f.breakdown,
               CAST(sum(r.sign * f.value) AS DECIMAL(38, 6)),
               sum(r.sign * CAST(f.value IS NOT NULL AS BIGINT)),
               sum(r.sign * CAST(f.semantic = 'blank' AS BIGINT)), sum(r.sign)
        FROM contrib_ids AS r JOIN ({sources.facts}) AS f ON f.report_id = r.report_id
        GROUP BY ALL
    """)
    con.execute(f"""
        INSERT INTO delta_agg_series
        SELECT r.{DIMS_SQL.replace(", ", ", r.")}, h.series_code, h.comparable_group, h.breakdown,
               CAST(sum(r.sign * h.value) AS DECIMAL(38, 6)),
               sum(r.sign * CAST(h.value IS NOT NULL AS BIGINT)),
               sum(r.sign)
        FROM contrib_ids AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
        GROUP BY ALL
    """)
    con.execute(f"""
        INSERT INTO delta_agg_checks
        SELECT {DIMS_SQL}, check_id, severity, sum(sign * n_fail), sum(sign * n_pass), sum(sign * n_na),
               sum(sign * CAST(n_fail > 0 AS BIGINT)), sum(sign * n_rows)
        FROM (
            SELECT r.{DIMS_SQL.replace(", ", ", r.")}, r.report_id, r.sign, c.check_id, c.severity,
                   count(*) FILTER (WHERE c.status = 'fail') AS n_fail,
                   count(*) FILTER (WHERE c.status = 'pass') AS n_pass,
                   count(*) FILTER (WHERE c.status = 'not_assessable') AS n_na,
                   count(*) AS n_rows
            FROM contrib_ids AS r
            JOIN ({checks}) AS c ON c.report_id = r.report_id AND c.sign = r.sign
            GROUP BY ALL
        )
        GROUP BY {DIMS_SQL}, check_id, severity
    """)


def _create_deltas(con: Connection) -> None:
    dims = (
        "province_code VARCHAR, city_code VARCHAR, county_code VARCHAR, year INTEGER, template VARCHAR, "
        "agency_level VARCHAR, agency_kind VARCHAR, is_vertical BOOLEAN, scope VARCHAR"
    )
    con.execute(f"""
        CREATE OR REPLACE TABLE delta_agg_metrics ({dims}, metric_code VARCHAR, breakdown VARCHAR,
            value DECIMAL(38, 6), n_value BIGINT, n_blank BIGINT, n_rows BIGINT)""")
    con.execute(f"""
        CREATE OR REPLACE TABLE delta_agg_series ({dims}, series_code VARCHAR,
            comparable_group VARCHAR, breakdown VARCHAR, value DECIMAL(38, 6), n_value BIGINT,
            n_rows BIGINT)""")
    con.execute(f"""
        CREATE OR REPLACE TABLE delta_agg_checks ({dims}, check_id VARCHAR, severity VARCHAR,
            n_fail BIGINT, n_pass BIGINT, n_na BIGINT, n_reports_failing BIGINT, n_rows BIGINT)""")


def _own_grain(relation: str) -> str:
    """The delta's rows at grain K, as computed."""
    return f"SELECT 'K' AS grain, * FROM delta_{relation}"


def _grains(relation: str, *, k: bool = True) -> str:
    """The delta at the three grains: K as computed, C and P summed from it (`k`: False, C and P only)."""
    keys = ", ".join(CUBE_KEYS[relation])
    sums = ", ".join(f"sum({m}) AS {m}" for m in CUBE_MEASURES[relation])
    rest = "year, template, agency_level, agency_kind, is_vertical, scope"
    own = f"{_own_grain(relation)} UNION ALL" if k else ""
    return f"""
        {own}
        SELECT 'C' AS grain, province_code, city_code, NULL, {rest}, {keys}, {sums}
        FROM delta_{relation} GROUP BY province_code, city_code, {rest}, {keys}
        UNION ALL
        SELECT 'P', province_code, NULL, NULL, {rest}, {keys}, {sums}
        FROM delta_{relation} GROUP BY province_code, {rest}, {keys}"""


def _sums(relation: str, *, final: bool) -> str:
    """A cube's measures summed; `final`: `value` NULL where no value remains (as a full build has it)."""
    sums = [f"sum({m}) AS {m}" for m in CUBE_MEASURES[relation]]
    if final and "value" in CUBE_MEASURES[relation]:
        sums[0] = "CASE WHEN sum(n_value) > 0 THEN sum(value) END AS value"
    return ", ".join(sums)


def cube_sum_sql(relation: str, rows: str) -> str:
    """The cube rows of `rows` (base rows and signed delta rows, without `is_current`) summed per group,
    groups left without rows dropped: what a province's file holds once its delta is folded in, and what
    the `agg_*` view shows of a province that has a delta."""
    keys = ", ".join(CUBE_KEYS[relation])
    return f"""
        SELECT grain, {DIMS_SQL}, {keys}, {_sums(relation, final=True)}, TRUE AS is_current
        FROM ({rows}) GROUP BY grain, {DIMS_SQL}, {keys} HAVING sum(n_rows) <> 0"""


def view_sql(
    relation: str,
    files: dict[str, tuple[str, ...]],
    deltas: dict[str, tuple[str, ...]],
    read: Callable[[list[str]], str],
) -> str:
    """The `agg_*` view of a version: the province files, with each province's delta applied (cubes summed
    with it, per-report and per-agency rows replaced by it). `read` gives `read_parquet(...)` of files."""
    index = RELATIONS.index(relation)
    changed = [p for p in sorted(deltas) if p in files]
    plain = [f[index] for p, f in sorted(files.items()) if p not in changed]
    branches = [f"SELECT * FROM {read(plain)}"] if plain else []
    if not changed:
        return branches[0] if branches else ""
    delta_files = [deltas[p][index] for p in changed]
    if relation in CUBES:
        rows = (
            f"SELECT * EXCLUDE (is_current) FROM {read([files[p][index] for p in changed])} "
            f"UNION ALL SELECT * EXCLUDE (is_current) FROM {read(delta_files)}"
        )
        return " UNION ALL ".join([*branches, cube_sum_sql(relation, rows)])
    key, kind = REPLACED_KEY[relation]
    for province in changed:
        replaced = read([deltas[province][DELTA_RELATIONS.index("agg_replaced")]])
        branches.append(
            f"SELECT * FROM {read([files[province][index]])} "
            f"WHERE {key} NOT IN (SELECT id FROM {replaced} WHERE kind = '{kind}')"
        )
    return " UNION ALL ".join([*branches, f"SELECT * FROM {read(delta_files)}"])


@dataclass(frozen=True)
class Change:
    """What changed since the previous version, as tables on the deriving connection."""

    old_reports: str
    """Previous rows of every report whose row changed or that died."""
    old_checks: str
    """SELECT of the previous cross-report check rows of those reports."""
    new_reports: str
    """New rows of the reports derived again (all reports in a full derivation)."""
    new_checks: str
    agency_reports: str
    """Every report row (current or not) of the new version of the agencies whose reports changed: their
    coverage is computed again; the other agencies at their places get only their peer years again."""
    same: str = ""
    """A table of the ids among those reports whose row and cross-report checks are the same before and
    after ("" for none): their contributions would cancel and their per-report rows are the ones shown, so
    neither is read nor written again (an ingest derives a touched agency's every report again; most of
    them come out as they were)."""


@dataclass(frozen=True)
class Rollups:
    """The pre-aggregated files of a version: province → files in RELATIONS order, and province → its
    delta since they were written, in DELTA_RELATIONS order."""

    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deltas: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _read(directory: Path, file: str) -> str:
    return f"read_parquet({quoted(directory / file)})"


def _province_where(province: str) -> str:
    """The condition on `province_code` of a province's rows (NO_PROVINCE: the rows without one)."""
    return "province_code IS NULL" if province == NO_PROVINCE else f"province_code = {quoted(province)}"


def update(con: Connection, sources: Sources, change: Change, previous: Rollups, run_id: str) -> Rollups:
    """The pre-aggregated files of the new version; `previous` is empty for a full build, and then
    `old_reports` must be empty. A touched province gets a new delta (its previous delta with this run's
    difference), or its files written again with the delta folded in when the delta would replace more
    than FOLD_REPORTS reports (or the province has no files yet, or the change is large)."""
    same = f" EXCEPT SELECT report_id FROM {change.same}" if change.same else ""
    con.execute(f"""
        CREATE OR REPLACE TABLE changed_ids AS
        (SELECT report_id FROM {change.old_reports}
         UNION SELECT report_id FROM {change.new_reports}){same}""")
    ids = [str(r[0]) for r in con.execute("SELECT report_id FROM changed_ids ORDER BY 1").fetchall()]
    small = len(ids) <= SMALL_CHANGE
    beside = len(ids) <= BESIDE_REPORTS  # two cursors of the instance (store/aside.py)
    if small:
        sources = sources.only(ids)
    if len(ids) <= HELD_REPORTS:
        with stage("rollups: changed rows"):
            sources = sources.held(con, beside=beside)
    _create_deltas(con)
    changed = "WHERE report_id IN (SELECT report_id FROM changed_ids)" if change.same else ""
    old_changed = f"(SELECT * FROM {change.old_reports} {changed})"
    new_changed = f"(SELECT * FROM {change.new_reports} {changed})"
    touched = _touched(con, change)
    con.execute(f"CREATE OR REPLACE TABLE new_current AS SELECT * FROM {new_changed} WHERE is_current")
    con.execute(f"""
        CREATE OR REPLACE TABLE new_superseded AS
        SELECT {", ".join(SUPERSEDED_COLUMNS)} FROM {new_changed} WHERE NOT is_current""")

    provinces = sorted(touched)
    prepared: dict[str, _Prepared] = {}  # the one touched province's, found beside the differences
    differed = threading.Event()

    def coverage(cursor: Connection) -> None:
        _coverage(cursor, change, previous, touched, sources.directory)
        _agency_rows(cursor)
        # What the province's delta replaces reads the coverage, not the differences: made here while
        # the differences run (not after them: the run's thread would wait for it instead).
        if len(provinces) == 1 and not differed.is_set():
            province = provinces[0]
            base, delta = previous.files.get(province), previous.deltas.get(province)
            _replacing(cursor, sources.directory, province, base, delta)
            in_delta = _changed_in_delta(cursor, sources.directory, delta) if delta else None
            prepared[province] = _Prepared(_replaced_reports(cursor), in_delta)

    def differences() -> None:
        with stage("rollups: differences"):
            _contributions(
                con, sources, [(old_changed, change.old_checks, "-1"), (new_changed, change.new_checks, "1")]
            )
        for relation in CUBES:
            con.execute(f"CREATE OR REPLACE TABLE grains_{relation} AS {_grains(relation)}")
        _new_rows(con, change.new_checks, sources)
        differed.set()

    if beside:  # coverage reads none of what the differences and the per-report rows write
        with stage("rollups: differences, coverage beside"):
            side_by_side(con, coverage, differences)
    else:
        differences()
        with stage("rollups: coverage"):
            coverage(con)
    return _provinces(
        con, sources.directory, provinces, previous, prepared, run_id, small=small, beside=beside
    )


@dataclass(frozen=True)
class _Prepared:
    """What a province's files need that `update` found beside the differences: the reports its delta
    replaces (`cum_replaced` made) and `_changed_in_delta` (None without a previous delta)."""

    replaced: int
    in_delta: tuple[int, ...] | None


def _provinces(
    con: Connection,
    directory: Path,
    provinces: list[str],
    previous: Rollups,
    prepared: dict[str, _Prepared],
    run_id: str,
    *,
    small: bool,
    beside: bool,
) -> Rollups:
    """The touched provinces' files after `update`'s differences: a new delta each, or files written again
    with the delta folded in. `prepared`: a province whose `cum_replaced` was made already (the last one)."""
    files, deltas = dict(previous.files), dict(previous.deltas)
    for province in provinces:
        with stage("rollups: province"):
            base, delta = previous.files.get(province), previous.deltas.get(province)
            ready = prepared.get(province)
            if ready is None:
                _replacing(con, directory, province, base, delta)
                ready = _Prepared(_replaced_reports(con), None)
            cumulated = _cumulated(con, directory, province, base, delta, prepared=True)
            deltas.pop(province, None)
            if base and small and ready.replaced <= FOLD_REPORTS:
                deltas[province] = _write_delta(
                    con, directory, cumulated, province, delta, run_id, beside=beside, in_delta=ready.in_delta
                )
            else:
                files[province] = _fold(con, directory, province, base, cumulated, run_id, beside=beside)
    return Rollups({p: f for p, f in files.items() if f}, {p: d for p, d in deltas.items() if files.get(p)})


def _new_rows(con: Connection, new_checks: str, sources: Sources) -> None:
    """The per-report rollup rows of the current reports whose rows changed (`new_current`): new_failed,
    new_ranking, new_profile, new_gaps."""
    with stage("rollups: failed rows"):
        _failed_rows(con, new_checks, sources)
    breakdowns = ", ".join(f"'{b}'" for b in RANKING_BREAKDOWNS)
    ranked = ", ".join(f"'{c}'" for c in RANKED_SERIES)
    con.execute(f"""
        CREATE OR REPLACE TABLE new_ranking AS
        SELECT {", ".join(f"r.{c}" for c in RANKING_COLUMNS[:-3])}, h.series_code,
               CAST(sum(h.value) AS DECIMAL(38, 6)) AS value, count(h.value) AS n_value
        FROM new_current AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
        WHERE h.breakdown IN ({breakdowns}) AND h.series_code IN ({ranked})
        GROUP BY ALL""")
    with stage("rollups: profile rows"):
        _new_profile(con, sources)
    with stage("rollups: gap rows"):
        _gap_rows(con, sources)


def _failed_rows(con: Connection, new_checks: str, sources: Sources) -> None:
    """`new_failed`: the failed checks of the current reports in `new_current`, each with `printed`, the
    facts its cells name (those `findings_cells.sql` reads: split at ';' and '|', joined by report, metric
    and breakdown), as a list ordered by metric and breakdown."""
    struct = ", ".join(f"{c} := x.{c}" for c in PRINTED_COLUMNS)
    con.execute(f"""
        CREATE OR REPLACE TABLE roll_failed AS
        SELECT *, row_number() OVER () AS roll_row
        FROM (SELECT * FROM ({sources.own_checks}) UNION ALL SELECT * FROM ({new_checks}))
        WHERE status = 'fail' AND report_id IN (SELECT report_id FROM new_current)""")
    con.execute("""
        CREATE OR REPLACE TABLE roll_wanted AS
        SELECT f.roll_row, f.report_id, split_part(l.cell, '|', 1) AS metric_code,
               split_part(l.cell, '|', 2) AS breakdown
        FROM roll_failed AS f, unnest(string_split(f.cells, ';')) AS l(cell)
        WHERE coalesce(f.cells, '') <> ''""")
    con.execute(f"""
        CREATE OR REPLACE TABLE new_failed AS
        WITH wanted_reports AS (SELECT DISTINCT report_id FROM roll_wanted),
        printed AS (
            SELECT w.roll_row,
                   list(struct_pack({struct}) ORDER BY x.metric_code, x.breakdown, x.row_label,
                        x.column_label, x.page, x.value_raw) AS printed
            FROM roll_wanted AS w
            JOIN (SELECT * FROM ({sources.facts})
                  WHERE report_id IN (SELECT report_id FROM wanted_reports)) AS x
              ON x.report_id = w.report_id AND x.metric_code = w.metric_code AND x.breakdown = w.breakdown
            GROUP BY w.roll_row
        )
        SELECT f.* EXCLUDE (roll_row), p.printed
        FROM roll_failed AS f LEFT JOIN printed AS p USING (roll_row)""")
    con.execute("DROP TABLE roll_failed")
    con.execute("DROP TABLE roll_wanted")


def _series_map(con: Connection) -> None:
    """`roll_series_map`: the rows of RANKED_SERIES of the version's `series_map` (warehouse/series.py),
    for `agg_gaps`; once per connection (a full build derives many groups of provinces on one). Made by
    one statement that does nothing when the table is there: a probe that fails raises the process's
    first C++ exception, ≈ 5 ms of CPU on a one-file ingest's critical path (docs/scale.md §5, one file,
    eighteenth pass)."""
    from warehouse.series import COLUMNS, series_map

    code = COLUMNS.index("series_code")
    rows = [row for row in series_map() if row[code] in RANKED_SERIES]
    unnested = ", ".join(f"CAST(unnest(${i + 1}) AS VARCHAR) AS {c}" for i, c in enumerate(COLUMNS))
    con.execute(
        f"CREATE TABLE IF NOT EXISTS roll_series_map AS SELECT {unnested}",
        [list(column) for column in zip(*rows, strict=True)] or [[] for _ in COLUMNS],
    )


def _touched(con: Connection, change: Change) -> set[str]:
    found = con.execute(f"""
        SELECT DISTINCT province_code FROM {change.old_reports}
        UNION SELECT DISTINCT province_code FROM {change.new_reports}""").fetchall()
    return {province_key(row[0]) for row in found}


def _shown(
    directory: Path, relation: str, base: tuple[str, ...] | None, delta: tuple[str, ...] | None
) -> str:
    """The rows of a per-report or per-agency rollup the previous version shows for one province."""
    key, kind = REPLACED_KEY[relation]
    index = RELATIONS.index(relation)
    branches = []
    if base:
        sql = f"SELECT * FROM {_read(directory, base[index])}"
        if delta:
            replaced = _read(directory, delta[DELTA_RELATIONS.index("agg_replaced")])
            sql += f" WHERE {key} NOT IN (SELECT id FROM {replaced} WHERE kind = '{kind}')"
        branches.append(sql)
    if delta:
        branches.append(f"SELECT * FROM {_read(directory, delta[index])}")
    return " UNION ALL ".join(branches)


def _coverage(con: Connection, change: Change, previous: Rollups, touched: set[str], directory: Path) -> None:
    """Tables for the coverage rollup of the touched provinces. An agency's coverage rows depend on its
    own reports and on the years its place's peers published in, so only two kinds of agency change:
    those whose reports changed (`cov_changed`: computed again with schema.sql's view over just their
    reports and their places' peer years, into `coverage_rows`) and the others at a place whose peer
    years may have changed (`cov_places`: their rows outside their span are redrawn from `cov_years`)."""
    from warehouse.store.version import schema_view_sql

    con.execute(f"""
        CREATE OR REPLACE TABLE cov_changed AS
        SELECT DISTINCT agency_id FROM ({change.agency_reports}) WHERE agency_id IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TABLE cov_places AS
        SELECT DISTINCT place_code FROM (SELECT place_code FROM {change.old_reports}
                                         UNION ALL SELECT place_code FROM {change.new_reports})
        WHERE place_code IS NOT NULL""")
    # A place's reports are all in its province's files, and a place whose peer years change is touched.
    shown = [
        _shown(directory, "agg_reports", previous.files.get(p), previous.deltas.get(p))
        for p in sorted(touched)
        if previous.files.get(p)
    ]
    old_current = "SELECT NULL::VARCHAR AS place_code, NULL::INTEGER AS year WHERE false"
    if shown:
        old_current = f"""
            SELECT place_code, year FROM ({" UNION ALL ".join(shown)})
            WHERE place_code IN (SELECT place_code FROM cov_places)
              AND report_id NOT IN (SELECT report_id FROM changed_ids)"""
    con.execute(f"""
        CREATE OR REPLACE TABLE cov_years AS
        SELECT DISTINCT place_code, year FROM (
            {old_current}
            UNION ALL SELECT place_code, year FROM new_current
            WHERE place_code IN (SELECT place_code FROM cov_places))
        WHERE year IS NOT NULL""")
    con.execute("CREATE SCHEMA IF NOT EXISTS cov")
    # Peer years enter as report rows without an agency: peer_years counts them, nothing else does.
    con.execute(f"""
        CREATE OR REPLACE TABLE cov.reports AS
        SELECT * FROM ({change.agency_reports})
        UNION ALL BY NAME SELECT place_code, year, TRUE AS is_current FROM cov_years""")
    con.execute("SET search_path = 'cov'")
    try:
        for name in ("agencies", "coverage"):
            con.execute(schema_view_sql(name).replace(f"VIEW {name}", f"VIEW cov.{name}", 1))
        con.execute(f"""
            CREATE OR REPLACE TABLE main.coverage_rows AS
            SELECT c.*, coalesce(a.province_code, '{NO_PROVINCE}') AS _province
            FROM cov.coverage AS c JOIN cov.agencies AS a USING (agency_id)""")
    finally:
        con.execute("SET search_path = 'main'")


def _coverage_of(
    con: Connection,
    directory: Path,
    province: str,
    base: tuple[str, ...] | None,
    delta: tuple[str, ...] | None,
) -> None:
    """`cov_new`: the new coverage rows of the province's agencies that changed (`cov_affected`): those
    whose reports changed, and their peers at a touched place, whose rows outside their span are redrawn."""
    fresh = f"SELECT * EXCLUDE (_province) FROM coverage_rows WHERE _province = '{province}'"
    shown = _shown(directory, "agg_coverage", base, delta) or f"{fresh} AND false"
    con.execute(f"""
        CREATE OR REPLACE TABLE cov_peers AS
        SELECT * FROM ({shown})
        WHERE agency_id NOT IN (SELECT agency_id FROM cov_changed)
          AND place_code IN (SELECT place_code FROM cov_places)""")
    con.execute("""
        CREATE OR REPLACE TABLE cov_affected AS
        SELECT agency_id FROM cov_changed
        UNION SELECT agency_id FROM cov_peers WHERE agency_id IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TABLE cov_new AS
        WITH spans AS (
            SELECT agency_id, any_value(agency_name) AS agency_name, any_value(place_code) AS place_code,
                   min(year) FILTER (WHERE within_span) AS first_year,
                   max(year) FILTER (WHERE within_span) AS last_year
            FROM cov_peers GROUP BY agency_id
        )
        SELECT * FROM cov_peers WHERE within_span
        UNION ALL
        SELECT s.agency_id, s.agency_name, s.place_code, y.year, 'missing', CAST(0 AS BIGINT),
               CAST(NULL AS VARCHAR), FALSE
        FROM spans AS s JOIN cov_years AS y ON y.place_code = s.place_code
        WHERE y.year NOT BETWEEN s.first_year AND s.last_year
        UNION ALL {fresh}""")


def _old_delta(directory: Path, delta: tuple[str, ...] | None) -> Callable[..., str]:
    """relation, condition → the province's previous delta rows of `relation` as `SELECT … UNION ALL `
    ("" without a delta)."""

    def old(relation: str, condition: str = "true") -> str:
        if delta is None:
            return ""
        index = DELTA_RELATIONS.index(relation)
        return f"SELECT * FROM {_read(directory, delta[index])} WHERE {condition} UNION ALL "

    return old


def _replacing(
    con: Connection,
    directory: Path,
    province: str,
    base: tuple[str, ...] | None,
    delta: tuple[str, ...] | None,
) -> None:
    """The province's `cov_new` (`_coverage_of`) and `cum_replaced` (the reports and agencies whose rows in
    its files the delta after this run replaces), on `con`."""
    _coverage_of(con, directory, province, base, delta)
    con.execute(f"""
        CREATE OR REPLACE TABLE cum_replaced AS
        SELECT * FROM ({_old_delta(directory, delta)("agg_replaced")}
                       SELECT 'report' AS kind, report_id AS id FROM changed_ids
                       UNION ALL SELECT 'agency', agency_id FROM cov_affected)
        GROUP BY ALL""")


def _replaced_reports(con: Connection) -> int:
    """How many reports `cum_replaced` holds."""
    return int(con.execute("SELECT count(*) FROM cum_replaced WHERE kind = 'report'").fetchall()[0][0])


def _cumulated(
    con: Connection,
    directory: Path,
    province: str,
    base: tuple[str, ...] | None,
    delta: tuple[str, ...] | None,
    *,
    prepared: bool = False,
) -> dict[str, str]:
    """Relation → SELECT of the province's delta after this run: its previous delta (if any) with this
    run's difference. Leaves `cum_replaced` (the reports and agencies whose rows in the province's files
    the delta replaces) on the connection, unless `replacing` left them there already."""
    if not prepared:
        _replacing(con, directory, province, base, delta)
    where = _province_where(province)
    old = _old_delta(directory, delta)
    again = "report_id NOT IN (SELECT report_id FROM changed_ids)"
    found = {
        relation: _cube_delta_sql(
            relation, old(relation).replace("SELECT *", "SELECT * EXCLUDE (is_current)"), where
        )
        for relation in CUBES
    }
    found["agg_reports"] = (
        f"{old('agg_reports', again)} SELECT {REPORT_COLUMNS_SQL} FROM new_current WHERE {where}"
    )
    found["agg_failed"] = (
        f"{old('agg_failed', again)} SELECT {FAILED_COLUMNS_SQL} FROM new_current AS r "
        f"JOIN new_failed AS c ON c.report_id = r.report_id WHERE r.{where}"
    )
    found["agg_listing"] = (
        f"{old('agg_listing', again)} SELECT {', '.join(LISTING_COLUMNS)} FROM new_current WHERE {where}"
    )
    found["agg_superseded"] = f"{old('agg_superseded', again)} SELECT * FROM new_superseded WHERE {where}"
    found["agg_ranking"] = f"{old('agg_ranking', again)} SELECT * FROM new_ranking WHERE {where}"
    found["agg_profile"] = f"{old('agg_profile', again)} SELECT * FROM new_profile WHERE {where}"
    found["agg_gaps"] = f"{old('agg_gaps', again)} SELECT * FROM new_gaps WHERE {where}"
    kept = "agency_id NOT IN (SELECT agency_id FROM cov_affected)"
    found["agg_coverage"] = f"{old('agg_coverage', kept)} SELECT * FROM cov_new"
    found["agg_agencies"] = (
        f"{old('agg_agencies', kept)} SELECT * FROM ({_agencies_of(directory, province, base, delta)})"
    )
    for relation in ROWS:
        found[relation] += f" ORDER BY {SORT[relation]}"
    found["agg_replaced"] = "SELECT * FROM cum_replaced ORDER BY kind, id"
    return {relation: found[relation] for relation in DELTA_RELATIONS}


def _cube_delta_sql(relation: str, old: str, where: str) -> str:
    """The province's previous delta rows (`old`: a SELECT … UNION ALL, or empty) and this run's summed
    per group; groups whose every measure cancels dropped."""
    keys = ", ".join(CUBE_KEYS[relation])
    nonzero = " OR ".join(f"coalesce(sum({m}), 0) <> 0" for m in CUBE_MEASURES[relation])
    return f"""
        SELECT grain, {DIMS_SQL}, {keys}, {_sums(relation, final=False)}, TRUE AS is_current
        FROM ({old} SELECT * FROM grains_{relation} WHERE {where})
        GROUP BY grain, {DIMS_SQL}, {keys} HAVING {nonzero}
        ORDER BY {SORT[relation]}"""


class _Files:
    """Files to write, taken one at a time by the cursors that write them (`drain`), in the order given;
    `add` more until `close`."""

    def __init__(self, directory: Path, names: dict[str, str]) -> None:
        self.directory, self.names = directory, names
        self.todo: deque[tuple[str, str]] = deque()
        self.ready = threading.Condition()
        self.closed = False

    def add(self, queries: dict[str, str]) -> None:
        with self.ready:
            self.todo.extend(queries.items())
            self.ready.notify_all()

    def close(self, *, drop: bool = False) -> None:
        """No more files (`drop`: nor those not started: the run failed)."""
        with self.ready:
            self.closed = True
            if drop:
                self.todo.clear()
            self.ready.notify_all()

    def drain(self, cursor: Connection, *, staged: bool = False) -> None:
        """Write files until none is left and no more will come (`staged`: each in its stage)."""
        while True:
            with self.ready:
                while not self.todo and not self.closed:
                    self.ready.wait()
                if not self.todo:
                    return
                relation, sql = self.todo.popleft()
            with stage(f"rollups: {relation}") if staged else contextlib.nullcontext():
                copy_to(
                    cursor,
                    sql,
                    self.directory / self.names[relation],
                    ROW_GROUPS.get(relation, ROW_GROUP_ROWS),
                )


def _write(
    con: Connection,
    directory: Path,
    queries: dict[str, str],
    prefix: str,
    run_id: str,
    *,
    beside: bool = False,
    then: Callable[[], dict[str, str]] | None = None,
) -> dict[str, str]:
    """Write each relation's query to its file; relation → file name. `then`: more queries, decided on
    this thread while the first ones are written. `beside`: two cursors take the files one at a time
    (a second one of `con`'s instance, in a thread; store/aside.py), both finished when this returns."""
    files = _Files(directory, {})

    def named(found: dict[str, str]) -> dict[str, str]:
        files.names.update({relation: f"derived/{run_id}/{prefix}-{relation}.parquet" for relation in found})
        return found

    files.add(named(queries))
    aside = Aside(con, files.drain) if beside else None
    try:
        if then is not None:
            files.add(named(then()))
        files.close()
        files.drain(con, staged=True)
    except BaseException:
        files.close(drop=True)
        raise
    finally:
        if aside is not None:
            aside.wait()
    if aside is not None:
        aside.result()
    return files.names


KEPT_WHEN_UNCHANGED = {
    "agg_failed": "SELECT r.report_id FROM new_current AS r JOIN new_failed AS c USING (report_id)",
    "agg_ranking": "SELECT report_id FROM new_ranking",
    "agg_profile": "SELECT report_id FROM new_profile",
    "agg_gaps": "SELECT report_id FROM new_gaps",
}
"""The per-report delta relations whose previous file is kept when the run changes none of their rows:
the changed reports had no rows in the previous delta and have none in the province now (the cumulated
delta is then the previous one, row for row). A report without failed checks or gaps so writes neither
`agg_failed` nor `agg_gaps` again (a write of 6–9 ms of CPU each, and its fsync and collection)."""


def _in_delta(directory: Path, delta: tuple[str, ...], relation: str) -> str:
    """The count of the previous delta's rows of `relation` for the changed reports."""
    old = _read(directory, delta[DELTA_RELATIONS.index(relation)])
    return f"(SELECT count(*) FROM {old} WHERE report_id IN (SELECT report_id FROM changed_ids))"


def _in_province(province: str, relation: str) -> str:
    """The count of this run's new rows of `relation` in the province."""
    where = _province_where(province)
    prefix = "r." if relation == "agg_failed" else ""
    return f"(SELECT count(*) FROM ({KEPT_WHEN_UNCHANGED[relation]} WHERE {prefix}{where}))"


def _changed_in_delta(con: Connection, directory: Path, delta: tuple[str, ...]) -> tuple[int, ...]:
    """For each relation of KEPT_WHEN_UNCHANGED, the previous delta's rows of the changed reports (they
    depend on `changed_ids` only: read beside the differences)."""
    found = con.execute("SELECT " + ", ".join(_in_delta(directory, delta, r) for r in KEPT_WHEN_UNCHANGED))
    return tuple(int(n) for n in found.fetchall()[0])


def _unchanged(
    con: Connection,
    directory: Path,
    province: str,
    delta: tuple[str, ...] | None,
    in_delta: tuple[int, ...] | None = None,
) -> set[str]:
    """The relations of KEPT_WHEN_UNCHANGED whose previous delta file the province's new delta keeps;
    `in_delta`: `_changed_in_delta`, counted already."""
    if delta is None:
        return set()
    if in_delta is None:
        counts = [
            f"{_in_delta(directory, delta, r)} + {_in_province(province, r)}" for r in KEPT_WHEN_UNCHANGED
        ]
        found = con.execute("SELECT " + ", ".join(counts)).fetchall()[0]
    else:
        new = con.execute("SELECT " + ", ".join(_in_province(province, r) for r in KEPT_WHEN_UNCHANGED))
        found = tuple(o + int(n) for o, n in zip(in_delta, new.fetchall()[0], strict=True))
    return {relation for relation, n in zip(KEPT_WHEN_UNCHANGED, found, strict=True) if not n}


def _write_delta(
    con: Connection,
    directory: Path,
    cumulated: dict[str, str],
    province: str,
    delta: tuple[str, ...] | None,
    run_id: str,
    *,
    beside: bool = False,
    in_delta: tuple[int, ...] | None = None,
) -> tuple[str, ...]:
    """The province's new delta files: `_write` of the cumulated delta, but a relation this run changed
    no row of keeps its previous file (`_unchanged`, counted while the other relations are written)."""
    kept: set[str] = set()
    previous = delta or ()

    def maybe() -> dict[str, str]:
        kept.update(_unchanged(con, directory, province, delta, in_delta))
        return {r: sql for r, sql in cumulated.items() if r in KEPT_WHEN_UNCHANGED and r not in kept}

    always = {r: sql for r, sql in cumulated.items() if r not in KEPT_WHEN_UNCHANGED}
    written = _write(con, directory, always, f"p{province}-delta", run_id, beside=beside, then=maybe)
    return tuple(previous[DELTA_RELATIONS.index(r)] if r in kept else written[r] for r in cumulated)


def _fold(
    con: Connection,
    directory: Path,
    province: str,
    base: tuple[str, ...] | None,
    cumulated: dict[str, str],
    run_id: str,
    *,
    beside: bool = False,
) -> tuple[str, ...]:
    """The province's files written again with its delta folded in; () when no row is left."""
    queries = {}
    for index, relation in enumerate(RELATIONS):
        delta = cumulated[relation]
        if relation in CUBES:
            rows = f"SELECT * EXCLUDE (is_current) FROM ({delta})"
            if base:
                rows = f"SELECT * EXCLUDE (is_current) FROM {_read(directory, base[index])} UNION ALL {rows}"
            queries[relation] = f"{cube_sum_sql(relation, rows)} ORDER BY {SORT[relation]}"
            continue
        key, kind = REPLACED_KEY[relation]
        kept = ""
        if base:
            kept = (
                f"SELECT * FROM {_read(directory, base[index])} "
                f"WHERE {key} NOT IN (SELECT id FROM cum_replaced WHERE kind = '{kind}') UNION ALL "
            )
        queries[relation] = f"{kept} SELECT * FROM ({delta}) ORDER BY {SORT[relation]}"
    written = _write(con, directory, queries, f"p{province}", run_id, beside=beside)
    names = tuple(written[relation] for relation in RELATIONS)
    return names if _holds_rows(con, directory, names) else ()


GROUP_REPORTS = 20_000
"""A full build derives the provinces' tables about this many reports at a time: whole provinces packed
into groups (a larger province alone)."""
CHUNK_REPORTS = 20_000
"""…and the cube sums of a group of more current reports than this computed in chunks of report ids of
about this many (`_id_ranges`): the sums' hash tables are what a group's memory grows with. The 100k
build's largest province, 70,900 reports, ran whole at 300 MB (DuckDB's peak 286 MiB) and out of memory at
200 MB; chunks of 17,725 ran at 200 MB, chunks of 23,633 did not. Each chunk costs a first build ≈ 2.3 CPU s
at 100k, since its segments' row groups each span a third of the report ids and a chunk's range skips few
of them (4 chunks: ≈ 7 CPU s more), so a chunk is as large as runs at the tail's limit beside the merges
(store/memory.py BESIDE_LIMIT, 200 MB): chunks of 17,725 at 100k. Its per-report rows are joins of its
reports with their facts, series and checks, computed whole (in chunks they cost ≈ 5 CPU s more at 100k:
docs/scale.md §5, issue12sp)."""


def build_all(con: Connection, directory: Path, catalog: Catalog, run_id: str) -> dict[str, tuple[str, ...]]:
    """Every rollup built from the current reports of `catalog` (its parts and buckets), a group of
    provinces at a time, so that memory is bounded by the largest group and not by the warehouse (a
    province larger than a group has its cube sums computed in chunks of its reports). An agency's
    coverage goes with the province of its latest current report (schema.sql's `agencies`), and is
    computed from all its reports, wherever they are."""
    from warehouse.store.version import scan_sql

    def scan(relation: str) -> str:
        return scan_sql(directory, relation, catalog.files(relation))

    sources = Sources(directory, scan("facts"), scan("report_series"), scan("checks"))
    reports = scan("reports")
    con.execute(f"""
        CREATE OR REPLACE TABLE roll_agency_province AS
        SELECT agency_id, province_code FROM ({reports})
        WHERE agency_id IS NOT NULL AND is_current
        QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY year DESC NULLS LAST, report_id) = 1""")
    sizes = con.execute(
        f"SELECT province_code, count(*) FROM ({reports}) GROUP BY ALL ORDER BY province_code NULLS LAST"
    ).fetchall()
    files: dict[str, tuple[str, ...]] = {}
    where = "(list_contains($codes, province_code) OR (province_code IS NULL AND $none))"
    for group in packed_groups([(code, int(n)) for code, n in sizes], GROUP_REPORTS):
        chosen = {"codes": [str(c) for c in group if c is not None], "none": None in group}
        con.execute(f"CREATE OR REPLACE TABLE roll_new AS SELECT * FROM ({reports}) WHERE {where}", chosen)
        con.execute(
            f"""
            CREATE OR REPLACE TABLE roll_agencies AS SELECT * FROM ({reports})
            WHERE agency_id IN (SELECT agency_id FROM roll_agency_province WHERE {where})""",
            chosen,
        )
        con.execute("CREATE OR REPLACE TABLE roll_old AS SELECT * FROM roll_new WHERE false")
        change = Change(
            "roll_old",
            f"SELECT * FROM ({scan('xchecks')}) WHERE false",
            "roll_new",
            f"SELECT * FROM ({scan('xchecks')}) WHERE report_id IN (SELECT report_id FROM roll_new)",
            "SELECT * FROM roll_agencies",
        )
        files.update(_build_group(con, sources, change, run_id))
        for table in ("roll_new", "roll_agencies", "roll_old"):
            con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE roll_agency_province")
    return files


def _id_ranges(con: Connection) -> list[str]:
    """Conditions on `report_id` that cut the group's current reports (`new_current`) into chunks of about
    CHUNK_REPORTS each, in report order (the parts are sorted by report id: a chunk's reads skip the row
    groups outside its range); [""] (no condition) for one chunk."""
    count = int(con.execute("SELECT count(*) FROM new_current").fetchall()[0][0])
    chunks = -(-count // CHUNK_REPORTS)
    if chunks < 2:
        return [""]
    size = -(-count // chunks)
    starts = con.execute(
        """
        SELECT report_id
        FROM (SELECT report_id, row_number() OVER (ORDER BY report_id) - 1 AS i FROM new_current)
        WHERE i > 0 AND i % $size = 0 ORDER BY report_id""",
        {"size": size},
    ).fetchall()
    bounds: list[str | None] = [None, *(str(row[0]) for row in starts), None]
    return [
        " AND ".join(
            ([f"report_id >= {quoted(low)}"] if low is not None else [])
            + ([f"report_id < {quoted(high)}"] if high is not None else [])
        )
        for low, high in itertools.pairwise(bounds)
    ]


def _chunk_sources(sources: Sources, new_checks: str, condition: str) -> tuple[Sources, str]:
    """The sources and cross-report checks of one chunk's reports (`condition` on `report_id`)."""
    if not condition:
        return sources, new_checks
    within = f"WHERE {condition}"
    chunked = Sources(
        sources.directory,
        f"SELECT * FROM ({sources.facts}) {within}",
        f"SELECT * FROM ({sources.series}) {within}",
        f"SELECT * FROM ({sources.own_checks}) {within}",
    )
    return chunked, f"SELECT * FROM ({new_checks}) {within}"


def _build_group(
    con: Connection, sources: Sources, change: Change, run_id: str
) -> dict[str, tuple[str, ...]]:
    """The files of a group of provinces built from nothing: what `update` writes from an empty previous
    version, computed in fewer passes. Without old rows, the cube differences have one side (the checks
    read once, not once per side), a province's cube rows are the grains' rows as they are (each group
    once: the two sums of a fold, over 1.8 M rows at 100k reports, were 40 % of the build's sorting and
    summing) and its per-report rows are sorted once; `agg_ranking` is summed from the profile rows (a
    subset of the same series rows). The cube sums are computed in chunks of report ids (`_id_ranges`)
    when the group holds more than CHUNK_REPORTS current reports. The coverage is computed on a second cursor
    beside the rest, and the files are written on two."""
    con.execute(f"CREATE OR REPLACE TABLE changed_ids AS SELECT report_id FROM {change.new_reports}")
    _create_deltas(con)
    touched = _touched(con, change)
    con.execute(f"CREATE OR REPLACE TABLE new_current AS SELECT * FROM {change.new_reports} WHERE is_current")
    con.execute(f"""
        CREATE OR REPLACE TABLE new_superseded AS
        SELECT {", ".join(SUPERSEDED_COLUMNS)} FROM {change.new_reports} WHERE NOT is_current""")
    chunks = [_chunk_sources(sources, change.new_checks, condition) for condition in _id_ranges(con)]

    def coverage(cursor: Connection) -> None:
        _coverage(cursor, change, Rollups(), touched, sources.directory)
        _agency_rows(cursor)

    def rows() -> None:
        with stage("rollups: differences"):
            _built_contributions(con, chunks)
        with stage("rollups: failed rows"):
            _failed_rows(con, change.new_checks, sources)
        with stage("rollups: profile rows"):
            _profile_rows(con, sources)
        with stage("rollups: gap rows"):
            _gap_rows(con, sources)
        for relation in CUBES:  # the K rows are read from the delta table: not copied
            con.execute(f"CREATE OR REPLACE TABLE grains_{relation} AS {_grains(relation, k=False)}")

    with stage("rollups: rows, coverage beside"):  # coverage reads none of what the rows write
        if BUILD_BESIDE:
            side_by_side(con, coverage, rows)
        else:
            rows()
            coverage(con)
    files: dict[str, tuple[str, ...]] = {}
    for province in sorted(touched):
        with stage("rollups: province"):
            where = _province_where(province)
            queries = _cumulated(con, sources.directory, province, None, None)
            queries.update({relation: _built_cube_sql(relation, where) for relation in CUBES})
            built = _write(
                con,
                sources.directory,
                {relation: queries[relation] for relation in RELATIONS},
                f"p{province}",
                run_id,
                beside=BUILD_BESIDE,
            )
            names = tuple(built[relation] for relation in RELATIONS)
            if _holds_rows(con, sources.directory, names):
                files[province] = names
    return files


def _new_profile(con: Connection, sources: Sources) -> None:
    """`new_profile`: the ranked series' values of the reports of `new_current`, with their report columns."""
    ranked = ", ".join(f"'{c}'" for c in RANKED_SERIES)
    con.execute(f"""
        CREATE OR REPLACE TABLE new_profile AS
        SELECT {", ".join(f"r.{c}" for c in PROFILE_REPORT_COLUMNS)},
               h.series_code, h.comparable_group, h.breakdown, h.value
        FROM new_current AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
        WHERE h.series_code IN ({ranked})""")


def _profile_rows(con: Connection, sources: Sources) -> None:
    """`new_profile` and `new_ranking` of the reports of `new_current`: the ranking is the profile's total
    rows summed per report and series, as `_new_rows` sums them from the series."""
    breakdowns = ", ".join(f"'{b}'" for b in RANKING_BREAKDOWNS)
    _new_profile(con, sources)
    con.execute(f"""
        CREATE OR REPLACE TABLE new_ranking AS
        SELECT {", ".join(RANKING_COLUMNS[:-3])}, series_code,
               CAST(sum(value) AS DECIMAL(38, 6)) AS value, count(value) AS n_value
        FROM new_profile WHERE breakdown IN ({breakdowns})
        GROUP BY ALL""")


def _gap_rows(con: Connection, sources: Sources) -> None:
    """`new_gaps`: the facts without a value that a ranked series reads, of the reports of `new_current`
    (the facts narrowed to those metrics before the join)."""
    ranked = ", ".join(f"'{c}'" for c in RANKED_SERIES)
    _series_map(con)
    con.execute(f"""
        CREATE OR REPLACE TABLE new_gaps AS
        SELECT {", ".join(f"r.{c}" for c in PROFILE_REPORT_COLUMNS)},
               m.series_code, m.breakdown, f.semantic, f.value_raw
        FROM new_current AS r
        JOIN (SELECT * FROM ({sources.facts}) WHERE value IS NULL AND metric_code IN (
                  SELECT metric_code FROM roll_series_map WHERE series_code IN ({ranked}))) AS f
          ON f.report_id = r.report_id
        JOIN roll_series_map AS m
          ON m.template = r.template AND f.metric_code = m.metric_code
         AND f.breakdown = m.metric_breakdown
        WHERE m.series_code IN ({ranked})""")


SUMMED = {relation: (CUBE_KEYS[relation], CUBE_MEASURES[relation]) for relation in CUBES}


def _chunk_sums(sources: Sources, new_checks: str) -> dict[str, str]:
    """Relation → SELECT of one chunk's cube sums per dimension number (`roll_report_dims`) and key."""
    checks = f"SELECT * FROM ({sources.own_checks}) UNION ALL SELECT * FROM ({new_checks})"
    return {
        "agg_metrics": f"""
            SELECT r.dim, f.metric_code, f.breakdown, CAST(sum(f.value) AS DECIMAL(38, 6)) AS value,
                   sum(CAST(f.value IS NOT NULL AS BIGINT)) AS n_value,
                   sum(CAST(f.semantic = 'blank' AS BIGINT)) AS n_blank, count(*) AS n_rows
            FROM roll_report_dims AS r JOIN ({sources.facts}) AS f ON f.report_id = r.report_id
            GROUP BY ALL""",
        "agg_series": f"""
            SELECT r.dim, h.series_code, h.comparable_group, h.breakdown,
                   CAST(sum(h.value) AS DECIMAL(38, 6)) AS value,
                   sum(CAST(h.value IS NOT NULL AS BIGINT)) AS n_value, count(*) AS n_rows
            FROM roll_report_dims AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
            GROUP BY ALL""",
        "agg_checks": f"""
            SELECT dim, check_id, severity, sum(n_fail) AS n_fail, sum(n_pass) AS n_pass, sum(n_na) AS n_na,
                   sum(CAST(n_fail > 0 AS BIGINT)) AS n_reports_failing, sum(n_rows) AS n_rows
            FROM (
                SELECT r.dim, r.report_id, c.check_id, c.severity,
                       count(*) FILTER (WHERE c.status = 'fail') AS n_fail,
                       count(*) FILTER (WHERE c.status = 'pass') AS n_pass,
                       count(*) FILTER (WHERE c.status = 'not_assessable') AS n_na,
                       count(*) AS n_rows
                FROM roll_report_dims AS r JOIN ({checks}) AS c ON c.report_id = r.report_id
                GROUP BY ALL
            )
            GROUP BY dim, check_id, severity""",
    }


def _built_contributions(con: Connection, chunks: Sequence[tuple[Sources, str]]) -> None:
    """The delta tables' K-grain rows of the reports of `new_current`, as `_contributions` has them for
    one side: summed per group of dimensions numbered first (`roll_dims`), whose columns are joined to
    the sums after, instead of grouping 14 M facts by nine text columns (at 100k reports 4.8 → 2.9 CPU s
    for the metrics). `chunks`: the sources and cross-report checks of each chunk of the reports; with
    several, each chunk's sums are staged and summed again per number and key (exact: DECIMAL and
    integer sums), so no chunk's aggregate holds the whole group's groups of facts."""
    con.execute(f"""
        CREATE OR REPLACE TABLE roll_report_dims AS
        SELECT report_id, dense_rank() OVER (ORDER BY {DIMS_SQL}) AS dim, {DIMS_SQL} FROM new_current""")
    con.execute(f"CREATE OR REPLACE TABLE roll_dims AS SELECT DISTINCT dim, {DIMS_SQL} FROM roll_report_dims")
    dims = "d." + DIMS_SQL.replace(", ", ", d.")
    summed = {relation: "" for relation in CUBES}
    if len(chunks) == 1:
        summed = _chunk_sums(*chunks[0])
    else:
        for number, chunk in enumerate(chunks):
            for relation, sql in _chunk_sums(*chunk).items():
                if number:
                    con.execute(f"INSERT INTO roll_sums_{relation} {sql}")
                else:
                    con.execute(f"CREATE OR REPLACE TABLE roll_sums_{relation} AS {sql}")
        for relation, (keys, measures) in SUMMED.items():
            summed[relation] = f"""
                SELECT dim, {", ".join(keys)}, {", ".join(f"sum({m}) AS {m}" for m in measures)}
                FROM roll_sums_{relation} GROUP BY dim, {", ".join(keys)}"""
    for relation in CUBES:
        con.execute(f"""
            INSERT INTO delta_{relation}
            SELECT {dims}, s.* EXCLUDE (dim)
            FROM ({summed[relation]}) AS s JOIN roll_dims AS d USING (dim)""")
        if len(chunks) > 1:
            con.execute(f"DROP TABLE roll_sums_{relation}")
    con.execute("DROP TABLE roll_report_dims")
    con.execute("DROP TABLE roll_dims")


def _built_cube_sql(relation: str, where: str) -> str:
    """A province's cube file from nothing: its rows of `grains_<relation>` (one per group) as `_fold`
    writes them, `value` NULL where no value is summed. The counts are cast (HUGEINT, a sum's type) and
    read through a CASE, so that they are nullable as a sum's are: DuckDB writes a column it knows to
    hold no NULL as a required Parquet field, and the file's schema would then differ from a fold's."""
    measures = [
        "CASE WHEN n_value > 0 THEN value END AS value"
        if measure == "value"
        else f"CASE WHEN n_rows <> 0 THEN CAST({measure} AS HUGEINT) END AS {measure}"
        for measure in CUBE_MEASURES[relation]
    ]
    return f"""
        SELECT grain, {DIMS_SQL}, {", ".join(CUBE_KEYS[relation])}, {", ".join(measures)}, TRUE AS is_current
        FROM ({_own_grain(relation)} UNION ALL SELECT * FROM grains_{relation})
        WHERE {where} AND n_rows <> 0
        ORDER BY {SORT[relation]}"""


def _holds_rows(con: Connection, directory: Path, names: tuple[str, ...]) -> bool:
    """Whether a province's files hold a row; they are removed when none does."""
    counts = con.execute(
        "SELECT sum(num_rows) FROM parquet_file_metadata(["
        + ", ".join(quoted(directory / n) for n in names)
        + "])"
    ).fetchall()
    if counts[0][0]:
        return True
    for name in names:
        (directory / name).unlink()
    return False


# --- agg_agencies: one row per agency (and name and place, where those vary), its years as bit masks ---

YEAR_BASE = 2000
"""Bit `year - YEAR_BASE` of a year mask stands for the year (etl/metadata.py keeps no year before 2000)."""
LAST_MASK_YEAR = YEAR_BASE + 62
NULL_YEAR_BIT = 63
"""The bit of a report without a year (a filter with a year range leaves it out)."""
MASK_TEMPLATES = ("old", "old_fujian", "v2019", "v2021")
"""schema.sql's templates (`warehouse.filters.TEMPLATES`, tested equal; not imported: that imports the
parser)."""
MASK_SCOPES = ("own", "aggregate")
"""`warehouse.filters.SCOPES`; a report without a scope counts as `own`, as `ReportFilter.condition` has
it."""
AGENCY_KEY_COLUMNS = (
    "agency_id",
    "agency",
    "province_code",
    "city_code",
    "county_code",
    "agency_level",
    "agency_kind",
    "is_vertical",
)


def mask_column(template: str, scope: str) -> str:
    return f"years_{template}_{scope}"


MASK_COLUMNS = tuple(mask_column(t, s) for t in MASK_TEMPLATES for s in MASK_SCOPES)
AGENCY_OWN_COLUMNS = (*AGENCY_KEY_COLUMNS, "is_current", "n_rows", *MASK_COLUMNS, "odd_years")
"""`agg_agencies`' columns from the agency's current reports: one row per agency and value of the columns
`ReportFilter.condition(per_report=False)` tests (warehouse/filters.py) — so one row per agency, unless its
name, place, level, kind or verticality differ between its reports; `n_rows` its rows in the table (1: no
grouping needed), `is_current` TRUE; `years_<template>_<scope>` the bit mask of the years of its reports of
that template and scope (YEAR_BASE, NULL_YEAR_BIT), so a filter's templates, scope and years are a mask
test; `odd_years` whether a report's year lies past LAST_MASK_YEAR or its template or scope is none of
those (the masks cannot answer for it: the pages then read `agg_reports`)."""
AGENCY_COVERAGE_COLUMNS = ("cover_name", "covered", "flagged", "odd_coverage")
"""…and from its `agg_coverage` rows, the same on each of its rows: the grid's name for it, the mask of the
years it has a row in, of those the years the coverage grid flags (missing within its span, several
versions), and whether a year of its rows lies past the masks."""
AGENCY_COLUMNS = (*AGENCY_OWN_COLUMNS, *AGENCY_COVERAGE_COLUMNS)


def year_bit(column: str) -> str:
    """The UBIGINT bit of the year in `column` (NULL_YEAR_BIT for NULL, none for a year past the masks)."""
    return (
        f"CASE WHEN {column} IS NULL THEN (1::UBIGINT << {NULL_YEAR_BIT}::UBIGINT) "
        f"WHEN {column} BETWEEN {YEAR_BASE} AND {LAST_MASK_YEAR} "
        f"THEN (1::UBIGINT << ({column} - {YEAR_BASE})::UBIGINT) ELSE 0::UBIGINT END"
    )


def year_mask(year_from: int | None, year_to: int | None) -> int:
    """The mask of the years a filter's range keeps: every bit, NULL's too, without a bound."""
    if year_from is None and year_to is None:
        return (1 << 64) - 1
    low = max(YEAR_BASE if year_from is None else year_from, YEAR_BASE)
    high = min(LAST_MASK_YEAR if year_to is None else year_to, LAST_MASK_YEAR)
    return sum(1 << (year - YEAR_BASE) for year in range(low, high + 1))


def agency_mask_sql(alias: str, templates: tuple[str, ...], scope: str) -> str:
    """The mask of the years of an agency row's reports of `templates` (every one when empty) and `scope`."""
    wanted = [t for t in MASK_TEMPLATES if not templates or t in templates]
    columns = [f"{alias}.{mask_column(t, scope)}" for t in wanted if scope in MASK_SCOPES]
    return "(" + (" | ".join(columns) or "0::UBIGINT") + ")"


def _agency_rows(con: Connection) -> None:
    """`roll_agency_rows`: the own columns of `agg_agencies` for the agencies of `cov.reports` (those whose
    coverage `_coverage` computed again), each with `_province`, the file key of its latest current report
    (schema.sql's `agencies`, as `coverage_rows` has it): an agency's rows go with its coverage."""
    keys = ", ".join(f"r.{c}" for c in AGENCY_KEY_COLUMNS)
    scope = "coalesce(r.scope, 'own')"
    masks = ",\n".join(
        f"coalesce(bit_or({year_bit('r.year')}) FILTER (WHERE r.template = '{t}' AND {scope} = '{s}'), "
        f"0::UBIGINT) AS {mask_column(t, s)}"
        for t in MASK_TEMPLATES
        for s in MASK_SCOPES
    )
    known_templates = ", ".join(f"'{t}'" for t in MASK_TEMPLATES)
    known_scopes = ", ".join(f"'{s}'" for s in MASK_SCOPES)
    odd = (
        f"r.year NOT BETWEEN {YEAR_BASE} AND {LAST_MASK_YEAR} OR r.template NOT IN ({known_templates}) "
        f"OR {scope} NOT IN ({known_scopes})"
    )
    con.execute(f"""
        CREATE OR REPLACE TABLE roll_agency_rows AS
        WITH latest AS (
            SELECT agency_id, coalesce(province_code, '{NO_PROVINCE}') AS _province FROM cov.reports
            WHERE agency_id IS NOT NULL AND is_current
            QUALIFY row_number() OVER (PARTITION BY agency_id ORDER BY year DESC NULLS LAST, report_id) = 1
        ), grouped AS (
            SELECT {keys}, {masks},
                   coalesce(bool_or({odd}), FALSE) AS odd_years
            FROM cov.reports AS r
            WHERE r.is_current AND r.agency_id IS NOT NULL
            GROUP BY {keys}
        )
        SELECT {", ".join(f"g.{c}" for c in AGENCY_KEY_COLUMNS)}, TRUE AS is_current,
               count(*) OVER (PARTITION BY g.agency_id) AS n_rows,
               {", ".join(f"g.{c}" for c in MASK_COLUMNS)}, g.odd_years, l._province
        FROM grouped AS g JOIN latest AS l ON l.agency_id = g.agency_id""")


def _agencies_of(
    directory: Path,
    province: str,
    base: tuple[str, ...] | None,
    delta: tuple[str, ...] | None,
) -> str:
    """The SELECT of the `agg_agencies` rows of the province's agencies whose coverage changed
    (`cov_affected`, after `_coverage_of`): those whose reports changed from `roll_agency_rows`, their
    peers' own columns as the previous version shows them (`shown`: their reports did not change), and
    every one's coverage columns from `cov_new`; read once, by the province's write (no table of its own)."""
    own = ", ".join(AGENCY_OWN_COLUMNS)
    shown = _shown(directory, "agg_agencies", base, delta)
    peers = ""
    if shown:
        peers = f"""
            UNION ALL SELECT {own} FROM ({shown})
            WHERE agency_id IN (SELECT agency_id FROM cov_peers)"""
    flagged = "status = 'several_versions' OR (status = 'missing' AND within_span)"
    return f"""
        WITH own AS (
            SELECT {own} FROM roll_agency_rows WHERE _province = '{province}'{peers}
        ), cover AS (
            SELECT agency_id, any_value(agency_name) AS cover_name, bit_or({year_bit("year")}) AS covered,
                   coalesce(bit_or({year_bit("year")}) FILTER (WHERE {flagged}), 0::UBIGINT) AS flagged,
                   coalesce(bool_or(year NOT BETWEEN {YEAR_BASE} AND {LAST_MASK_YEAR}), FALSE) AS odd_coverage
            FROM cov_new GROUP BY agency_id
        )
        SELECT {", ".join(f"o.{c}" for c in AGENCY_OWN_COLUMNS)}, c.cover_name,
               coalesce(c.covered, 0::UBIGINT) AS covered, coalesce(c.flagged, 0::UBIGINT) AS flagged,
               coalesce(c.odd_coverage, FALSE) AS odd_coverage
        FROM own AS o LEFT JOIN cover AS c ON c.agency_id = o.agency_id"""
