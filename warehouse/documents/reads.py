"""What the documents read from the warehouse: named SQL (warehouse/queries/summary_*.sql, compare_*.sql,
document_*.sql) over an open connection, returned as records with exact Decimals (never through pandas,
which would turn DECIMAL into float)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from etl.values import normalise_decimal
from warehouse import queries
from warehouse.documents.compare import (
    CheckRow,
    CompareError,
    Comparison,
    Printed,
    SeriesRow,
    Side,
    pair_cells,
    pair_series,
)
from warehouse.documents.summary import (
    Cell,
    CellSum,
    MissingUnit,
    Summary,
    SummaryError,
    SummaryRequest,
    Unit,
    choose_units,
    identities,
    keep_missing,
    left_out,
    official_cells,
)
from warehouse.documents.textdiff import diff_texts
from warehouse.review import overlay
from warehouse.store.catalog import ROLLUPS_FORMAT

Connection = duckdb.DuckDBPyConnection


CORRECTED = {"summary_cells": ("facts",), "document_facts": ("facts",), "compare_series": ("series",)}
"""Queries that read values, and the relations they read with reviewers' corrections (warehouse/review)."""


def rows(con: Connection, query: str, **params: object) -> list[dict[str, Any]]:
    return _rows(con, query, queries.sql(query), params)


def rows_within(con: Connection, within: str, query: str, **params: object) -> list[dict[str, Any]]:
    """`rows` with CTEs put in front of the query: `within`, the `reports` and `checks` of one agency's
    bucket (warehouse/dashboard_queries.py `_in_bucket`), or ''."""
    return _rows(con, query, queries.sql(query), params, within)


def report_rows(
    con: Connection,
    query: str,
    report_ids: Sequence[str],
    within: str = "",
    sql: str | None = None,
    **params: object,
) -> list[dict[str, Any]]:
    """A query over some reports (`$report_list` in its SQL, or in `sql` given for it) with their ids
    written in as literals: DuckDB prunes the report-sorted parts by a literal list, not by a list
    parameter. Ids that are not report ids (SHA-256 hex) match nothing and are left out."""
    listed = ", ".join(f"'{i}'" for i in sorted(set(report_ids)) if overlay.REPORT_ID.fullmatch(i)) or "NULL"
    text = queries.sql(query) if sql is None else sql
    return _rows(con, query, text.replace("$report_list", listed), params, within)


def _rows(
    con: Connection, query: str, sql: str, params: dict[str, object], within: str = ""
) -> list[dict[str, Any]]:
    if query in CORRECTED:
        overlay.ensure(con)
        if _corrects(con, CORRECTED[query]):
            sql = overlay.corrected(sql, *CORRECTED[query])
    if within:
        # The corrected relations join `main.reports` (past any CTE of that name); here every report the
        # query reads is in the bucket `within` names, so they join its `reports`.
        sql = sql.replace("JOIN main.reports ", "JOIN reports ")
        found = overlay.LEADING_WITH.match(sql)
        sql = f"WITH {within},\n{sql[found.end() :]}" if found else f"WITH {within}\n{sql}"
    cursor = con.execute(sql, params or None)
    columns = [d[0] for d in cursor.description or ()]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _corrects(con: Connection, relations: tuple[str, ...]) -> bool:
    """Whether reading `relations` with the corrections applied can differ from reading them as stored:
    for `facts`, only when a correction applies to a fact (`review_overlay` has a row; the corrected
    facts are the stored ones joined to it, 18 → 13 ms CPU for the comparison's two reports at 100k
    reports). Other relations are always read corrected."""
    if relations == ("facts",):
        return overlay.has_rows(con, overlay.OVERLAY)
    return True


def place_name(con: Connection, code: str) -> tuple[str, str]:
    """(name, level) of a place code; a code no report is placed under is an error."""
    found = _rows(con, "summary_place", _place_sql(con), {"place": code})
    if not found:
        raise SummaryError(f"no report in the warehouse is placed under {code}: check the code (6 digits)")
    return str(found[0]["name"]), str(found[0]["level"])


PLACE_COLUMNS = "province, city, county, province_code, city_code, county_code"


