"""The whole warehouse as a hive-partitioned Parquet dataset (`xxgk export parquet-dataset --out DIR`):
DuckDB, Spark, Trino or pandas read it directly, e.g.
`read_parquet('DIR/facts/**/*.parquet', hive_partitioning = true)`."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.db import open_version, quoted
from warehouse.errors import WarehouseError
from warehouse.publish import require_current

PARTITIONED = {
    "reports": "SELECT *, coalesce(province_code, 'unknown') AS province FROM reports",
    "facts": """
        SELECT f.*, r.agency, r.agency_id, r.template, r.year, r.province_code AS province, r.city_code,
               r.county_code, r.place_code, r.is_current, r.scope, r.is_vertical
        FROM facts AS f JOIN reports AS r USING (report_id)""",
    "checks": """
        SELECT c.*, r.agency_id, r.year, r.province_code AS province, r.is_current
        FROM checks AS c JOIN reports AS r USING (report_id)""",
    "report_series": """
        SELECT s.*, r.agency_id, r.template, r.year, r.province_code AS province, r.is_current, r.scope,
               r.is_vertical
        FROM report_series AS s JOIN reports AS r USING (report_id)""",
}
"""Partitioned by year and province code ('unknown' when a report has no place)."""
WHOLE = {
    "metrics": "SELECT * FROM metrics",
    "series_map": "SELECT * FROM series_map",
    "agencies": "SELECT * FROM agencies",
    "coverage": "SELECT * FROM coverage",
    "sources": "SELECT * FROM sources",
    "ingest_errors": "SELECT * FROM ingest_errors",
    "parse_warnings": "SELECT * FROM parse_warnings",
    "runs": "SELECT * FROM runs",
}


def export_dataset(directory: Path, out: Path) -> dict[str, int]:
    """Write every relation under `out/<name>/`; returns rows per relation. Refuses a non-empty `out`."""
    if out.exists() and any(out.iterdir()):
        raise WarehouseError(f"{out} is not empty: choose a new directory for the dataset")
    version = require_current(directory)
    con = open_version(version)  # a warehouse of another schema version is refused before `out` is made
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    try:
        for name, sql in PARTITIONED.items():
            shaped = (
                "SELECT * REPLACE (coalesce(province, 'unknown') AS province, coalesce(year, 0) AS year) "
                f"FROM ({sql})"
            )
            con.execute(
                f"COPY ({shaped}) TO {quoted(out / name)} "
                "(FORMAT parquet, PARTITION_BY (year, province), COMPRESSION zstd, OVERWRITE_OR_IGNORE)"
            )
            counts[name] = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
        for name, sql in WHOLE.items():
            (out / name).mkdir()
            con.execute(
                f"COPY ({sql}) TO {quoted(out / name / 'data.parquet')} (FORMAT parquet, COMPRESSION zstd)"
            )
            counts[name] = int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])
    except BaseException:
        con.close()
        shutil.rmtree(out, ignore_errors=True)
        raise
    con.close()
    (out / "README.txt").write_text(
        "xxgk warehouse as hive-partitioned Parquet (year=YYYY/province=CODE; year=0 and province=unknown"
        " when not known).\n"
        "DuckDB: SELECT * FROM read_parquet('facts/**/*.parquet', hive_partitioning = true)\n"
        f"Data version: {version.name}\n",
        encoding="utf-8",
    )
    return counts
