"""The pages' queries over the pre-aggregated tables give exactly what the fact-scanning queries give, for
every filter the sidebar offers (warehouse/store/rollups.py, docs/scale.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from warehouse import dashboard_queries as dq
from warehouse.db import connect
from warehouse.filters import KINDS, LEVELS, TEMPLATES, ReportFilter
from warehouse.publish import current_version
from warehouse.store import rollups

Read = Callable[[duckdb.DuckDBPyConnection, ReportFilter], object]
RANKED = ("requests.received", "proactive.items", "litigation")
LONG = bool(os.environ.get("XXGK_LONG_TESTS"))


@pytest.fixture(scope="module")
def delta_warehouse(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus ingested in three runs, its deltas never folded: the `agg_*` views apply the
    deltas of the last two to the province files of the first."""
    from xxgk.ingest import ingest

    target = tmp_path_factory.mktemp("delta_warehouse") / "data"
    files = sorted(p for p in (sample_warehouse.parent / "samples").rglob("*") if p.is_file())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rollups, "FOLD_REPORTS", 1_000_000)
        for start in range(3):
            ingest(files[start::3], target)
    version = current_version(target)
    assert version is not None
    found = duckdb.connect(str(version), read_only=True)
    try:
        deltas = found.execute("SELECT count(*) FROM _rollups WHERE relation LIKE 'delta:%'").fetchall()
    finally:
        found.close()
    assert deltas[0][0] > 0, "the last runs must leave deltas"
    return target


@pytest.fixture(scope="module", params=["sample_warehouse", "delta_warehouse"])
def con(request: pytest.FixtureRequest) -> Iterator[duckdb.DuckDBPyConnection]:
    version = current_version(request.getfixturevalue(request.param))
    assert version is not None
    connection = connect(version, read_only=True)
    yield connection
    connection.close()


def _reads(con: duckdb.DuckDBPyConnection) -> dict[str, Read]:
    codes = tuple(str(c) for (c,) in con.execute("SELECT DISTINCT metric_code FROM facts").fetchall())
    breakdowns = tuple(str(b) for (b,) in con.execute("SELECT DISTINCT breakdown FROM facts").fetchall())
    series = tuple(
        str(s) for (s,) in con.execute("SELECT DISTINCT series_code FROM report_series").fetchall()
    )
    return {
        "overview_counts": dq.overview_counts,
        "metric_by_year": lambda c, f: dq.metric_by_year(c, f, codes, breakdowns),
        "series_by_year": lambda c, f: dq.series_by_year(c, f, series),
        "check_summary": dq.check_summary,
        "failed_checks": dq.failed_checks,
        "coverage": lambda c, f: dq.coverage(c, f, 2010, 2030),
        "coverage_limited": lambda c, f: dq.coverage_limited(c, f, 2017, 2022, 3),
        # The pickers and the grid's choice of agencies: read from `agg_agencies`.
        "coverage_limited all": lambda c, f: dq.coverage_limited(c, f, 2010, 2030, 120),
        "coverage_limited one year": lambda c, f: dq.coverage_limited(c, f, 2020, 2020, 5),
        "agency_choices": dq.agency_choices,
        "agency_choices text": lambda c, f: dq.agency_choices(c, f, "局", 4),
        "agency_choices id": lambda c, f: dq.agency_choices(c, f, "人民政府", 200),
        "failed_checks_first": lambda c, f: dq.failed_checks(c, f, 7),
        "failed_checks_page_3": lambda c, f: dq.failed_checks(c, f, 5, 3),
        "unplaced": dq.unplaced,
        "review_summary": dq.review_summary,
        "agencies": dq.agencies,
        "series_by_report": lambda c, f: dq.series_by_report(c, f, series),
        "series_gaps": lambda c, f: dq.series_gaps(c, f, series),
        # The agencies page's series: read from `agg_profile` and `agg_gaps`.
        "series_by_report ranked": lambda c, f: dq.series_by_report(c, f, rollups.RANKED_SERIES),
        "series_gaps ranked": lambda c, f: dq.series_gaps(c, f, rollups.RANKED_SERIES),
        "series_by_report one": lambda c, f: dq.series_by_report(c, f, RANKED[:1]),
        **{f"ranking_years {code}": partial(dq.ranking_years, series=code) for code in RANKED},
        # Every series in every year, each series and each year both cut short (3) and whole (100): a
        # Latin square of the 18 (series, year, limit) triples, the rankings being 44 % of the reads' time;
        # XXGK_LONG_TESTS=1 reads all 18 (README, Tests).
        **{
            f"ranking {code} {year} {limit}": partial(dq.ranking, series=code, year=year, limit=limit)
            for i, code in enumerate(RANKED)
            for j, year in enumerate((2019, 2021, 2023))
            for limit in ((3, 100) if LONG else [(3, 100)[(i + j) % 2]])
        },
    }