def _place_sql(con: Connection) -> str:
    """`summary_place` over every report, current or not. With the rollups the current reports come from
    `agg_reports` and the others, replaced versions (`NOT is_current`), from `agg_superseded` (one small
    file per province each): a name seen only on a replaced report still counts, and no bucket file is
    read (at 1M reports the replaced ones cost ≈ 65–75 ms CPU cold, the footers of 256 bucket files,
    against ≈ 18 → 10 ms CPU at 100k when they were read from `reports`; docs/scale.md §5, issue12pa)."""
    sql = queries.sql("summary_place")
    if not has_current_rollup(con):
        return sql
    place = "$place IN (province_code, city_code, county_code)"
    return (
        f"WITH reports AS (SELECT {PLACE_COLUMNS} FROM agg_reports WHERE {place} "
        f"UNION ALL SELECT {PLACE_COLUMNS} FROM agg_superseded WHERE {place})\n{sql}"
    )


def candidate_units(
    con: Connection, request: SummaryRequest, provinces: PlaceProvinces | None = None
) -> list[Unit]:
    return [
        Unit(
            report_id=str(r["report_id"]),
            agency_id=str(r["agency_id"]),
            agency=str(r["agency"]),
            template=str(r["template"]),
            scope=str(r["scope"]),
            kind=str(r["agency_kind"]),
            level=str(r["agency_level"]),
            is_vertical=bool(r["is_vertical"]),
            source_file=str(r["source_file"]),
            place=str(r["place"]),
        )
        for r in _unit_rows(con, request, provinces)
    ]


def _unit_rows(
    con: Connection, request: SummaryRequest, provinces: PlaceProvinces | None = None
) -> list[dict[str, Any]]:
    """`summary_units`, read from the current-report rollup when the version has it (one small file per
    province instead of every bucket's reports: 51 → 28 ms at 100k reports). The rollup has no file name,
    which names a unit only when it has neither agency id nor name: then the query reads `reports`.
    `provinces`: the place's `place_provinces` when the caller has read them."""
    params = {"place": request.place_code, "year": request.year}
    if has_current_rollup(con):
        within = provinces_within(provinces or place_provinces(con, request.place_code, request.year))
        rollup = f"WITH reports AS (SELECT *, NULL::VARCHAR AS file_name FROM agg_reports{within})"
        found = _rows(con, "summary_units", f"{rollup}\n{queries.sql('summary_units')}", params)
        if all(r["agency_id"] is not None and r["agency"] is not None for r in found):
            return found
    return rows(con, "summary_units", **params)


PROVINCE_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class PlaceProvinces:
    """The provinces of a place's current reports, from one scan of `agg_reports` (`place_provinces`)."""

    of_year: tuple[str, ...]
    """Those of its reports of the year (a report without a province left out): `provinces_within`."""
    of_units: tuple[str, ...]
    """Those of its reports with an agency id (NO_PROVINCE for one without a province): `missing_rows`."""


def place_provinces(con: Connection, place: str, year: int) -> PlaceProvinces:
    """What `provinces_within` and `missing_rows` each read of `agg_reports` (a few columns of every
    province's file: ≈ 15–25 ms CPU each cold at 1M reports), in one scan: the review findings and the
    summary of a place need both."""
    from warehouse.store.rollups import NO_PROVINCE

    found = con.execute(
        "SELECT DISTINCT province_code, coalesce(year = $year, FALSE), agency_id IS NOT NULL "
        "FROM agg_reports WHERE is_current AND $place IN (province_code, city_code, county_code)",
        {"place": place, "year": year},
    ).fetchall()
    of_year = sorted({str(code) for code, dated, _ in found if dated and code is not None})
    of_units = sorted({NO_PROVINCE if code is None else str(code) for code, _, unit in found if unit})
    return PlaceProvinces(tuple(of_year), tuple(of_units))


