"""Write parsed reports, sources and ingest errors into a warehouse version being built."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Context, Decimal, Inexact, InvalidOperation
from pathlib import Path

from etl.agencies import agency_id, classify
from etl.catalogue import metrics
from etl.places import Place, place_after_overrides
from etl.records import ParsedReport, ReportMeta
from warehouse.crosschecks import run_cross_checks
from warehouse.engine import arrow_scans, duckdb
from warehouse.series import refresh_report_series, refresh_series_map

MICRO = Decimal("0.000001")
STORED = Context(prec=38, traps=[InvalidOperation, Inexact])
DECIMAL_TYPE = "DECIMAL(38, 6)"
SMALL_INSERT = 2000
"""Up to this many values go in as one VALUES statement."""
STAGED_AS_LISTS = 200_000
"""Up to this many values go in as one list per column: a one-file ingest (or a few files) then never
imports pyarrow (which imports pandas: about 0.4 s and 100 MB); beyond, as Arrow."""


@dataclass(frozen=True)
class LoadedFile:
    report: ParsedReport
    path: str
    size: int


@dataclass(frozen=True)
class IngestError:
    path: str
    content_hash: str | None
    kind: str
    reason: str


@dataclass
class Batch:
    """What an ingest run changes besides the reports themselves: path mappings and error rows."""

    at: datetime
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)
    cleared_errors: set[str] = field(default_factory=set)
    overrides: dict[str, str] = field(default_factory=dict)
    """Agency name (folded) → 6-digit division code, from the user's overrides file."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Agency name variant → canonical name, from the user's aliases file."""
    refresh: bool = False
    """Recompute places, agencies and cross-report checks even when no file changed."""

    @property
    def place_inputs(self) -> str:
        return place_inputs_digest(self.overrides, self.aliases)

    @property
    def empty(self) -> bool:
        return not (self.sources or self.errors or self.cleared_errors or self.refresh)


PLACE_INPUTS_KEY = "place_inputs"


def place_inputs_digest(overrides: dict[str, str], aliases: dict[str, str]) -> str:
    text = json.dumps([sorted(overrides.items()), sorted(aliases.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WarehouseState:
    """What the current version already holds, read before parsing."""

    sources: dict[str, str]
    report_ids: frozenset[str]
    errors: dict[str, tuple[str | None, str, str]]
    place_inputs: str | None = None
    """Digest of the overrides and aliases the places were last resolved with."""
    loaded: bool = False
    """The warehouse holds at least one report (the maps above may hold only what a run asked about)."""


def is_recorded(state: WarehouseState, error: IngestError) -> bool:
    """The same failure of the same bytes is already in the warehouse."""
    return state.errors.get(error.path) == (error.content_hash, error.kind, error.reason)


def read_state(con: duckdb.DuckDBPyConnection) -> WarehouseState:
    sources = dict(con.execute("SELECT path, report_id FROM sources").fetchall())
    report_ids = frozenset(r[0] for r in con.execute("SELECT report_id FROM reports").fetchall())
    errors = {
        p: (h, k, r)
        for p, h, k, r in con.execute(
            "SELECT source_file, content_hash, kind, reason FROM ingest_errors"
        ).fetchall()
    }
    digest = con.execute("SELECT value FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY]).fetchall()
    return WarehouseState(sources, report_ids, errors, digest[0][0] if digest else None, bool(report_ids))


def empty_state() -> WarehouseState:
    return WarehouseState({}, frozenset(), {})


def refresh_metrics(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM metrics")
    columns = ("code", "templates", "section", "label_zh", "label_en", "unit", "parent", "breakdown")
    rows = metric_rows()
    _insert(
        con,
        "metrics",
        [dict(zip(columns, row, strict=True)) for row in rows],
        dict.fromkeys(columns, "VARCHAR"),
    )


def metric_rows() -> list[tuple[str | None, ...]]:
    """The metric catalogue as rows of the `metrics` table."""
    return [
        (m.code, ",".join(m.templates), m.section, m.label_zh, m.label_en, m.unit, m.parent, m.breakdown)
        for m in metrics().values()
    ]


def _micro(value: Decimal | None) -> Decimal | None:
    """A value as DECIMAL(38, 6) stores it; it never rounds (etl/values.py keeps values within six
    decimal places), and a number that would is an error rather than a silent change."""
    return None if value is None else value.quantize(MICRO, context=STORED)


def _insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[dict[str, object]],
    types: dict[str, str] | None = None,
) -> None:
    if not rows:
        return
    columns = list(rows[0])
    kinds = [(types or {}).get(c) or _infer(rows, c) for c in columns]
    _staged(con, rows, columns, kinds)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _incoming")
    finally:
        _unstage(con)


def _staged(
    con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, object]], columns: list[str], kinds: list[str]
) -> None:
    """Rows as the relation `_incoming`: a VALUES list when small, column lists up to a few thousand
    rows, an Arrow table when large."""
    if len(rows) * len(columns) <= SMALL_INSERT:
        marks = "(" + ", ".join(f"CAST(? AS {k})" for k in kinds) + ")"
        values = ", ".join([marks] * len(rows))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT * FROM (VALUES {values}) "
            f"AS v({', '.join(columns)})",
            [row[c] for row in rows for c in columns],
        )
        return
    if len(rows) * len(columns) <= STAGED_AS_LISTS:
        _staged_as_lists(con, rows, columns, kinds)
        return
    import pyarrow as pa

    arrow = {
        "VARCHAR": pa.string(),
        "BOOLEAN": pa.bool_(),
        "BIGINT": pa.int64(),
        "TIMESTAMP": pa.timestamp("us"),
        DECIMAL_TYPE: pa.decimal128(38, 6),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int32(),
        "BLOB": pa.binary(),
    }
    schema = pa.schema([(c, arrow[k]) for c, k in zip(columns, kinds, strict=True)])
    arrow_scans()
    con.register("_incoming", pa.Table.from_pylist(list(rows), schema=schema))


def _staged_as_lists(
    con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, object]], columns: list[str], kinds: list[str]
) -> None:
    """One list parameter per column, unnested side by side (no per-value binding, no pyarrow)."""
    select = ", ".join(f"unnest(CAST(? AS {k}[])) AS {c}" for c, k in zip(columns, kinds, strict=True))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT {select}",
        [[row[c] for row in rows] for c in columns],
    )


def _unstage(con: duckdb.DuckDBPyConnection) -> None:
    con.unregister("_incoming")
    con.execute("DROP TABLE IF EXISTS temp._incoming")


def _infer(rows: Sequence[dict[str, object]], column: str) -> str:
    sample = next((r[column] for r in rows if r[column] is not None), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    if isinstance(sample, datetime):
        return "TIMESTAMP"
    return "VARCHAR"


def _report_row(item: LoadedFile, at: datetime) -> dict[str, object]:
    report, meta = item.report, item.report.meta
    place = _meta_place(meta)
    return {
        "report_id": report.content_hash,
        "source_file": item.path,
        "file_name": Path(item.path).name,
        "format": report.format,
        "encoding": report.encoding,
        "file_size": item.size,
        "template": report.template,
        "title": meta.title,
        "agency": meta.agency,
        "agency_source": meta.agency_source,
        "year": meta.year,
        "year_source": meta.year_source,
        **place_columns(meta.agency, place, {}),
        "parsed_place_code": place.place_code,
        "scope": meta.scope,
        "scope_evidence": meta.scope_evidence or None,
        "publisher": meta.publisher,
        "published": meta.published,
        "url": meta.url,
        "source_url": meta.source_url,
        "expected_cells": report.expected_cells,
        "found_cells": report.found_cells,
        "n_warnings": len(report.warnings),
        "checks_failed": sum(c.status == "fail" for c in report.checks),
        "is_current": True,
        "ingested_at": at,
    }


def _meta_place(meta: ReportMeta) -> Place:
    return Place(
        province=meta.province,
        city=meta.city,
        county=meta.county,
        province_code=meta.province_code,
        city_code=meta.city_code,
        county_code=meta.county_code,
        status=meta.place_status,
        note=meta.place_note,
    )


def place_columns(agency: str | None, place: Place, aliases: dict[str, str]) -> dict[str, object]:
    """The place and agency columns of a report row (the dashboard contract in schema.sql)."""
    kind = classify(agency, place)
    return {
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "province_code": place.province_code,
        "city_code": place.city_code,
        "county_code": place.county_code,
        "place_code": place.place_code,
        "place_status": place.status,
        "place_note": place.note or None,
        "agency_id": agency_id(agency, aliases),
        "agency_level": kind.level,
        "agency_kind": kind.kind,
        "is_vertical": kind.is_vertical,
    }


def _fact_rows(report: ParsedReport) -> Iterable[dict[str, object]]:
    for fact in report.facts:
        yield {
            "report_id": report.content_hash,
            "metric_code": fact.metric_code,
            "breakdown": fact.breakdown,
            "value": _micro(fact.value),
            "value_raw": fact.value_raw,
            "semantic": fact.semantic,
            "confidence": fact.confidence,
            "table_no": None if fact.source.table is None else fact.source.table + 1,
            "row_label": fact.source.row_label,
            "column_label": fact.source.column_label,
            "page": fact.source.page,
            "locator": fact.source.locator,
        }


def _check_rows(report: ParsedReport) -> Iterable[dict[str, object]]:
    for check in report.checks:
        yield {
            "report_id": report.content_hash,
            "check_id": check.check_id,
            "severity": check.severity,
            "status": check.status,
            "breakdown": check.breakdown,
            "expected": _micro(check.expected),
            "actual": _micro(check.actual),
            "message": check.message,
            "message_zh": check.message_zh,
            "cells": ";".join(f"{code}|{breakdown}" for code, breakdown in check.cells),
        }


def delete_reports(con: duckdb.DuckDBPyConnection, report_ids: Iterable[str]) -> None:
    wanted = sorted(set(report_ids))
    if not wanted:
        return
    present = "SELECT report_id FROM reports WHERE report_id IN (SELECT unnest(?::VARCHAR[]))"
    ids = [row[0] for row in con.execute(present, [wanted]).fetchall()]
    if not ids:
        return
    for table in ("facts", "ocr_cells", "parse_warnings", "checks", "documents", "reports"):
        con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT unnest(?::VARCHAR[]))", [ids])


def insert_reports(con: duckdb.DuckDBPyConnection, new: Sequence[LoadedFile], at: datetime) -> None:
    """Insert parsed reports (replacing rows with the same content hash) with their facts and checks."""
    delete_reports(con, [item.report.content_hash for item in new])
    decimals = {"value": DECIMAL_TYPE, "expected": DECIMAL_TYPE, "actual": DECIMAL_TYPE}
    _insert(con, "reports", [_report_row(item, at) for item in new])
    _insert(con, "facts", [row for item in new for row in _fact_rows(item.report)], decimals)
    _insert(con, "checks", [row for item in new for row in _check_rows(item.report)], decimals)
    _insert(
        con,
        "parse_warnings",
        [
            {
                "report_id": item.report.content_hash,
                "code": w.code,
                "message": w.message,
                "locator": w.locator,
            }
            for item in new
            for w in item.report.warnings
        ],
    )
    _insert(
        con, "documents", [{"report_id": item.report.content_hash, "text": item.report.text} for item in new]
    )
    _insert(con, "ocr_cells", [row for item in new for row in _ocr_rows(item.report)], OCR_TYPES)


OCR_TYPES: dict[str, str] = {
    **dict.fromkeys(("x0", "top", "x1", "bottom", "score"), "DOUBLE"),
    "page": "INTEGER",
    "confirmed": "BOOLEAN",
    "crop_png": "BLOB",
}


def _ocr_rows(report: ParsedReport) -> Iterable[dict[str, object]]:
    for cell in report.ocr:
        x0, top, x1, bottom = cell.box
        yield {
            "report_id": report.content_hash,
            "metric_code": cell.metric_code,
            "breakdown": cell.breakdown,
            "page": cell.page,
            "x0": x0,
            "top": top,
            "x1": x1,
            "bottom": bottom,
            "score": cell.score,
            "confirmed": cell.confirmed,
            "doubt": cell.doubt,
            "crop_png": cell.crop_png or None,
        }


def apply_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    """Everything but the reports themselves: metrics, sources, errors, places and agencies (with the
    user's overrides and aliases), which versions are current, and the cross-report checks."""
    refresh_metrics(con)
    refresh_series_map(con)
    _apply_sources(con, batch)
    _apply_errors(con, batch)
    refresh_places(con, batch.overrides, batch.aliases)
    con.execute("DELETE FROM warehouse_info WHERE key = ?", [PLACE_INPUTS_KEY])
    con.execute("INSERT INTO warehouse_info VALUES (?, ?)", [PLACE_INPUTS_KEY, batch.place_inputs])
    refresh_current(con)
    refresh_report_series(con)
    run_cross_checks(con)


PLACE_INPUTS = "SELECT report_id, agency, year, parsed_place_code FROM reports"


def refresh_places(
    con: duckdb.DuckDBPyConnection, overrides: dict[str, str], aliases: dict[str, str]
) -> None:
    """Apply the overrides and aliases to every report again, so an edited file applies to reports loaded
    earlier too; without an override a report keeps the place its document gave. One year at a time, so
    memory stays bounded in a warehouse of a million reports."""
    years = [r[0] for r in con.execute("SELECT DISTINCT year FROM reports").fetchall()]
    for year in years:
        _refresh_places_of_year(con, year, overrides, aliases)


def _refresh_places_of_year(
    con: duckdb.DuckDBPyConnection, year: int | None, overrides: dict[str, str], aliases: dict[str, str]
) -> None:
    rows = []
    found = con.execute(f"{PLACE_INPUTS} WHERE year IS NOT DISTINCT FROM ?", [year]).fetchall()
    for report_id, agency, year, parsed in found:
        place = place_after_overrides(agency, year, parsed, overrides)
        columns = place_columns(agency, place, aliases)
        del columns["place_note"]  # the document's own note stays; `override` explains itself
        rows.append({"report_id": report_id, **columns})
    if not rows:
        return
    _insert_temp(con, "_places", rows)
    names = [c for c in rows[0] if c != "report_id"]
    try:
        con.execute(
            f"UPDATE reports SET {', '.join(f'{c} = p.{c}' for c in names)} "
            "FROM _places AS p WHERE reports.report_id = p.report_id"
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _places")


def _insert_temp(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[dict[str, object]]) -> None:
    columns = list(rows[0])
    _staged(con, rows, columns, [_infer(rows, c) for c in columns])
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _incoming")
    finally:
        _unstage(con)


def _apply_sources(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    for path, report_id in batch.sources.items():
        con.execute("DELETE FROM sources WHERE path = ?", [path])
        con.execute("INSERT INTO sources VALUES (?, ?, ?)", [path, report_id, batch.at])
    orphans = [
        r[0]
        for r in con.execute(
            "SELECT report_id FROM reports WHERE report_id NOT IN (SELECT report_id FROM sources)"
        ).fetchall()
    ]
    delete_reports(con, orphans)
    refresh_source_files(con)


def refresh_source_files(con: duckdb.DuckDBPyConnection) -> None:
    """A report whose file now holds other content is named after another path that still holds it."""
    con.execute("""
        UPDATE reports SET source_file = s.path, file_name = regexp_extract(s.path, '[^/]+$')
        FROM (SELECT report_id, min(path) AS path FROM sources GROUP BY report_id) AS s
        WHERE reports.report_id = s.report_id AND reports.source_file NOT IN
              (SELECT path FROM sources WHERE sources.report_id = reports.report_id)
    """)


def _apply_errors(con: duckdb.DuckDBPyConnection, batch: Batch) -> None:
    for path in batch.cleared_errors:
        con.execute("DELETE FROM ingest_errors WHERE source_file = ?", [path])
    for error in batch.errors:
        con.execute("DELETE FROM ingest_errors WHERE source_file = ?", [error.path])
        con.execute(
            "INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?)",
            [error.path, error.content_hash, error.kind, error.reason, batch.at],
        )


def refresh_current(con: duckdb.DuckDBPyConnection) -> None:
    """Mark one current version per (agency_id, year): the latest published, then the latest ingested,
    then the most complete (more cells read)."""
    con.execute("""
        UPDATE reports SET is_current = ranked.rank = 1
        FROM (
            SELECT report_id, row_number() OVER (
                PARTITION BY coalesce(agency_id, agency, report_id), coalesce(year, -1)
                ORDER BY left(published, 10) DESC NULLS LAST, ingested_at DESC, found_cells DESC NULLS LAST,
                         source_file DESC
            ) AS rank
            FROM reports
        ) AS ranked
        WHERE reports.report_id = ranked.report_id
    """)
