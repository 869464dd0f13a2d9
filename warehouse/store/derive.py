"""Recompute what depends on more than one report, only for the agencies an ingest touched.

The touched agencies are those of the reports loaded (or revived) in the run, of the reports it made
orphans (their file now holds other content) and of the reports whose file name moved. For them every
report row is derived again — places after overrides, agency id, level and kind, is_current,
checks_failed — and X1, X2, X3, X5 are recomputed with the same SQL as always (warehouse/crosschecks).
X4 (identical tables across agencies) also reaches the current reports of other agencies whose
fingerprint and year equal one of the touched reports' old or new ones. Only the buckets holding any of
these reports are rewritten; the others are carried over by reference. With `full`, every agency is
touched (the overrides or aliases changed, or the first build), a group of buckets at a time
(store/full.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass, replace
from pathlib import Path

from warehouse.crosschecks import COLUMNS as CHECK_COLUMNS
from warehouse.crosschecks import check_sql
from warehouse.engine import duckdb
from warehouse.load import Batch, refresh_current, refresh_places, refresh_source_files
from warehouse.store import rollups
from warehouse.store.aside import Aside
from warehouse.store.catalog import Catalog, absolute, stored_columns
from warehouse.store.parts import BUCKET_DICTIONARY, copy_to
from warehouse.store.rollups import Rollups
from warehouse.store.stages import stage
from warehouse.store.version import insert_rows, scan_sql

Connection = duckdb.DuckDBPyConnection
X_PER_AGENCY = ("X1", "X2", "X3", "X5")
COUNT_FAILED = """
    UPDATE recomputed SET checks_failed = recomputed._own_failed + coalesce(x.n, 0)
    FROM (SELECT r.report_id, count(x.report_id) AS n FROM recomputed AS r
          LEFT JOIN xfinal AS x ON x.report_id = r.report_id AND x.status = 'fail'
          GROUP BY r.report_id) AS x
    WHERE recomputed.report_id = x.report_id
"""
"""`checks_failed` of the rows of `recomputed`: their own failed checks and their failures in `xfinal`."""
LISTED = 1000
"""Up to this many paths of a run are looked up in the sources log as a constant list."""
CHECKED_COLUMNS = "report_id, metric_code, breakdown, value"
"""The columns of the check inputs that X1 and X2 read (of twelve): the touched agency's rows are read from
row groups of ~100,000 rows of the earlier parts, 29 → 21 ms at 100k for these four columns."""
ASIDE_REPORTS = 500
"""Up to this many reports derived again, their buckets are written on a second cursor while the
pre-aggregated tables are computed (`Aside`); beyond, one after the other (memory for both at once)."""


@dataclass(frozen=True)
class Derived:
    buckets: dict[int, tuple[str, str]]
    dead: frozenset[str]
    revived: frozenset[str]
    rollups: Rollups
    n_reports: int | None
    """Rows of the new buckets' report files; None when the previous count was not known."""


@dataclass(frozen=True)
class Inputs:
    directory: Path
    previous: Catalog | None
    written: Catalog
    """The parts this run wrote (its `parts` only)."""
    batch: Batch
    run_id: str
    full: bool
    n_buckets: int
    """Buckets of the new version: more than the previous version's only in a full derivation."""
    on_buckets: Callable[[dict[int, tuple[str, str]]], None] | None = None
    """Told the new version's buckets as soon as a small run has written them (before its pre-aggregated
    tables), from the thread that wrote them: the version's views over them are bound meanwhile."""


def _report_columns() -> str:
    return ", ".join(c for c, _ in stored_columns("reports"))


def _check_columns() -> str:
    return ", ".join(c for c, _ in stored_columns("xchecks"))


def _column(con: Connection, sql: str, params: list[object] | None = None) -> list[str]:
    return [str(row[0]) for row in con.execute(sql, params or []).fetchall()]