def provinces_within(provinces: PlaceProvinces) -> str:
    """` WHERE province_code = … OR … OR province_code IS NULL` over the provinces of the place's reports
    of the year (`provinces.of_year`): the rollup has one file per province, and a literal list lets DuckDB
    skip the others' (the candidates' own query reads every column: 27 → 12 ms at 100k reports). '' when
    a code is not six digits."""
    codes = provinces.of_year
    if not all(PROVINCE_CODE.fullmatch(code) for code in codes):
        return ""
    kept = [f"province_code = '{code}'" for code in codes]  # an IN list OR'ed with IS NULL prunes nothing
    return f" WHERE {' OR '.join([*kept, 'province_code IS NULL'])}"


def has_current_rollup(con: Connection) -> bool:
    """Whether the version holds `agg_reports` of this xxgk's format (warehouse/store/rollups.py): the
    current reports with the columns the summary's candidates read, but the file name. Asked once per
    dashboard cursor (`overlay.Known`)."""
    return overlay.remembered(con, "rollups", lambda: _asks_current_rollup(con))


def _asks_current_rollup(con: Connection) -> bool:
    try:
        found = con.execute("SELECT value FROM warehouse_info WHERE key = 'rollups'").fetchall()
    except duckdb.Error:
        return False
    return bool(found) and found[0][0] == ROLLUPS_FORMAT


def cell_sums(con: Connection, cells: Sequence[Cell], units: Sequence[Unit]) -> tuple[CellSum, ...]:
    """Every official cell summed over the units by DuckDB (exact DECIMAL sums), with the units that
    left the cell out, printed text that is not a value, or hold a value an identity chose."""
    names = {u.report_id: u.agency for u in units}
    params = {
        "reports": list(names),
        "codes": [code for code, _ in cells],
        "breakdowns": [breakdown for _, breakdown in cells],
    }
    gaps: dict[Cell, list[str]] = {}
    for r in rows(con, "summary_gaps", **params):
        gaps.setdefault((str(r["metric_code"]), str(r["breakdown"])), []).append(names[str(r["report_id"])])
    return tuple(
        CellSum(
            code=str(r["metric_code"]),
            breakdown=str(r["breakdown"]),
            value=_exact(r["total"]) if r["numbers"] else None,
            numbers=int(r["numbers"]),
            blanks=int(r["blanks"]),
            not_printed=tuple(gaps.get((str(r["metric_code"]), str(r["breakdown"])), ())),
            unreadable=tuple(names[str(i)] for i in r["unreadable"] or ()),
            inferred=tuple(names[str(i)] for i in r["inferred"] or ()),
        )
        for r in rows(con, "summary_cells", **params)
    )


def failed_checks(con: Connection, units: Sequence[Unit]) -> dict[tuple[str, str], list[str]]:
    """(check id, breakdown) -> the units whose own report fails it."""
    names = {u.report_id: u.agency for u in units}
    found: dict[tuple[str, str], list[str]] = {}
    for r in report_rows(con, "summary_failures", list(names)):
        agencies = found.setdefault((str(r["check_id"]), str(r["breakdown"])), [])
        name = names[str(r["report_id"])]
        if name not in agencies:
            agencies.append(name)
    return found


def missing_rows(
    con: Connection, place: str, year: int, provinces: PlaceProvinces | None = None
) -> list[dict[str, Any]]:
    """`summary_missing` of a place and year, reading the coverage rollup where the version has it (the
    same rows as the `coverage` view, which would rank every agency's years), and of that only the files
    of the provinces of the place's current reports (`_province_rollups`; `provinces`: the place's
    `place_provinces` when the caller has read them)."""
    sql = queries.sql("summary_missing")
    params = {"place": place, "year": year}
    if has_current_rollup(con):
        # It reads current reports only, which `agg_reports` holds (a few columns of one file per
        # province, not every bucket's `reports`: 75 → 25 ms CPU for a county at 100k reports).
        rollup = "coverage AS (SELECT * FROM agg_coverage), reports AS (SELECT * FROM agg_reports)"
        found = (provinces or place_provinces(con, place, year)).of_units
        if not found:
            return []  # no unit is placed under the place: `placed` is empty
        rollup = _province_rollups(con, set(found)) or rollup
        sql = sql.replace("WITH placed AS (", f"WITH {rollup}, placed AS (", 1)
    return _rows(con, "summary_missing", sql, params)