def _filters(con: duckdb.DuckDBPyConnection) -> list[ReportFilter]:
    places = con.execute(
        "SELECT DISTINCT province_code, city_code, county_code FROM reports WHERE is_current"
    ).fetchall()
    found = [ReportFilter(), ReportFilter(scope="aggregate"), ReportFilter(include_vertical=True)]
    for province, city, county in sorted(places, key=repr):
        found.append(ReportFilter(province_code=province, city_code=city, county_code=county))
        found.append(ReportFilter(province_code=province, city_code=city))
        found.append(ReportFilter(province_code=province, include_vertical=True))
    found += [ReportFilter(year_from=2018, year_to=2021), ReportFilter(year_from=2022)]
    found += [ReportFilter(templates=(t,)) for t in TEMPLATES]
    found += [ReportFilter(levels=(level,)) for level in LEVELS]
    found += [ReportFilter(kinds=(kind,)) for kind in KINDS]
    found.append(
        ReportFilter(
            templates=("v2021", "v2019"), kinds=("department", "vertical"), year_from=2019, scope="own"
        )
    )
    found.append(ReportFilter(agency_text="局"))
    agencies = [a for (a,) in con.execute(
        "SELECT DISTINCT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL ORDER BY 1"
    ).fetchall()]  # fmt: skip
    found += [ReportFilter(agency_ids=(a,)) for a in agencies[::3]]
    found.append(ReportFilter(agency_ids=tuple(agencies[:4]), include_vertical=True, year_from=2019))
    found.append(ReportFilter(agency_ids=("no such agency", "it's quoted")))
    found.append(ReportFilter(review=("pending",)))
    return found


def _same(new: object, old: object) -> None:
    if isinstance(old, pd.DataFrame):
        assert isinstance(new, pd.DataFrame)
        assert list(new.columns) == list(old.columns)
        ordered = list(old.columns)
        new_sorted = new.sort_values(ordered, ignore_index=True, key=lambda s: s.astype(str))
        old_sorted = old.sort_values(ordered, ignore_index=True, key=lambda s: s.astype(str))
        pd.testing.assert_frame_equal(new_sorted, old_sorted)
    else:
        assert new == old


def test_the_sample_warehouse_has_its_rollups(con: duckdb.DuckDBPyConnection) -> None:
    assert dq.has_rollups(con)
    for relation in rollups.RELATIONS:
        assert con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0] > 0, relation
    replaced = con.execute("SELECT count(*) FROM reports WHERE NOT is_current").fetchall()[0][0]
    assert replaced > 0, "the sample corpus holds replaced versions the rollups must leave out"