class _Deriver:
    def __init__(self, con: Connection, inputs: Inputs) -> None:
        self.con, self.inputs = con, inputs
        self.directory = inputs.directory
        self.previous = inputs.previous or Catalog()
        self.n = inputs.n_buckets
        self.fresh: frozenset[str] = frozenset()
        """The reports parsed in this run (not revived): no earlier part or log row holds them."""

    def scan(self, relation: str, catalog: Catalog, hidden: bool = True) -> str:
        return scan_sql(self.directory, relation, catalog.files(relation), hidden=hidden)

    def prev_reports(self, buckets: list[int] | None = None) -> str:
        """Report rows of the previous version (all buckets, or the given ones)."""
        files = self.previous.files("reports")
        if buckets is not None:
            wanted = set(buckets)
            files = [self.previous.buckets[b][0] for b in sorted(wanted) if b in self.previous.buckets]
        return scan_sql(self.directory, "reports", files)

    def latest_sources(self, where: str) -> str:
        """The current path → report rows of the paths that have a log row matching `where` (the log is
        filtered before the latest row per path is taken, so this reads what the run touches)."""
        log = self.scan("sources_log", self.previous)
        return f"""
            SELECT path, report_id FROM ({log})
            WHERE path IN (SELECT path FROM ({log}) WHERE {where})
            QUALIFY row_number() OVER (PARTITION BY path ORDER BY _seq DESC) = 1"""

    def sources_of(self, paths: list[str]) -> str:
        """The current path → report rows of the given paths. Up to LISTED paths are a constant list, which
        DuckDB checks against each row group's min/max (the log is sorted by path), so a small run reads a
        few row groups of the log, not all of it."""
        if len(paths) > LISTED:
            return self.latest_sources("path IN (SELECT path FROM batch_sources)")
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths) or "NULL"
        return f"""
            SELECT path, report_id FROM ({self.scan("sources_log", self.previous)}) WHERE path IN ({listed})
            QUALIFY row_number() OVER (PARTITION BY path ORDER BY _seq DESC) = 1"""

    def rows_of(self, relation: str, table: str, columns: str = "*") -> str:
        """The rows (`columns`) of a part relation of the reports in `table`, by constant lists (checked
        against each row group's min/max: the parts are sorted by report id) up to LISTED of them: those
        parsed in this run in its own parts, the others in the earlier parts."""
        every = Catalog(parts=self.previous.parts + self.inputs.written.parts)
        report_ids = _column(self.con, f"SELECT report_id FROM {table}")
        if len(report_ids) > LISTED:
            wanted = f"SELECT report_id FROM {table}"
            return f"SELECT {columns} FROM ({self.scan(relation, every)}) WHERE report_id IN ({wanted})"
        sides = [
            f"SELECT {columns} FROM ({self.scan(relation, catalog)}) WHERE report_id IN ({_listed(ids)})"
            for catalog, ids in (
                (self.previous, [r for r in report_ids if r not in self.fresh]),
                (self.inputs.written, [r for r in report_ids if r in self.fresh]),
            )
            if ids
        ]
        none = f"SELECT {columns} FROM ({self.scan(relation, every)}) WHERE false"
        return " UNION ALL ".join(sides) or none

    def bucket_of(self, expression: str, *, previous: bool = False) -> str:
        count = self.previous.n_buckets if previous else self.n
        return f"CAST(md5_number({expression}) % {count} AS INTEGER)"


def unchanged_reports(
    before: Sequence[tuple[object, ...]],
    after: Sequence[tuple[object, ...]],
    checks_before: Sequence[tuple[object, ...]],
    checks_after: Sequence[tuple[object, ...]],
) -> set[str]:
    """The report ids (first column) whose row is the same in `before` and `after` and whose check rows
    (report id first) are the same multiset: derived again, they came out exactly as they were."""
    old = {row[0]: row for row in before}
    same = {str(row[0]) for row in after if old.get(row[0]) == row}
    differing = Counter(checks_before)
    differing.subtract(Counter(checks_after))
    return same - {str(row[0]) for row, n in differing.items() if n}


def _same(con: Connection) -> None:
    """`roll_same`: the reports of `recomputed` whose row and cross-report check rows are those they had
    (`roll_old`, `roll_old_x`). Compared here: a SQL INTERSECT over the report's 43 columns cost 20–50 ms."""
    reports, checks = _report_columns(), _check_columns()
    same = unchanged_reports(
        con.execute(f"SELECT {reports} FROM roll_old").fetchall(),
        con.execute(f"SELECT {reports} FROM recomputed").fetchall(),
        con.execute(f"SELECT {checks} FROM roll_old_x").fetchall(),
        con.execute(f"SELECT {checks} FROM xfinal").fetchall(),
    )
    con.execute("CREATE TABLE roll_same (report_id VARCHAR)")
    insert_rows(con, "roll_same", [(r,) for r in sorted(same)])


