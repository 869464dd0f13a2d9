"""Pre-aggregated tables for the dashboard's pages, one file per province and relation, kept by delta.

Current reports only. Cubes (`agg_metrics`, `agg_series`, `agg_checks`) hold sums and counts per
(grain, place, year, template, level, kind, vertical, scope) × metric / series / check, at three grains:
`P` (per province), `C` (per city) and `K` (per county), so a view of the whole country sums the province
rows and a county view reads its county's rows only. Own and aggregate scope are a dimension, never summed
together by the queries. Per-report rollups: `agg_reports` (the report columns the pages filter and count
on), `agg_failed` (failed checks with their report's columns) and `agg_coverage` (the `coverage` view,
materialised per province of the agency).

An ingest changes the rows of the reports it derived again (`recomputed` in store/derive.py) and removes
the dead ones. The cubes take the difference: the old rows' contributions subtracted, the new rows' added,
groups left without rows dropped — sums are DECIMAL, so this is exact. Per-report rollups replace the rows
of those reports; coverage is computed again for the touched provinces. Only the touched provinces' files
are rewritten. A full derivation builds everything from the current reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.store.catalog import Catalog
from warehouse.store.parts import copy_to
from warehouse.store.stages import stage

Connection = duckdb.DuckDBPyConnection

CUBES = ("agg_metrics", "agg_series", "agg_checks")
ROWS = ("agg_reports", "agg_failed", "agg_coverage", "agg_ranking")
RELATIONS = (*CUBES, *ROWS)
NO_PROVINCE = "none"
SMALL_CHANGE = 5000
"""Up to this many changed reports, their rows are looked up by id; beyond, the parts are scanned."""
"""The file key of reports without a province."""

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
REPORT_COLUMNS = (
    "report_id",
    "agency_id",
    "agency",
    "year",
    "template",
    "province",
    "city",
    "county",
    "province_code",
    "city_code",
    "county_code",
    "place_code",
    "place_status",
    "agency_level",
    "agency_kind",
    "is_vertical",
    "scope",
    "checks_failed",
    "source_file",
    "is_current",
)
REPORT_COLUMNS_SQL = ", ".join(REPORT_COLUMNS)
FAILED_REPORT_COLUMNS = ("report_id", "agency_id", "agency", "source_file", *DIMENSIONS, "is_current")
FAILED_CHECK_COLUMNS = ("check_id", "severity", "breakdown", "expected", "actual", "message", "message_zh")
FAILED_COLUMNS_SQL = ", ".join(
    [f"r.{c}" for c in FAILED_REPORT_COLUMNS] + [f"c.{c}" for c in FAILED_CHECK_COLUMNS]
)
FAILED_NAMES_SQL = ", ".join((*FAILED_REPORT_COLUMNS, *FAILED_CHECK_COLUMNS))
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
SORT = {
    "agg_metrics": f"grain, metric_code, breakdown, {DIMS_SQL}",
    "agg_series": f"grain, series_code, comparable_group, breakdown, {DIMS_SQL}",
    "agg_checks": f"grain, check_id, severity, {DIMS_SQL}",
    "agg_reports": "city_code, county_code, year, report_id",
    "agg_failed": "city_code, county_code, report_id, check_id, breakdown",
    "agg_coverage": "agency_id, year",
    "agg_ranking": "series_code, year, province_code, city_code, county_code, report_id",
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

    def only(self, ids: list[str]) -> Sources:
        """The same, restricted to `ids` by a constant list DuckDB checks against each row group's min/max
        (the parts are sorted by report id), so a small ingest reads a few row groups, not every fact."""
        listed = ", ".join("'" + i.replace("'", "''") + "'" for i in ids) or "NULL"
        where = f"WHERE report_id IN ({listed})"
        return Sources(
            self.directory,
            f"SELECT * FROM ({self.facts}) {where}",
            f"SELECT * FROM ({self.series}) {where}",
            f"SELECT * FROM ({self.own_checks}) {where}",
        )


def _contributions(con: Connection, sources: Sources, reports: str, checks: str, signed: str) -> None:
    """Insert into the delta tables the K-grain cube rows of the current reports in table `reports`,
    multiplied by `signed` (1 or -1); `checks` is a SELECT of their cross-report check rows."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE contrib_ids AS
        SELECT report_id, {DIMS_SQL}, checks_failed FROM {reports} WHERE is_current
    """)
    sign = f"CAST({signed} AS BIGINT)"
    con.execute(f"""
        INSERT INTO delta_agg_metrics
        SELECT r.{DIMS_SQL.replace(", ", ", r.")}, f.metric_code, f.breakdown,
               CAST(sum({sign} * f.value) AS DECIMAL(38, 6)),
               sum({sign} * CAST(f.value IS NOT NULL AS BIGINT)),
               sum({sign} * CAST(f.semantic = 'blank' AS BIGINT)), sum({sign})
        FROM contrib_ids AS r JOIN ({sources.facts}) AS f ON f.report_id = r.report_id
        GROUP BY ALL
    """)
    con.execute(f"""
        INSERT INTO delta_agg_series
        SELECT r.{DIMS_SQL.replace(", ", ", r.")}, h.series_code, h.comparable_group, h.breakdown,
               CAST(sum({sign} * h.value) AS DECIMAL(38, 6)),
               sum({sign} * CAST(h.value IS NOT NULL AS BIGINT)),
               sum({sign})
        FROM contrib_ids AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
        GROUP BY ALL
    """)
    con.execute(f"""
        INSERT INTO delta_agg_checks
        SELECT {DIMS_SQL}, check_id, severity, sum({sign} * n_fail), sum({sign} * n_pass), sum({sign} * n_na),
               sum({sign} * CAST(n_fail > 0 AS BIGINT)), sum({sign} * n_rows)
        FROM (
            SELECT r.{DIMS_SQL.replace(", ", ", r.")}, r.report_id, c.check_id, c.severity,
                   count(*) FILTER (WHERE c.status = 'fail') AS n_fail,
                   count(*) FILTER (WHERE c.status = 'pass') AS n_pass,
                   count(*) FILTER (WHERE c.status = 'not_assessable') AS n_na,
                   count(*) AS n_rows
            FROM contrib_ids AS r
            JOIN (SELECT * FROM ({sources.own_checks}) UNION ALL SELECT * FROM ({checks})) AS c
              ON c.report_id = r.report_id
            GROUP BY ALL
        )
        GROUP BY ALL
    """)


def _create_deltas(con: Connection) -> None:
    dims = (
        "province_code VARCHAR, city_code VARCHAR, county_code VARCHAR, year INTEGER, template VARCHAR, "
        "agency_level VARCHAR, agency_kind VARCHAR, is_vertical BOOLEAN, scope VARCHAR"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE delta_agg_metrics ({dims}, metric_code VARCHAR, breakdown VARCHAR,
            value DECIMAL(38, 6), n_value BIGINT, n_blank BIGINT, n_rows BIGINT)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE delta_agg_series ({dims}, series_code VARCHAR,
            comparable_group VARCHAR, breakdown VARCHAR, value DECIMAL(38, 6), n_value BIGINT,
            n_rows BIGINT)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE delta_agg_checks ({dims}, check_id VARCHAR, severity VARCHAR,
            n_fail BIGINT, n_pass BIGINT, n_na BIGINT, n_reports_failing BIGINT, n_rows BIGINT)""")