def _province_rollups(con: Connection, provinces: set[str]) -> str:
    """`coverage AS (…), reports AS (…)`: `agg_coverage` and `agg_reports` of the files (and deltas) of
    `provinces` only; '' when the version does not list them (`_rollups`).

    Exact for `summary_missing` when `provinces` holds the province of every current report placed under
    the place: a report's row is in its own province's files, an agency's coverage in those of its
    latest current report (warehouse/store/rollups.py `build_all`). An agency placed under the place
    whose latest report is elsewhere has no coverage row in these files, and the whole query drops it
    anyway (its latest report is not under the place); one whose latest report is in `provinces` has
    that report here, so its latest report is the same."""
    found = province_relations(con, provinces, ("agg_coverage", "agg_reports"))
    if not found:
        return ""
    return f"coverage AS ({found['agg_coverage']}), reports AS ({found['agg_reports']})"


def province_relations(con: Connection, provinces: set[str], relations: tuple[str, ...]) -> dict[str, str]:
    """Each of `relations` (pre-aggregated, warehouse/store/rollups.py) as the SELECT of the files (and
    deltas) of `provinces` (file keys: a code, or NO_PROVINCE) only, as the version's `agg_*` view reads
    them all; {} when the version does not list every one of them (`_rollups`). A read of a few provinces'
    rows then opens their files only: DuckDB reads the footer of every file a view names."""
    from warehouse.db import quoted
    from warehouse.store.catalog import DELTA_PREFIX
    from warehouse.store.rollups import view_sql

    found = overlay.remembered(con, "rollup_files", lambda: _rollup_files(con))
    if found is None:
        return {}
    root, listed = found
    files: dict[str, list[str]] = {}
    deltas: dict[str, list[str]] = {}
    for province, relation, file in listed:
        if province not in provinces:
            continue
        kept = deltas if str(relation).startswith(DELTA_PREFIX) else files
        kept.setdefault(str(province), []).append(str(file))
    if not root or not provinces or set(files) != provinces:
        return {}
    base = Path(str(root)).resolve()

    def read(names: list[str]) -> str:
        return f"read_parquet([{', '.join(quoted(base / n) for n in names)}])"

    rolled = {p: tuple(f) for p, f in files.items()}
    changed = {p: tuple(f) for p, f in deltas.items()}
    return {relation: view_sql(relation, rolled, changed, read) for relation in relations}


def _rollup_files(con: Connection) -> tuple[str, list[tuple[str, str, str]]] | None:
    """The version's directory and its `_rollups` rows (province, relation, file, in order); None when the
    version has none. Asked once per dashboard cursor (`overlay.Known`): a version's files never change."""
    try:
        (root,) = con.execute("SELECT value FROM warehouse_info WHERE key = 'root'").fetchone() or ("",)
        listed = con.execute("SELECT province, relation, file FROM _rollups ORDER BY province, seq")
    except duckdb.Error:
        return None
    return str(root), [(str(p), str(r), str(f)) for p, r, f in listed.fetchall()]


def missing_units(
    con: Connection, request: SummaryRequest, provinces: PlaceProvinces | None = None
) -> tuple[MissingUnit, ...]:
    found = missing_rows(con, request.place_code, request.year, provinces)
    units = [
        MissingUnit(str(r["agency_id"]), str(r["agency_name"]), str(r["place"]), bool(r["within_span"]))
        for r in found
    ]
    vertical = {str(r["agency_id"]): bool(r["is_vertical"]) for r in found}
    kinds = {str(r["agency_id"]): str(r["agency_kind"]) for r in found}
    return keep_missing(units, vertical, kinds, request)


def build_summary(con: Connection, request: SummaryRequest, version: str) -> Summary:
    """The summary of `request` over the warehouse behind `con` (data version `version`)."""
    name, level = place_name(con, request.place_code)
    # one scan of the place's provinces for the units and the missing units
    provinces = place_provinces(con, request.place_code, request.year) if has_current_rollup(con) else None
    units = candidate_units(con, request, provinces)
    selection = choose_units(units, request, f"{name} ({request.place_code})")
    cells = cell_sums(con, official_cells(selection.template), selection.units)
    return Summary(
        request=request,
        place_name=name,
        place_level=level,
        template=selection.template,
        version=version,
        units=selection.units,
        excluded=selection.excluded,
        missing=missing_units(con, request, provinces),
        cells=cells,
        identities=identities(cells, selection.template, failed_checks(con, selection.units)),
    )


