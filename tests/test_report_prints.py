"""A bulk job's `report_prints` row computed in its worker (warehouse/rows.py `report_print`): the same
fingerprint and count of nonzero values as the schema's view over the same facts, the same reports_parsed
parts, and the view used again for a segment with a report that came without one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow  # noqa: F401  (loaded, as in a bulk run: the segment's rows are held as Arrow)
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tests.test_held_rows import renamed_rows
from warehouse.db import apply_schema, connect
from warehouse.packed import PackedRows, pack_rows, unpacked
from warehouse.rows import Print, ReportRows, micro_text, report_print
from warehouse.store import parts
from xxgk.parsing import Job, parse_one

NAMES = ["江山市交通运输局_2021.txt", "开化县华埠镇人民政府_2023.docx", "柯城区财政局_2017.html"]
AT = datetime(2026, 12, 5, 7, 0)
CODES = [
    "a",
    "a.b",
    "a.b.c",
    "a|b",
    "b",
    "text",
    "text.x",
    "texts.y",
    "old.section.1",
    "old.sections",
    "req.新",
]
BREAKDOWNS = st.sampled_from(["", "total", "合计", "a|b", "z"]) | st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=4
)
VALUES = (
    st.none()
    | st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False, allow_infinity=False
    ).map(micro_text)
    | st.sampled_from([Decimal("-0"), Decimal("0"), Decimal("7"), Decimal("-3")]).map(micro_text)
)
Fact = tuple[str, str, str | None]


def _viewed(reports: list[list[Fact]]) -> list[Print]:
    """Each report's row of the schema's `report_prints` over its facts, (None, None) when it has none."""
    con = connect(None)
    try:
        apply_schema(con)
        rows = [(f"r{n}", code, bd, value) for n, facts in enumerate(reports) for code, bd, value in facts]
        if rows:
            con.executemany(
                "INSERT INTO facts (report_id, metric_code, breakdown, value, value_raw, semantic, confidence) "
                "VALUES (?, ?, ?, CAST(? AS DECIMAL(38, 6)), '', 'number', 'exact')",
                rows,
            )
        found = dict(
            (rid, (fingerprint, nonzero))
            for rid, fingerprint, nonzero in con.execute("SELECT * FROM report_prints").fetchall()
        )
    finally:
        con.close()
    return [found.get(f"r{n}", (None, None)) for n in range(len(reports))]


def _printed(facts: list[Fact]) -> Print | None:
    return report_print(*(list(column) for column in zip(*facts, strict=True))) if facts else (None, None)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.tuples(st.sampled_from(CODES), BREAKDOWNS), VALUES, max_size=12),
        min_size=1,
        max_size=4,
    )
)
def test_a_print_is_the_views(reports: list[dict[tuple[str, str], str | None]]) -> None:
    """Codes left out (`text.`, `old.section.`) or one a prefix of another, breakdowns with the separator
    or none, NULL values, zero with its sign, negative and fractional values: the view's row."""
    facts = [[(code, bd, value) for (code, bd), value in report.items()] for report in reports]
    assert [_printed(report) for report in facts] == _viewed(facts)


@pytest.mark.parametrize(
    "facts",
    [
        [("a", "x", "1.000000"), ("a", "x", "2.000000")],  # DuckDB orders them by code and breakdown only
        [("a", "x", "1E+2")],  # not a text DuckDB gives back
        [("a", "x\x00", "1.000000")],
        [("a", "\ud800", "1.000000")],
        [("a", 3, "1.000000")],
    ],
    ids=["twice", "exponent", "nul", "surrogate", "not text"],
)
def test_a_print_not_told_for_sure_is_left_to_the_driver(facts: list[tuple[object, ...]]) -> None:
    assert report_print(*(list(column) for column in zip(*facts, strict=True))) is None


@pytest.fixture(scope="module")
def parsed() -> list[ReportRows]:
    found = [parse_one(Job(str(FIXTURES / "reports" / name), rows=True)).result for name in NAMES]
    assert all(isinstance(rows, ReportRows) for rows in found)
    return found  # type: ignore[return-value]


def test_a_bulk_job_sends_its_print(parsed: list[ReportRows]) -> None:
    """A packed job's print (`pack_report`, the worker's) is `pack_rows`' and the view's of its facts."""
    for name, rows in zip(NAMES, parsed, strict=True):
        job = parse_one(Job(str(FIXTURES / "reports" / name), rows=True, packed=True)).result
        assert isinstance(job, PackedRows)
        assert job.prints is not None and job.prints[0] is not None
        assert job.prints == pack_rows(rows).prints
        facts = list(zip(*(unpacked(column) for column in job.facts[:3]), strict=True))
        assert [job.prints] == _viewed([facts])  # type: ignore[list-item]


def _reports_parsed(directory: Path, batches: list[list[PackedRows]]) -> tuple[object, ...]:
    writer = parts.PartWriter(directory, "run")
    try:
        for batch in batches:
            writer.add(batch, AT)
        writer.flush()
        (part,) = [p for p in writer.parts if p.relation == "reports_parsed"]
        file = directory / part.file
        return (
            writer.con.execute(
                f"SELECT name, type, repetition_type FROM parquet_schema('{file}')"
            ).fetchall(),
            writer.con.execute(f"SELECT * FROM read_parquet('{file}')").fetchall(),
        )
    finally:
        writer.close()


def test_a_segment_of_printed_reports_writes_the_views_parts(
    parsed: list[ReportRows], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reports_parsed part of a segment whose reports all came with their prints is the one the view
    gave (schema, rows, order), and the view is not computed; one report without its print (a plain
    row's, or one the worker could not tell) and the view computes them all."""
    monkeypatch.setattr(parts, "BESIDE_REPORTS", 0)  # written from the held rows, by one cursor
    bulk = [pack_rows(renamed_rows(parsed[n % len(parsed)], n)) for n in range(40)]
    unprinted = [replace(rows, prints=None) for rows in bulk]
    viewed = _reports_parsed(tmp_path / "viewed", [unprinted[:25], unprinted[25:]])
    assert any(row[-4] is not None for row in viewed[1])  # type: ignore[attr-defined,index]

    with monkeypatch.context() as patched:

        def refused(*_: object) -> str:
            raise AssertionError("the view computed for printed reports")

        patched.setattr(parts.HeldRows, "_prints", refused)
        assert _reports_parsed(tmp_path / "printed", [bulk[:25], bulk[25:]]) == viewed
    mixed = [*bulk[:39], unprinted[39]]
    assert _reports_parsed(tmp_path / "mixed", [mixed[:25], mixed[25:]]) == viewed
