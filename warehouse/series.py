"""The harmonised-series mapping (warehouse/series_map.csv, documented in docs/series.md) as a table the
`series` view joins."""

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
    con.executemany(f"INSERT INTO series_map VALUES ({', '.join('?' * len(COLUMNS))})", list(series_map()))