# --- the comparison -------------------------------------------------------------------------------


def resolve_agency(con: Connection, name: str) -> str:
    """The one agency id a name means; none or several is an error that lists what was found."""
    found = [str(r["agency_id"]) for r in rows(con, "compare_agency", name=name.strip())]
    if not found:
        raise CompareError(f"no agency in the warehouse is called or contains {name!r}")
    if len(found) > 1:
        shown = "、".join(found[:12]) + (" …" if len(found) > 12 else "")
        raise CompareError(f"{name!r} matches {len(found)} agencies: {shown}; give the full name")
    return found[0]


def agency_years(con: Connection, agency_id: str, within: str = "") -> list[int]:
    """`within`: `reports` of the agency's bucket (see `rows`), or every report's."""
    return [int(r["year"]) for r in rows_within(con, within, "compare_years", agency_id=agency_id)]


def _checks(con: Connection, report_ids: Sequence[str], within: str) -> dict[str, tuple[CheckRow, ...]]:
    """The checks of each of some reports (one read for all of them)."""
    found: dict[str, list[CheckRow]] = {i: [] for i in report_ids}
    for r in report_rows(con, "document_checks", report_ids, within):
        found[str(r["report_id"])].append(
            CheckRow(
                check_id=str(r["check_id"]),
                severity=str(r["severity"]),
                status=str(r["status"]),
                breakdown=str(r["breakdown"]),
                expected=_exact(r["expected"]),
                actual=_exact(r["actual"]),
                message=str(r["message"]),
            )
        )
    return {i: tuple(rows) for i, rows in found.items()}


def _exact(value: object) -> Decimal | None:
    return None if value is None else normalise_decimal(Decimal(str(value)))


def _sides(
    con: Connection,
    agency_id: str,
    years: tuple[int, int],
    within: str,
    shown: bool = False,
    reports: Sequence[dict[str, Any]] | None = None,
) -> tuple[Side, Side]:
    """The two reports (`reports`: their `compare_reports` rows, when the caller has them); with `shown`,
    their checks not read but counted (`Side.checks_failed`)."""
    if reports is None:
        reports = rows_within(con, within, "compare_reports", agency_id=agency_id, years=list(years))
    found = {int(r["year"]): r for r in reports}
    absent = [str(y) for y in years if y not in found]
    if absent:
        have = ", ".join(str(y) for y in agency_years(con, agency_id, within)) or "none"
        raise CompareError(f"{agency_id} has no current report for {' and '.join(absent)} (reports: {have})")
    ids = [str(found[y]["report_id"]) for y in years]
    checks = {i: () for i in ids} if shown else _checks(con, ids, within)
    sides = [
        Side(
            report_id=str(found[y]["report_id"]),
            year=y,
            template=str(found[y]["template"]),
            agency=str(found[y]["agency"]),
            source_file=str(found[y]["source_file"]),
            title=str(found[y]["title"]),
            checks=checks[str(found[y]["report_id"])],
            checks_failed=int(found[y]["checks_failed"] or 0) if shown else None,
        )
        for y in years
    ]
    return sides[0], sides[1]


def _printed(con: Connection, report_ids: Sequence[str]) -> dict[str, dict[tuple[str, str], Printed]]:
    """The stored cells of each of some reports (one read for all of them)."""
    found: dict[str, dict[tuple[str, str], Printed]] = {i: {} for i in report_ids}
    for r in report_rows(con, "document_facts", report_ids):
        found[str(r["report_id"])][(str(r["metric_code"]), str(r["breakdown"]))] = Printed(
            _exact(r["value"]), str(r["value_raw"]), str(r["semantic"])
        )
    return found


