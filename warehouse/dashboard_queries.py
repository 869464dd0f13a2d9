"""The dashboard's reads: named SQL from warehouse/queries/dash_*.sql over the selected reports.

Each function takes an open read-only connection (or cursor) and returns a fully materialised DataFrame.
On a store version with pre-aggregated tables (warehouse/store/rollups.py) the pages' aggregates read
those instead (agg_*.sql, same rows and numbers): `selected` comes from `agg_reports`, and each cube
relation is produced in one place, `_cube`. The fact-scanning queries stay for what the cubes cannot
answer (an agency name or list, values read by OCR left out) and for versions without the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import cast

import duckdb
import numpy as np
import pandas as pd

from warehouse import queries
from warehouse.documents.compare import Comparison
from warehouse.documents.findings import Findings, FindingsRequest
from warehouse.documents.findings_reads import build_findings
from warehouse.documents.reads import (
    SummaryPlan,
    agency_years,
    build_comparison,
    has_current_rollup,
    plan_summary,
)
from warehouse.documents.summary import SummaryRequest
from warehouse.filters import CONFIRMED_FACTS, ReportFilter
from warehouse.review import overlay
from warehouse.store.rollups import MASK_SCOPES, RANKED_SERIES, agency_mask_sql, year_mask

Connection = duckdb.DuckDBPyConnection

# Queries that read values: the relations they read with the corrections applied (warehouse/review), and
# the aggregates that add the corrections as a delta (review_delta_<name>.sql over the query as `base`).
CORRECTED = {
    "dash_report_facts": ("facts",),
    "dash_series_by_report": ("report_series",),
    "dash_ranking": ("report_series",),
    "dash_ranking_years": ("report_series",),
}
DELTA = frozenset({"dash_metric_by_year", "dash_series_by_year"})


def _overlaid(con: Connection) -> None:
    """Queries read the review relations; a connection nobody registered them on sees none."""
    overlay.ensure(con)


def _filtered(
    con: Connection,
    name: str,
    flt: ReportFilter,
    *,
    fast: bool = False,
    rollup: str = "agg_reports",
    routed: bool = False,
    **params: object,
) -> pd.DataFrame:
    """The named query over `selected`; with `fast`, selected from the current-report rollup (`rollup`:
    `agg_reports`, or another per-report rollup with the columns the query reads, such as `agg_listing`;
    and the coverage view from its rollup) when the version has them; with `routed` and a filter of one agency
    id, selected from the one bucket file that holds that agency's reports (`_in_bucket`; the query
    must read no other `reports` or `checks` row)."""
    _overlaid(con)
    condition, filter_params = flt.condition("r")
    hide = flt.hide_unconfirmed_ocr
    source = rollup if fast and has_rollups(con) else "reports"
    selected = f"selected AS (SELECT r.* FROM {source} AS r WHERE {condition})"
    if routed and source == "reports" and len(flt.agency_ids) == 1:
        scoped = _in_bucket(con, flt.agency_ids[0])
        selected = f"{scoped},\n{selected}" if scoped else selected
    trusted = CONFIRMED_FACTS if hide else ""
    if source != "reports":
        trusted = ",\n".join(p for p in (trusted, "coverage AS (SELECT * FROM agg_coverage)") if p)
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


def has_rollups(con: Connection) -> bool:
    """Whether the version holds the pre-aggregated tables (a store version written by this xxgk)."""
    return has_current_rollup(con)


def cube_answers(flt: ReportFilter) -> bool:
    """Whether the cubes hold what `flt` selects: they keep no agency, no OCR confirmation and no review
    status (those are per report)."""
    return (
        not flt.agency_text.strip() and not flt.agency_ids and not flt.hide_unconfirmed_ocr and not flt.review
    )


def _grain(flt: ReportFilter) -> str:
    return "K" if flt.county_code else "C" if flt.city_code else "P"


def _cube(relation: str, flt: ReportFilter) -> tuple[str, dict[str, object]]:
    """The one place that produces a cube relation for a filter: its rows at the coarsest grain that
    answers the filter's place. A query-time delta (reviewers' corrections) joins here."""
    condition, params = flt.condition("c")
    sql = f"cube AS (SELECT c.* FROM {relation} AS c WHERE c.grain = $grain AND {condition})"
    return sql, {**params, "grain": _grain(flt)}


def _from_cube(
    con: Connection, relation: str, name: str, flt: ReportFilter, *, delta: str = "", **params: object
) -> pd.DataFrame:
    """The named agg_ query over the cube; with `delta` (a dash_ query in DELTA), the reviewers'
    corrections of the selected reports added as that query's delta (review_delta_*.sql)."""
    cube, cube_params = _cube(relation, flt)
    if not delta:
        return con.execute(f"WITH {cube}\n{queries.sql(name)}", {**cube_params, **params}).df()
    _overlaid(con)
    condition, filter_params = flt.condition("r")
    if not overlay.has_rows(con, overlay.OVERLAY):
        # Nothing corrected: the delta joins no row, and reading the selected reports' ids for it would
        # cost more than the cube (100k 64-character ids at 100k reports).
        condition = f"FALSE AND {condition}"
    selected = f"selected AS (SELECT r.* FROM agg_reports AS r WHERE {condition})"
    base = f"base AS (\n{queries.sql(name)}\n)"
    sql = f"WITH {cube},\n{selected},\n{base},\n{queries.sql(delta.replace('dash_', 'review_delta_', 1))}"
    values = {**filter_params, **cube_params, **params, "hide_ocr": flt.hide_unconfirmed_ocr}
    return con.execute(sql, values).df()


