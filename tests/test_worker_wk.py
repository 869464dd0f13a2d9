"""A bulk ingest worker's CPU a report (docs/scale.md §2, issue12wk): the packed rows gathered column by
column (`pack_report`) are what packing the plain rows gave, and a parse worker collects garbage less often."""

from __future__ import annotations

import pickle
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import pytest

from etl.pipeline import parse_file
from etl.records import CellRef, Fact, ParsedReport
from tests.conftest import FIXTURES, ROOT
from warehouse.packed import PackedRows, pack_report, pack_rows
from warehouse.rows import ReportRows, by_column, report_rows
from xxgk.parsing import COLLECT_EVERY, Job, parse_one

REPORTS = FIXTURES / "reports"
READABLE = sorted(
    p for p in REPORTS.iterdir() if p.suffix in {".txt", ".html", ".htm", ".shtml", ".docx"} and p.is_file()
)


def _parsed(name: str) -> ParsedReport:
    return parse_file(REPORTS / name)


def _old_report_rows(report: ParsedReport, path: str, size: int) -> ReportRows:
    """`report_rows` as it was before the columns were gathered one by one: a row tuple a fact and a
    check, transposed."""
    from warehouse.rows import cells_text, failed_checks, micro_text, ocr_rows, report_row, warning_columns

    rid = report.content_hash
    facts = [
        (
            rid,
            f.metric_code,
            f.breakdown,
            micro_text(f.value),
            f.value_raw,
            f.semantic,
            f.confidence,
            None if f.source.table is None else f.source.table + 1,
            f.source.row_label,
            f.source.column_label,
            f.source.page,
            f.source.locator,
        )
        for f in report.facts
    ]
    checks = [
        (
            rid,
            c.check_id,
            c.severity,
            c.status,
            c.breakdown,
            None if c.expected is None else micro_text(c.expected),
            None if c.actual is None else micro_text(c.actual),
            c.message,
            c.message_zh,
            cells_text(c.cells),
        )
        for c in report.checks
    ]
    failed = failed_checks(report)
    return ReportRows(
        rid,
        report.template,
        bool(report.warnings),
        failed > 0,
        report_row(report, path, size, failed),
        by_column(facts),
        by_column(checks),
        warning_columns(report),
        (rid, report.text),
        by_column(ocr_rows(report)),
    )


def _odd(report: ParsedReport) -> ParsedReport:
    """The report with facts whose columns cannot all be packed: a NULL value, a label holding a NUL, a
    lone surrogate, a page number."""
    first = report.facts[0]
    odd = (
        replace(first, breakdown="odd1", value=None, value_raw=""),
        replace(first, breakdown="odd2", source=CellRef(None, "a\x00b", "c", 3, "x")),
        replace(first, breakdown="odd3", value=Decimal("-0"), source=CellRef(2, "\ud800", "", None, "")),
        Fact("m", "", Decimal("1.50"), "1.5", "number", CellRef(0, "r", "c\x00", 1, "l\x00")),
    )
    return replace(report, facts=(*report.facts, *odd))


def _cases() -> list[tuple[str, ParsedReport]]:
    reports = [(p.name, parse_file(p)) for p in READABLE]
    first = reports[0][1]
    return [
        *reports,
        ("odd", _odd(first)),
        ("no facts or checks", replace(first, facts=(), checks=())),
        ("no warnings", replace(first, warnings=())),
    ]


@pytest.mark.parametrize(("name", "report"), _cases(), ids=lambda x: x if isinstance(x, str) else "")
def test_rows_gathered_by_column_are_the_rows_transposed(name: str, report: ParsedReport) -> None:
    path = str(REPORTS / name)
    rows = report_rows(report, path, 1234)
    assert rows == _old_report_rows(report, path, 1234)
    assert pickle.dumps(rows, pickle.HIGHEST_PROTOCOL) == pickle.dumps(
        _old_report_rows(report, path, 1234), pickle.HIGHEST_PROTOCOL
    )


@pytest.mark.parametrize(("name", "report"), _cases(), ids=lambda x: x if isinstance(x, str) else "")
def test_a_report_packed_as_gathered_is_its_rows_packed(name: str, report: ParsedReport) -> None:
    """Equal, with equal pickles (what the worker sends), to packing the rows the old way."""
    path = str(REPORTS / name)
    packed = pack_report(report, path, 1234)
    oracle = pack_rows(_old_report_rows(report, path, 1234))
    assert isinstance(packed, PackedRows)
    assert packed == oracle and repr(packed) == repr(oracle)
    assert pickle.dumps(packed, pickle.HIGHEST_PROTOCOL) == pickle.dumps(oracle, pickle.HIGHEST_PROTOCOL)


def test_a_packed_job_sends_the_report_packed() -> None:
    path = READABLE[0]
    parsed = parse_one(Job(str(path), rows=True, packed=True))
    assert parsed.result == pack_report(parse_file(path), str(path), path.stat().st_size)


GC_PROBE = """
import gc
from xxgk.parsing import PRELOADED
from xxgk.workers import _preload
_preload(PRELOADED)
print(gc.get_threshold()[0], gc.get_freeze_count() > 10000)
"""


def test_a_parse_worker_collects_garbage_less_often() -> None:
    """Before it says it is ready, a parse worker sets what it holds aside from the collector and
    collects the young generation every `COLLECT_EVERY` objects instead of 700."""
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(COLLECT_EVERY), "True"]