@pytest.mark.slow  # every page query twice over many filters
def test_every_page_query_equals_the_fact_scanning_query(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(con)
    filters = list(dict.fromkeys(_filters(con)))  # a city's filters come once per county: each once here
    rolled = {(name, i): read(con, flt) for name, read in reads.items() for i, flt in enumerate(filters)}
    rolled_places, rolled_domain = dq.places(con), dq.domain(con)
    monkeypatch.setattr(dq, "has_rollups", lambda _con: False)
    non_empty = 0
    for name, read in reads.items():
        for i, flt in enumerate(filters):
            oracle = read(con, flt)
            _same(rolled[(name, i)], oracle)
            non_empty += int(not isinstance(oracle, pd.DataFrame) or not oracle.empty)
    _same(rolled_places, dq.places(con))
    _same(rolled_domain, dq.domain(con))
    assert non_empty > len(filters) * 4, "the comparisons must cover rows, not empty frames"


def test_the_review_counts_tell_whether_the_unplaced_agencies_have_a_row(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The quality page reads `unplaced` only when `review_summary` says a selected report is unplaced:
    for every filter, that flag is whether `unplaced` has a row, and the counts are `review_counts`'."""
    for flt in dict.fromkeys(_filters(con)):
        summary = dq.review_summary(con, flt)
        assert summary.unplaced == (not dq.unplaced(con, flt).empty), flt
    # The sample places every report: tests/test_dashboard_scale_queries.py unplaces some.


def test_the_review_listing_of_the_newest_years_is_the_listing(con: duckdb.DuckDBPyConnection) -> None:
    """`review_summary` counts the selected reports per status and per year; a page of the review listing
    read from the newest years that hold it (`listing_floor`) is the page read from every year."""
    floored = 0
    for flt in dict.fromkeys(_filters(con)):
        summary = dq.review_summary(con, flt)
        every = dq.reports(con, flt)
        assert summary.counts == {str(s): int(n) for s, n in every["review_status"].value_counts().items()}
        assert dict(summary.years) == {
            (None if pd.isna(y) else int(y)): int(n)
            for y, n in every["year"].value_counts(dropna=False).items()
        }
        for limit in (7, 40):
            for page in (1, 2, 3):
                floor = dq.listing_floor(summary.years, page * limit)
                _same(
                    dq.review_listing(con, flt, page, limit, floor), dq.review_listing(con, flt, page, limit)
                )
                floored += floor is not None and floor > (flt.year_from or 0) and page * limit < len(every)
    assert floored > 20, "the comparisons must cover pages read from fewer years"


def test_the_listing_rollup_holds_each_provinces_rows_in_the_listings_order_and_reads_as_the_listing(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`agg_listing` (issue12qp): each province's file and delta holds its current reports in the review
    listing's order, so DuckDB's top-N stops early; its view holds what `agg_reports` holds, and every page
    of the listing read through it is the page read from `reports`, row for row and in order."""
    version = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    directory = Path(str(version.fetchall()[0][0])).parent
    files = [
        f for (f,) in con.execute("SELECT file FROM _rollups WHERE relation LIKE '%agg_listing'").fetchall()
    ]
    assert files, "the version lists its agg_listing files"
    for file in files:
        rows = con.execute(
            f"SELECT year, agency, report_id FROM read_parquet('{directory / file}', file_row_number = true) "
            "ORDER BY file_row_number"
        ).fetchall()
        ordered = sorted(rows, key=lambda r: (r[0] is None, -(r[0] or 0), r[1] is None, r[1] or "", r[2]))
        assert rows == ordered, file
    columns = ", ".join(rollups.LISTING_COLUMNS)
    listed = con.execute(f"SELECT {columns} FROM agg_listing ORDER BY report_id").fetchall()
    assert listed == con.execute(f"SELECT {columns} FROM agg_reports ORDER BY report_id").fetchall()
    filters = list(dict.fromkeys(_filters(con)))
    pages = [(flt, page, limit) for flt in filters for limit in (7, 40) for page in (1, 3)]
    rolled = [dq.review_listing(con, flt, page, limit) for flt, page, limit in pages]
    monkeypatch.setattr(dq, "has_rollups", lambda _con: False)
    for (flt, page, limit), found in zip(pages, rolled, strict=True):
        pd.testing.assert_frame_equal(found, dq.review_listing(con, flt, page, limit))
    assert sum(len(found) for found in rolled) > len(pages) * 3, "the comparisons must cover rows"


def test_the_pages_of_failed_checks_list_each_once_in_the_order_of_one_read(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The quality page lists the failed checks a page at a time: the pages, one after the other, are the
    whole list read at once (the order is total, so no check is on two pages or on none)."""
    checked = 0
    for flt in _filters(con)[:12]:
        whole = dq.failed_checks(con, flt, 1_000_000)
        pages = [dq.failed_checks(con, flt, 7, page) for page in range(1, len(whole) // 7 + 3)]
        assert pages[-1].empty
        if whole.empty:
            continue
        listed = pd.concat([page for page in pages if not page.empty], ignore_index=True)
        pd.testing.assert_frame_equal(listed, whole)
        checked += len(whole) > 7
    assert checked > 3, "the comparisons must cover several pages"


def test_reads_routed_to_one_bucket_equal_reads_over_every_bucket(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The report page's point reads with the report's agency key read one bucket file (and the
    report-sorted parts) instead of every bucket: the same rows for every report and agency."""
    rows = con.execute("SELECT report_id, agency_id, agency FROM reports ORDER BY report_id").fetchall()
    keys = [dq.report_key({"agency_id": a, "agency": n, "report_id": r}) for r, a, n in rows]
    assert len({dq._in_bucket(con, key) for key in keys}) > 1, "the reports are in several buckets"
    checked = 0
    for report_id, agency_id, agency in rows:
        key = dq.report_key({"agency_id": agency_id, "agency": agency, "report_id": report_id})
        assert dq._in_bucket(con, key), "a store version routes every key to a bucket"
        assert dq.report(con, report_id, key) == dq.report(con, report_id)
        _same(dq.report_checks(con, report_id, key), dq.report_checks(con, report_id))
        _same(dq.report_versions(con, report_id, key), dq.report_versions(con, report_id))
        checked += len(dq.report_checks(con, report_id, key)) > 0
    assert checked > len(rows) // 2, "the comparisons must cover checks, not empty frames"
    agencies = con.execute("SELECT DISTINCT agency_id FROM reports WHERE agency_id IS NOT NULL").fetchall()
    for (agency_id,) in agencies:
        routed = dq.agency_reports(con, agency_id)
        assert not routed.empty
        _same(routed, dq._plain(con, "dash_agency_reports", agency_id=agency_id))
    assert dq.report(con, rows[0][0], "not the key of its agency") == dq.report(con, rows[0][0])


def test_an_agencys_reports_read_from_its_bucket_equal_those_read_over_every_bucket(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The agencies page lists one agency's reports (`reports` with one agency id) from its bucket."""
    agencies = [a for (a,) in con.execute("SELECT DISTINCT agency_id FROM reports WHERE agency_id IS NOT NULL")
                .fetchall()]  # fmt: skip
    filters = [ReportFilter(agency_ids=(a,)) for a in agencies]
    filters += [ReportFilter(agency_ids=(a,), year_from=2020, include_vertical=True) for a in agencies[:5]]
    routed = [dq.reports(con, flt) for flt in filters]
    assert "read_parquet" in dq._in_bucket(con, agencies[0])
    monkeypatch.setattr(dq, "_in_bucket", lambda _con, _key: "")
    for flt, found in zip(filters, routed, strict=True):
        _same(found, dq.reports(con, flt))
    assert sum(len(found) for found in routed) > len(agencies)


def test_a_moved_warehouse_routes_reads_to_its_files_where_they_are_now(
    sample_warehouse: Path, tmp_path: Path
) -> None:
    import shutil

    moved = tmp_path / "moved"
    shutil.copytree(sample_warehouse, moved)
    version = current_version(moved)
    assert version is not None
    connection = connect(version, read_only=True)
    try:
        report_id, agency_id = connection.execute(
            "SELECT report_id, agency_id FROM reports WHERE agency_id IS NOT NULL LIMIT 1"
        ).fetchall()[0]
        assert str(moved.resolve()) in dq._in_bucket(connection, agency_id)
        assert dq.report(connection, report_id, agency_id) == dq.report(connection, report_id)
    finally:
        connection.close()


def test_the_comparison_read_from_the_agencys_bucket_equals_the_one_over_every_bucket(
    con: duckdb.DuckDBPyConnection,
) -> None:
    from dataclasses import replace as with_fields

    from warehouse.documents.reads import agency_years, build_comparison

    agencies = con.execute(
        "SELECT agency_id FROM reports WHERE agency_id IS NOT NULL AND is_current "
        "GROUP BY agency_id HAVING count(DISTINCT year) > 1 ORDER BY agency_id"
    ).fetchall()
    assert len(agencies) > 3
    failed = 0
    for (agency_id,) in agencies:
        years = agency_years(con, agency_id)
        assert dq.agency_report_years(con, agency_id) == years
        routed = dq.comparison(con, agency_id, (years[0], years[-1]), "v")
        everywhere = build_comparison(con, agency_id, (years[0], years[-1]), "v")
        assert with_fields(routed, generated_at=everywhere.generated_at) == everywhere
        failed += len(routed.before.checks) + len(routed.after.checks)
    assert failed > 0, "the comparisons must cover checks"


def test_the_comparison_the_agencies_page_shows_is_the_whole_comparison_without_checks_and_series(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`comparison_shown` (the page's read: no checks, no series) gives the whole comparison's cells,
    sections, sides and tiles, each side's failed checks counted from `reports.checks_failed`; with
    nothing corrected, the facts read as stored are the corrected facts (`reads._corrects`)."""
    from dataclasses import replace as with_fields

    from warehouse.documents import reads

    corrects = reads._corrects

    agencies = con.execute(
        "SELECT agency_id FROM reports WHERE agency_id IS NOT NULL AND is_current "
        "GROUP BY agency_id HAVING count(DISTINCT year) > 1 ORDER BY agency_id"
    ).fetchall()
    assert len(agencies) > 3
    failing = compared = 0
    for (agency_id,) in agencies:
        years = dq.agency_report_years(con, agency_id)
        for pair in {(years[0], years[-1]), (years[-2], years[-1]), (years[0], years[1])}:
            monkeypatch.setattr(reads, "_corrects", lambda _con, _relations: True)
            corrected = dq.comparison(con, agency_id, pair, "v")
            monkeypatch.setattr(reads, "_corrects", corrects)
            assert not reads._corrects(con, ("facts",))
            whole = dq.comparison(con, agency_id, pair, "v")
            assert with_fields(corrected, generated_at=whole.generated_at) == whole
            shown = dq.comparison_shown(con, agency_id, pair, "v")
            for side, full in ((shown.before, whole.before), (shown.after, whole.after)):
                assert side.n_failed() == len(full.failed()) == full.n_failed()
                assert with_fields(side, checks_failed=None) == with_fields(full, checks=())
                failing += side.n_failed() > 0
            assert shown.series == ()
            assert (
                with_fields(
                    shown,
                    before=whole.before,
                    after=whole.after,
                    series=whole.series,
                    generated_at=whole.generated_at,
                )
                == whole
            )
            assert (
                shown.count("changed") == whole.count("changed") and shown.copied_share == whole.copied_share
            )
            compared += 1
    assert compared > 10 and failing > 0, "the comparisons must cover failed checks"


def test_the_review_findings_read_from_the_rollups_equal_those_read_from_the_facts(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The findings of a place and year read their units from `agg_reports` and their failed checks with
    the printed cells from `agg_failed` (`cells`, `printed`), and the missing units from `agg_reports`:
    the same findings as from `reports`, `checks` and `facts`, for every place of every level and year."""
    from datetime import UTC, datetime

    from warehouse.documents import findings_reads, reads
    from warehouse.documents.findings import FindingsRequest

    now = datetime(2026, 1, 1, tzinfo=UTC)
    places = con.execute("""
        SELECT DISTINCT code, year FROM (
            SELECT unnest([province_code, city_code, county_code]) AS code, year FROM reports WHERE is_current)
        WHERE code IS NOT NULL ORDER BY ALL""").fetchall()
    requests = [
        FindingsRequest(str(code), int(year), include_vertical=vertical)
        for i, (code, year) in enumerate(places)
        for vertical in ((True, False) if i % 4 == 0 else (True,))
    ]
    requests.append(FindingsRequest(str(places[0][0]), int(places[0][1]), kinds=("department",)))
    assert findings_reads._place_provinces(con, requests[0]) is not None, "a store version has the rollups"
    rolled = [findings_reads.build_findings(con, r, "v", now=now) for r in requests]
    monkeypatch.setattr(findings_reads, "has_current_rollup", lambda _con: False)
    monkeypatch.setattr(reads, "has_current_rollup", lambda _con: False)
    failures = cells = missing = 0
    for request, found in zip(requests, rolled, strict=True):
        assert found == findings_reads.build_findings(con, request, "v", now=now), request
        checks = [f for u in found.units for group in u.checks for f in group.failures]
        failures += len(checks)
        cells += sum(1 for f in checks for cell in f.cells if cell.printed)
        missing += len(found.missing)
    assert failures > 20 and cells > 20 and missing > 0, "the comparisons must cover checks, cells, gaps"


def test_a_places_provinces_in_one_scan_are_those_the_units_and_the_missing_units_read(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """`place_provinces` (one scan of `agg_reports` for the review findings' units, failed checks and
    missing units, issue12pa) gives, for every place and year, the provinces of the place's current
    reports of the year and those of its reports with an agency id, as the two scans did."""
    from warehouse.documents import reads
    from warehouse.store.rollups import NO_PROVINCE

    places = con.execute("""
        SELECT DISTINCT code, year FROM (
            SELECT unnest([province_code, city_code, county_code]) AS code, year FROM reports WHERE is_current)
        WHERE code IS NOT NULL AND year IS NOT NULL ORDER BY ALL""").fetchall()
    assert len(places) > 10
    for code, year in [*places, ("999999", 2020)]:
        params = {"place": code, "year": year}
        of_year = con.execute(
            "SELECT DISTINCT province_code FROM agg_reports AS r WHERE r.is_current AND r.year = $year "
            "AND $place IN (r.province_code, r.city_code, r.county_code) AND r.province_code IS NOT NULL "
            "ORDER BY 1",
            params,
        ).fetchall()
        of_units = con.execute(
            "SELECT DISTINCT coalesce(province_code, $none) FROM agg_reports WHERE is_current "
            "AND agency_id IS NOT NULL AND $place IN (province_code, city_code, county_code) ORDER BY 1",
            {"place": code, "none": NO_PROVINCE},
        ).fetchall()
        found = reads.place_provinces(con, code, year)
        assert found.of_year == tuple(str(p) for (p,) in of_year), (code, year)
        assert found.of_units == tuple(str(p) for (p,) in of_units), (code, year)


def test_the_missing_units_read_from_the_places_provinces_equal_those_read_from_every_province(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """`summary_missing` over the files of the provinces of the place's reports only (and their deltas)
    gives the rows it gives over every province's `agg_reports` and `agg_coverage`, for every place of
    every level and year, a code no report has and a year no report has."""
    from warehouse import queries
    from warehouse.documents import reads

    def everywhere(place: str, year: int) -> list[dict[str, object]]:
        rollup = "coverage AS (SELECT * FROM agg_coverage), reports AS (SELECT * FROM agg_reports)"
        sql = queries.sql("summary_missing").replace("WITH placed AS (", f"WITH {rollup}, placed AS (", 1)
        return reads._rows(con, "summary_missing", sql, {"place": place, "year": year})

    places = con.execute("""
        SELECT DISTINCT code, year FROM (
            SELECT unnest([province_code, city_code, county_code]) AS code, year FROM reports WHERE is_current)
        WHERE code IS NOT NULL ORDER BY ALL""").fetchall()
    found = 0
    for code, year in [*places, ("999999", 2021), (places[0][0], 1990)]:
        rows = reads.missing_rows(con, str(code), int(year))
        assert rows == everywhere(str(code), int(year)), (code, year)
        found += len(rows)
    assert found > 0, "the comparisons must cover missing units"


def test_the_province_rollups_name_the_provinces_files_only() -> None:
    """`_province_rollups` reads the listed provinces' files, with their deltas, and no other province's;
    a province the version does not list reads nothing restricted."""
    from warehouse.documents import reads

    listing = duckdb.connect()
    try:
        listing.execute("CREATE TABLE warehouse_info AS SELECT 'root' AS key, '/w' AS value")
        listing.execute(
            "CREATE TABLE _rollups (province VARCHAR, seq INTEGER, relation VARCHAR, file VARCHAR)"
        )
        for province in ("110000", "120000", rollups.NO_PROVINCE):
            for i, relation in enumerate(rollups.RELATIONS):
                listing.execute(
                    "INSERT INTO _rollups VALUES (?, ?, ?, ?)",
                    [province, i, relation, f"d/p{province}-{relation}"],
                )
        for i, relation in enumerate(rollups.DELTA_RELATIONS):
            listing.execute(
                "INSERT INTO _rollups VALUES ('120000', ?, ?, ?)",
                [100 + i, f"delta:{relation}", f"d/x-{relation}"],
            )
        one = reads._province_rollups(listing, {"110000"})
        two = reads._province_rollups(listing, {"120000", rollups.NO_PROVINCE})
        assert reads._province_rollups(listing, {"130000"}) == ""
    finally:
        listing.close()
    assert "/w/d/p110000-agg_coverage" in one and "/w/d/p110000-agg_reports" in one
    assert "120000" not in one and "none" not in one and "x-" not in one
    assert "/w/d/pnone-agg_coverage" in two and "/w/d/x-agg_coverage" in two and "/w/d/x-agg_replaced" in two
    assert "110000" not in two


def test_the_report_pages_one_read_of_an_agency_gives_its_list_row_and_versions_as_three_reads(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The report page reads an agency's reports once (`agency_report_rows`, from its bucket) and takes
    from them what it read three times: the list (`agency_reports`), the chosen report's row (`report`,
    with the dtypes a one-row read gives) and its versions (`report_versions`, in their order)."""
    agencies = [a for (a,) in con.execute("SELECT DISTINCT agency_id FROM reports WHERE agency_id IS NOT NULL")
                .fetchall()]  # fmt: skip
    several = nullable = 0
    for agency_id in agencies:
        rows = dq.agency_report_rows(con, agency_id)
        pd.testing.assert_frame_equal(dq.listed_reports(rows), dq.agency_reports(con, agency_id))
        blanks = rows.isna()
        nullable += bool((blanks.any() & ~blanks.all()).any())  # a column NULL in some reports only
        for report_id in rows["report_id"]:
            row, read = dq.report_row(rows, report_id), dq.report(con, report_id)
            assert row is not None and read is not None
            assert list(row) == list(read)
            assert {k: (type(v), str(v)) for k, v in row.items()} == {
                k: (type(v), str(v)) for k, v in read.items()
            }
            versions, oracle = dq.versions_of(rows, report_id), dq.report_versions(con, report_id)
            if len(oracle) > 1:  # the query leaves ties in (is_current, published) to chance
                keys = ["is_current", "published"]
                assert not oracle.duplicated(keys).any(), "the fixture's versions differ in those columns"
            if oracle.empty:
                assert versions.empty and list(versions.columns) == list(oracle.columns)
            else:
                pd.testing.assert_frame_equal(versions, oracle)
            several += len(oracle) > 1
    assert dq.report_row(dq.agency_report_rows(con, agencies[0]), "0" * 64) is None
    assert several > 0, "the comparisons must cover reports with several versions"
    assert nullable > 0, "and agencies with a NULL in some report's column"


def test_a_places_name_read_from_the_current_report_rollup_and_the_replaced_reports_is_the_scans(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The summary's place name (overview of a place) reads the current reports from `agg_reports` and
    only the replaced ones from `reports`: the same name and level for every code a report is under."""
    from warehouse import queries
    from warehouse.documents import reads

    assert "agg_reports" in reads._place_sql(con)
    codes = con.execute("""
        SELECT DISTINCT code FROM (SELECT unnest([province_code, city_code, county_code]) AS code FROM reports)
        WHERE code IS NOT NULL ORDER BY code""").fetchall()
    assert len(codes) > 3
    for (code,) in [*codes, ("999999",)]:
        scanned = reads._rows(con, "summary_place", queries.sql("summary_place"), {"place": code})
        assert reads._rows(con, "summary_place", reads._place_sql(con), {"place": code}) == scanned


def test_a_place_name_seen_only_on_a_replaced_report_still_counts() -> None:
    """A name only a replaced report carries is not in the current-report rollup; the place name reads
    the replaced reports for it (the first name wins, as over every report)."""
    from warehouse.documents import reads
    from warehouse.store.catalog import ROLLUPS_FORMAT

    mem = duckdb.connect()
    mem.execute("CREATE TABLE warehouse_info (key VARCHAR, value VARCHAR)")
    mem.execute("INSERT INTO warehouse_info VALUES ('rollups', ?)", [ROLLUPS_FORMAT])
    mem.execute("""
        CREATE TABLE reports AS SELECT * FROM (VALUES
            ('省', '市', '甲县', '110000', '110100', '110101', TRUE),
            ('省', '市', '乙县', '110000', '110100', '110101', FALSE)
        ) AS t(province, city, county, province_code, city_code, county_code, is_current)""")
    mem.execute("CREATE TABLE agg_reports AS SELECT * FROM reports WHERE is_current")
    mem.execute("CREATE TABLE agg_superseded AS SELECT * FROM reports WHERE NOT is_current")
    # The replaced reports come from `agg_superseded`, not from the buckets' `reports` (ROLLUPS_FORMAT 8).
    mem.execute("DROP TABLE reports")
    assert reads.has_current_rollup(mem)
    assert reads.place_name(mem, "110101") == ("乙县", "county")  # 乙 sorts before 甲
    assert reads.place_name(mem, "110100") == ("市", "city")
    mem.close()


def test_the_superseded_rollup_holds_the_reports_that_are_not_current(con: duckdb.DuckDBPyConnection) -> None:
    """`agg_superseded` (ROLLUPS_FORMAT 8; kept by delta in `delta_warehouse`) holds every report whose
    `is_current` is FALSE, with its place columns, and no other: a place's name reads it for the replaced
    versions instead of every bucket's `reports`."""
    columns = ", ".join(rollups.SUPERSEDED_COLUMNS)
    stored = con.execute(f"SELECT {columns} FROM agg_superseded ORDER BY report_id").fetchall()
    expected = con.execute(
        f"SELECT {columns} FROM reports WHERE NOT is_current ORDER BY report_id"
    ).fetchall()
    assert stored == expected
    assert stored, "the corpus holds replaced versions"


AGENCY_SQL = """
WITH own AS (
    SELECT agency_id, agency, province_code, city_code, county_code, agency_level, agency_kind, is_vertical,
           TRUE AS is_current, {masks},
           coalesce(bool_or(year NOT BETWEEN 2000 AND 2062), FALSE) AS odd_years
    FROM agg_reports WHERE agency_id IS NOT NULL GROUP BY ALL
), cover AS (
    SELECT agency_id, any_value(agency_name) AS cover_name,
           bit_or(1::UBIGINT << (year - 2000)::UBIGINT) AS covered,
           coalesce(bit_or(1::UBIGINT << (year - 2000)::UBIGINT) FILTER (
               WHERE status = 'several_versions' OR (status = 'missing' AND within_span)), 0::UBIGINT) AS flagged,
           coalesce(bool_or(year NOT BETWEEN 2000 AND 2062), FALSE) AS odd_coverage
    FROM agg_coverage GROUP BY agency_id
)
SELECT o.* EXCLUDE (odd_years), count(*) OVER (PARTITION BY o.agency_id) AS n_rows, o.odd_years,
       c.cover_name, coalesce(c.covered, 0::UBIGINT), coalesce(c.flagged, 0::UBIGINT),
       coalesce(c.odd_coverage, FALSE)
FROM own AS o LEFT JOIN cover AS c USING (agency_id)
"""


def test_the_agency_rollup_is_the_current_reports_and_coverage_grouped_by_agency(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """`agg_agencies` (kept by delta in `delta_warehouse`) holds, per agency and value of the columns the
    filters test, the masks of its reports' years per template and scope and of its coverage years,
    as grouping `agg_reports` and `agg_coverage` gives them."""
    masks = ", ".join(
        f"coalesce(bit_or(1::UBIGINT << (year - 2000)::UBIGINT) FILTER (WHERE template = '{t}' AND "
        f"coalesce(scope, 'own') = '{s}'), 0::UBIGINT) AS {rollups.mask_column(t, s)}"
        for t in rollups.MASK_TEMPLATES
        for s in rollups.MASK_SCOPES
    )
    columns = ", ".join(rollups.AGENCY_COLUMNS)
    stored = sorted(con.execute(f"SELECT {columns} FROM agg_agencies").fetchall(), key=repr)
    grouped = con.execute(AGENCY_SQL.format(masks=masks)).fetchall()
    own = [c for c in rollups.AGENCY_OWN_COLUMNS if c not in ("n_rows", "odd_years")]
    order = [*own, "n_rows", "odd_years", *rollups.AGENCY_COVERAGE_COLUMNS]
    reordered = sorted(
        (tuple(row[order.index(c)] for c in rollups.AGENCY_COLUMNS) for row in grouped), key=repr
    )
    assert stored == reordered
    assert any(row[rollups.AGENCY_COLUMNS.index("flagged")] for row in stored), "some years are flagged"
    assert con.execute("SELECT count(DISTINCT agency_id) = count(*) FROM agg_agencies").fetchall()[0][0], (
        "one row per agency in the sample corpus"
    )


def test_the_masks_templates_and_scopes_are_the_filters() -> None:
    from warehouse.filters import SCOPES, TEMPLATES

    assert rollups.MASK_TEMPLATES == TEMPLATES
    assert rollups.MASK_SCOPES == SCOPES


def _agency_store(rows: list[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    """A bare connection with `agg_reports` of `rows` (report_id, agency_id, agency, year, template, scope,
    county_code) and `agg_agencies` built from them by the rollup's own code, coverage left empty."""
    from warehouse.store.catalog import ROLLUPS_FORMAT

    mem = duckdb.connect()
    mem.execute("CREATE TABLE warehouse_info (key VARCHAR, value VARCHAR)")
    mem.execute("INSERT INTO warehouse_info VALUES ('rollups', ?)", [ROLLUPS_FORMAT])
    mem.execute("""
        CREATE TABLE agg_reports (report_id VARCHAR, agency_id VARCHAR, agency VARCHAR, year INTEGER,
            template VARCHAR, scope VARCHAR, county_code VARCHAR, province_code VARCHAR, city_code VARCHAR,
            agency_level VARCHAR, agency_kind VARCHAR, is_vertical BOOLEAN, is_current BOOLEAN)""")
    for row in rows:
        mem.execute(
            "INSERT INTO agg_reports VALUES (?, ?, ?, ?, ?, ?, ?, '110000', '110100', 'county', "
            "'department', FALSE, TRUE)",
            list(row),
        )
    mem.execute("CREATE VIEW reports AS SELECT * FROM agg_reports")
    mem.execute("CREATE SCHEMA cov")
    mem.execute("CREATE TABLE cov.reports AS SELECT * FROM agg_reports")
    rollups._agency_rows(mem)
    own = ", ".join(rollups.AGENCY_OWN_COLUMNS)
    mem.execute(f"""
        CREATE TABLE agg_agencies AS SELECT {own}, agency_id AS cover_name, 0::UBIGINT AS covered,
            0::UBIGINT AS flagged, FALSE AS odd_coverage FROM roll_agency_rows""")
    mem.execute("""
        CREATE TABLE agg_coverage (agency_id VARCHAR, agency_name VARCHAR, place_code VARCHAR, year INTEGER,
            status VARCHAR, n_versions BIGINT, current_report_id VARCHAR, within_span BOOLEAN)""")
    return mem


def test_a_renamed_agencys_choice_takes_the_name_of_its_latest_selected_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An agency whose name, county or template changed has several rows; the picker lists it once, under
    the name of its latest report the filter selects (`arg_max(agency, year)` over the reports), reports
    without a year counted only without a year range; a year the masks cannot hold reads the reports."""
    rows = [
        ("r1", "a", "甲局", 2016, "old", "own", "110101"),
        ("r2", "a", "乙局", 2019, "v2019", "own", "110101"),
        ("r3", "a", "丙局", 2022, "v2021", "own", "110102"),
        ("r4", "a", "丁局", 2062, "v2021", "aggregate", "110102"),
        ("r5", "b", "戊局", None, "v2021", "own", "110101"),
        ("r6", "b", "己局", 2020, "v2021", None, "110101"),
        ("r7", "c", "庚局", 2000, "old", "own", "110101"),
    ]
    mem = _agency_store(rows)
    filters = [
        ReportFilter(year_from=a, year_to=b, county_code=county, templates=templates, scope=scope)
        for a, b in ((None, None), (2000, 2018), (2017, 2021), (2020, None), (None, 2019), (2030, 2020))
        for county in (None, "110101")
        for templates in ((), ("old", "v2019"))
        for scope in ("own", "aggregate")
    ] + [ReportFilter(agency_text="乙"), ReportFilter(agency_ids=("a",), year_from=2020)]
    assert mem.execute("SELECT max(n_rows) FROM agg_agencies").fetchall()[0][0] > 1
    for text in ("", "局", "b"):
        rolled = [dq.agency_choices(mem, flt, text, 2) for flt in filters]
        assert all(dq._from_agencies(mem, "agg_agency_choices", f, years=0, text="", limit=1) is not None
                   for f in filters[:3])  # fmt: skip
        with monkeypatch.context() as patch:
            patch.setattr(dq, "has_rollups", lambda _con: False)
            for flt, found in zip(filters, rolled, strict=True):
                pd.testing.assert_frame_equal(found, dq.agency_choices(mem, flt, text, 2), obj=repr(flt))
    names = {
        str(n)
        for flt in filters
        for a, n in dq.agency_choices(mem, flt)[["agency_id", "agency"]].values
        if a == "a"
    }
    assert names == {"甲局", "乙局", "丙局", "丁局"}, (
        "the comparisons must cover each of the renamed agency's names"
    )
    mem.close()
    odd = _agency_store([*rows, ("r8", "c", "庚局", 2070, "old", "own", "110101")])
    assert dq._from_agencies(odd, "agg_agency_choices", ReportFilter(), years=0, text="", limit=1) is None
    odd.close()


def test_year_masks() -> None:
    every = rollups.year_mask(None, None)
    assert every == 2**64 - 1
    assert rollups.year_mask(2000, 2000) == 1
    assert rollups.year_mask(2021, 2019) == 0
    assert rollups.year_mask(None, 2001) == 0b11
    assert rollups.year_mask(2061, None) == (1 << 61) | (1 << 62)


def test_the_agencies_pages_one_read_of_an_agency_gives_its_reports_years_and_compared_reports(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The agencies page reads an agency's bucket once (`agency_rows`) for its reports table, the
    comparison's years and the comparison's two reports, which were three reads (`reports`,
    `agency_report_years`, `compare_reports`): the same frames, dtypes, years and rows, and the same
    comparison, for every agency and filters that select all, some or none of its reports."""
    from dataclasses import replace as with_fields

    from warehouse.documents.reads import rows_within

    agencies = [a for (a,) in con.execute(
        "SELECT DISTINCT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL ORDER BY 1"
    ).fetchall()]  # fmt: skip
    filters = [
        ReportFilter(),
        ReportFilter(year_from=2020, include_vertical=True),
        ReportFilter(year_from=2019, year_to=2021),
        ReportFilter(scope="aggregate"),
        ReportFilter(templates=("v2021",)),
        ReportFilter(year_from=2040),
        ReportFilter(review=("pending",)),
    ]
    selected = some = compared = 0
    for agency_id in agencies:
        years = dq.agency_report_years(con, agency_id)
        for flt in filters:
            one = with_fields(flt, agency_ids=(agency_id,))
            rows = dq.agency_rows(con, one)
            pd.testing.assert_frame_equal(dq.selected_reports(rows), dq.reports(con, one))
            assert dq.years_of(rows) == years
            selected += len(dq.selected_reports(rows))
            some += 0 < len(dq.selected_reports(rows)) < len(rows)
        for pair in {(years[0], years[-1]), (years[-2], years[-1])} if len(years) > 1 else ():
            given = dq.compare_rows(rows, pair)
            read = rows_within(con, "", "compare_reports", agency_id=agency_id, years=list(pair))
            assert list(given) == read
            assert [type(v) for r in given for v in r.values()] == [type(v) for r in read for v in r.values()]
            shown = dq.comparison_shown(con, agency_id, pair, "v")
            assert with_fields(dq.comparison_shown(con, agency_id, pair, "v", given), generated_at=None) == (
                with_fields(shown, generated_at=None)
            )
            compared += 1
    assert selected > len(agencies) and some > 0 and compared > 3
    with pytest.raises(ValueError, match="one agency id"):
        dq.agency_rows(con, ReportFilter(agency_ids=tuple(agencies[:2])))


def test_an_agencys_profile_and_gaps_read_from_its_provinces_files_are_those_read_from_every_file(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """The agencies page reads an agency's profile and gaps from the files of the provinces of its current
    reports (`agency_provinces` of its `agency_rows`, issue12pa), deltas applied: the same frames as over
    every province's files, for every agency and kind of filter; and only those files are named."""
    from dataclasses import replace as with_fields

    agencies = [a for (a,) in con.execute(
        "SELECT DISTINCT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL ORDER BY 1"
    ).fetchall()]  # fmt: skip
    listed = dict(
        con.execute(
            "SELECT file, province FROM _rollups WHERE relation IN ('agg_profile', 'delta:agg_profile')"
        ).fetchall()
    )
    series = rollups.RANKED_SERIES
    filters = [ReportFilter(), ReportFilter(year_from=2020), ReportFilter(scope="aggregate")]
    read = 0
    for agency_id in agencies:
        provinces = dq.agency_provinces(dq.agency_rows(con, ReportFilter(agency_ids=(agency_id,))))
        assert provinces
        one = ReportFilter(agency_ids=(agency_id,))
        named = {p for f, p in listed.items() if f in dq._agency_rollup(con, "agg_profile", one, provinces)}
        assert named == set(provinces), agency_id
        for flt in filters:
            one = with_fields(flt, agency_ids=(agency_id,))
            profile = dq.series_by_report(con, one, series, provinces)
            pd.testing.assert_frame_equal(profile, dq.series_by_report(con, one, series))
            gaps = dq.series_gaps(con, one, series, provinces)
            pd.testing.assert_frame_equal(gaps, dq.series_gaps(con, one, series))
            read += len(profile) + len(gaps)
    assert read > len(agencies)


def test_an_agencys_profile_read_as_stored_when_nothing_is_corrected_is_the_corrected_profile(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no correction, `series_by_report` reads `agg_profile` as stored (each row not corrected, its
    value its original) instead of through the overlay: the same frame as through the overlay."""
    from warehouse.review import overlay

    agencies = [a for (a,) in con.execute(
        "SELECT DISTINCT agency_id FROM reports WHERE is_current AND agency_id IS NOT NULL ORDER BY 1"
    ).fetchall()]  # fmt: skip
    filters = [ReportFilter(agency_ids=(a,)) for a in agencies]
    filters += [ReportFilter(agency_ids=tuple(agencies[:5]), year_from=2020), ReportFilter()]
    ctes = overlay.ctes

    def through_the_overlay(*relations: str, **options: object) -> str:
        raise AssertionError(f"read through the overlay: {relations}")

    monkeypatch.setattr(overlay, "ctes", through_the_overlay)
    stored = [dq.series_by_report(con, flt, rollups.RANKED_SERIES) for flt in filters]
    monkeypatch.setattr(overlay, "ctes", ctes)
    monkeypatch.setattr(overlay, "has_rows", lambda _con, _relation: True)
    for flt, found in zip(filters, stored, strict=True):
        pd.testing.assert_frame_equal(found, dq.series_by_report(con, flt, rollups.RANKED_SERIES))
    assert sum(len(found) for found in stored) > len(agencies)
