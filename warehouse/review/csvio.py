"""Corrections as CSV: `xxgk corrections import FILE` and `xxgk corrections export`.

Columns `source_file,metric_code,breakdown,value,reason` (`report_id` may stand for `source_file`;
`kind` is `extraction` (default) or `agency_error`). Each bad line gets a one-line error naming the line
and the reason; good lines are applied (again: a line whose correction is already in place changes
nothing), so a fixed file can simply be imported again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl.catalogue import APPLICANT_BREAKDOWNS, metrics
from warehouse import queries
from warehouse.db import open_version
from warehouse.publish import require_current
from warehouse.review import overlay
from warehouse.review.ledger import FactKey, ReviewError, add_correction, fact_reading, load_snapshot
from warehouse.review.model import KINDS, BadValue, Kind, parse_value

REQUIRED = ("metric_code", "breakdown", "value", "reason")
EXPORT_COLUMNS = (
    "source_file", "metric_code", "breakdown", "value", "reason", "report_id", "kind", "original_value",
    "original_raw", "state", "why", "agency", "year", "created_by", "created_at", "id", "replaces",
    "carried_from", "withdrawn_by", "withdrawn_at", "withdraw_reason",
)  # fmt: skip


class BadFile(ReviewError):
    """The file as a whole cannot be read (a usage error)."""


@dataclass
class ImportSummary:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def csv_text(path: Path) -> str:
    """A CSV file's text in UTF-8 (with or without BOM) or GB18030 (Excel's CSV on a Chinese Windows)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadFile(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise BadFile(f"{path}: not a text file in UTF-8 or GB18030") from None


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a corrections CSV (`csv_text`)."""
    reader = csv.DictReader(io.StringIO(csv_text(path)))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing or not ({"source_file", "report_id"} & set(header)):
        need = ", ".join([*missing, *([] if {"source_file", "report_id"} & set(header) else ["source_file"])])
        raise BadFile(f"{path}: missing column(s) {need}; the header must name source_file (or report_id), "
                      "metric_code, breakdown, value, reason")  # fmt: skip
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


class Reports:
    """Finds the report a line names, by report_id or by source file (as stored, as a resolved path, or
    as a file name only one report has)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.ids = {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}
        self.paths: dict[str, str] = dict(con.execute("SELECT path, report_id FROM sources").fetchall())
        self.names: dict[str, set[str]] = {}
        for path, report_id in self.paths.items():
            self.names.setdefault(Path(path).name, set()).add(report_id)

    def find(self, row: dict[str, str]) -> str:
        report_id = row.get("report_id", "")
        if report_id:
            if report_id not in self.ids:
                raise ReviewError(f"no report with report_id {report_id[:16]}…")
            return report_id
        source = row.get("source_file", "")
        if not source:
            raise ReviewError("neither source_file nor report_id is given")
        found = self.paths.get(source) or self.paths.get(str(Path(source).resolve()))
        if found:
            return found
        named = self.names.get(Path(source).name, set())
        if len(named) == 1:
            return next(iter(named))
        if named:
            raise ReviewError(f"{len(named)} reports have a file named {Path(source).name}; give the path")
        raise ReviewError(f"no report was loaded from {source}")


def _line_key(row: dict[str, str], reports: Reports) -> FactKey:
    report_id = reports.find(row)
    code, breakdown = row["metric_code"], row["breakdown"]
    if code not in metrics():
        raise ReviewError(f"unknown metric_code {code!r}")
    allowed = APPLICANT_BREAKDOWNS if metrics()[code].breakdown == "applicant" else ("",)
    if breakdown not in allowed:
        shown = ", ".join(allowed) if allowed != ("",) else "empty"
        raise ReviewError(f"breakdown {breakdown!r} is not one of {code}'s ({shown})")
    return FactKey(report_id, code, breakdown)


def _kind(row: dict[str, str]) -> Kind:
    kind = row.get("kind", "") or "extraction"
    if kind not in KINDS:
        raise ReviewError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def import_corrections(directory: Path, path: Path, user: str) -> ImportSummary:
    """Apply every good line of a corrections CSV; the summary lists each bad line with its reason."""
    summary = ImportSummary()
    con = open_version(require_current(directory))
    try:
        reports = Reports(con)
        for line, row in read_rows(path):
            if row.get("withdrawn_at"):
                continue  # a withdrawn correction from `export --all`: history, not a change
            try:
                key = _line_key(row, reports)
                fact_reading(con, key)
                value = parse_value(row["value"])
                if not row["reason"]:
                    raise ReviewError("reason is empty")
                outcome, _ = add_correction(
                    directory, key, value, kind=_kind(row), reason=row["reason"], user=user, con=con
                )
            except BadValue as exc:
                summary.errors.append(f"{path.name} line {line}: value {exc}")
                continue
            except ReviewError as exc:
                summary.errors.append(f"{path.name} line {line}: {exc}")
                continue
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    finally:
        con.close()
    return summary


def export_corrections(directory: Path, *, withdrawn: bool = False) -> pd.DataFrame:
    """Every active correction (with `withdrawn`, the whole history) with its state in the current
    version; the first five columns can be imported again."""
    snapshot = load_snapshot(directory)
    con = open_version(require_current(directory))
    try:
        overlay.register(con, snapshot)
        states_sql = queries.sql("review_states").strip().rstrip(";")
        states = con.execute(f"SELECT id, state, why FROM ({states_sql})").fetchall()
        current = dict(con.execute("SELECT report_id, source_file FROM reports").fetchall())
    finally:
        con.close()
    judged = {row[0]: (row[1], row[2]) for row in states}
    rows = []
    for c in snapshot.corrections:
        if not c.active and not withdrawn:
            continue
        state, why = judged.get(c.id, ("withdrawn", "")) if c.active else ("withdrawn", "")
        record = {**c.__dict__, "state": state, "why": why}
        record["source_file"] = current.get(c.report_id) or c.source_file
        rows.append({column: record.get(column) for column in EXPORT_COLUMNS})
    return pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
