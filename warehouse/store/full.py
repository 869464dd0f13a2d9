"""A full derivation (first build, `rebuild`, changed overrides or aliases, more buckets) in groups of
buckets, so that its memory is bounded by the largest group and not by the warehouse.

1. Places: the report rows (this run's parsed rows, revived rows, and the previous version's buckets but
   the dead and the parsed again), read in chunks of about GROUP_REPORTS, get their places, agency and
   new bucket, and are staged to Parquet partitioned by group of buckets.
2. Current versions: per group, the sources of its reports, `source_file` and `is_current` (both depend
   only on one agency's reports, and an agency is in one bucket). Staged again, with a narrow projection
   of the current reports' X4 fingerprints.
3. X4 needs a global view: the fingerprints held by more than one current report, from that projection.
4. Cross checks: per group, X1, X2, X3 and X5 over its reports and their check inputs, X4 over its current
   reports and the other reports sharing a fingerprint with them; its bucket files written.
The pre-aggregated tables are then built province by province (store/rollups.py `build_all`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse.crosschecks import COLUMNS as CHECK_COLUMNS
from warehouse.crosschecks import check_sql
from warehouse.db import quoted
from warehouse.load import refresh_current, refresh_places
from warehouse.store import rollups
from warehouse.store.catalog import Catalog
from warehouse.store.parts import BUCKET_DICTIONARY, copy_to
from warehouse.store.stages import stage

if TYPE_CHECKING:
    from warehouse.store.derive import Derived, _Deriver

GROUP_REPORTS = 20_000
"""About this many reports are derived at once; a group of buckets holds about this many."""


def derive_full(d: _Deriver, revived: list[str]) -> Derived:
    """Every bucket and pre-aggregated table of the new version; `d` is derive.py's _Deriver after its
    `_sources` and the run's `incoming` ids."""
    from warehouse.store import derive

    con, n = d.con, d.n
    work = d.directory / "derived" / d.inputs.run_id / "full"
    total = sum(p.rows for p in d.inputs.written.parts if p.relation == "reports_parsed")
    total += d.previous.n_reports or sum(derive._rows_in(d, f) for f, _ in d.previous.buckets.values())
    groups = max(1, min(n, -(-total // GROUP_REPORTS)))
    con.execute("SET preserve_insertion_order = false")
    try:
        with stage("derive: places"):
            for index, chunk in enumerate(_chunks(d, revived)):
                _place(d, chunk, work / "places" / f"c{index:05d}", groups)
        with stage("derive: current"):
            for group in range(groups):
                files = sorted((work / "places").glob(f"*/_group={group}/*.parquet"))
                if not files:
                    continue
                read = ", ".join(quoted(f) for f in files)
                con.execute(
                    "CREATE OR REPLACE TABLE reports AS SELECT * FROM "
                    f"read_parquet([{read}], union_by_name = true, hive_partitioning = false)"
                )
                derive._scope_sources(d)
                refresh_current(con)
                copy_to(con, "SELECT * FROM reports", work / "current" / f"g{group:05d}.parquet")
                copy_to(
                    con,
                    "SELECT report_id, agency_id, agency, year, _fingerprint AS fingerprint, "
                    "_nonzero AS nonzero FROM reports WHERE is_current AND _fingerprint IS NOT NULL",
                    work / "prints" / f"g{group:05d}.parquet",
                )
                con.execute("DROP TABLE reports")
                con.execute("DROP TABLE sources")
        with stage("derive: X4 fingerprints"):
            _shared_prints(d, sorted((work / "prints").glob("*.parquet")))
        buckets: dict[int, tuple[str, str]] = {}
        n_reports = 0
        with stage("derive: cross checks"):
            for group in range(groups):
                current = work / "current" / f"g{group:05d}.parquet"
                if current.exists():
                    n_reports += _checks(d, current, buckets)
        with stage("derive: rollups"):
            every = Catalog(parts=d.previous.parts + d.inputs.written.parts, buckets=buckets)
            built = rollups.Rollups(rollups.build_all(con, d.directory, every, d.inputs.run_id))
        dead_new = set(derive._column(con, "SELECT report_id FROM dead_new"))
        dead = (set(d.previous.dead) | dead_new) - set(revived)
        return derive.Derived(buckets, frozenset(dead), frozenset(revived), built, n_reports)
    finally:
        con.execute("RESET preserve_insertion_order")
        shutil.rmtree(work, ignore_errors=True)


def _shared_prints(d: _Deriver, files: list[Path]) -> None:
    """`shared_prints`: the current reports whose fingerprint another current report also has."""
    from warehouse.store.version import scan_sql

    prints = f"read_parquet([{', '.join(quoted(f) for f in files)}])"
    if not files:  # no report in the warehouse
        prints = f"""(SELECT report_id, agency_id, agency, year, _fingerprint AS fingerprint,
                             _nonzero AS nonzero FROM ({scan_sql(d.directory, "reports", [])}))"""
    d.con.execute(f"""
        CREATE OR REPLACE TEMP TABLE shared_prints AS
        SELECT * FROM {prints} WHERE fingerprint IN (
            SELECT fingerprint FROM {prints} GROUP BY fingerprint HAVING count(*) > 1)
    """)


def _chunks(d: _Deriver, revived: list[str]) -> list[str]:
    """SELECTs of the report rows to derive, about GROUP_REPORTS each."""
    from warehouse.store.derive import _rows_in
    from warehouse.store.version import scan_sql

    chunks: list[str] = []

    def packed(relation: str, sized: list[tuple[str, int]], where: str) -> None:
        files: list[str] = []
        rows = 0
        for file, count in sized:
            if files and rows + count > GROUP_REPORTS:
                chunks.append(f"SELECT * FROM ({scan_sql(d.directory, relation, files)}) {where}")
                files, rows = [], 0
            files.append(file)
            rows += count
        if files:
            chunks.append(f"SELECT * FROM ({scan_sql(d.directory, relation, files)}) {where}")

    parsed = [(p.file, p.rows) for p in d.inputs.written.parts if p.relation == "reports_parsed"]
    packed("reports_parsed", parsed, "")
    if revived:
        chunks.append(
            f"SELECT * FROM ({d.scan('reports_parsed', d.previous)}) "
            f"WHERE report_id IN ({', '.join(_quote(r) for r in revived)})"
        )
    stored = [(f, _rows_in(d, f)) for _, (f, _) in sorted(d.previous.buckets.items())]
    packed(
        "reports",
        stored,
        "WHERE report_id NOT IN (SELECT report_id FROM dead_new) "
        "AND report_id NOT IN (SELECT report_id FROM incoming)",
    )
    return chunks


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _place(d: _Deriver, chunk: str, target: Path, groups: int) -> None:
    """Places, agency and bucket of one chunk of report rows, staged by group of buckets."""
    con, batch = d.con, d.inputs.batch
    con.execute(f"CREATE OR REPLACE TABLE reports AS {chunk}")
    if con.execute("SELECT count(*) FROM reports").fetchall()[0][0]:
        refresh_places(con, batch.overrides, batch.aliases)
        con.execute("UPDATE reports SET _key = coalesce(agency_id, agency, report_id)")
        con.execute(f"UPDATE reports SET _bucket = {d.bucket_of('_key')}")
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT *, _bucket * {groups} // {d.n} AS _group FROM reports) TO {quoted(target)} "
            "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (_group))"
        )
    con.execute("DROP TABLE reports")


def _checks(d: _Deriver, current: Path, buckets: dict[int, tuple[str, str]]) -> int:
    """X1–X5 of one group's reports, and its bucket files; returns its reports."""
    from warehouse.store.derive import COUNT_FAILED, X_PER_AGENCY, _check_columns, _report_columns

    con = d.con
    con.execute(f"CREATE OR REPLACE TABLE reports AS SELECT * FROM read_parquet({quoted(current)})")
    every_part = Catalog(parts=d.previous.parts + d.inputs.written.parts)
    con.execute(f"""
        CREATE OR REPLACE TABLE facts AS SELECT * FROM ({d.scan("check_inputs", every_part)})
        WHERE report_id IN (SELECT report_id FROM reports)
    """)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE xfinal AS SELECT {CHECK_COLUMNS} FROM ({check_sql('X1')}) WHERE false"
    )
    for check_id in X_PER_AGENCY:
        con.execute(f"INSERT INTO xfinal SELECT {CHECK_COLUMNS} FROM ({check_sql(check_id)})")
    con.execute("DROP TABLE facts")
    con.execute("CREATE SCHEMA IF NOT EXISTS x4")
    con.execute("""
        CREATE OR REPLACE TABLE x4.members AS
        SELECT report_id, agency_id, agency, year, is_current, _fingerprint AS fingerprint,
               _nonzero AS nonzero FROM reports
        UNION ALL
        SELECT report_id, agency_id, agency, year, TRUE, fingerprint, nonzero FROM shared_prints
        WHERE fingerprint IN (SELECT _fingerprint FROM reports WHERE is_current)
          AND report_id NOT IN (SELECT report_id FROM reports)
    """)
    con.execute(
        "CREATE OR REPLACE TABLE x4.reports AS "
        "SELECT report_id, agency_id, agency, year, is_current FROM x4.members"
    )
    con.execute(
        "CREATE OR REPLACE TABLE x4.report_prints AS SELECT report_id, fingerprint, nonzero "
        "FROM x4.members WHERE fingerprint IS NOT NULL"
    )
    con.execute("SET search_path = 'x4'")
    try:
        con.execute(f"""
            INSERT INTO main.xfinal SELECT {CHECK_COLUMNS} FROM ({check_sql("X4")})
            WHERE report_id IN (SELECT report_id FROM main.reports)
        """)
    finally:
        con.execute("SET search_path = 'main'")
    con.execute("DROP SCHEMA x4 CASCADE")
    con.execute(f"CREATE OR REPLACE TEMP TABLE recomputed AS SELECT {_report_columns()} FROM reports")
    con.execute("DROP TABLE reports")
    con.execute(COUNT_FAILED)
    written = 0
    for (bucket,) in con.execute("SELECT DISTINCT _bucket FROM recomputed ORDER BY 1").fetchall():
        names = (
            f"derived/{d.inputs.run_id}/b{bucket:03d}-reports.parquet",
            f"derived/{d.inputs.run_id}/b{bucket:03d}-xchecks.parquet",
        )
        written += copy_to(
            con,
            f"SELECT {_report_columns()} FROM recomputed WHERE _bucket = {bucket} "
            "ORDER BY _key, year, report_id",
            d.directory / names[0],
            dictionary=BUCKET_DICTIONARY,
        )
        copy_to(
            con,
            f"SELECT {_check_columns()} FROM xfinal "
            f"WHERE report_id IN (SELECT report_id FROM recomputed WHERE _bucket = {bucket}) "
            "ORDER BY report_id, check_id, breakdown",
            d.directory / names[1],
        )
        buckets[int(bucket)] = names
    con.execute("DROP TABLE recomputed")
    con.execute("DROP TABLE xfinal")
    return written
