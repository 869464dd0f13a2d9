"""Reads that keep pages bounded at national scale give what the reads they replaced gave, on the sample
warehouse: the review overview counted per status and listed a page at a time, the correction states
without corrections, and the documents' per-report reads by literal ids (docs/scale.md §5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from warehouse import dashboard_queries as dq
from warehouse import queries
from warehouse.db import connect
from warehouse.documents import reads
from warehouse.filters import ReportFilter
from warehouse.publish import current_version
from warehouse.review import overlay
from warehouse.review.model import Snapshot

LISTED = ["agency", "year", "review_status", "reviewed_by", "reviewed_at", "review_comment", "checks_failed",
          "source_file", "report_id"]  # fmt: skip


@pytest.fixture()
def reviewed(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor whose review relations give a few current reports a status (the rest are pending)."""
    cursor = con.cursor()
    overlay.ensure(cursor)
    found = con.execute("SELECT report_id FROM reports WHERE is_current ORDER BY report_id").fetchall()
    ids = [r for (r,) in found]
    rows = [(ids[0], "approved", "", "甲", "2026-01-01T00:00:00"), (ids[1], "returned", "表三", "乙", "x")]
    rows.append((ids[2], "approved", "好", "甲", "2026-01-02T00:00:00"))
    schema = pa.schema([(name, pa.string()) for name in ("report_id", "status", "comment", "user", "at")])
    table = pa.Table.from_pylist([dict(zip(schema.names, row, strict=True)) for row in rows], schema=schema)
    cursor.register(overlay.STATUS, table)
    yield cursor
    cursor.close()