def _listed(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def _count(con: Connection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def _stored_ids(d: _Deriver, report_ids: list[str]) -> list[str]:
    """Those of the report ids that have a row in the previous version (no scan for an empty list)."""
    if not report_ids:
        return []
    return _column(
        d.con,
        f"SELECT report_id FROM ({d.prev_reports()}) WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
        [report_ids],
    )


def derive(inputs: Inputs, con: Connection, *, clear: bool = True) -> Derived:
    """The run's derived files, through `con` (an in-memory connection the caller reuses afterwards).
    `clear`: drop the derivation's tables when done (the run goes on to compact segments, and should not
    hold them meanwhile); left to the connection's close otherwise (~50 tables, ~15 ms of DROPs)."""
    try:
        deriver = _Deriver(con, inputs)
        with stage("derive: sources"):
            _sources(deriver)
        if inputs.full:  # every agency: in groups of buckets, so memory does not grow with the warehouse
            from warehouse.store.full import derive_full

            with stage("derive: incoming"):
                revived = _incoming(deriver, ids_only=True)
            return derive_full(deriver, revived)
        with stage("derive: incoming"):
            revived = _incoming(deriver)
        with stage("derive: scope"):
            _scope(deriver)
        with stage("derive: cross checks"):
            _cross_checks(deriver)
        with stage("derive: buckets"):  # a first build of the rollups reads the new buckets: not aside
            aside = _buckets_aside(deriver) if deriver.previous.rollups else None
            written = _write_buckets(deriver) if aside is None else ({}, None)
        try:
            with stage("derive: rollups"):  # the buckets are read only by a first build of the rollups
                rollups = _rollups(deriver, written[0])
        finally:
            if aside is not None:
                with stage("derive: wait for buckets"):
                    aside.wait()
        buckets, n_reports = written if aside is None else aside.result()
        dead_new = set(_column(con, "SELECT report_id FROM dead_new"))
        dead = (set(deriver.previous.dead) | dead_new) - set(revived)
        return Derived(buckets, frozenset(dead), frozenset(revived), rollups, n_reports)
    finally:
        if clear or inputs.full:
            _clear(con)


def _clear(con: Connection) -> None:
    """Drop what deriving left on `con`, so the rest of the run does not hold it in memory."""
    con.execute("SET search_path = 'main'")
    for database, schema, table in con.execute(
        "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
        "WHERE NOT internal AND database_name IN ('memory', 'temp')"  # not a version attached meanwhile
    ).fetchall():
        con.execute(f'DROP TABLE "{database}"."{schema}"."{table}"')


def _sources(d: _Deriver) -> None:
    """The run's path → content rows; which earlier reports lost their last path (dead) or a path (moved)."""
    con, batch = d.con, d.inputs.batch
    con.execute("CREATE TEMP TABLE batch_sources (path VARCHAR, report_id VARCHAR)")
    insert_rows(con, "batch_sources", list(batch.sources.items()))
    by_path = d.sources_of(sorted(batch.sources))
    con.execute(f"""
        CREATE TEMP TABLE repointed AS
        SELECT DISTINCT p.report_id FROM ({by_path}) AS p JOIN batch_sources AS b USING (path)
        WHERE p.report_id <> b.report_id
    """)
    repointed = _count(con, "repointed")
    holding = d.latest_sources("report_id IN (SELECT report_id FROM repointed)")
    if not repointed:  # a new path (the usual one-file run): nothing to look up
        holding = "SELECT NULL::VARCHAR AS path, NULL::VARCHAR AS report_id WHERE false"
    con.execute(f"""
        CREATE TEMP TABLE still_held AS
        SELECT DISTINCT report_id FROM ({holding})
        WHERE report_id IN (SELECT report_id FROM repointed) AND path NOT IN (SELECT path FROM batch_sources)
        UNION SELECT report_id FROM batch_sources
    """)
    # A new path (the usual one-file run) repoints nothing: then no report row is looked up at all.
    stored = d.prev_reports() if repointed else "SELECT NULL::VARCHAR AS report_id WHERE false"
    con.execute(f"""
        CREATE TABLE dead_new AS
        SELECT report_id FROM repointed
        WHERE report_id NOT IN (SELECT report_id FROM still_held)
          AND report_id IN (SELECT report_id FROM ({stored}))
    """)
    con.execute("""
        CREATE TEMP TABLE moved AS
        SELECT report_id FROM repointed WHERE report_id IN (SELECT report_id FROM still_held)
    """)


def _incoming(d: _Deriver, *, ids_only: bool = False) -> list[str]:
    """Reports parsed in this run, and earlier reports whose content came back (revived from `_dead`);
    `ids_only`: `incoming` holds their ids only (a full derivation reads their rows in chunks)."""
    con = d.con
    rows = d.scan("reports_parsed", d.inputs.written)
    if ids_only:
        rows = f"SELECT report_id FROM ({rows})"
    con.execute(f"CREATE TEMP TABLE incoming AS {rows}")
    d.fresh = frozenset(_column(con, "SELECT report_id FROM incoming"))
    others = _column(
        con,
        "SELECT DISTINCT report_id FROM batch_sources "
        "WHERE report_id NOT IN (SELECT report_id FROM incoming)",
    )
    candidates = [r for r in others if r in d.previous.dead]
    stored = set(_stored_ids(d, candidates))
    revived = [r for r in candidates if r not in stored]
    if revived:
        con.execute(
            f"INSERT INTO incoming SELECT {'report_id' if ids_only else '*'} "
            f"FROM ({d.scan('reports_parsed', d.previous)}) "
            "WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
            [revived],
        )
    return revived


def _scope(d: _Deriver) -> None:
    """`reports` := every report of the touched agencies, derived again."""
    con, batch = d.con, d.inputs.batch
    con.execute("CREATE TABLE reports AS SELECT * FROM incoming")
    refresh_places(con, batch.overrides, batch.aliases)
    con.execute("UPDATE reports SET _key = coalesce(agency_id, agency, report_id)")
    if d.inputs.full:
        con.execute(f"CREATE TABLE touched AS SELECT DISTINCT _key FROM ({d.prev_reports()})")
        con.execute("INSERT INTO touched SELECT DISTINCT _key FROM reports")
    else:
        con.execute("CREATE TABLE touched AS SELECT DISTINCT _key FROM reports")
        left = _column(con, "SELECT report_id FROM dead_new UNION SELECT report_id FROM moved")
        if left:  # the agencies of reports that lost or moved a file
            con.execute(
                f"""INSERT INTO touched SELECT DISTINCT _key FROM ({d.prev_reports()})
                    WHERE report_id IN (SELECT unnest(?::VARCHAR[]))
                      AND _key NOT IN (SELECT _key FROM touched)""",
                [left],
            )
    con.execute(
        "CREATE TABLE touched_buckets AS "
        f"SELECT DISTINCT {d.bucket_of('_key', previous=True)} AS b FROM touched"
    )
    buckets = [int(b) for b in _column(con, "SELECT b FROM touched_buckets")]
    con.execute(f"""
        CREATE TEMP TABLE before AS
        SELECT * FROM ({d.prev_reports(buckets)}) WHERE _key IN (SELECT _key FROM touched)
    """)
    con.execute("""
        INSERT INTO reports SELECT * FROM before
        WHERE report_id NOT IN (SELECT report_id FROM dead_new)
          AND report_id NOT IN (SELECT report_id FROM incoming)
    """)
    if d.inputs.full:
        refresh_places(con, batch.overrides, batch.aliases)
    con.execute("UPDATE reports SET _key = coalesce(agency_id, agency, report_id)")
    con.execute(f"UPDATE reports SET _bucket = {d.bucket_of('_key')}")
    _scope_sources(d)
    refresh_current(con)


def _scope_sources(d: _Deriver) -> None:
    """`sources`: every path of the reports in scope whose paths this run may have changed, for their
    `source_file`. Only a report that a path of this run names, or named before (`repointed`), can have
    other paths than when its row was derived; of those, a report parsed in this run has no earlier path
    (it was not stored), so a run of new files looks up nothing in the log (a scan of all of it). A full
    derivation looks up every report in scope."""
    con = d.con
    if d.inputs.full:
        holding = d.latest_sources("report_id IN (SELECT report_id FROM reports)")
    else:
        holding = _repathed(d)
    con.execute(f"""
        CREATE TABLE sources AS
        SELECT path, report_id FROM ({holding})
        WHERE report_id IN (SELECT report_id FROM reports) AND path NOT IN (SELECT path FROM batch_sources)
        UNION ALL
        SELECT path, report_id FROM batch_sources WHERE report_id IN (SELECT report_id FROM reports)
    """)
    refresh_source_files(con)


def _repathed(d: _Deriver) -> str:
    """The current path → report rows of the reports this run may have given other paths (see
    `_scope_sources`); none, without reading the log, when they were all parsed in this run."""
    named = _column(d.con, "SELECT report_id FROM batch_sources UNION SELECT report_id FROM repointed")
    looked = [r for r in named if r not in d.fresh]
    if not looked:
        return "SELECT NULL::VARCHAR AS path, NULL::VARCHAR AS report_id WHERE false"
    listed = ", ".join("'" + r.replace("'", "''") + "'" for r in sorted(looked))
    return d.latest_sources(f"report_id IN ({listed})")


def _cross_checks(d: _Deriver) -> None:
    """`xfinal`: the X rows of every report in scope or in an X4 group it touches; `recomputed`: those
    reports' rows with checks_failed counted again."""
    con = d.con
    _x4_groups(con)
    x4 = _x4_aside(d)  # X4, whose neighbour search reads every bucket file: aside, while X1–X5 run
    try:
        con.execute(f"CREATE TABLE facts AS {d.rows_of('check_inputs', 'reports', CHECKED_COLUMNS)}")
        con.execute(f"CREATE TEMP TABLE xnew AS {per_agency_checks_sql()}")
    finally:
        if x4 is not None:
            x4.wait()
    if x4 is not None:
        x4.result()
    else:
        with stage("derive: X4"):
            _x4(d, _search(d, con))
    near = {int(b) for b in _column(con, "SELECT DISTINCT _bucket FROM neighbours")}
    near_checks = [d.previous.buckets[b][1] for b in sorted(near) if b in d.previous.buckets]
    con.execute(f"""
        CREATE TABLE xfinal AS
        SELECT {CHECK_COLUMNS} FROM xnew
        UNION ALL SELECT {CHECK_COLUMNS} FROM x4_rows
        UNION ALL SELECT {CHECK_COLUMNS} FROM ({scan_sql(d.directory, "xchecks", near_checks)})
        WHERE report_id IN (SELECT report_id FROM neighbours) AND check_id <> 'X4'
    """)
    con.execute(f"""
        CREATE TABLE recomputed AS
        SELECT {_report_columns()} FROM (SELECT * FROM reports UNION ALL BY NAME SELECT * FROM neighbours)
    """)
    con.execute(COUNT_FAILED)


def per_agency_checks_sql() -> str:
    """X1, X2, X3 and X5 (the checks within one agency) over `reports` and `facts` as one SELECT: one
    statement instead of four (a statement of these costs 4–8 ms to parse, bind and plan however few its
    rows; together 27 → 21 ms for a touched agency of 17 reports), the same rows."""
    return " UNION ALL ".join(
        f"SELECT {CHECK_COLUMNS} FROM ({check_sql(check_id)})" for check_id in X_PER_AGENCY
    )


def _x4_groups(con: Connection) -> None:
    """`groups`: the fingerprints and years of the touched reports' X4 groups, before or after."""
    con.execute("""
        CREATE TABLE groups AS
        SELECT DISTINCT _fingerprint, year FROM reports WHERE is_current AND _fingerprint IS NOT NULL
        UNION
        SELECT DISTINCT _fingerprint, year FROM before WHERE is_current AND _fingerprint IS NOT NULL
    """)


def _x4(d: _Deriver, buckets: list[int]) -> None:
    """X4 (`x4_rows`) for the current reports sharing a fingerprint and year with a touched report, before
    or after (`neighbours`: those of other agencies); `buckets`: the previous buckets that hold any of
    them (`_search`). Its tables are tables of the in-memory database, as it may run on a second cursor
    (`_x4_aside`)."""
    con = d.con
    con.execute(f"CREATE TABLE neighbours AS {_neighbours(d, buckets)}")
    members = """
        SELECT report_id, agency_id, agency, year, is_current, _fingerprint AS fingerprint,
               _nonzero AS nonzero FROM reports
        UNION ALL
        SELECT report_id, agency_id, agency, year, is_current, _fingerprint, _nonzero FROM neighbours"""
    con.execute("CREATE SCHEMA x4")
    con.execute(f"CREATE TABLE x4.members AS {members}")
    con.execute(
        "CREATE TABLE x4.reports AS SELECT report_id, agency_id, agency, year, is_current FROM x4.members"
    )
    con.execute(
        "CREATE TABLE x4.report_prints AS SELECT report_id, fingerprint, nonzero FROM x4.members "
        "WHERE fingerprint IS NOT NULL"
    )
    con.execute("SET search_path = 'x4'")
    try:
        con.execute(f"CREATE TABLE x4.result AS SELECT {CHECK_COLUMNS} FROM ({check_sql('X4')})")
    finally:
        con.execute("SET search_path = 'main'")
    con.execute(f"CREATE TABLE x4_rows AS SELECT {CHECK_COLUMNS} FROM x4.result")


MATCHING = """
    SELECT {columns} FROM {reports} AS p
    SEMI JOIN groups AS g ON g._fingerprint = p._fingerprint AND g.year = p.year
    WHERE p.is_current AND p._key NOT IN (SELECT _key FROM touched)"""
"""Other agencies' current reports in the X4 groups (`groups`, and `touched`: tables of the in-memory
database, not temporary ones, so that a second cursor sees them)."""


def _search(d: _Deriver, con: Connection) -> list[int]:
    """The previous buckets holding any current report of another agency in the X4 groups, from four
    columns of every bucket file (reading every column of every bucket grew with the warehouse: 130 ms at
    100k reports; these four columns are 30–55 ms there, most of it the 32 files' footers)."""
    by_file = {
        path: bucket
        for bucket, (file, _) in d.previous.buckets.items()
        for path in absolute(d.directory, [file])
    }
    if not by_file or not con.execute("SELECT count(*) FROM groups").fetchall()[0][0]:
        return []
    paths = ", ".join("'" + p.replace("'", "''") + "'" for p in sorted(by_file))
    found = MATCHING.format(
        columns="DISTINCT p.filename", reports=f"read_parquet([{paths}], filename = true)"
    )
    return [by_file[f] for f in _column(con, found)]


def _neighbours(d: _Deriver, buckets: list[int]) -> str:
    """The SELECT of the other agencies' current reports in the X4 groups: only the buckets `_search`
    found are read whole."""
    return MATCHING.format(columns="p.*", reports=f"({d.prev_reports(buckets)})")


def _x4_aside(d: _Deriver) -> Aside[None] | None:
    """X4 — the neighbour search (`_search`), then `_x4` — started aside when few reports are in scope
    (ASIDE_REPORTS): it needs only `reports`, `groups` and `touched`, while X1–X5 need the check inputs,
    so the two run side by side (the search alone was aside before: X4's statements, ≈ 10–15 ms, came
    after X1–X5 on the derivation's chain; docs/scale.md §5, one file, twelfth pass). None otherwise
    (then both run here, after X1–X5, as before)."""
    if _count(d.con, "reports") > ASIDE_REPORTS:
        return None

    def work(cursor: Connection) -> None:
        aside = copy(d)
        aside.con = cursor
        with stage("derive: X4"):
            _x4(aside, _search(aside, cursor))

    return Aside(d.con, work)


def _write_buckets(d: _Deriver) -> tuple[dict[int, tuple[str, str]], int | None]:
    """Rewrite every bucket that holds a recomputed or dead report; keep the others as they were.
    Returns the buckets and their count of reports (the previous count plus the difference in the
    rewritten buckets)."""
    con = d.con
    con.execute("""
        CREATE TEMP TABLE rewritten AS
        SELECT DISTINCT _bucket AS b FROM recomputed
        UNION SELECT b FROM touched_buckets
    """)
    wanted = {int(b) for b in _column(con, "SELECT b FROM rewritten")}
    previous = dict(d.previous.buckets)
    if d.inputs.full:  # every report is recomputed: nothing is kept from the old files
        wanted = {int(b) for b in _column(con, "SELECT DISTINCT _bucket FROM recomputed")}
        previous = {}
    buckets = dict(previous)
    n_reports = 0 if d.inputs.full else d.previous.n_reports
    gone = "SELECT report_id FROM recomputed UNION ALL SELECT report_id FROM dead_new"
    for bucket in sorted(wanted):
        old_reports, old_checks = previous.get(bucket, (None, None))
        kept_reports = scan_sql(d.directory, "reports", [old_reports] if old_reports else [])
        kept_checks = scan_sql(d.directory, "xchecks", [old_checks] if old_checks else [])
        reports_sql = f"""
            SELECT {_report_columns()} FROM ({kept_reports}) WHERE report_id NOT IN ({gone})
            UNION ALL SELECT {_report_columns()} FROM recomputed WHERE _bucket = {bucket}
            ORDER BY _key, year, report_id"""
        checks_sql = f"""
            SELECT {_check_columns()} FROM ({kept_checks}) WHERE report_id NOT IN ({gone})
            UNION ALL SELECT {_check_columns()} FROM xfinal
            WHERE report_id IN (SELECT report_id FROM recomputed WHERE _bucket = {bucket})
            ORDER BY report_id, check_id, breakdown"""
        names = (
            f"derived/{d.inputs.run_id}/b{bucket:03d}-reports.parquet",
            f"derived/{d.inputs.run_id}/b{bucket:03d}-xchecks.parquet",
        )
        written = copy_to(con, reports_sql, d.directory / names[0], dictionary=BUCKET_DICTIONARY)
        copy_to(con, checks_sql, d.directory / names[1])
        buckets[bucket] = names
        if n_reports is not None:
            n_reports += written - (_rows_in(d, old_reports) if old_reports else 0)
    return buckets, n_reports


def _buckets_aside(d: _Deriver) -> Aside[tuple[dict[int, tuple[str, str]], int | None]] | None:
    """The bucket writes started aside when few reports were derived again (ASIDE_REPORTS); None for a
    larger run, whose buckets are written before the pre-aggregated tables, one after the other, as before."""
    if _count(d.con, "recomputed") > ASIDE_REPORTS:
        return None

    def write(cursor: Connection) -> tuple[dict[int, tuple[str, str]], int | None]:
        aside = copy(d)
        aside.con = cursor
        written = _write_buckets(aside)
        if d.inputs.on_buckets is not None:
            d.inputs.on_buckets(written[0])
        return written

    return Aside(d.con, write)


def _rows_in(d: _Deriver, file: str) -> int:
    """Rows of a stored Parquet file, from its footer."""
    path = absolute(d.directory, [file])[0].replace("'", "''")
    return int(d.con.execute(f"SELECT num_rows FROM parquet_file_metadata('{path}')").fetchall()[0][0])


def _rollups(d: _Deriver, buckets: dict[int, tuple[str, str]]) -> Rollups:
    """The pre-aggregated tables of the new version: the previous ones with this run's difference, or all
    of them built again (a full derivation, or a previous version written before they existed)."""
    con = d.con
    full = d.inputs.full or not d.previous.rollups
    every_part = Catalog(parts=d.previous.parts + d.inputs.written.parts)

    def sources_in(catalog: Catalog) -> rollups.Sources:
        return rollups.Sources(
            d.directory,
            d.scan("facts", catalog),
            d.scan("report_series", catalog),
            d.scan("checks", catalog),
        )

    if full:
        every = Catalog(parts=every_part.parts, buckets=buckets)
        return Rollups(rollups.build_all(con, d.directory, every, d.inputs.run_id))
    sources = replace(
        sources_in(every_part), split=(sources_in(d.previous), sources_in(d.inputs.written), d.fresh)
    )
    con.execute(f"""
        CREATE TABLE roll_old AS
        SELECT {_report_columns()} FROM before
        WHERE report_id IN (SELECT report_id FROM recomputed UNION SELECT report_id FROM dead_new)
        UNION ALL SELECT {_report_columns()} FROM neighbours
    """)
    old_buckets = {int(b) for b in _column(con, "SELECT DISTINCT _bucket FROM roll_old")}
    old_xchecks = [d.previous.buckets[b][1] for b in sorted(old_buckets) if b in d.previous.buckets]
    con.execute(f"""
        CREATE TABLE roll_old_x AS
        SELECT {_check_columns()} FROM ({scan_sql(d.directory, "xchecks", old_xchecks)})
        WHERE report_id IN (SELECT report_id FROM roll_old)""")
    _same(con)
    change = rollups.Change(
        "roll_old",
        "SELECT * FROM roll_old_x",
        "recomputed",
        f"SELECT {_check_columns()} FROM xfinal",
        f"SELECT {_report_columns()} FROM recomputed WHERE _key IN (SELECT _key FROM touched)",
        same="roll_same",
    )
    previous = Rollups(dict(d.previous.rollups), dict(d.previous.rollup_deltas))
    return rollups.update(con, sources, change, previous, d.inputs.run_id)
