"""What keeps the pages fast at 100k reports gives what the slower reads gave (docs/scale.md §5, issue 12):
cursors reused with their review relations, the summary's candidates read from the current-report rollup,
the place name in one scan, and cube files that keep each place's rows together."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from dashboard import data
from warehouse import dashboard_queries as dq
from warehouse import queries
from warehouse.db import connect
from warehouse.documents import reads
from warehouse.documents.summary import SummaryError, SummaryRequest
from warehouse.filters import ReportFilter
from warehouse.review import overlay
from warehouse.store import rollups

OLD_SUMMARY_PLACE = """
SELECT level, name
FROM (
    SELECT DISTINCT 'county' AS level, county AS name, 3 AS depth FROM reports WHERE county_code = $place
    UNION ALL
    SELECT DISTINCT 'city', city, 2 FROM reports WHERE city_code = $place
    UNION ALL
    SELECT DISTINCT 'province', province, 1 FROM reports WHERE province_code = $place
)
WHERE name IS NOT NULL
ORDER BY depth DESC, name
LIMIT 1
"""
"""summary_place.sql before it scanned `reports` once (three scans of every bucket's file)."""


def _places(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = con.execute("""
        SELECT DISTINCT code FROM reports,
            LATERAL (SELECT unnest([province_code, city_code, county_code]) AS code)
        WHERE code IS NOT NULL ORDER BY code""").fetchall()
    return [str(code) for (code,) in found]


def test_the_place_name_in_one_scan_is_the_name_the_three_scans_gave(con: duckdb.DuckDBPyConnection) -> None:
    places = [*_places(con), "999999", ""]
    assert len(places) > 5
    for place in places:
        new = con.execute(queries.sql("summary_place"), {"place": place}).fetchall()
        assert new == con.execute(OLD_SUMMARY_PLACE, {"place": place}).fetchall(), place


def test_the_summarys_candidates_from_the_rollup_equal_those_from_the_reports(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert reads.has_current_rollup(con)
    compared = 0
    for place in _places(con):
        for year in range(2015, 2026):
            request = SummaryRequest(place, year, "own")
            rolled = reads._unit_rows(con, request)
            assert rolled == reads.rows(con, "summary_units", place=place, year=year), (place, year)
            compared += len(rolled)
    assert compared > 50, "the comparisons must cover units, not empty lists"


def test_the_summarys_candidates_read_the_rollup(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the rollup, `reports` (every bucket's file) is not read for the candidates."""
    place = _places(con)[0]
    read: list[str] = []
    original = reads._rows

    def spy(c: duckdb.DuckDBPyConnection, query: str, sql: str, *args: Any) -> list[dict[str, Any]]:
        read.append(sql)
        return original(c, query, sql, *args)

    monkeypatch.setattr(reads, "_rows", spy)
    assert reads._unit_rows(con, SummaryRequest(place, 2021, "own"))
    assert len(read) == 1 and "FROM agg_reports" in read[0]


def test_a_summary_reads_the_place_s_provinces_once_for_its_units_and_missing_units(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`build_summary` finds the place's provinces in one scan of `agg_reports` and gives them to both the
    candidates and the missing units; its units and missing units are those each read finding them itself
    gives."""
    scans: list[tuple[str, int]] = []
    original = reads.place_provinces

    def spy(c: duckdb.DuckDBPyConnection, code: str, year: int) -> reads.PlaceProvinces:
        scans.append((code, year))
        return original(c, code, year)

    built = 0
    for place in _places(con):
        request = SummaryRequest(place, 2021, "own", template="v2021")
        candidates = {u.report_id for u in reads.candidate_units(con, request)}
        missing = reads.missing_units(con, request)
        monkeypatch.setattr(reads, "place_provinces", spy)
        scans.clear()
        try:
            summary = reads.build_summary(con, request, "v")
        except SummaryError:
            continue
        finally:
            monkeypatch.setattr(reads, "place_provinces", original)
        assert scans == [(place, 2021)]
        assert {u.report_id for u in summary.units} | {
            e.unit.report_id for e in summary.excluded
        } == candidates
        assert summary.missing == missing
        built += 1
    assert built > 2, "the comparisons must cover summaries, not errors"


def test_a_unit_without_agency_id_or_name_is_read_from_the_reports(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rollup has no file name, which names such a unit: the candidates are then read from `reports`."""
    place = _places(con)[0]
    expected = reads.rows(con, "summary_units", place=place, year=2021)
    original = reads._rows

    def nameless(c: duckdb.DuckDBPyConnection, query: str, sql: str, *args: Any) -> list[dict[str, Any]]:
        found = original(c, query, sql, *args)
        if "FROM agg_reports" in sql:
            found[0] = {**found[0], "agency_id": None, "agency": None}
        return found

    monkeypatch.setattr(reads, "_rows", nameless)
    assert reads._unit_rows(con, SummaryRequest(place, 2021, "own")) == expected


def test_cube_files_keep_each_places_rows_together(
    sample_warehouse: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """A county's (and a city's) rows are one run in their province's cube file, so a county page reads
    its row groups only."""
    files = con.execute(
        "SELECT relation, file FROM _rollups WHERE list_contains($cubes, relation)",
        {"cubes": list(rollups.CUBES)},
    ).fetchall()
    assert {relation for relation, _ in files} == set(rollups.CUBES)
    checked = 0
    for _, file in files:
        path = Path(file) if Path(file).is_absolute() else sample_warehouse / file
        reader = duckdb.connect()
        try:
            keys = reader.execute(
                f"SELECT grain, city_code, county_code FROM read_parquet('{path}')"  # in the file's order
            ).fetchall()
        finally:
            reader.close()
        runs = [key for i, key in enumerate(keys) if i == 0 or keys[i - 1] != key]
        assert len(runs) == len(set(runs)), f"{file}: a place's rows are split"
        checked += len(runs) > 3
    assert checked, "the files must hold several places"


def test_failed_checks_and_ranking_files_are_sorted_by_their_first_key_in_small_row_groups(
    sample_warehouse: Path, con: duckdb.DuckDBPyConnection
) -> None:
    """`agg_failed` keeps the quality page's first order key (errors first) as `severity_rank`, which its
    files are sorted by, and it and `agg_ranking` are written SMALL_ROW_GROUP rows a row group, so the
    page's top-N skips the warnings' row groups and the ranking decodes about one series and year."""
    assert rollups.ROW_GROUPS["agg_failed"] == rollups.ROW_GROUPS["agg_ranking"] == rollups.SMALL_ROW_GROUP
    assert rollups.SMALL_ROW_GROUP <= 8_192
    files = con.execute(
        "SELECT relation, file FROM _rollups WHERE relation IN ('agg_failed', 'agg_ranking', 'delta:agg_failed')"
    ).fetchall()
    ranks: set[int] = set()
    for relation, file in files:
        path = Path(file) if Path(file).is_absolute() else sample_warehouse / file
        reader = duckdb.connect()
        try:
            if relation.endswith("agg_failed"):
                rows = reader.execute(
                    "SELECT severity_rank, CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END "
                    f"FROM read_parquet('{path}')"  # in the file's order
                ).fetchall()
                assert [rank for rank, _ in rows] == sorted(rank for rank, _ in rows), file
                assert all(rank == expected for rank, expected in rows), file
                ranks |= {rank for rank, _ in rows}
            groups = reader.execute(
                f"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{path}')"
            ).fetchall()
        finally:
            reader.close()
        assert max(rows for _, rows in groups) <= rollups.SMALL_ROW_GROUP, file
    assert ranks == {0, 1}, "the sample warehouse fails errors and warnings"


@pytest.fixture()
def dashboard_reads(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    data._idle_cursors.clear()
    version = data.version()
    assert version is not None
    yield str(version)
    data._idle_cursors.clear()


def test_a_read_reuses_an_idle_cursor_with_its_review_relations(
    dashboard_reads: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered: list[duckdb.DuckDBPyConnection] = []
    register = overlay.register

    def counted(cursor: duckdb.DuckDBPyConnection, relations: Any) -> None:
        registered.append(cursor)
        register(cursor, relations)

    monkeypatch.setattr(overlay, "register", counted)
    used: list[duckdb.DuckDBPyConnection] = []

    def corrections(cursor: duckdb.DuckDBPyConnection) -> int:
        used.append(cursor)
        return int(cursor.execute(f"SELECT count(*) FROM {overlay.CORRECTIONS}").fetchall()[0][0])

    assert data._run(dashboard_reads, corrections) == 0
    assert data._run(dashboard_reads, corrections) == 0
    assert len(registered) == 1 and used[0] is used[1] is registered[0]


REVIEW_RELATIONS = (
    overlay.CORRECTIONS,
    overlay.STATUS,
    overlay.CARRIED,
    overlay.OVERLAY,
    overlay.CORRECTED_SERIES,
)


def test_the_reads_of_a_pooled_cursor_ask_the_version_once_and_get_duckdbs_answers(
    dashboard_reads: str,
) -> None:
    """A dashboard cursor knows its review relations and keeps what its reads learn of the version
    (`overlay.Known`): the same answers as the statements they replace give on a plain connection."""

    def asked(cursor: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
        pooled = overlay.known_for(cursor)
        assert pooled is not None and pooled.cursor is cursor
        agency = cursor.execute("SELECT agency_id FROM agg_reports WHERE agency_id IS NOT NULL LIMIT 1")
        key = str(agency.fetchall()[0][0])
        answers = (
            dq.has_rollups(cursor),
            dq._in_bucket(cursor, key),
            {name: overlay.has_rows(cursor, name) for name in REVIEW_RELATIONS},
            overlay.is_registered(cursor),
            key,
        )
        return answers, sorted(pooled.memo)

    first, learnt = data._run(dashboard_reads, asked)
    again, kept = data._run(dashboard_reads, asked)
    assert again == first and learnt == kept == ["buckets", "rollups"]
    plain = connect(dashboard_reads, read_only=True)
    try:
        assert overlay.known_for(plain) is None and not overlay.is_registered(plain)
        overlay.ensure(plain)
        rows = {name: overlay.has_rows(plain, name) for name in REVIEW_RELATIONS}
        key = str(first[4])
        assert (dq.has_rollups(plain), dq._in_bucket(plain, key), rows, True, key) == first
    finally:
        plain.close()


def test_what_a_cursor_knows_holds_for_that_cursor_within_its_read_only(
    con: duckdb.DuckDBPyConnection,
) -> None:
    cursor, other = con.cursor(), con.cursor()
    try:
        overlay.ensure(cursor)
        overlay.ensure(other)
        assert not overlay.has_rows(cursor, overlay.STATUS)
        with overlay.known(overlay.Known(cursor, {overlay.STATUS: True})):
            assert overlay.has_rows(cursor, overlay.STATUS)  # as known
            assert overlay.known_for(other) is None and not overlay.has_rows(other, overlay.STATUS)
        assert overlay.known_for(cursor) is None and not overlay.has_rows(cursor, overlay.STATUS)
    finally:
        cursor.close()
        other.close()


def test_a_failed_read_closes_its_cursor(dashboard_reads: str) -> None:
    used: list[duckdb.DuckDBPyConnection] = []

    def broken(cursor: duckdb.DuckDBPyConnection) -> None:
        used.append(cursor)
        cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises(duckdb.CatalogException):
        data._run(dashboard_reads, broken)
    with pytest.raises(duckdb.ConnectionException):
        used[0].execute("SELECT 1")
    assert data._run(dashboard_reads, lambda c: c.execute("SELECT 41 + 1").fetchall()[0][0]) == 42


FILTERS = [
    ReportFilter(),
    ReportFilter(scope="aggregate"),
    ReportFilter(include_vertical=True, year_from=2018, year_to=2021),
    ReportFilter(templates=("v2021",)),
    ReportFilter(review=("pending",)),
    ReportFilter(review=("approved",)),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_without_statuses_every_selected_report_is_counted_pending(
    con: duckdb.DuckDBPyConnection, flt: ReportFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursor = con.cursor()
    try:
        overlay.ensure(cursor)
        every = dq.reports(cursor, flt)
        expected = {str(s): int(n) for s, n in every["review_status"].value_counts().items()}
        names: list[str] = []
        filtered = dq._filtered
        monkeypatch.setattr(
            dq, "_filtered", lambda c, name, *a, **k: names.append(name) or filtered(c, name, *a, **k)
        )
        assert dq.review_counts(cursor, flt) == expected
        assert names == ["dash_review_counts_pending"]
    finally:
        cursor.close()


@pytest.mark.parametrize("flt", [FILTERS[0], *FILTERS[2:4]], ids=repr)
def test_cube_reads_without_corrections_equal_those_that_join_the_delta(
    con: duckdb.DuckDBPyConnection, flt: ReportFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = tuple(str(c) for (c,) in con.execute("SELECT DISTINCT metric_code FROM facts").fetchall())
    series = tuple(
        str(s) for (s,) in con.execute("SELECT DISTINCT series_code FROM report_series").fetchall()
    )
    cursor = con.cursor()
    try:
        overlay.ensure(cursor)
        assert dq._use_cube(cursor, flt)
        skipped = dq.metric_by_year(cursor, flt, codes, ("", "total")), dq.series_by_year(cursor, flt, series)
        monkeypatch.setattr(overlay, "has_rows", lambda _con, _relation: True)
        joined = dq.metric_by_year(cursor, flt, codes, ("", "total")), dq.series_by_year(cursor, flt, series)
    finally:
        cursor.close()
    assert not skipped[0].empty and not skipped[1].empty
    for new, old in zip(skipped, joined, strict=True):
        pd.testing.assert_frame_equal(new, old)


def test_a_cursor_of_a_connection_the_cache_let_go_is_not_reused(dashboard_reads: str) -> None:
    used: list[duckdb.DuckDBPyConnection] = []

    def count(cursor: duckdb.DuckDBPyConnection) -> int:
        used.append(cursor)
        return int(cursor.execute(f"SELECT count(*) FROM {overlay.STATUS}").fetchall()[0][0])

    assert data._run(dashboard_reads, count) == 0
    data._connection.clear()  # as when the cached connection expires: a new one is opened
    assert data._run(dashboard_reads, count) == 0
    assert used[0] is not used[1]
    with pytest.raises(duckdb.ConnectionException):
        used[0].execute("SELECT 1")


def _ocr_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse of three reports: one read by OCR (two cells, one of them corrected), one
    with a text layer, and one whose OCR cell lost its fact."""
    from warehouse.db import apply_schema

    con = connect(None)
    apply_schema(con)
    facts = [
        ("a" * 64, "req.total", "total", 5, "5", "number", "ocr"),
        ("a" * 64, "req.received", "natural_person", 3, "3", "number", "ocr"),
        ("b" * 64, "req.total", "total", 7, "7", "number", "text"),
        ("c" * 64, "req.total", "total", 1, "1", "number", "text"),
    ]
    con.executemany(
        "INSERT INTO facts (report_id, metric_code, breakdown, value, value_raw, semantic, confidence) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        facts,
    )
    cells = [
        ("a" * 64, "req.total", "total", False, "sum"),
        ("a" * 64, "req.received", "natural_person", True, ""),
    ]
    cells.append(("c" * 64, "req.granted", "total", True, ""))  # no fact of that cell: report_ocr skips it
    con.executemany("INSERT INTO ocr_cells VALUES (?, ?, ?, 1, 0, 0, 1, 1, 0.9, ?, ?, NULL)", cells)
    return con


def test_a_report_without_an_ocr_cell_among_its_facts_has_no_crop() -> None:
    from dashboard.ocr_crops import has_ocr_cells
    from warehouse.review.model import Correction, Snapshot

    con = _ocr_warehouse()
    try:
        correction = Correction(
            1,
            "a" * 64,
            "req.total",
            "total",
            "5",
            "5",
            "number",
            "6",
            "extraction",
            "",
            None,
            None,
            None,
            None,
            None,
            "甲",
            "2026-12-02T00:00:00",
            None,
            None,
            None,
            None,
            None,
        )
        for snapshot in (Snapshot(), Snapshot(corrections=(correction,))):
            cursor = con.cursor()
            overlay.register(cursor, snapshot)
            shown = []
            for report_id in ("a" * 64, "b" * 64, "c" * 64, "d" * 64):
                facts = dq.report_facts(cursor, report_id)
                assert has_ocr_cells(facts) == (not dq.report_ocr(cursor, report_id).empty), report_id
                shown.append(has_ocr_cells(facts))
            assert shown == [True, False, False, False]
            cursor.close()
    finally:
        con.close()
    assert has_ocr_cells(pd.DataFrame({"value": [1]})), "facts without the column are read as before"


def test_the_candidates_read_only_their_provinces_files_and_never_an_odd_code_as_sql() -> None:
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE agg_reports AS SELECT * FROM (VALUES (TRUE, 2021, '330000', '330800', '330822', 'a'), "
            "(TRUE, 2021, NULL, '330800', '330824', 'b'), (TRUE, 2021, 'x''1', '999900', '999901', 'c')) "
            "AS t(is_current, year, province_code, city_code, county_code, agency_id)"
        )
        assert reads.provinces_within(reads.place_provinces(con, "330800", 2021)) == (
            " WHERE province_code = '330000' OR province_code IS NULL"
        )
        assert (
            reads.provinces_within(reads.place_provinces(con, "330824", 2021))
            == " WHERE province_code IS NULL"
        )
        assert reads.provinces_within(reads.place_provinces(con, "999900", 2021)) == ""
    finally:
        con.close()


def test_places_and_domain_are_read_once_per_version_and_handed_out_as_copies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sidebar's places and filter ranges are kept per published version across clearing the data
    cache (a cold page); another version reads them again, and no caller can change the kept value."""
    import streamlit as st

    asked: list[tuple[str, str]] = []

    def run(path: str, read: Any, *args: object) -> Any:
        asked.append((path, read.__name__))
        if read.__name__ == "domain":
            return {"year_min": 2014, "templates": ["v2021"]}
        return pd.DataFrame({"province_code": ["110000"]})

    monkeypatch.setattr(data, "_run", run)
    data._version_read.clear()
    first = data.frame("/v1.duckdb", "places")
    first.loc[0, "province_code"] = "changed"
    st.cache_data.clear()
    assert data.frame("/v1.duckdb", "places")["province_code"].tolist() == ["110000"]
    domain = data.read("/v1.duckdb", "domain")
    domain["templates"].append("changed")
    assert data.read("/v1.duckdb", "domain")["templates"] == ["v2021"]
    assert asked == [("/v1.duckdb", "places"), ("/v1.duckdb", "domain")]
    data.frame("/v2.duckdb", "places")
    assert asked[-1] == ("/v2.duckdb", "places")
    data._version_read.clear()


class _Recording:
    """A cursor that keeps the SQL it was given."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor, self.seen = cursor, []

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        self.seen.append(sql)
        return self.cursor.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


def test_an_agencys_profile_and_its_gaps_come_from_the_agency_ordered_rollups(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agencies page's profile and the reasons for its empty cells read `agg_profile` and `agg_gaps`
    (one agency's rows together), not the report-sorted `report_series` and `facts` parts: the same rows."""
    agencies = [a for (a,) in con.execute(
        "SELECT DISTINCT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL ORDER BY 1"
    ).fetchall()]  # fmt: skip
    filters = [ReportFilter(agency_ids=(a,)) for a in agencies] + [ReportFilter(agency_ids=tuple(agencies))]
    cursor = _Recording(con.cursor())
    read = dq.series_by_report, dq.series_gaps
    rolled = [[f(cursor, flt, rollups.RANKED_SERIES) for f in read] for flt in filters]  # type: ignore[arg-type]
    assert cursor.seen and all("agg_profile" in s or "agg_gaps" in s for s in cursor.seen if "$series" in s)
    assert not any("main.report_series" in s or "FROM facts" in s for s in cursor.seen)
    monkeypatch.setattr(dq, "has_rollups", lambda _con: False)
    for flt, (profile, gaps) in zip(filters, rolled, strict=True):
        pd.testing.assert_frame_equal(profile, dq.series_by_report(con, flt, rollups.RANKED_SERIES))
        old_gaps = dq.series_gaps(con, flt, rollups.RANKED_SERIES)
        key = list(old_gaps.columns)
        pd.testing.assert_frame_equal(
            gaps.sort_values(key, ignore_index=True), old_gaps.sort_values(key, ignore_index=True)
        )
    assert sum(len(profile) for profile, _ in rolled) > len(agencies)
    assert sum(len(gaps) for _, gaps in rolled) > 0


def test_a_read_started_ahead_is_read_once_and_a_failed_one_fails_in_the_pages_own_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`data.ahead` reads on a read-ahead thread what a page will read: the page's own read, made while it
    runs, waits for it and gets its answer without reading again; a read that fails ahead is read again
    by the page, which gets the error; a callable read ahead runs there too."""
    import threading

    import streamlit as st

    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path))
    started, release = threading.Event(), threading.Event()
    calls: list[tuple[str, object, str]] = []

    def slow(_con: object, value: int) -> int:
        calls.append(("slow", value, threading.current_thread().name))
        started.set()
        assert release.wait(10)
        return value * 2

    def failing(_con: object, value: int) -> int:
        calls.append(("failing", value, threading.current_thread().name))
        raise ValueError(f"no {value}")

    monkeypatch.setattr(dq, "ahead_slow", slow, raising=False)
    monkeypatch.setattr(dq, "ahead_failing", failing, raising=False)
    monkeypatch.setattr(data, "_run", lambda _path, read, *args: read(None, *args))
    st.cache_data.clear()
    later: list[int] = []
    future = data.ahead(
        "v", [("ahead_slow", 3), ("ahead_failing", 1), lambda: later.append(data.read("v", "ahead_slow", 3))]
    )
    assert started.wait(10)
    threading.Timer(0.2, release.set).start()
    assert data.read("v", "ahead_slow", 3) == 6  # waits for the read ahead, which is still running
    data.settle([future])
    assert [c[:2] for c in calls] == [("slow", 3), ("failing", 1)]
    assert all(thread.startswith("xxgk-ahead") for _, _, thread in calls)
    assert later == [], "the read-ahead stops at its first failure"
    with pytest.raises(ValueError, match="no 1"):
        data.read("v", "ahead_failing", 1)
    assert [c[:2] for c in calls][-1] == ("failing", 1) and len(calls) == 3
    st.cache_data.clear()


def test_a_read_ahead_that_has_not_begun_when_the_run_ends_is_dropped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`data.settle` waits for a run's read-ahead that is running, and drops one still queued behind other
    sessions' reads (the page has read what it needed itself): the run's end does not wait for it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path))
    busy = threading.Event()
    monkeypatch.setattr(data, "_AHEAD", ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-ahead"))
    other = data.ahead("v", [lambda: busy.wait(10)])  # another session's read-ahead holds the one thread
    ran: list[str] = []
    queued = data.ahead("v", [lambda: ran.append("queued")])
    timer = threading.Timer(5, busy.set)
    timer.start()
    data.settle([queued])
    assert queued.cancelled() and not busy.is_set(), "the run ended without waiting for the busy thread"
    timer.cancel()
    busy.set()
    data.settle([other])
    assert ran == [] and other.done()