def _use_cube(con: Connection, flt: ReportFilter) -> bool:
    return cube_answers(flt) and has_rollups(con)


def _plain(con: Connection, name: str, *, key: str | None = None, **params: object) -> pd.DataFrame:
    """The named query; with `key` (an agency key), `reports` and `checks` read only the bucket file that
    holds that key's reports (`_in_bucket`): the query must read no report of another key."""
    _overlaid(con)
    sql = queries.sql(name)
    if name in CORRECTED:
        sql = overlay.corrected(sql, *CORRECTED[name])
    scoped = _in_bucket(con, key) if key is not None else ""
    if scoped:
        sql = overlay.with_clause(scoped) + sql  # the routed queries have no WITH of their own
    return con.execute(sql, params or None).df()


def report_key(row: dict[str, object]) -> str:
    """The agency key of a report row (`reports` columns): what its bucket is chosen by (docs/scale.md §1,
    Buckets), `coalesce(agency_id, agency, report_id)` as store/derive.py computes it."""
    for column in ("agency_id", "agency", "report_id"):
        value = row.get(column)
        if value is not None and not (isinstance(value, float) and pd.isna(value)):
            return str(value)
    return ""


def _in_bucket(con: Connection, key: str) -> str:
    """`reports AS (…), checks AS (…)` over the one bucket holding the reports of agency key `key` (and
    their cross-report checks; a report's own checks come from the report-sorted parts): the views read
    every bucket's file, 32 at 100k reports and 256 at 1M. '' on a warehouse that is not a store."""
    from pathlib import Path

    from warehouse.store.version import scan_sql

    try:
        layout = _bucket_layout(con)
        if layout is None:
            return ""
        info, own = layout
        found = con.execute(
            "SELECT reports_file, xchecks_file FROM _buckets "
            f"WHERE bucket = CAST(md5_number($key) % {int(info['n_buckets'])} AS INTEGER)",
            {"key": key},
        ).fetchall()
    except duckdb.CatalogException:
        return ""
    if len(found) != 1:
        return ""
    root = Path(info["root"])
    reports_file, xchecks_file = found[0]
    alive = "WHERE report_id NOT IN (SELECT report_id FROM _dead)"
    return (
        f"reports AS ({scan_sql(root, 'reports', [str(reports_file)], hidden=False)}),\n"
        f"checks AS (SELECT * FROM ({scan_sql(root, 'checks', [str(f) for (f,) in own])}) {alive} "
        f"UNION ALL SELECT * FROM ({scan_sql(root, 'xchecks', [str(xchecks_file)])}))"
    )


def _bucket_layout(con: Connection) -> tuple[dict[str, str], list[tuple[str]]] | None:
    """The store's root and number of buckets, and the files of its own checks (`_in_bucket`); None when
    the version is not a store. Asked once per dashboard cursor (`overlay.Known`)."""
    return overlay.remembered(con, "buckets", lambda: _ask_bucket_layout(con))


def _ask_bucket_layout(con: Connection) -> tuple[dict[str, str], list[tuple[str]]] | None:
    info = dict(
        con.execute("SELECT key, value FROM warehouse_info WHERE key IN ('root', 'n_buckets')").fetchall()
    )
    if "root" not in info or "n_buckets" not in info:
        return None
    own = con.execute("SELECT file FROM _parts WHERE relation = 'checks' ORDER BY seq").fetchall()
    return info, own


def _current(con: Connection, name: str) -> pd.DataFrame:
    """A query over the current reports, read from their rollup when the version has it."""
    if not has_rollups(con):
        return _plain(con, name)
    return con.execute(f"WITH reports AS (SELECT * FROM agg_reports)\n{queries.sql(name)}").df()


def places(con: Connection) -> pd.DataFrame:
    return _current(con, "dash_places")


def domain(con: Connection) -> dict[str, object]:
    row: dict[str, object] = dict(_current(con, "dash_domain").iloc[0].to_dict())
    for key in ("templates", "levels", "kinds"):
        value = row.get(key)
        row[key] = (
            [str(item) for item in cast("list[object]", value)] if pd.api.types.is_list_like(value) else []
        )
    return row


