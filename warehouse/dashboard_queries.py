"""The dashboard's reads: named SQL from warehouse/queries/dash_*.sql over the selected reports.

Each function takes an open read-only connection (or cursor) and returns a fully materialised DataFrame.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import duckdb
import pandas as pd

from warehouse import queries
from warehouse.documents.compare import Comparison
from warehouse.documents.findings import Findings, FindingsRequest
from warehouse.documents.findings_reads import build_findings
from warehouse.documents.reads import SummaryPlan, agency_years, build_comparison, plan_summary
from warehouse.documents.summary import SummaryRequest
from warehouse.filters import CONFIRMED_FACTS, ReportFilter
from warehouse.review import overlay

Connection = duckdb.DuckDBPyConnection

# Queries that read values: the relations they read with the corrections applied (warehouse/review), and
# the aggregates that add the corrections as a delta (review_delta_<name>.sql over the query as `base`).
CORRECTED = {
    "dash_report_facts": ("facts",),
    "dash_series_by_report": ("report_series",),
}
DELTA = frozenset({"dash_metric_by_year", "dash_series_by_year"})


def _overlaid(con: Connection) -> None:
    """Queries read the review relations; a connection nobody registered them on sees none."""
    overlay.ensure(con)


def _filtered(con: Connection, name: str, flt: ReportFilter, **params: object) -> pd.DataFrame:
    _overlaid(con)
    condition, filter_params = flt.condition("r")
    hide = flt.hide_unconfirmed_ocr
    selected = f"selected AS (SELECT r.* FROM reports AS r WHERE {condition})"
    trusted = CONFIRMED_FACTS if hide else ""
    if name in DELTA:
        base = f"base AS (\n{queries.sql(name)}\n)"
        delta = queries.sql(name.replace("dash_", "review_delta_", 1))
        head = ",\n".join(p for p in (trusted, selected, base) if p)
        sql = f"WITH {head},\n{delta}"  # the delta file continues the CTE list (`delta AS (…) SELECT …`)
        params = {**params, "hide_ocr": hide}
    elif name in CORRECTED:
        sql = overlay.with_clause(overlay.ctes(*CORRECTED[name], hide_ocr=hide), selected) + queries.sql(name)
    else:
        sql = overlay.with_clause(trusted, selected) + queries.sql(name)
    return con.execute(sql, {**filter_params, **params}).df()


def _plain(con: Connection, name: str, **params: object) -> pd.DataFrame:
    _overlaid(con)
    sql = queries.sql(name)
    if name in CORRECTED:
        sql = overlay.corrected(sql, *CORRECTED[name])
    return con.execute(sql, params or None).df()


def places(con: Connection) -> pd.DataFrame:
    return _plain(con, "dash_places")


def domain(con: Connection) -> dict[str, object]:
    row: dict[str, object] = dict(_plain(con, "dash_domain").iloc[0].to_dict())
    for key in ("templates", "levels", "kinds"):
        value = row.get(key)
        row[key] = (
            [str(item) for item in cast("list[object]", value)] if pd.api.types.is_list_like(value) else []
        )
    return row


def metrics(con: Connection) -> pd.DataFrame:
    return _plain(con, "dash_metrics")


def overview_counts(con: Connection, flt: ReportFilter) -> dict[str, object]:
    return dict(_filtered(con, "dash_overview_counts", flt).iloc[0].to_dict())


def metric_by_year(
    con: Connection, flt: ReportFilter, codes: tuple[str, ...], breakdowns: tuple[str, ...] = ("",)
) -> pd.DataFrame:
    return _filtered(con, "dash_metric_by_year", flt, codes=list(codes), breakdowns=list(breakdowns))


def series_by_year(con: Connection, flt: ReportFilter, series: tuple[str, ...]) -> pd.DataFrame:
    return _filtered(con, "dash_series_by_year", flt, series=list(series))


def series_by_report(con: Connection, flt: ReportFilter, series: tuple[str, ...]) -> pd.DataFrame:
    return _filtered(con, "dash_series_by_report", flt, series=list(series))


def series_gaps(con: Connection, flt: ReportFilter, series: tuple[str, ...]) -> pd.DataFrame:
    """The blank and not-applicable cells behind series without a value (why a profile cell is empty)."""
    return _filtered(con, "dash_series_gaps", flt, series=list(series))


def reports(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_reports", flt)


def agencies(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_agencies", flt)


def check_summary(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_check_summary", flt)


def failed_checks(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_checks_failed", flt)


def coverage(con: Connection, flt: ReportFilter, year_from: int, year_to: int) -> pd.DataFrame:
    """The grid covers agencies selected in any year, so an agency that stopped publishing still shows."""
    every_year = replace(flt, year_from=None, year_to=None)
    return _filtered(con, "dash_coverage", every_year, year_from=year_from, year_to=year_to)


def unplaced(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_unplaced", flt)


def ingest_errors(con: Connection) -> pd.DataFrame:
    return _plain(con, "dash_ingest_errors")


def agency_reports(con: Connection, agency_id: str) -> pd.DataFrame:
    return _plain(con, "dash_agency_reports", agency_id=agency_id)


def report(con: Connection, report_id: str) -> dict[str, object] | None:
    found = _plain(con, "dash_report", report_id=report_id)
    return None if found.empty else dict(found.iloc[0].to_dict())


def report_facts(con: Connection, report_id: str) -> pd.DataFrame:
    return _plain(con, "dash_report_facts", report_id=report_id)


def report_ocr(con: Connection, report_id: str) -> pd.DataFrame:
    """Crops of the values read by OCR (empty for reports with a text layer)."""
    return _plain(con, "dash_report_ocr", report_id=report_id)


def report_checks(con: Connection, report_id: str) -> pd.DataFrame:
    return _plain(con, "dash_report_checks", report_id=report_id)


def report_versions(con: Connection, report_id: str) -> pd.DataFrame:
    return _plain(con, "dash_report_versions", report_id=report_id)


def report_text(con: Connection, report_id: str) -> str:
    found = con.execute(queries.sql("dash_report_text"), {"report_id": report_id}).fetchall()
    return str(found[0][0]) if found else ""


def correction_states(con: Connection) -> pd.DataFrame:
    """Every active correction with its state in this version (applied, needs_review, carried, dismissed)."""
    return _plain(con, "review_states")


# --- documents (warehouse/documents/): the summary's plan, an agency's years, the comparison ----------


def summary_plan(con: Connection, request: SummaryRequest) -> SummaryPlan:
    return plan_summary(con, request)


def agency_report_years(con: Connection, agency_id: str) -> list[int]:
    return agency_years(con, agency_id)


def comparison(con: Connection, agency_id: str, years: tuple[int, int], version: str) -> Comparison:
    return build_comparison(con, agency_id, years, version)


def findings(con: Connection, request: FindingsRequest, version: str) -> Findings:
    """The review findings (审核意见) of a place and year (warehouse/documents/findings*.py)."""
    return build_findings(con, request, version)