FILTERS = [
    ReportFilter(),
    ReportFilter(scope="aggregate"),
    ReportFilter(include_vertical=True),
    ReportFilter(year_from=2018, year_to=2021),
    ReportFilter(templates=("v2021",)),
    ReportFilter(agency_text="局"),
    ReportFilter(review=("approved", "returned")),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_review_counts_equal_the_listed_reports_per_status(
    reviewed: duckdb.DuckDBPyConnection, flt: ReportFilter
) -> None:
    every = dq.reports(reviewed, flt)
    expected = {str(s): int(n) for s, n in every["review_status"].value_counts().items()}
    assert dq.review_counts(reviewed, flt) == expected


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_the_review_summary_with_statuses_tells_whether_a_report_is_unplaced(
    reviewed: duckdb.DuckDBPyConnection, flt: ReportFilter
) -> None:
    summary = dq.review_summary(reviewed, flt)
    assert summary.unplaced == (not dq.unplaced(reviewed, flt).empty)
    every = dq.reports(reviewed, flt)
    for page in (1, 2, 4):
        floor = dq.listing_floor(summary.years, page * 7)
        pd.testing.assert_frame_equal(
            dq.review_listing(reviewed, flt, page, 7, floor), dq.review_listing(reviewed, flt, page, 7)
        )
    assert sum(n for _, n in summary.years) == len(every)


def test_the_review_counts_see_the_statuses(reviewed: duckdb.DuckDBPyConnection) -> None:
    counts = dq.review_counts(reviewed, ReportFilter(include_vertical=True))
    assert counts["approved"] == 2 and counts["returned"] == 1 and counts["pending"] > 10


@pytest.mark.parametrize("flt", [FILTERS[0], *FILTERS[2:5]], ids=repr)
def test_the_review_pages_together_are_the_reports_in_their_order(
    reviewed: duckdb.DuckDBPyConnection, flt: ReportFilter
) -> None:
    every = dq.reports(reviewed, flt)[LISTED]
    size = 7
    pages = [dq.review_listing(reviewed, flt, page, size) for page in range(1, len(every) // size + 3)]
    assert all(len(p) == size for p in pages[: len(every) // size]) and pages[-1].empty
    joined = pd.concat(pages, ignore_index=True)
    assert list(joined.columns) == LISTED and len(joined) == len(every) > size
    assert joined["report_id"].is_unique
    assert _records(joined[["year", "agency"]]) == _records(every[["year", "agency"]])
    assert sorted(_records(joined), key=repr) == sorted(_records(every), key=repr)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as plain values (a blank is None whatever the column's dtype)."""
    plain = frame.astype(object)
    return [
        {str(k): v for k, v in row.items()} for row in plain.where(plain.notna(), None).to_dict("records")
    ]


def test_correction_states_without_corrections_have_the_full_querys_columns(
    con: duckdb.DuckDBPyConnection,
) -> None:
    cursor = con.cursor()
    try:
        overlay.ensure(cursor)
        short = dq.correction_states(cursor)
        full = cursor.execute(queries.sql("review_states")).df()
    finally:
        cursor.close()
    assert short.empty and full.empty
    assert list(short.columns) == list(full.columns) and list(short.dtypes) == list(full.dtypes)


def test_correction_states_without_corrections_read_no_report_or_fact(con: duckdb.DuckDBPyConnection) -> None:
    """Nothing corrected: the empty table is given without planning the query over `reports` and `facts`
    (planning opens every view: ≈ 47 ms at 100k reports, ≈ 330 ms at 1M). A connection with the review
    relations and no warehouse relation at all still answers, with the full query's columns."""
    cursor = con.cursor()
    bare = duckdb.connect()
    try:
        overlay.register(bare, overlay.prepare(cursor, Snapshot()))
        states = dq.correction_states(bare)
    finally:
        bare.close()
        cursor.close()
    assert states.empty
    assert [(str(c), str(t)) for c, t in states.dtypes.items()] == list(dq.STATE_COLUMNS)


def test_review_relations_without_corrections_are_empty_with_the_queries_columns(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Nothing corrected: the overlay and the corrected series are given empty without planning their
    queries over the warehouse (a bare connection answers), with the columns and types the queries give."""
    cursor = con.cursor()
    bare = duckdb.connect()
    try:
        short = overlay.prepare(bare, Snapshot())
        overlay.register(cursor, Snapshot())
        for name, query in (
            (overlay.OVERLAY, "review_cte_overlay"),
            (overlay.CORRECTED_SERIES, "review_cte_corrected_series"),
        ):
            full = cursor.sql(queries.sql(query).replace("$corrected_reports", "NULL")).to_arrow_table()
            assert short[name].num_rows == 0 and full.num_rows == 0
            assert short[name].schema == full.schema, name
    finally:
        bare.close()
        cursor.close()


@pytest.mark.parametrize("query", ["document_facts", "document_checks", "compare_series", "compare_text"])
def test_documents_read_by_literal_ids_as_by_a_list(con: duckdb.DuckDBPyConnection, query: str) -> None:
    ids = [r for (r,) in con.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()]
    listed = queries.sql(query).replace("$report_list", "SELECT unnest($reports)")
    cursor = con.cursor()
    try:
        overlay.ensure(cursor)
        found = 0
        for chosen in (ids[:1], ids[5:7], ids[-1:], [*ids[:2], "not-a-report-id"]):
            sql = overlay.corrected(listed, *reads.CORRECTED[query]) if query in reads.CORRECTED else listed
            result = cursor.execute(sql, {"reports": chosen})
            columns = [d[0] for d in result.description or ()]
            oracle = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
            assert reads.report_rows(cursor, query, chosen) == oracle
            found += len(oracle)
        assert found > 0
        assert reads.report_rows(cursor, query, ["x' OR TRUE OR '"]) == []
    finally:
        cursor.close()


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_agency_choices_are_the_agencies_in_their_order(
    reviewed: duckdb.DuckDBPyConnection, flt: ReportFilter
) -> None:
    every = dq.agencies(reviewed, flt)
    found = dq.agency_choices(reviewed, flt, "", 10_000)
    assert list(found["agency_id"]) == list(every["agency_id"])
    assert list(found["agency"]) == list(every["agency"])
    assert set(found["matching"]) <= {len(every)}
    first = dq.agency_choices(reviewed, flt, "", 3)
    assert list(first["agency_id"]) == list(every["agency_id"][:3])
    assert set(first["matching"]) <= {len(every)}


def test_agency_choices_match_part_of_a_name_or_id(reviewed: duckdb.DuckDBPyConnection) -> None:
    every = dq.agencies(reviewed, ReportFilter())
    name = str(every["agency"].iloc[len(every) // 2])
    part = name[len(name) // 3 : len(name) // 3 + 2]
    wanted = [a for a, n in zip(every["agency_id"], every["agency"], strict=True) if part in n or part in a]
    found = dq.agency_choices(reviewed, ReportFilter(), f" {part} ", 10_000)
    assert list(found["agency_id"]) == wanted and 0 < len(wanted) < len(every)
    assert set(found["matching"]) == {len(wanted)}
    by_id = dq.agency_choices(reviewed, ReportFilter(), str(every["agency_id"].iloc[0]).upper(), 5)
    assert str(every["agency_id"].iloc[0]) in set(by_id["agency_id"])
    assert dq.agency_choices(reviewed, ReportFilter(), "没有这样的机关名称", 5).empty


@pytest.mark.parametrize(
    "query", ["findings_checks", "findings_cells", "findings_missing_cells", "summary_failures"]
)
def test_findings_read_by_literal_ids_as_by_a_list(con: duckdb.DuckDBPyConnection, query: str) -> None:
    ids = [r for (r,) in con.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()]
    listed = queries.sql(query).replace("$report_list", "SELECT unnest($reports)")
    found = 0
    for chosen in (ids[:3], ids[4:20], ids):
        oracle = con.execute(listed, {"reports": chosen}).fetchall()
        result = [tuple(r.values()) for r in reads.report_rows(con, query, chosen)]
        assert sorted(result, key=repr) == sorted(oracle, key=repr)
        found += len(oracle)
    assert found > 0


def test_missing_units_from_the_coverage_rollup_equal_the_coverage_views(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = con.execute("""
        SELECT DISTINCT p.code, c.year FROM coverage AS c JOIN agencies AS a USING (agency_id),
               unnest([a.province_code, a.city_code, a.county_code]) AS p(code)
        WHERE c.status = 'missing' AND p.code IS NOT NULL""").fetchall()
    assert found and dq.has_rollups(con)
    rolled = {(place, year): reads.missing_rows(con, place, year) for place, year in found}
    monkeypatch.setattr(dq, "has_rollups", lambda _con: False)
    for (place, year), listed in rolled.items():
        assert listed and listed == reads.missing_rows(con, place, year), (place, year)
        result = con.execute(BEFORE_MISSING, {"place": place, "year": year})
        columns = [d[0] for d in result.description or ()]
        assert listed == [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


BEFORE_MISSING = """
SELECT c.agency_id, c.agency_name, coalesce(a.agency_kind, '') AS agency_kind,
       coalesce(a.is_vertical, FALSE) AS is_vertical, c.within_span,
       coalesce(a.county, a.city, a.province, '') AS place
FROM coverage AS c
JOIN agencies AS a USING (agency_id)
WHERE c.year = $year
  AND c.status = 'missing'
  AND $place IN (a.province_code, a.city_code, a.county_code)
ORDER BY a.city_code NULLS FIRST, a.county_code NULLS FIRST, c.agency_name"""
"""summary_missing.sql before it read only the place's agencies (the `agencies` view ranks them all)."""


def test_one_series_of_an_agencys_profile_is_that_series_read_alone(con: duckdb.DuckDBPyConnection) -> None:
    """The agencies page draws the comparison of the agency alone from its profile's rows
    (`measures.one_series`) instead of reading them again: the same rows, in the same order."""
    from dashboard.measures import one_series
    from warehouse.store.rollups import RANKED_SERIES

    cursor = con.cursor()
    overlay.ensure(cursor)
    found = cursor.execute("""
        SELECT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL
        GROUP BY agency_id ORDER BY count(*) DESC, agency_id LIMIT 6""").fetchall()
    compared = 0
    for (agency,) in found:
        one = ReportFilter(agency_ids=(agency,), include_vertical=True)
        profile = dq.series_by_report(cursor, one, RANKED_SERIES)
        for series in RANKED_SERIES:
            alone = dq.series_by_report(cursor, one, (series,))
            pd.testing.assert_frame_equal(one_series(profile, series), alone)
            compared += len(alone)
    assert compared > 50


UNPLACED_BEFORE = """
SELECT agency, min(year) AS first_year, max(year) AS last_year, count(*) AS reports,
       any_value(place_status) AS place_status, any_value(province) AS province, any_value(city) AS city,
       any_value(source_file) AS example_file
FROM selected
WHERE place_code IS NULL OR place_status = 'unresolved'
GROUP BY agency
ORDER BY reports DESC, agency"""


@pytest.mark.parametrize("flt", [*FILTERS[:5], ReportFilter(province_code="330000")], ids=repr)
def test_unplaced_agencies_looked_for_first_are_those_listed_before(
    con: duckdb.DuckDBPyConnection, flt: ReportFilter
) -> None:
    """`unplaced` asks whether any selected report is unplaced before listing them (none usually is): the
    same rows as the one query it replaced, when there are some and when there are none."""
    cursor = con.cursor()
    overlay.ensure(cursor)
    condition, params = flt.condition("r")
    source = "agg_reports" if dq.has_rollups(cursor) else "reports"  # what `unplaced` selects from
    selected = f"WITH selected AS (SELECT r.* FROM {source} AS r WHERE {condition})"
    before = cursor.execute(selected + UNPLACED_BEFORE, params).df()
    pd.testing.assert_frame_equal(dq.unplaced(cursor, flt), before)


def test_unplaced_agencies_when_there_are_some(sample_warehouse: Path) -> None:
    """The sample warehouse places every agency; with some of its current reports left unplaced (no
    place, or an unresolved one: a temporary `agg_reports` in front of the rollup) `unplaced` lists them
    as the query it replaced did."""
    version = current_version(sample_warehouse)
    assert version is not None
    copy = connect(version, read_only=True)
    try:
        overlay.ensure(copy)
        assert dq.has_rollups(copy) and dq.unplaced(copy, ReportFilter(include_vertical=True)).empty
        copy.execute("""
            CREATE TEMP TABLE agg_reports AS SELECT * REPLACE (
                CASE WHEN year = 2021 THEN NULL ELSE place_code END AS place_code,
                CASE WHEN year = 2019 THEN 'unresolved' ELSE place_status END AS place_status)
            FROM agg_reports""")
        answers = set()
        for flt in (
            ReportFilter(),
            ReportFilter(include_vertical=True),
            ReportFilter(year_from=2020),
            ReportFilter(year_from=2022),
        ):
            condition, params = flt.condition("r")
            selected = f"WITH selected AS (SELECT r.* FROM agg_reports AS r WHERE {condition})"
            before = copy.execute(selected + UNPLACED_BEFORE, params).df()
            pd.testing.assert_frame_equal(dq.unplaced(copy, flt), before)
            # The quality page lists them only when the review counts' scan found one (`review_summary`).
            summary = dq.review_summary(copy, flt)
            assert summary.counts == dq.review_counts(copy, flt) and summary.unplaced == (not before.empty)
            answers.add(summary.unplaced)
        assert answers == {True, False}
        assert len(dq.unplaced(copy, ReportFilter(include_vertical=True))) > 3
    finally:
        copy.close()


def test_the_listing_floor_is_the_newest_years_that_hold_the_rows() -> None:
    years = ((2024, 3), (2023, 5), (None, 4), (2020, 2))
    assert [dq.listing_floor(years, rows) for rows in (1, 3, 4, 8, 9, 10, 14, 15)] == [
        2024, 2024, 2023, 2023, 2020, 2020, None, None,
    ]  # fmt: skip
    assert dq.listing_floor((), 1) is None and dq.listing_floor(((None, 9),), 1) is None
