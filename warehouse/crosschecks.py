"""Cross-report checks X1–X5 of shared/spec/checks.md: one SQL file each under warehouse/crosschecks/,
returning check rows (report_id = the report the finding is about). They are recomputed whenever the
warehouse changes, after the current versions are marked, so a newly loaded year can settle a finding."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from warehouse.engine import duckdb

CROSS_CHECKS = ("X1", "X2", "X3", "X4", "X5")
COLUMNS = "report_id, check_id, severity, status, breakdown, expected, actual, message, message_zh, cells"


@cache
def check_sql(check_id: str) -> str:
    text = Path(__file__).parent.joinpath("crosschecks", f"{check_id}.sql").read_text(encoding="utf-8")
    return text.strip().rstrip(";")


def run_cross_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Replace every X* row of `checks` and recount each report's failed checks."""
    con.execute("DELETE FROM checks WHERE check_id IN (SELECT unnest(?::VARCHAR[]))", [list(CROSS_CHECKS)])
    for check_id in CROSS_CHECKS:
        con.execute(f"INSERT INTO checks ({COLUMNS}) SELECT {COLUMNS} FROM ({check_sql(check_id)})")
    con.execute("""
        UPDATE reports SET checks_failed = coalesce(f.n, 0)
        FROM (SELECT r.report_id, count(c.report_id) AS n FROM reports AS r
              LEFT JOIN checks AS c ON c.report_id = r.report_id AND c.status = 'fail'
              GROUP BY r.report_id) AS f
        WHERE reports.report_id = f.report_id
    """)