def _series(con: Connection, report_ids: Sequence[str], within: str = "") -> dict[str, list[SeriesRow]]:
    """The harmonised series of each of some reports (one read for all of them)."""
    found: dict[str, list[SeriesRow]] = {i: [] for i in report_ids}
    for r in report_rows(con, "compare_series", report_ids, within):
        found[str(r["report_id"])].append(
            (str(r["series_code"]), str(r["breakdown"]), str(r["comparable_group"]), _exact(r["value"]))
        )
    return found


def _groups(con: Connection) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for r in rows(con, "compare_groups"):
        found.setdefault((str(r["template"]), str(r["metric_code"])), set()).add(str(r["comparable_group"]))
    return {k: frozenset(v) for k, v in found.items()}


def _texts(con: Connection, report_ids: Sequence[str]) -> dict[str, str]:
    """The text of each of some reports ('' for one without), one read for all of them."""
    found = {str(r["report_id"]): str(r["text"]) for r in report_rows(con, "compare_text", report_ids)}
    return {i: found.get(i, "") for i in report_ids}


def build_comparison(
    con: Connection,
    agency: str,
    years: tuple[int, int],
    version: str,
    within: str = "",
    *,
    by_id: bool = False,
    shown: bool = False,
    reports: Sequence[dict[str, Any]] | None = None,
) -> Comparison:
    """The comparison of an agency's reports for two years (the earlier first) over the warehouse.
    `within`: `reports` and `checks` of the bucket of agency id `agency` (see `rows`), used only when
    `agency` is the id the name resolves to. `by_id`: `agency` is an agency id taken from the warehouse
    (the dashboard's picker), compared as it is, without resolving it as a name over every report's names
    (`compare_agency`, which grows with the warehouse). Each side's cells, checks, series and text are
    read for both reports at once.

    `shown`: what the dashboard shows of it only — the cells, the text's sections and each side's count
    of failed checks (`Side.checks_failed`, the reports' own count) — without reading the checks and the
    series (each a row group of 100,000 rows decoded per report: ≈ 30 ms of the comparison's ≈ 75 at
    100k reports); its documents are written from the whole comparison, read when a button is clicked.
    `reports`: the two years' `compare_reports` rows of agency id `agency` (`by_id`), when the caller read
    them with the agency's other reports (the dashboard's `agency_rows`): not read again."""
    if years[0] == years[1]:
        raise CompareError(f"the two years are the same ({years[0]}): give two different years")
    ordered = (min(years), max(years))
    agency_id = agency if by_id else resolve_agency(con, agency)
    within = within if agency_id == agency else ""
    if reports is not None and not by_id:
        raise ValueError("the reports given are those of an agency id (by_id)")
    before, after = _sides(con, agency_id, ordered, within, shown, reports)
    pair = [before.report_id, after.report_id]
    printed, texts = _printed(con, pair), _texts(con, pair)
    series = {i: [] for i in pair} if shown else _series(con, pair, within)
    return Comparison(
        agency_id=agency_id,
        agency=after.agency,
        before=before,
        after=after,
        cells=pair_cells(
            printed[before.report_id],
            printed[after.report_id],
            (before.template, after.template),
            _groups(con),
        ),
        series=pair_series(series[before.report_id], series[after.report_id]),
        sections=diff_texts(texts[before.report_id], texts[after.report_id]),
        version=version,
    )


@dataclass(frozen=True)
class SummaryPlan:
    """What a summary of a request would add up, before it is made: for the dashboard's button."""

    place_name: str
    templates: tuple[tuple[str, tuple[str, ...]], ...]
    """Each template the kept units' reports use, with those units."""
    excluded: int
    error: str = ""


def plan_summary(con: Connection, request: SummaryRequest) -> SummaryPlan:
    try:
        name, _ = place_name(con, request.place_code)
    except SummaryError as exc:
        return SummaryPlan("", (), 0, str(exc))
    kept: dict[str, list[str]] = {}
    excluded = 0
    for unit in candidate_units(con, request):
        if left_out(unit, request):
            excluded += 1
        else:
            kept.setdefault(unit.template, []).append(unit.agency)
    templates = tuple((t, tuple(kept[t])) for t in sorted(kept))
    if not templates:
        return SummaryPlan(
            name, (), excluded, f"no current {request.year} report of a unit under {name} to sum"
        )
    return SummaryPlan(name, templates, excluded)
