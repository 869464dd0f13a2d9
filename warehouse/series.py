"""The harmonised-series mapping (warehouse/series_map.csv, documented in docs/series.md) as a table, and
every report's series values computed from it."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import duckdb

COLUMNS = (
    "series_code",
    "breakdown",
    "template",
    "metric_code",
    "metric_breakdown",
    "comparable_group",
    "note",
)


@cache
def series_map() -> tuple[tuple[str, ...], ...]:
    text = resources.files("warehouse").joinpath("series_map.csv").read_text(encoding="utf-8")
    return tuple(tuple(row[c] for c in COLUMNS) for row in csv.DictReader(text.splitlines()))


def refresh_series_map(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM series_map")
    rows = series_map()
    marks = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        con.execute(
            f"INSERT INTO series_map VALUES {', '.join([marks] * len(chunk))}", [v for r in chunk for v in r]
        )


def refresh_report_series(con: duckdb.DuckDBPyConnection) -> None:
    """Sum each report's facts into its harmonised series (all versions; views pick the current ones)."""
    con.execute("DELETE FROM report_series")
    con.execute("""
        INSERT INTO report_series
        SELECT f.report_id, m.series_code, m.breakdown, m.comparable_group, sum(f.value)
        FROM facts AS f
        JOIN reports AS r ON r.report_id = f.report_id
        JOIN series_map AS m
          ON m.template = r.template AND m.metric_code = f.metric_code AND m.metric_breakdown = f.breakdown
        GROUP BY ALL
    """)