def _grains(relation: str) -> str:
    """The delta at the three grains: K as computed, C and P summed from it."""
    keys = ", ".join(CUBE_KEYS[relation])
    sums = ", ".join(f"sum({m}) AS {m}" for m in CUBE_MEASURES[relation])
    rest = "year, template, agency_level, agency_kind, is_vertical, scope"
    return f"""
        SELECT 'K' AS grain, * FROM delta_{relation}
        UNION ALL
        SELECT 'C', province_code, city_code, NULL, {rest}, {keys}, {sums}
        FROM delta_{relation} GROUP BY province_code, city_code, {rest}, {keys}
        UNION ALL
        SELECT 'P', province_code, NULL, NULL, {rest}, {keys}, {sums}
        FROM delta_{relation} GROUP BY province_code, {rest}, {keys}"""


def _merged(relation: str, old: str, province: str) -> str:
    """The province's old cube rows plus the delta, summed; empty groups dropped."""
    keys = ", ".join(CUBE_KEYS[relation])
    sums = ", ".join(f"sum({m}) AS {m}" for m in CUBE_MEASURES[relation])
    if "value" in CUBE_MEASURES[relation]:
        sums = sums.replace("sum(value) AS value", "CASE WHEN sum(n_value) > 0 THEN sum(value) END AS value")
    where = "province_code IS NULL" if province == NO_PROVINCE else f"province_code = '{province}'"
    return f"""
        SELECT grain, {DIMS_SQL}, {keys}, {sums}, TRUE AS is_current
        FROM (SELECT * EXCLUDE (is_current) FROM ({old})
              UNION ALL SELECT * FROM grains_{relation} WHERE {where})
        GROUP BY grain, {DIMS_SQL}, {keys}
        HAVING sum(n_rows) <> 0
        ORDER BY {SORT[relation]}"""


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