def metrics(con: Connection) -> pd.DataFrame:
    return _plain(con, "dash_metrics")


def overview_counts(con: Connection, flt: ReportFilter) -> dict[str, object]:
    return dict(_filtered(con, "dash_overview_counts", flt, fast=True).iloc[0].to_dict())


def metric_by_year(
    con: Connection, flt: ReportFilter, codes: tuple[str, ...], breakdowns: tuple[str, ...] = ("",)
) -> pd.DataFrame:
    if _use_cube(con, flt):
        return _from_cube(
            con,
            "agg_metrics",
            "agg_metric_by_year",
            flt,
            delta="dash_metric_by_year",
            codes=list(codes),
            breakdowns=list(breakdowns),
        )
    return _filtered(con, "dash_metric_by_year", flt, codes=list(codes), breakdowns=list(breakdowns))


def series_by_year(con: Connection, flt: ReportFilter, series: tuple[str, ...]) -> pd.DataFrame:
    if _use_cube(con, flt):
        return _from_cube(
            con, "agg_series", "agg_series_by_year", flt, delta="dash_series_by_year", series=list(series)
        )
    return _filtered(con, "dash_series_by_year", flt, series=list(series))


def _profiled(con: Connection, flt: ReportFilter, series: tuple[str, ...]) -> bool:
    """Whether `agg_profile` and `agg_gaps` hold the rows: series they keep, no OCR values left out."""
    return (
        bool(series)
        and set(series) <= set(RANKED_SERIES)
        and not flt.hide_unconfirmed_ocr
        and has_rollups(con)
    )


def _of_agencies(flt: ReportFilter, alias: str) -> str:
    """A condition on the agency-ordered rollups' `agency_id` that DuckDB prunes their row groups by (the
    agencies as SQL literals; a list parameter prunes nothing), TRUE without agency ids; the filter's own
    condition applies as well."""
    if not flt.agency_ids:
        return "TRUE"
    listed = ", ".join("'" + a.replace("'", "''") + "'" for a in flt.agency_ids)
    return f"{alias}.agency_id IN ({listed})"


def _agency_rollup(con: Connection, relation: str, flt: ReportFilter, provinces: tuple[str, ...]) -> str:
    """`relation` (`agg_profile` or `agg_gaps`), or, for a filter of one agency id whose reports' provinces
    the caller gives (`agency_provinces`), the SELECT of those provinces' files only: the same rows of
    that agency."""
    if len(flt.agency_ids) != 1 or not provinces:
        return relation
    from warehouse.documents.reads import province_relations

    found = province_relations(con, set(provinces), (relation,))
    return f"({found[relation]})" if found else relation


