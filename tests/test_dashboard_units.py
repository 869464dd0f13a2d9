"""Pure parts of the dashboard: filters to SQL, reshaping, chart builders and export bytes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import charts, exports, measures
from dashboard.i18n import TEXT, translate
from warehouse.filters import ReportFilter


def _reports() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("""
        CREATE TABLE reports AS SELECT *, agency_kind = 'vertical' AS is_vertical FROM (VALUES
            ('a', TRUE, 'own', '330000', '330800', '330825', 2020, 'v2019', 'county', 'department', '龙游县财政局', '龙游县财政局'),
            ('b', TRUE, 'own', '330000', '330800', '330881', 2021, 'v2021', 'county', 'government', '江山市人民政府', '江山市人民政府'),
            ('c', FALSE, 'own', '330000', '330800', '330825', 2020, 'v2019', 'county', 'department', '龙游县财政局', '龙游县财政局'),
            ('d', TRUE, 'aggregate', '330000', '330800', NULL, 2021, 'v2021', 'city', 'government', '衢州市人民政府', '衢州市人民政府'),
            ('e', TRUE, NULL, '350000', '350100', '350128', 2016, 'old_fujian', NULL, 'zone', '平潭综合实验区', '平潭综合实验区'),
            ('f', TRUE, 'own', '330000', '330800', '330825', 2020, 'v2019', 'county', 'vertical', '国家税务总局龙游县税务局', '国家税务总局龙游县税务局')
        ) AS t(report_id, is_current, scope, province_code, city_code, county_code, year, template,
               agency_level, agency_kind, agency, agency_id)
    """)
    return con


def _selected(flt: ReportFilter) -> list[str]:
    condition, params = flt.condition()
    con = _reports()
    rows = con.execute(f"SELECT report_id FROM reports AS r WHERE {condition} ORDER BY 1", params).fetchall()
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ReportFilter(), ["a", "b", "e"]),
        (ReportFilter(scope="aggregate"), ["d"]),
        (ReportFilter(county_code="330825"), ["a"]),
        (ReportFilter(city_code="330800"), ["a", "b"]),
        (ReportFilter(year_from=2020, year_to=2020), ["a"]),
        (ReportFilter(templates=("v2021", "old_fujian")), ["b", "e"]),
        (ReportFilter(kinds=("government",)), ["b"]),
        (ReportFilter(levels=("county",), agency_text="财政"), ["a"]),
        (ReportFilter(agency_ids=("平潭综合实验区",)), ["e"]),
        (ReportFilter(kinds=("vertical",)), ["f"]),
        (ReportFilter(county_code="330825", include_vertical=True), ["a", "f"]),
    ],
)
def test_filter_selects_current_reports_of_one_scope(flt: ReportFilter, expected: list[str]) -> None:
    assert _selected(flt) == expected


@settings(deadline=None)  # each example queries a DuckDB database: slow on a busy machine
@given(st.text(max_size=20))
def test_agency_text_is_a_parameter_never_sql(text: str) -> None:
    condition, params = ReportFilter(agency_text=text).condition()
    if text.strip():
        assert condition == ReportFilter(agency_text="x").condition()[0]
        assert params["agency_text"] == text.strip()
    assert _selected(ReportFilter(agency_text=text)) in ([], ["a"], ["b"], ["e"], ["a", "b", "e"])


def _by_year() -> pd.DataFrame:
    rows = [
        (2021, "req.received", "total", 10.0),
        (2021, "req.carried_in", "total", 2.0),
        (2021, "req.total", "total", 10.0),
        (2021, "req.granted", "total", 4.0),
        (2021, "req.partial", "total", 1.0),
        (2021, "req.denied.state_secret", "total", 1.0),
        (2021, "req.denied.third_party", "total", 1.0),
        (2021, "req.unable.not_held", "total", 3.0),
        (2021, "req.carried_out", "total", 2.0),
        (2021, "req.granted", "natural_person", 3.0),
        (2022, "req.total", "total", 0.0),
        (2022, "req.granted", "total", 0.0),
    ]
    return pd.DataFrame(rows, columns=["year", "metric_code", "breakdown", "value"])


@given(st.lists(st.sampled_from(["req.received", "req.carried_in", None, "x"]), max_size=30))
def test_label_column_labels_every_row_asking_once_per_code(codes: list[str | None]) -> None:
    asked: list[str] = []

    def label(code: str) -> str:
        asked.append(code)
        return f"<{code}>"

    frame = pd.DataFrame({"metric_code": codes}, index=[i * 2 for i in range(len(codes))], dtype=object)
    labelled = measures.label_column(frame, "metric_code", label, "metric")
    assert list(labelled["metric"]) == [f"<{c}>" for c in codes]
    assert list(labelled.index) == list(frame.index)
    assert sorted(asked) == sorted({str(c) for c in codes})


def test_outcomes_are_grouped_as_the_template_groups_them() -> None:
    outcomes = measures.outcome_by_year(_by_year())
    in_2021 = dict(
        zip(outcomes[outcomes.year == 2021].outcome, outcomes[outcomes.year == 2021].value, strict=True)
    )
    assert in_2021 == {"granted": 4.0, "partial": 1.0, "denied": 2.0, "unable": 3.0}


def test_flows_run_from_received_and_carried_in_to_outcomes() -> None:
    names = {k: k for k in ("received", "carried_in", "handled", "carried_out", *measures.OUTCOME_GROUPS)}
    links = measures.flows(_by_year(), names)
    as_dict = {(s, t): v for s, t, v in links.itertuples(index=False)}
    assert as_dict[("received", "handled")] == 10.0
    assert as_dict[("carried_in", "handled")] == 2.0
    assert as_dict[("handled", "denied")] == 2.0
    assert as_dict[("handled", "carried_out")] == 2.0


def test_grant_rate_has_its_denominator_and_skips_years_with_none_handled() -> None:
    rates = measures.grant_rate(_by_year())
    assert list(rates.year) == [2021]
    assert rates.iloc[0].numerator == 5.0 and rates.iloc[0].denominator == 10.0
    assert rates.iloc[0].rate == pytest.approx(0.5)
    assert rates.iloc[0].percent == 50.0


def test_correction_rate_leaves_pending_cases_out() -> None:
    rows = pd.DataFrame(
        [
            (2022, "review.upheld", 3.0),
            (2022, "review.corrected", 1.0),
            (2022, "review.other", 0.0),
            (2022, "review.pending", 5.0),
            (2022, "review.total", 9.0),
            (2016, "old.reconsideration.corrected", 2.0),
            (2016, "old.reconsideration.upheld", 2.0),
        ],
        columns=["year", "metric_code", "value"],
    )
    rates = measures.correction_rate(measures.appeal_outcomes(rows)).set_index(["year", "kind"])
    assert rates.loc[(2022, "review"), "rate"] == pytest.approx(0.25)
    assert rates.loc[(2016, "reconsideration"), "rate"] == pytest.approx(0.5)


def test_year_lines_mark_template_changes_inside_the_range() -> None:
    frame = pd.DataFrame({"year": [2017, 2018, 2019, 2020], "value": [1, 2, 3, 4], "s": ["x"] * 4})
    fig = charts.year_lines(frame, series="s", title="t", y_title="y", break_note="changed")
    shapes = [shape.x0 for shape in fig.layout.shapes]
    assert shapes == [2018.5]
    assert list(fig.data[0].y) == [1, 2, 3, 4]


def test_percent_bars_show_shares_of_each_year() -> None:
    frame = pd.DataFrame({"year": [2021, 2021, 2022], "value": [1.0, 3.0, 2.0], "c": ["a", "b", "a"]})
    fig = charts.stacked_bars(frame, x="year", y="value", colour="c", title="t", y_title="%", percent=True)
    by_name = {trace.name: list(trace.y) for trace in fig.data}
    assert by_name == {"a": [25.0, 100.0], "b": [75.0]}


def test_sankey_leaves_out_empty_flows() -> None:
    links = pd.DataFrame({"source": ["a", "a", "a"], "target": ["b", "c", "d"], "value": [3.0, 0.0, None]})
    fig = charts.flow_sankey(links, title="t")
    assert list(fig.data[0].node.label) == ["a", "b"]
    assert list(fig.data[0].link.value) == [3.0]


def test_ranking_draws_the_median_of_the_shown_values() -> None:
    frame = pd.DataFrame(
        {"agency": ["x", "y", "z", "w"], "value": [1.0, 5.0, 3.0, None], "report_id": list("abcd")}
    )
    fig = charts.ranking_bars(
        frame, label="agency", value="value", title="t", x_title="n", median_label="中位数"
    )
    assert list(fig.data[0].y) == ["x", "z", "y"]
    assert fig.layout.shapes[0].x0 == 3.0


def test_ranking_draws_a_median_given_for_more_than_it_shows() -> None:
    frame = pd.DataFrame({"agency": ["x", "y"], "value": [1.0, 5.0], "report_id": list("ab")})
    fig = charts.ranking_bars(
        frame, label="agency", value="value", title="t", x_title="n", median_label="中位数", median=0.5
    )
    assert fig.layout.shapes[0].x0 == 0.5


def test_coverage_grid_codes_each_status() -> None:
    frame = pd.DataFrame(
        {
            "agency_name": ["A", "A", "B"],
            "year": [2020, 2021, 2020],
            "status": ["published", "missing", "several_versions"],
        }
    )
    fig = charts.coverage_grid(frame, status_labels={"missing": "缺失"}, title="t")
    heat = fig.data[0]
    assert list(heat.y) == ["A", "B"]
    assert heat.z[0][1] == charts.STATUS_CODES["missing"]
    assert heat.text[0][1] == "缺失"


GRID_STATUSES = st.sampled_from([*charts.STATUS_CODES, "unknown"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["甲", "乙", "丙", "A"]), st.integers(2014, 2019), GRID_STATUSES),
        min_size=1,
        max_size=30,
    )
)
def test_the_coverage_grid_cells_are_the_pivot_tables(rows: list[tuple[str, int, str]]) -> None:
    """The grid's cells (largest status code per name and year; duplicate names, empty cells and
    statuses without a code included) are what `pivot_table` gave, with the same types."""
    frame = pd.DataFrame(rows, columns=["agency_name", "year", "status"])
    codes = frame.assign(code=frame["status"].map(charts.STATUS_CODES))
    expected = codes.pivot_table(index="agency_name", columns="year", values="code", aggfunc="max")
    found = charts._status_grid(frame)
    assert found.index.tolist() == expected.index.tolist()
    assert found.columns.tolist() == expected.columns.tolist()
    assert str(found.to_numpy().dtype) == str(expected.to_numpy().dtype)
    assert pd.DataFrame(found.to_numpy()).equals(pd.DataFrame(expected.to_numpy()))


def test_the_coverage_grid_figure_is_what_validation_would_make() -> None:
    """The heatmap is built without plotly's validation; the figure `st.plotly_chart` draws (validated
    there) is the one a validated build gives."""
    import plotly.graph_objects as go
    from plotly.tools import return_figure_from_figure_or_data

    frame = pd.DataFrame(
        {
            "agency_name": ["A<b>", "A<b>", "B", "B", "C"],
            "year": [2020, 2021, 2020, 2022, 2021],
            "status": ["published", "missing", "several_versions", "outside", "missing"],
        }
    )
    fig = charts.coverage_grid(frame, status_labels={"missing": "缺失"}, title="t")
    validated = go.Figure(fig.to_plotly_json())
    assert return_figure_from_figure_or_data(fig, True) == return_figure_from_figure_or_data(validated, True)
    assert fig.to_plotly_json() == validated.to_plotly_json()


def test_csv_export_starts_with_a_bom_and_keeps_chinese() -> None:
    data = exports.csv_bytes(pd.DataFrame({"机关": ["龙游县"], "value": [132]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "龙游县,132" in data.decode("utf-8-sig")


def test_xlsx_export_has_the_data_and_an_about_sheet() -> None:
    frame = pd.DataFrame({"year": [2021], "value": [122.5]})
    about = exports.about_rows(
        "requests",
        [("年度 years", "2019–2021")],
        "warehouse-x.duckdb",
        1,
        now=datetime(2026, 11, 26, tzinfo=UTC),
    )
    book = pd.read_excel(io.BytesIO(exports.xlsx_bytes(frame, "requests", about)), sheet_name=None)
    assert list(book) == ["requests", "about"]
    assert book["requests"].iloc[0].to_dict() == {"year": 2021, "value": 122.5}
    facts = dict(zip(book["about"].iloc[:, 0], book["about"].iloc[:, 1], strict=True))
    assert facts["年度 years"] == "2019–2021"
    assert facts["数据版本 data version"] == "warehouse-x.duckdb"
    assert facts["生成时间 generated at"] == "2026-11-26 00:00:00 UTC"


def test_parquet_export_round_trips() -> None:
    frame = pd.DataFrame({"agency": ["龙游县"], "value": [1.5]})
    assert pd.read_parquet(io.BytesIO(exports.parquet_bytes(frame))).equals(frame)


@given(st.lists(st.text(max_size=8), max_size=4), st.text(max_size=12))
def test_file_stems_are_safe_file_names(parts: list[str], what: str) -> None:
    stem = exports.file_stem(what or "x", parts)
    assert stem.startswith("xxgk")
    assert "/" not in stem and "\\" not in stem and "\n" not in stem


def test_every_text_has_both_languages() -> None:
    for key, (zh, en) in TEXT.items():
        assert zh and en, key
    assert translate("page.overview", "en") == "Overview"
    assert translate("page.overview", "zh") == "总览"


def test_a_clicked_bar_names_its_report() -> None:
    from dashboard.components import selected_report

    report_id = "a" * 64
    assert selected_report({"selection": {"points": [{"customdata": [report_id], "x": 3}]}}) == report_id
    assert selected_report({"selection": {"points": []}}) is None
    assert selected_report({"selection": {"points": [{"customdata": ["short"]}]}}) is None
    assert selected_report(None) is None


def test_coverage_subset_keeps_agencies_with_gaps_first() -> None:
    grid = pd.DataFrame(
        {
            "agency_id": ["a", "a", "b", "b", "c"],
            "agency_name": ["甲", "甲", "乙", "乙", "丙"],
            "year": [2020, 2021, 2020, 2021, 2021],
            "status": ["published", "published", "published", "missing", "several_versions"],
        }
    )
    shown, total = measures.coverage_subset(grid, 2)
    assert total == 3
    assert set(shown["agency_id"]) == {"b", "c"}


def test_result_columns_get_translated_headers() -> None:
    from dashboard.i18n import column_key

    assert column_key("value_raw") == "col.raw"
    assert translate(column_key("check_id") or "", "en") == "Check"
    assert column_key("report_id") is None


def test_shares_are_exported_as_the_chart_prints_them() -> None:
    frame = pd.DataFrame({"year": [2021, 2021, 2021, 2022], "value": [1.0, 1.0, 1.0, 0.0]})
    shares = measures.with_shares(frame, "year")
    assert list(shares["share_percent"][:3]) == [33.3, 33.3, 33.3]
    assert pd.isna(shares["share_percent"].iloc[3])


def test_a_view_asks_the_cache_for_the_metric_labels_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`View.metric_label` labels one metric at a time; the labels come from `st.cache_data` (hashing and
    a fresh unpickled copy on every hit) once per view, that is once per run."""
    from dashboard import components
    from warehouse.filters import ReportFilter

    asked: list[tuple[str, str]] = []

    def labels(version: str, lang: str) -> dict[str, str]:
        asked.append((version, lang))
        return {"req.received": "收到申请"}

    monkeypatch.setattr(components, "metric_labels", labels)
    view = components.View("/v/1", ReportFilter(), "zh")
    assert [view.metric_label(c) for c in ("req.received", "x", "req.received")] == [
        "收到申请",
        "x",
        "收到申请",
    ]
    assert asked == [("/v/1", "zh")]
    assert components.View("/v/1", ReportFilter(), "en").metric_label("req.received") == "收到申请"
    assert asked == [("/v/1", "zh"), ("/v/1", "en")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_values_tables_words_are_localised_once_as_they_were_twice(
    sample_warehouse: Path, lang: str
) -> None:
    """The report page's values table and its download are localised once (`review_ui.values_words`):
    the same frames as localising the table's columns and, again, every column, for every report of the
    sample warehouse, with some values marked corrected (they come first, the value as read beside)."""
    from dashboard import labels, review_ui
    from warehouse import dashboard_queries as dq
    from warehouse.db import connect
    from warehouse.publish import require_current

    con = connect(require_current(sample_warehouse), read_only=True)
    try:
        ids = [r for (r,) in con.execute("SELECT report_id FROM reports ORDER BY report_id").fetchall()]
        compared = 0
        for n, report_id in enumerate(ids):
            facts = dq.report_facts(con, report_id)
            if n % 3 == 0 and len(facts) > 2:
                facts.loc[facts.index[1::2], "corrected"] = True
            shown, words, every = review_ui.values_words(facts, lang)
            old = facts[review_ui.value_columns(facts, lang)]
            old = old.sort_values("corrected", ascending=False, kind="stable").reset_index(drop=True)
            old["original_value"] = old["original_value"].where(old["corrected"])
            pd.testing.assert_frame_equal(shown, old)
            pd.testing.assert_frame_equal(words, labels.localised(old, lang))
            pd.testing.assert_frame_equal(
                every, labels.localised(facts.drop(columns=["correction_id"]), lang)
            )
            compared += len(facts) > 0 and bool(facts["corrected"].any())
    finally:
        con.close()
    assert compared > 3, "the comparisons must cover reports with corrected values"


def test_sparse_points_are_years_under_a_quarter_of_the_best_covered_year() -> None:
    assert charts.sparse_points([30, 28, 7, 8, None]) == [False, False, True, False, False]
    assert charts.sparse_points([1, 1, 1]) == [False, False, False]
    assert charts.sparse_points([None, None]) == [False, False]


def test_year_lines_draw_a_series_resting_on_few_reports_as_open_points_off_its_line() -> None:
    frame = pd.DataFrame(
        {
            "year": [2017, 2018, 2019, 2020, 2019, 2020],
            "value": [900.0, 800.0, 3.0, 2.0, 850.0, 870.0],
            "reports_with_value": [30, 29, 2, 1, 31, 30],
            "reports": [30, 30, 2, 1, 31, 30],
            "s": ["old", "old", "old", "old", "new", "new"],
        }
    )
    fig = charts.year_lines(frame, series="s", title="t", y_title="y", sparse_note="few")
    old_line, old_few, new_line = fig.data
    assert list(old_line.y) == [900.0, 800.0, None, None]
    assert (list(old_few.x), list(old_few.y), old_few.mode) == ([2019, 2020], [3.0, 2.0], "markers")
    assert old_few.marker.symbol == "circle-open" and old_few.showlegend is False
    assert old_few.marker.color == old_line.line.color != new_line.line.color
    assert [list(point) for point in old_few.customdata] == [[2], [1]]
    assert "few" in old_few.hovertemplate
    assert list(new_line.y) == [850.0, 870.0]