def update(
    con: Connection,
    sources: Sources,
    change: Change,
    previous: dict[str, tuple[str, ...]],
    run_id: str,
) -> dict[str, tuple[str, ...]]:
    """Province → rollup files (in RELATIONS order) of the new version; `previous` is empty for a full
    build, and then `old_reports` must be empty."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE changed_ids AS
        SELECT report_id FROM {change.old_reports} UNION SELECT report_id FROM {change.new_reports}""")
    ids = [str(r[0]) for r in con.execute("SELECT report_id FROM changed_ids ORDER BY 1").fetchall()]
    if len(ids) <= SMALL_CHANGE:
        sources = sources.only(ids)
    _create_deltas(con)
    with stage("rollups: differences"):
        _contributions(con, sources, change.old_reports, change.old_checks, "-1")
        _contributions(con, sources, change.new_reports, change.new_checks, "1")
    touched = _touched(con, change)
    for relation in CUBES:
        con.execute(f"CREATE OR REPLACE TEMP TABLE grains_{relation} AS {_grains(relation)}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new_current AS
        SELECT * FROM {change.new_reports} WHERE is_current""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new_failed AS
        SELECT * FROM (SELECT * FROM ({sources.own_checks}) UNION ALL SELECT * FROM ({change.new_checks}))
        WHERE status = 'fail' AND report_id IN (SELECT report_id FROM new_current)""")
    breakdowns = ", ".join(f"'{b}'" for b in RANKING_BREAKDOWNS)
    ranked = ", ".join(f"'{c}'" for c in RANKED_SERIES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE new_ranking AS
        SELECT {", ".join(f"r.{c}" for c in RANKING_COLUMNS[:-3])}, h.series_code,
               CAST(sum(h.value) AS DECIMAL(38, 6)) AS value, count(h.value) AS n_value
        FROM new_current AS r JOIN ({sources.series}) AS h ON h.report_id = r.report_id
        WHERE h.breakdown IN ({breakdowns}) AND h.series_code IN ({ranked})
        GROUP BY ALL""")
    with stage("rollups: coverage"):
        _coverage(con, change, {p: f for p, f in previous.items() if p in touched}, sources.directory)
    files = dict(previous)
    for province in sorted(touched):
        with stage("rollups: write province"):
            files[province] = _write_province(
                con, sources.directory, previous.get(province), province, run_id
            )
    return {p: f for p, f in files.items() if f}


def _touched(con: Connection, change: Change) -> set[str]:
    found = con.execute(f"""
        SELECT DISTINCT province_code FROM {change.old_reports}
        UNION SELECT DISTINCT province_code FROM {change.new_reports}""").fetchall()
    return {province_key(row[0]) for row in found}


def _coverage(con: Connection, change: Change, previous: dict[str, tuple[str, ...]], directory: Path) -> None:
    """Tables for the coverage rollup of the touched provinces. An agency's coverage rows depend on its
    own reports and on the years its place's peers published in, so only two kinds of agency change:
    those whose reports changed (`cov_changed`: computed again with schema.sql's view over just their
    reports and their places' peer years, into `coverage_rows`) and the others at a place whose peer
    years may have changed (`cov_places`: their rows outside their span are redrawn from `cov_years`)."""
    from warehouse.store.version import schema_view_sql

    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cov_changed AS
        SELECT DISTINCT agency_id FROM ({change.agency_reports}) WHERE agency_id IS NOT NULL""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cov_places AS
        SELECT DISTINCT place_code FROM (SELECT place_code FROM {change.old_reports}
                                         UNION ALL SELECT place_code FROM {change.new_reports})
        WHERE place_code IS NOT NULL""")
    # A place's reports are all in its province's file, and a place whose peer years change is touched.
    stored = [directory / files[RELATIONS.index("agg_reports")] for files in previous.values() if files]
    old_current = "SELECT NULL::VARCHAR AS place_code, NULL::INTEGER AS year WHERE false"
    if stored:
        paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in stored)
        old_current = f"""
            SELECT place_code, year FROM read_parquet([{paths}])
            WHERE place_code IN (SELECT place_code FROM cov_places)
              AND report_id NOT IN (SELECT report_id FROM changed_ids)"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE cov_years AS
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