def series_by_report(
    con: Connection, flt: ReportFilter, series: tuple[str, ...], provinces: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Harmonised series per selected report; the series the agencies page offers are read from
    `agg_profile` (one agency's rows together, with their report's columns) instead of the report-sorted
    parts and the current-report rollup. `provinces`: for one agency id, its `agency_provinces`, whose
    files alone hold its rows."""
    if not _profiled(con, flt, series):
        return _filtered(con, "dash_series_by_report", flt, fast=True, series=list(series))
    _overlaid(con)
    condition, params = flt.condition("r")
    source = _agency_rollup(con, "agg_profile", flt, provinces)
    # Read once (MATERIALIZED): the selected reports and the series the corrections apply to.
    profile = (
        f"profile AS MATERIALIZED (SELECT r.* FROM {source} AS r WHERE {condition} "
        f"AND {_of_agencies(flt, 'r')})"
    )
    selected = "selected AS (SELECT DISTINCT report_id, agency_id, agency, year, template FROM profile)"
    if overlay.has_rows(con, overlay.OVERLAY) or overlay.has_rows(con, overlay.CORRECTED_SERIES):
        corrected = overlay.ctes(
            *CORRECTED["dash_series_by_report"], series_base=f"SELECT {overlay.SERIES_COLUMNS} FROM profile"
        )
    else:
        # Nothing corrected (the usual case): the corrected `report_series` is the stored one, each row
        # not corrected and its value its original (without the overlay's anti-join and union: 14 → 11 ms
        # CPU cold at 100k reports).
        corrected = (
            f"report_series AS (SELECT {overlay.SERIES_COLUMNS}, FALSE AS corrected, value AS original_value "
            "FROM profile)"
        )
    sql = overlay.with_clause(profile, corrected, selected) + queries.sql("dash_series_by_report")
    return con.execute(sql, {**params, "series": list(series)}).df()


def series_gaps(
    con: Connection, flt: ReportFilter, series: tuple[str, ...], provinces: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The blank and not-applicable cells behind series without a value (why a profile cell is empty);
    those of the series the agencies page offers from `agg_gaps` (`provinces`: as `series_by_report`)."""
    if not _profiled(con, flt, series):
        return _filtered(con, "dash_series_gaps", flt, fast=True, series=list(series))
    _overlaid(con)
    condition, params = flt.condition("r")
    source = _agency_rollup(con, "agg_gaps", flt, provinces)
    gaps = f"gaps AS (SELECT r.* FROM {source} AS r WHERE {condition} AND {_of_agencies(flt, 'r')})\n"
    return con.execute(
        f"WITH {gaps}{queries.sql('agg_series_gaps')}", {**params, "series": list(series)}
    ).df()


RANK_LIMIT = 100
"""Reports the agencies page's ranking draws (largest first); its median and count cover all of them."""


def _ranked(flt: ReportFilter) -> str:
    """`selected AS (…)`: the filtered `agg_ranking` rows of the series."""
    condition, _ = flt.condition("r")
    return f"selected AS (SELECT r.* FROM agg_ranking AS r WHERE {condition} AND r.series_code = $series)"


def ranking_years(con: Connection, flt: ReportFilter, series: str) -> pd.DataFrame:
    """The years (newest first) in which a selected report has the series' total; from the series cube
    (its groups of the series' total rows are those of `agg_ranking`'s reports)."""
    if series not in RANKED_SERIES or not _use_cube(con, flt):
        return _filtered(con, "dash_ranking_years", flt, fast=True, series=series)
    return _from_cube(con, "agg_series", "agg_ranking_years", flt, series=series)


def ranking(
    con: Connection, flt: ReportFilter, series: str, year: int, limit: int = RANK_LIMIT
) -> pd.DataFrame:
    """The selected reports of `year` with the largest totals of `series` (at most `limit`), with the count
    of reports that have a value (`ranked`) and the median of all of them (`median`)."""
    if series not in RANKED_SERIES or not _use_cube(con, flt):
        return _filtered(con, "dash_ranking", flt, fast=True, series=series, year=year, limit=limit)
    _overlaid(con)
    _, params = flt.condition("r")
    sql = f"WITH {_ranked(flt)},\n{queries.sql('agg_ranking')}"
    # Nothing corrected (the usual case): the delta joins no row; reading the year's report ids for it
    # costs about a third of the read.
    corrected = overlay.has_rows(con, overlay.CORRECTED_SERIES)
    values = {**params, "series": series, "year": year, "limit": limit, "corrected": corrected}
    return con.execute(sql, values).df()


def reports(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    """The selected reports; for one agency id (the agencies page), read from its bucket only: every
    report of an agency id has that id as its agency key."""
    return _filtered(con, "dash_reports", flt, routed=True)


def agency_rows(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    """Every current report of the filter's one agency id, from its bucket, with `reports`' columns and
    order and `_selected` (whether `flt` selects it): the agencies page's one read of the agency's bucket,
    from which it takes its reports table (`selected_reports`), the comparison's years (`years_of`) and
    the comparison's two reports (`compare_rows`), which were three reads (≈ 7, 4 and 4 ms CPU cold at
    100k reports, each opening the bucket's file)."""
    if len(flt.agency_ids) != 1:
        raise ValueError("agency_rows reads the reports of one agency id")
    _overlaid(con)
    condition, params = flt.condition("r")
    scoped = _in_bucket(con, flt.agency_ids[0])
    rows = (
        f"agency_rows AS (SELECT r.*, coalesce(({condition}), FALSE) AS _selected FROM reports AS r "
        "WHERE r.agency_id = $agency_id AND r.is_current)"
    )
    sql = overlay.with_clause(scoped, rows) + queries.sql("dash_agency_rows")
    return con.execute(sql, {**params, "agency_id": flt.agency_ids[0]}).df()


def selected_reports(rows: pd.DataFrame) -> pd.DataFrame:
    """`reports(flt)` of the agency whose `agency_rows(flt)` these are: the selected rows, in their order,
    with the dtypes a read of just those rows gives (`as_read`; of no row, text columns as objects)."""
    kept = rows[rows["_selected"].to_numpy(dtype=bool)].drop(columns=["_selected", "_province"])
    kept = kept.reset_index(drop=True)
    if kept.empty:
        texts = [c for c, dtype in kept.dtypes.items() if isinstance(dtype, pd.StringDtype)]
        return kept.astype(dict.fromkeys(texts, "object")) if texts else kept
    return as_read(kept)


def agency_provinces(rows: pd.DataFrame) -> tuple[str, ...]:
    """The file keys of the provinces of an agency's current reports (its `agency_rows`): the
    pre-aggregated files that hold its rows (warehouse/store/rollups.py: a report's rows go with its
    province). `series_by_report` and `series_gaps` of the agency then open those files only instead of
    every province's (the footers of 27 files each: ≈ 15–20 ms CPU cold at 1M reports)."""
    return tuple(sorted({str(p) for p in rows["_province"].tolist()}))


def years_of(rows: pd.DataFrame) -> list[int]:
    """`agency_report_years` of the agency whose `agency_rows` these are: the years of its current
    reports, oldest first."""
    return sorted({int(y) for y in rows["year"].tolist() if not pd.isna(y)})


COMPARE_COLUMNS = ("report_id", "year", "template", "agency", "source_file", "title", "checks_failed")
"""`compare_reports.sql`'s columns."""


def _plain_value(value: object) -> object:
    """A frame's cell as DuckDB's `fetchall` gives it: None for a missing value, Python ints."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return int(value) if isinstance(value, int | np.integer) and not isinstance(value, bool) else value


def compare_rows(rows: pd.DataFrame, years: tuple[int, int]) -> tuple[dict[str, object], ...]:
    """`compare_reports`' rows (as `fetchall` gives them, oldest first) of the agency whose `agency_rows`
    these are, for `years`: its current reports of those years, the agency's name or else its id, the
    title or ''."""
    found = []
    for row in rows.to_dict("records"):
        year = _plain_value(row["year"])
        if year is None or year not in years:
            continue
        agency = _plain_value(row["agency"])
        title = _plain_value(row["title"])
        found.append(
            {
                "report_id": _plain_value(row["report_id"]),
                "year": year,
                "template": _plain_value(row["template"]),
                "agency": _plain_value(row["agency_id"]) if agency is None else agency,
                "source_file": _plain_value(row["source_file"]),
                "title": "" if title is None else title,
                "checks_failed": _plain_value(row["checks_failed"]),
            }
        )
    return tuple(sorted(found, key=lambda r: cast("int", r["year"])))


def review_counts(con: Connection, flt: ReportFilter) -> dict[str, int]:
    """The selected reports per review status (statuses no selected report has are left out)."""
    return review_summary(con, flt).counts


@dataclass(frozen=True)
class ReviewSummary:
    """What the quality page reads of the selected reports in one scan (`review_summary`)."""

    counts: dict[str, int]
    """`review_counts`."""
    unplaced: bool
    """Whether one of them could not be placed (`unplaced` has a row)."""
    years: tuple[tuple[int | None, int], ...]
    """How many there are of each year (None: without a year), for `listing_floor`."""


def review_summary(con: Connection, flt: ReportFilter) -> ReviewSummary:
    """`review_counts`, whether any selected report could not be placed (`unplaced`'s first test) and the
    reports per year, in one scan of the selected reports: the quality page lists the unplaced agencies
    only when there are some, and its review listing reads the newest years only (`listing_floor`); a
    read of the 100,000 rows of `agg_reports` costs ≈ 5–8 ms at 100k reports before its rows."""
    _overlaid(con)
    # Nobody reviewed anything yet (the usual case): every selected report is pending, counted without
    # joining the statuses by report id (reading 100k ids costs ~15 ms at 100k reports).
    name = "dash_review_counts" if overlay.has_rows(con, overlay.STATUS) else "dash_review_counts_pending"
    found = _filtered(con, name, flt, fast=True)
    counts: dict[str, int] = {}
    years: dict[int | None, int] = {}
    for status, year, n in zip(found["review_status"], found["year"], found["reports"], strict=True):
        counts[str(status)] = counts.get(str(status), 0) + int(n)
        key = None if pd.isna(year) else int(year)
        years[key] = years.get(key, 0) + int(n)
    return ReviewSummary(counts, bool(found["unplaced"].any()), tuple(sorted(years.items(), key=_year_key)))


def _year_key(item: tuple[int | None, int]) -> tuple[bool, int]:
    return item[0] is None, -(item[0] or 0)


def listing_floor(years: tuple[tuple[int | None, int], ...], rows: int) -> int | None:
    """The earliest year the first `rows` reports of `review_listing` (newest year first, reports without
    a year last) can have, from the selected reports per year (`ReviewSummary.years`): the newest years
    that hold `rows` reports between them; None when the years with a year do not reach `rows`."""
    total = 0
    for year, n in sorted(years, key=_year_key):
        if year is None:
            return None
        total += n
        if total >= rows:
            return year
    return None


REVIEW_PAGE = 500
"""Reports the review overview lists at a time."""


def review_listing(
    con: Connection, flt: ReportFilter, page: int = 1, limit: int = REVIEW_PAGE, floor: int | None = None
) -> pd.DataFrame:
    """Page `page` (from 1) of the selected reports with their review status, `limit` at a time, in the
    order of `reports`. `floor`: `listing_floor` of the selected reports for `page * limit` rows, a year
    the page's reports are all from or after (the top-N then sorts those years' rows only, ≈ a tenth
    at 100k reports). Read from `agg_listing`, stored in this order, but for a city or a county, whose rows
    sit together in the place-sorted `agg_reports` (docs/scale.md §5, issue12qp)."""
    offset = max(page - 1, 0) * limit
    if floor is not None:
        flt = replace(flt, year_from=max(flt.year_from or floor, floor))
    rollup = "agg_reports" if flt.city_code or flt.county_code else "agg_listing"
    return _filtered(con, "dash_review_listing", flt, fast=True, rollup=rollup, limit=limit, offset=offset)


def agencies(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    return _filtered(con, "dash_agencies", flt, fast=True)


PICK_LIMIT = 200
"""Agencies a picker lists at a time (typing part of a name narrows them)."""


def agency_choices(
    con: Connection, flt: ReportFilter, text: str = "", limit: int = PICK_LIMIT
) -> pd.DataFrame:
    """The selected agencies whose name or id contains `text` (every one when blank), in the order of
    `agencies`, at most `limit`, with how many match in all (column `matching`)."""
    found = _from_agencies(
        con,
        "agg_agency_choices",
        flt,
        years=year_mask(flt.year_from, flt.year_to),
        text=text.strip(),
        limit=limit,
    )
    if found is not None:
        return found
    return _filtered(con, "dash_agency_choices", flt, fast=True, text=text.strip(), limit=limit)


def _from_agencies(con: Connection, name: str, flt: ReportFilter, **params: object) -> pd.DataFrame | None:
    """The named agg_ query over `agg_agencies`' rows that pass `flt`'s other columns (`candidates`, with
    `picked`: the mask of the years of their reports of its templates and scope; its years are the caller's
    $years), without its `odd` column; None when the version has no such table, the filter asks for a
    review status (kept per report) or a candidate has a year or template the masks cannot hold (`odd`)."""
    if flt.review or flt.scope not in MASK_SCOPES or not has_rollups(con):
        return None
    condition, filter_params = flt.condition("a", per_report=False)
    picked = agency_mask_sql("a", flt.templates, flt.scope)
    head = f"WITH candidates AS (SELECT a.*, {picked} AS picked FROM agg_agencies AS a WHERE {condition})\n"
    found = con.execute(head + queries.sql(name), {**filter_params, **params}).df()
    if found.empty:
        probe = "SELECT coalesce(bool_or(odd_years OR odd_coverage), FALSE) FROM agg_agencies AS a WHERE "
        odd = con.execute(probe + condition, filter_params).fetchall()[0][0]
        return None if odd else found.drop(columns="odd")
    return None if bool(found["odd"].iloc[0]) else found.drop(columns="odd")


def check_summary(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    if _use_cube(con, flt):
        return _from_cube(con, "agg_checks", "agg_check_summary", flt)
    return _filtered(con, "dash_check_summary", flt)


FAILED_PAGE = 200
"""Failed checks the quality page lists at a time (worst first, a page number for the others);
`xxgk export checks` writes them all."""


def failed_checks(
    con: Connection, flt: ReportFilter, limit: int = FAILED_PAGE, page: int = 1
) -> pd.DataFrame:
    """Page `page` (from 1) of the selected reports' failed checks, worst first, `limit` at a time (the
    order is total, so the pages hold every failed check once)."""
    offset = max(page - 1, 0) * limit
    if has_rollups(con):
        condition, params = flt.condition("r")
        sql = f"WITH selected AS (SELECT r.* FROM agg_failed AS r WHERE {condition})\n"
        values = {**params, "limit": limit, "offset": offset}
        return con.execute(sql + queries.sql("agg_checks_failed"), values).df()
    return _filtered(con, "dash_checks_failed", flt, limit=limit, offset=offset)


def coverage(con: Connection, flt: ReportFilter, year_from: int, year_to: int) -> pd.DataFrame:
    """The grid covers agencies selected in any year, so an agency that stopped publishing still shows."""
    every_year = replace(flt, year_from=None, year_to=None)
    grid = _filtered(con, "dash_coverage_grid", every_year, fast=True, year_from=year_from, year_to=year_to)
    return grid.sort_values(["agency_name", "year"], ignore_index=True, kind="stable")


def coverage_limited(
    con: Connection, flt: ReportFilter, year_from: int, year_to: int, limit: int
) -> pd.DataFrame:
    """`coverage` for at most `limit` agencies (gaps first, then by name), with the count of all of them
    in column `agencies`: the page draws a bounded grid however many agencies are selected."""
    every_year = replace(flt, year_from=None, year_to=None)
    found = _from_agencies(
        con,
        "agg_coverage_limited",
        every_year,
        years=year_mask(year_from, year_to),
        year_from=year_from,
        year_to=year_to,
        limit=limit,
    )
    if found is not None:
        return found
    condition, params = every_year.condition("r")
    source, shadow = "reports", ""
    if has_rollups(con):
        source, shadow = "agg_reports", "coverage AS (SELECT * FROM agg_coverage), "
    sql = (
        f"WITH {shadow}selected AS (SELECT r.* FROM {source} AS r WHERE {condition}), "
        f"grid AS ({queries.sql('dash_coverage_grid')})\n{queries.sql('dash_coverage_limited')}"
    )
    values = {**params, "year_from": year_from, "year_to": year_to, "limit": limit}
    return con.execute(sql, values).df()


def unplaced(con: Connection, flt: ReportFilter) -> pd.DataFrame:
    """The agencies that could not be placed; looked for first over the two place columns (22 → ≈ 6 ms
    at 100k reports when there is none, the usual case)."""
    found = bool(_filtered(con, "dash_unplaced_any", flt, fast=True)["found"].iloc[0])
    return _filtered(con, "dash_unplaced", flt, fast=True, any=found)


def ingest_errors(con: Connection) -> pd.DataFrame:
    return _plain(con, "dash_ingest_errors")


def agency_reports(con: Connection, agency_id: str) -> pd.DataFrame:
    # Every report of an agency id has that id as its agency key: one bucket holds them all.
    return _plain(con, "dash_agency_reports", key=agency_id, agency_id=agency_id)


def agency_report_rows(con: Connection, agency_id: str) -> pd.DataFrame:
    """Every version of every report of one agency with `report`'s columns, in `agency_reports`' order,
    read from its bucket: the report page takes its list (`listed_reports`), the chosen report's row
    (`report_row`) and that report's versions (`versions_of`) from this one read instead of three (each
    read of a bucket file costs ≈ 10–15 ms at 100k reports before its rows)."""
    return _plain(con, "dash_agency_report_rows", key=agency_id, agency_id=agency_id)


AGENCY_REPORT_COLUMNS = ("report_id", "year", "template", "format", "source_file", "is_current")
"""`dash_agency_reports.sql`'s columns."""
VERSION_COLUMNS = ("report_id", "source_file", "published", "is_current", "checks_failed", "ingested_at")
"""`dash_report_versions.sql`'s columns."""


def _masked(dtype: object) -> bool:
    return isinstance(dtype, pd.core.dtypes.dtypes.BaseMaskedDtype)


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """Some rows of a read with the dtypes DuckDB gives a result of just those rows: a column is read into
    a nullable pandas dtype (`Int32`, `boolean`, …) only when it holds a NULL, so a column whose NULLs
    were all in rows left out goes back to its NumPy dtype (`int32`, `bool`, …); a text column with no
    value is read as objects (None), not as strings (NaN)."""
    columns: dict[str, object] = {}
    changed = False
    for column, dtype in frame.dtypes.items():
        values = frame[column]
        if _masked(dtype) and not values.isna().any():
            values, changed = values.astype(dtype.numpy_dtype), True
        elif isinstance(dtype, pd.StringDtype) and len(values) and values.isna().all():
            values, changed = pd.Series([None] * len(values), index=values.index, dtype="object"), True
        columns[str(column)] = values
    return pd.DataFrame(columns, index=frame.index) if changed else frame


def listed_reports(rows: pd.DataFrame) -> pd.DataFrame:
    """`agency_reports` of the agency whose `agency_report_rows` these are (the same rows and order)."""
    return rows[list(AGENCY_REPORT_COLUMNS)].reset_index(drop=True)


def _position(rows: pd.DataFrame, report_id: str) -> int | None:
    found = [i for i, r in enumerate(rows["report_id"].tolist()) if r == report_id]
    return found[0] if found else None


def report_row(rows: pd.DataFrame, report_id: str) -> dict[str, object] | None:
    """`report(report_id)` of a report among an agency's `agency_report_rows`, None when it is not: the
    row as a one-row read gives it (a NULL of a text, integer or boolean column is None there, whatever
    the other rows hold)."""
    at = _position(rows, report_id)
    if at is None:
        return None
    row = rows.iloc[at].to_dict()
    blanks = [
        column
        for column, dtype in rows.dtypes.items()
        if (_masked(dtype) or isinstance(dtype, pd.StringDtype)) and pd.isna(row[str(column)])
    ]
    return {**row, **dict.fromkeys(blanks)}


def versions_of(rows: pd.DataFrame, report_id: str) -> pd.DataFrame:
    """`report_versions(report_id)` of a report among an agency's `agency_report_rows`: the agency's
    reports of its year (none when its year is unknown, as `r.year = this.year` gives), current first,
    then the latest published (ORDER BY is_current DESC, published DESC NULLS LAST; ties keep the
    agency's order, where the query leaves them to chance)."""
    at = _position(rows, report_id)
    years = rows["year"].tolist()
    year = None if at is None else years[at]
    same = (
        []
        if year is None or pd.isna(year)
        else [i for i, y in enumerate(years) if not pd.isna(y) and y == year]
    )
    published, current = rows["published"].tolist(), rows["is_current"].tolist()
    known = sorted((i for i in same if not pd.isna(published[i])), key=lambda i: published[i], reverse=True)
    latest = known + [i for i in same if pd.isna(published[i])]
    rank = [2 if pd.isna(current[i]) else 0 if current[i] else 1 for i in latest]
    ordered = [i for _, i in sorted(zip(rank, latest, strict=True), key=lambda pair: pair[0])]
    return as_read(rows.iloc[ordered][list(VERSION_COLUMNS)].reset_index(drop=True))


def report(con: Connection, report_id: str, key: str | None = None) -> dict[str, object] | None:
    """One report's row; `key`, its agency key if known (`report_key`), reads only its bucket (a report
    not found there is looked for in every bucket)."""
    found = _plain(con, "dash_report", key=key, report_id=report_id)
    if found.empty and key is not None:
        found = _plain(con, "dash_report", report_id=report_id)
    return None if found.empty else dict(found.iloc[0].to_dict())


def report_facts(con: Connection, report_id: str) -> pd.DataFrame:
    return _plain(con, "dash_report_facts", report_id=report_id)


def report_ocr(con: Connection, report_id: str) -> pd.DataFrame:
    """Crops of the values read by OCR (empty for reports with a text layer)."""
    return _plain(con, "dash_report_ocr", report_id=report_id)


def report_checks(con: Connection, report_id: str, key: str | None = None) -> pd.DataFrame:
    """`key`: the report's agency key (`report_key` of its row), which reads only its bucket."""
    return _plain(con, "dash_report_checks", key=key, report_id=report_id)


def report_versions(con: Connection, report_id: str, key: str | None = None) -> pd.DataFrame:
    """`key`: the report's agency key (`report_key` of its row): the other versions have the same agency
    id, so the same key and bucket."""
    return _plain(con, "dash_report_versions", key=key, report_id=report_id)


def report_text(con: Connection, report_id: str) -> str:
    found = con.execute(queries.sql("dash_report_text"), {"report_id": report_id}).fetchall()
    return str(found[0][0]) if found else ""


def correction_states(con: Connection) -> pd.DataFrame:
    """Every active correction with its state in this version (applied, needs_review, carried, dismissed)."""
    _overlaid(con)
    (corrections,) = con.execute(f"SELECT count(*) FROM {overlay.CORRECTIONS}").fetchall()[0]
    if not corrections:  # the usual case: the columns only, without planning the query over the facts
        return no_correction_states()
    return _plain(con, "review_states")


STATE_COLUMNS = (
    ("id", "int64"), ("report_id", "object"), ("metric_code", "object"), ("breakdown", "object"),
    ("value", "object"), ("original_value", "object"), ("kind", "object"), ("reason", "object"),
    ("agency", "object"), ("year", "int64"), ("source_file", "object"), ("created_by", "object"),
    ("created_at", "object"), ("report_present", "bool"), ("value_now", "float64"),
    ("reads_as_before", "bool"), ("current_report_id", "object"), ("current_file", "object"),
    ("decision", "object"), ("current_value", "float64"), ("current_raw", "object"), ("state", "object"),
    ("why", "object"),
)  # fmt: skip
"""`review_states.sql`'s columns and their dtypes in an empty result: planning the query (`LIMIT 0`)
opens every view it names, ≈ 47 ms at 100k reports and ≈ 330 ms at 1M on a process's first page, for
a table that is the same for every version (tests/test_dashboard_scale_queries.py compares the two)."""


def no_correction_states() -> pd.DataFrame:
    """`correction_states` when nothing is corrected: no row, the full query's columns and dtypes."""
    return _no_states().copy()


@cache
def _no_states() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in STATE_COLUMNS})


