"""The bulk ingest path (docs/scale.md §2): parse workers send a report as plain rows, and the driver
inserts while the workers go on parsing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest

from etl.records import ParsedReport
from tests.conftest import FIXTURES
from warehouse.db import apply_schema, connect
from warehouse.load import insert_rows, packed_groups
from warehouse.rows import MICRO, ReportRows, report_rows
from xxgk.ingest import prefetched
from xxgk.parsing import Job, parse_one

REPORTS = FIXTURES / "reports"
PLAIN = (str, int, float, bool, bytes, type(None))


def _plain(value: object) -> bool:
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, PLAIN)


@pytest.mark.parametrize("name", ["江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx"])
def test_an_ingest_worker_sends_plain_rows(name: str) -> None:
    """A job that asks for rows gets the report's rows, made of builtin values only (no dataclasses, no
    Decimal: they unpickle several times slower in the driver), equal to the rows of the report."""
    path = str(REPORTS / name)
    rows = parse_one(Job(path, rows=True)).result
    report = parse_one(Job(path)).result
    assert isinstance(rows, ReportRows) and isinstance(report, ParsedReport)
    assert rows == report_rows(report, path, (REPORTS / name).stat().st_size)
    fields = (rows.report, rows.facts, rows.checks, rows.warnings, rows.document, rows.ocr)
    assert all(_plain(f) for f in fields)
    assert len(rows.facts[0]) == len(report.facts) > 0


def test_rows_insert_the_values_the_report_holds() -> None:
    """Decimals travel as text and are stored exactly; every table gets one row per record."""
    path = REPORTS / "江山市交通运输局_2021.txt"
    report = parse_one(Job(str(path))).result
    assert isinstance(report, ParsedReport)
    con = connect(None)
    apply_schema(con)
    at = datetime(2026, 12, 3, 10, 0)
    insert_rows(con, [report_rows(report, str(path), path.stat().st_size)], at)
    stored = con.execute("SELECT metric_code, breakdown, value FROM facts").fetchall()
    expected = [
        (f.metric_code, f.breakdown, None if f.value is None else f.value.quantize(MICRO))
        for f in report.facts
    ]
    assert Counter(stored) == Counter(expected)
    checks = con.execute("SELECT check_id, breakdown, expected, actual FROM checks").fetchall()
    assert len(checks) == len(report.checks)
    assert {(c.check_id, c.breakdown, c.expected, c.actual) for c in report.checks} == set(checks)
    row = con.execute("SELECT report_id, source_file, ingested_at, is_current, checks_failed FROM reports")
    assert row.fetchall() == [
        (report.content_hash, str(path), at, True, sum(c.status == "fail" for c in report.checks))
    ]
    assert con.execute("SELECT text FROM documents").fetchall() == [(report.text,)]


def test_prefetched_draws_while_the_caller_works() -> None:
    """The workers are handed their next files while the caller inserts: items are drawn ahead."""
    drawn: list[int] = []

    def source() -> Iterator[int]:
        for i in range(20):
            drawn.append(i)
            yield i

    taken = prefetched(source(), size=8)
    assert next(taken) == 0
    deadline = time.monotonic() + 10
    while len(drawn) < 9 and time.monotonic() < deadline:
        time.sleep(0.01)  # the caller busy with the first item
    assert len(drawn) >= 9
    assert list(taken) == list(range(1, 20))


def test_prefetched_raises_the_source_error_and_closes_the_source_when_stopped() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("worker pool broke")

    taken = prefetched(failing())
    assert next(taken) == 1
    with pytest.raises(ValueError, match="worker pool broke"):
        next(taken)

    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    stopped = prefetched(endless(), size=4)
    assert next(stopped) == 0
    stopped.close()
    assert closed.wait(5)


def test_places_are_refreshed_a_few_years_at_a_time() -> None:
    """Whole years packed up to the batch size (a larger year alone): one pass for a small warehouse
    instead of one per year, memory still bounded by the batch."""
    counts = [(-1, 3), (2019, 40), (2020, 70), (2021, 100), (2022, 10), (2023, 20)]
    assert packed_groups(counts, 100) == [[-1, 2019], [2020], [2021], [2022, 2023]]
    assert packed_groups(counts, 50_000) == [[-1, 2019, 2020, 2021, 2022, 2023]]
    assert packed_groups([], 10) == []