def _coverage_sql(directory: Path, old_file: str | None, province: str) -> str:
    """The province's coverage rows: the old rows of agencies nothing touched, the old rows of peers at a
    touched place with their years outside their span redrawn, and the changed agencies' new rows."""
    fresh = f"SELECT * EXCLUDE (_province) FROM coverage_rows WHERE _province = '{province}'"
    if old_file is None:
        return f"{fresh} ORDER BY {SORT['agg_coverage']}"
    old = f"SELECT * FROM read_parquet('{directory / old_file}')"
    return f"""
        WITH old AS (
            SELECT * FROM ({old}) WHERE agency_id NOT IN (SELECT agency_id FROM cov_changed)
        ), peers AS (
            SELECT * FROM old WHERE place_code IN (SELECT place_code FROM cov_places)
        ), spans AS (
            SELECT agency_id, any_value(agency_name) AS agency_name, any_value(place_code) AS place_code,
                   min(year) FILTER (WHERE within_span) AS first_year,
                   max(year) FILTER (WHERE within_span) AS last_year
            FROM peers GROUP BY agency_id
        )
        SELECT * FROM old WHERE place_code IS NULL OR place_code NOT IN (SELECT place_code FROM cov_places)
        UNION ALL SELECT * FROM peers WHERE within_span
        UNION ALL
        SELECT s.agency_id, s.agency_name, s.place_code, y.year, 'missing', CAST(0 AS BIGINT),
               CAST(NULL AS VARCHAR), FALSE
        FROM spans AS s JOIN cov_years AS y ON y.place_code = s.place_code
        WHERE y.year NOT BETWEEN s.first_year AND s.last_year
        UNION ALL {fresh}
        ORDER BY {SORT["agg_coverage"]}"""


def _old_rows(directory: Path, relation: str, file: str | None) -> str:
    if relation == "agg_coverage":  # computed again for a touched province, never carried over
        return ""
    if file is not None:
        names = {
            "agg_reports": REPORT_COLUMNS_SQL,
            "agg_failed": FAILED_NAMES_SQL,
            "agg_ranking": ", ".join(RANKING_COLUMNS),
        }.get(relation) or ", ".join(
            ("grain", *DIMENSIONS, *CUBE_KEYS[relation], *CUBE_MEASURES[relation], "is_current")
        )
        return f"SELECT {names} FROM read_parquet('{directory / file}')"
    if relation in CUBES:
        return f"SELECT *, TRUE AS is_current FROM grains_{relation} WHERE false"
    if relation == "agg_reports":
        return f"SELECT {REPORT_COLUMNS_SQL} FROM new_current WHERE false"
    if relation == "agg_ranking":
        return "SELECT * FROM new_ranking WHERE false"
    return (
        f"SELECT {FAILED_COLUMNS_SQL} FROM new_current AS r "
        "JOIN new_failed AS c ON c.report_id = r.report_id WHERE false"
    )


def _write_province(
    con: Connection, directory: Path, old: tuple[str, ...] | None, province: str, run_id: str
) -> tuple[str, ...]:
    where = "province_code IS NULL" if province == NO_PROVINCE else f"province_code = '{province}'"
    names: list[str] = []
    counts = 0
    for index, relation in enumerate(RELATIONS):
        old_sql = _old_rows(directory, relation, old[index] if old else None)
        if relation in CUBES:
            sql = _merged(relation, old_sql, province)
        elif relation == "agg_reports":
            sql = f"""
                SELECT * FROM ({old_sql}) WHERE report_id NOT IN (SELECT report_id FROM changed_ids)
                UNION ALL SELECT {REPORT_COLUMNS_SQL} FROM new_current WHERE {where}
                ORDER BY {SORT[relation]}"""
        elif relation == "agg_failed":
            sql = f"""
                SELECT * FROM ({old_sql}) WHERE report_id NOT IN (SELECT report_id FROM changed_ids)
                UNION ALL SELECT {FAILED_COLUMNS_SQL} FROM new_current AS r
                JOIN new_failed AS c ON c.report_id = r.report_id WHERE r.{where}
                ORDER BY {SORT[relation]}"""
        elif relation == "agg_ranking":
            sql = f"""
                SELECT * FROM ({old_sql}) WHERE report_id NOT IN (SELECT report_id FROM changed_ids)
                UNION ALL SELECT * FROM new_ranking WHERE {where}
                ORDER BY {SORT[relation]}"""
        else:
            sql = _coverage_sql(directory, old[index] if old else None, province)
        name = f"derived/{run_id}/p{province}-{relation}.parquet"
        with stage(f"rollups: {relation}"):
            counts += copy_to(con, sql, directory / name)
        names.append(name)
    if counts == 0:
        for name in names:
            (directory / name).unlink()
        return ()
    return tuple(names)


def build_all(con: Connection, directory: Path, catalog: Catalog, run_id: str) -> dict[str, tuple[str, ...]]:
    """Every rollup built from the current reports of `catalog` (its parts and buckets)."""
    from warehouse.store.version import scan_sql

    def scan(relation: str) -> str:
        return scan_sql(directory, relation, catalog.files(relation))

    sources = Sources(directory, scan("facts"), scan("report_series"), scan("checks"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE roll_new AS {scan('reports')}")
    con.execute("CREATE OR REPLACE TEMP TABLE roll_old AS SELECT * FROM roll_new WHERE false")
    change = Change(
        "roll_old",
        f"SELECT * FROM ({scan('xchecks')}) WHERE false",
        "roll_new",
        scan("xchecks"),
        "SELECT * FROM roll_new",
    )
    return update(con, sources, change, {}, run_id)