# --- documents (warehouse/documents/): the summary's plan, an agency's years, the comparison ----------


def summary_plan(con: Connection, request: SummaryRequest) -> SummaryPlan:
    return plan_summary(con, request)


def agency_report_years(con: Connection, agency_id: str) -> list[int]:
    return agency_years(con, agency_id, _in_bucket(con, agency_id))


def comparison(con: Connection, agency_id: str, years: tuple[int, int], version: str) -> Comparison:
    """The comparison of the agency with id `agency_id` (the page's picker gives ids from the warehouse:
    not resolved again as a name over every report's names, which grows with the warehouse)."""
    return build_comparison(con, agency_id, years, version, _in_bucket(con, agency_id), by_id=True)


def comparison_shown(
    con: Connection,
    agency_id: str,
    years: tuple[int, int],
    version: str,
    reports: tuple[dict[str, object], ...] | None = None,
) -> Comparison:
    """What the agencies page shows of `comparison`: its cells, sections and failed-check counts, without
    the checks and series its documents list (read by `comparison` when a document is asked for).
    `reports`: the two reports' `compare_reports` rows when the page has them (`compare_rows` of its
    `agency_rows`), not read again (nor is the agency's bucket then looked up: nothing else of the
    shown comparison reads it)."""
    within = "" if reports is not None else _in_bucket(con, agency_id)
    return build_comparison(con, agency_id, years, version, within, by_id=True, shown=True, reports=reports)


def findings(con: Connection, request: FindingsRequest, version: str) -> Findings:
    """The review findings (审核意见) of a place and year (warehouse/documents/findings*.py)."""
    return build_findings(con, request, version)
