"""The review findings read from a warehouse version: named SQL (warehouse/queries/findings_*.sql) over an
open connection, assembled into `Findings` records (warehouse/documents/findings.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from etl.catalogue import metrics
from etl.check_catalogue import breakdown_label
from warehouse import queries
from warehouse.documents.findings import (
    CellShown,
    Failure,
    Findings,
    FindingsError,
    FindingsRequest,
    MissingReport,
    ReviewNotes,
    UnitFindings,
    group_failures,
    metric_label,
    table_name,
)
from warehouse.documents.reads import (
    Connection,
    PlaceProvinces,
    _rows,
    has_current_rollup,
    missing_rows,
    place_provinces,
    provinces_within,
    report_rows,
    rows,
)
from warehouse.documents.reads import place_name as summary_place_name
from warehouse.documents.summary import SummaryError

CODE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
ONE_ROW_TABLES = ("review.", "suit_")
Key = tuple[str, str, str]


def place_name(con: Connection, code: str) -> str:
    try:
        return summary_place_name(con, code)[0]
    except SummaryError as exc:
        raise FindingsError(str(exc)) from None


def shown_cell(code: str, breakdown: str, row: Mapping[str, Any] | None) -> CellShown:
    """A cell as printed; a cell the check read but the warehouse no longer holds keeps its catalogue
    labels and no printed value."""
    column = str(row["column_label"] or "") if row else ""
    if column in ("", breakdown) and breakdown:
        column = breakdown_label(breakdown, "zh")
    label = " ".join(str(row["row_label"] or "").split()) if row and row["row_label"] else metric_label(code)
    if code.startswith(ONE_ROW_TABLES):
        # table 四 prints one row of figures under a two-level header: the header names the cell
        label, column = "", column or metric_label(code)
    return CellShown(
        table=table_name(code),
        row=label,
        column=" ".join(column.split()),
        printed=str(row["value_raw"]) if row else "",
        page=int(row["page"]) if row and row["page"] is not None else None,
        code=code,
        breakdown=breakdown,
    )


def _cells(con: Connection, report_ids: Sequence[str]) -> dict[Key, Mapping[str, Any]]:
    return {
        (str(r["report_id"]), str(r["metric_code"]), str(r["breakdown"])): r
        for r in report_rows(con, "findings_cells", report_ids)
    }


def _failures(
    con: Connection, request: FindingsRequest, report_ids: Sequence[str], within: str | None = None
) -> dict[str, list[Failure]]:
    """The failed checks of the reports with the cells they name as printed; `within`: the rollup's
    place and year filter (`_rollup_failures`), None to read `checks` and `facts` by report."""
    if within is None:
        printed = _cells(con, report_ids)
        failed = report_rows(con, "findings_checks", report_ids)
    else:
        failed = _rollup_failures(con, request, report_ids, within)
        printed = {
            (str(r["report_id"]), str(p["metric_code"]), str(p["breakdown"])): p
            for r in failed
            for p in r["printed"] or ()
        }
    found: dict[str, list[Failure]] = {}
    for r in failed:
        report_id = str(r["report_id"])
        listed = [tuple(part.split("|", 1)) for part in str(r["cells"]).split(";") if "|" in part]
        cells = tuple(
            shown_cell(code, breakdown, printed.get((report_id, code, breakdown)))
            for code, breakdown in listed
        )
        failure = Failure(
            str(r["check_id"]), str(r["severity"]), str(r["breakdown"]), str(r["detail"]), cells
        )
        found.setdefault(report_id, []).append(failure)
    return found


def _rollup_failures(
    con: Connection, request: FindingsRequest, report_ids: Sequence[str], within: str
) -> list[dict[str, Any]]:
    """`findings_checks` of the reports, with `printed` (the facts their cells name), from `agg_failed`
    (warehouse/store/rollups.py: the failed checks of the current reports, which the units are): the
    province's file, sorted by place, instead of a row group of every report-sorted part of `checks`
    and `facts` per report (≈ 330 → 15 ms CPU for a county's 31 reports at 100k reports)."""
    sql = queries.sql("findings_failed").replace("$within", within)
    return report_rows(
        con, "findings_failed", report_ids, sql=sql, place=request.place_code, year=request.year
    )


def missing_codes(codes: str, message: str) -> list[str]:
    """The codes of a missing_cells warning: its locator, or (older warehouses) those its message lists."""
    listed = [c for c in codes.split(",") if c] or CODE.findall(message)
    known = metrics()
    return [c for c in listed if c in known]


def _missing_cells(con: Connection, report_ids: Sequence[str]) -> dict[str, tuple[CellShown, ...]]:
    found: dict[str, tuple[CellShown, ...]] = {}
    for r in report_rows(con, "findings_missing_cells", report_ids):
        codes = missing_codes(str(r["codes"]), str(r["message"]))
        found[str(r["report_id"])] = tuple(shown_cell(code, "", None) for code in codes)
    return found


def _missing_reports(
    con: Connection, request: FindingsRequest, provinces: PlaceProvinces | None
) -> tuple[MissingReport, ...]:
    return tuple(
        MissingReport(str(r["agency_name"]), str(r["place"]), bool(r["within_span"]))
        for r in missing_rows(con, request.place_code, request.year, provinces)
        if request.keeps(str(r["agency_name"]), str(r["agency_kind"]), bool(r["is_vertical"]))
    )


def _place_provinces(con: Connection, request: FindingsRequest) -> PlaceProvinces | None:
    """The provinces of the place's current reports (one scan of `agg_reports` for the units, the failed
    checks and the missing units), or None when the version has no rollups (the units and failed checks
    are then read from `reports`, `checks`, `facts`)."""
    if not has_current_rollup(con):
        return None
    return place_provinces(con, request.place_code, request.year)


def _units(con: Connection, request: FindingsRequest, within: str | None) -> list[dict[str, Any]]:
    """`findings_units`: the place's current reports of the year, from `agg_reports` where the version has
    it (a few province files instead of every bucket's `reports`: ≈ 75 → 15 ms CPU for a county at 100k
    reports). The rollup has no file name, which names a unit only when it has neither agency id nor
    name: then the query reads `reports`."""
    params = {"place": request.place_code, "year": request.year}
    if within is not None:
        rollup = f"WITH reports AS (SELECT *, NULL::VARCHAR AS file_name FROM agg_reports{within})"
        found = _rows(con, "findings_units", f"{rollup}\n{queries.sql('findings_units')}", params)
        if all(r["agency"] is not None for r in found):
            return found
    return rows(con, "findings_units", **params)


def build_findings(
    con: Connection,
    request: FindingsRequest,
    version: str,
    reviews: Mapping[str, ReviewNotes] | None = None,
    office: str = "",
    now: datetime | None = None,
) -> Findings:
    """The findings of `request` over the warehouse behind `con`; `reviews` are the reviewers' statuses
    and comments by report id (none: every report is 待审核 without comments)."""
    name = place_name(con, request.place_code)
    provinces = _place_provinces(con, request)
    within = None if provinces is None else provinces_within(provinces)
    units = [
        r
        for r in _units(con, request, within)
        if request.keeps(str(r["agency"]), str(r["agency_kind"]), bool(r["is_vertical"]))
    ]
    ids = [str(r["report_id"]) for r in units]
    failures = _failures(con, request, ids, within)
    missing = _missing_cells(con, ids)
    given = reviews or {}
    return Findings(
        request=request,
        place_name=name,
        version=version,
        units=tuple(
            UnitFindings(
                report_id=str(r["report_id"]),
                agency=str(r["agency"]),
                year=int(r["year"]),
                title=str(r["title"]),
                source_file=str(r["source_file"]),
                template=str(r["template"]),
                published=str(r["published"]) if r["published"] else None,
                checks=group_failures(failures.get(str(r["report_id"]), [])),
                missing_cells=missing.get(str(r["report_id"]), ()),
                review=given.get(str(r["report_id"]), ReviewNotes(str(r["report_id"]))),
            )
            for r in units
        ),
        missing=_missing_reports(con, request, provinces),
        office=office,
        generated_at=now or datetime.now(UTC),
    )
