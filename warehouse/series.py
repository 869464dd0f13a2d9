"""The harmonised-series mapping (warehouse/series_map.csv, documented in docs/series.md) as a table, and
every report's series values computed from it."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from etl.outcomes import NEW_TEMPLATES, outcome_groups
from warehouse.engine import duckdb

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
    """series_map.csv, plus the table 三 outcome groups of the 2019/2021 tables, derived from their one
    definition (etl/outcome_groups.csv and the catalogue's req.<group>.* rows)."""
    text = Path(__file__).with_name("series_map.csv").read_text(encoding="utf-8")
    rows = tuple(tuple(row[c] for c in COLUMNS) for row in csv.DictReader(text.splitlines()))
    return rows + outcome_series_rows()


def outcome_series_rows() -> tuple[tuple[str, ...], ...]:
    """Each outcome group's series, per new template: its total from every code that can hold it (its rows,
    or its single row where a table prints it so), and a breakdown per row where the series keeps reasons."""
    rows: list[tuple[str, ...]] = []
    for template in NEW_TEMPLATES:
        for group in outcome_groups():
            items = group.items_in(template)
            whole = group.whole_code if template in group.whole_templates else None
            if not group.items and whole is not None:
                rows.append((group.series_code, "", template, whole, "total", "new", ""))
                continue
            total_note = f"Σ{group.number}{group.label_zh}"
            rows += [
                (group.series_code, "total", template, item.code, "total", "new", total_note)
                for item in items
            ]
            if whole is not None:
                note = f"{group.number}{group.label_zh} printed as one row"
                rows.append((group.series_code, "total", template, whole, "total", "new", note))
            if group.reasons_in_series:
                reasons = [item.code.rsplit(".", 1)[1] for item in items]
                rows += [
                    (group.series_code, reason, template, item.code, "total", "new", "")
                    for reason, item in zip(reasons, items, strict=True)
                ]
    return tuple(rows)


def refresh_series_map(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM series_map")
    # One list per column, unnested side by side: binding 1,232 parameters of a VALUES list cost ~20 ms.
    columns = [list(column) for column in zip(*series_map(), strict=True)]
    unnested = ", ".join(f"unnest(${i + 1})" for i in range(len(COLUMNS)))
    con.execute(f"INSERT INTO series_map SELECT {unnested}", columns)


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
