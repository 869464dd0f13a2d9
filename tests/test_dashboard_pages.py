"""Every dashboard page run with AppTest over a real warehouse; numbers checked against the warehouse."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.untrusted import markdown
from warehouse.dashboard_queries import FAILED_PAGE
from warehouse.db import connect
from warehouse.publish import require_current

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = (
    "overview",
    "proactive",
    "requests",
    "appeals",
    "staffing",
    "agencies",
    "quality",
    "report",
    "import",
)


@pytest.fixture
def warehouse(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    yield sample_warehouse


def sql(directory: Path, query: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> dict[str, dict[str, Any]]:
    found = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        found[spec["layout"]["title"]["text"]] = spec
    return found


def values(array: Any) -> list[float]:
    """Plotly 7 writes numeric arrays as base64 `bdata`."""
    if isinstance(array, dict) and "bdata" in array:
        return list(np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).astype(float))
    return [float(v) for v in array]


def html_table(markup: str) -> list[dict[str, str]]:
    """The rows of a table the page writes as HTML (dashboard/labels.py), by header."""
    import re
    from html import unescape

    headers = [unescape(h) for h in re.findall(r"<th>(.*?)</th>", markup)]
    rows = re.findall(r"<tr>(.*?)</tr>", markup.split("<tbody>", 1)[1])
    return [
        dict(zip(headers, (unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)), strict=True))
        for row in rows
    ]


def a_county(directory: Path) -> tuple[str, str]:
    rows = sql(
        directory,
        """
        SELECT county_code, any_value(county) FROM reports
        WHERE is_current AND county_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
    )
    assert rows, "no report has a county code: places are not resolved"
    return rows[0][0], rows[0][1]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(warehouse: Path, page: str) -> None:
    chinese = open_page(page)
    assert chinese.title[0].value
    english = open_page(page, {"lang": "en"})
    assert english.title[0].value != chinese.title[0].value
    assert english.query_params["lang"] == "en"


def test_overview_counts_match_the_warehouse(warehouse: Path) -> None:
    at = open_page("overview")
    ((reports, agencies),) = sql(
        warehouse,
        """
        SELECT count(*), count(DISTINCT agency_id) FROM reports
        WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE)""",
    )
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["报告"] == f"{reports:,}"
    assert tiles["机关"] == f"{agencies:,}"


def test_overview_trend_sums_requests_of_the_new_tables(warehouse: Path) -> None:
    at = open_page("overview", {"lang": "en"})
    spec = figures(at)["Requests received"]
    new = next(trace for trace in spec["data"] if "new tables" in trace["name"])
    expected = sql(
        warehouse,
        """
        SELECT r.year, sum(f.value) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND f.metric_code = 'req.received'
          AND f.breakdown = 'total'
        GROUP BY 1 ORDER BY 1""",
    )
    assert values(new["x"]) == [float(year) for year, _ in expected]
    assert values(new["y"]) == [float(total) for _, total in expected]


def test_county_filter_narrows_every_number_and_lands_in_the_url(warehouse: Path) -> None:
    code, _ = a_county(warehouse)
    at = open_page("overview", {"lang": "en"})
    province, city = sql(
        warehouse, "SELECT province_code, city_code FROM reports WHERE county_code = ? LIMIT 1", [code]
    )[0]
    at.sidebar.selectbox(key="province").set_value(province).run()
    at.sidebar.selectbox(key="city").set_value(city).run()
    at.sidebar.selectbox(key="county").set_value(code).run()
    assert not at.exception
    assert at.query_params["county"] == code
    ((reports,),) = sql(
        warehouse,
        """
        SELECT count(*) FROM reports WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE) AND county_code = ?""",
        [code],
    )
    assert {m.label: m.value for m in at.metric}["Reports"] == f"{reports:,}"


def test_a_copied_url_reopens_the_same_view(warehouse: Path) -> None:
    code, _ = a_county(warehouse)
    province, city = sql(
        warehouse, "SELECT province_code, city_code FROM reports WHERE county_code = ? LIMIT 1", [code]
    )[0]
    params = {"province": province, "city": city, "county": code, "years": "2019-2022", "tpl": "v2021"}
    at = open_page("requests", params)
    assert at.sidebar.selectbox(key="county").value == code
    assert at.sidebar.slider(key="years").value == (2019, 2022)
    assert at.sidebar.multiselect(key="tpl").value == ["v2021"]
    for key, value in params.items():
        assert at.query_params[key] == value
    spec = figures(at)["本年新收申请：按申请人类型"]
    natural = next(t for t in spec["data"] if t["name"] == "自然人")
    expected = sql(
        warehouse,
        """
        SELECT r.year, sum(f.value) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND r.county_code = ? AND r.template = 'v2021'
          AND r.year BETWEEN 2019 AND 2022 AND f.metric_code = 'req.received' AND f.breakdown = 'natural_person'
        GROUP BY 1 ORDER BY 1""",
        [code],
    )
    assert [int(x) for x in values(natural["x"])] == [year for year, _ in expected]
    assert values(natural["y"]) == [float(v) for _, v in expected]


def test_invalid_url_values_fall_back_to_defaults(warehouse: Path) -> None:
    at = open_page("overview", {"county": "999999", "years": "banana", "tpl": "v1999", "lang": "fr"})
    assert at.sidebar.selectbox(key="county").value == ""
    assert at.title[0].value == "总览"
    assert "county" not in at.query_params


def test_proactive_keeps_the_two_new_tables_apart(warehouse: Path) -> None:
    at = open_page("proactive")
    headers = [s.value for s in at.subheader]
    assert "2019版表二：主动公开政府信息情况" in headers and "2021版表二：主动公开政府信息情况" in headers
    tables = [df.value for df in at.dataframe]
    table_2021 = next(t for t in tables if any("本年制发件数" in str(m) for m in t.iloc[:, 0]))
    assert not any("本年新制作数量" in str(m) for m in table_2021.iloc[:, 0])


def test_requests_flow_starts_from_received_and_carried_in(warehouse: Path) -> None:
    at = open_page("requests", {"lang": "en"})
    spec = figures(at)["Flow (new + carried in → outcomes)"]
    sankey = spec["data"][0]
    labels = sankey["node"]["label"]
    ((received,),) = sql(
        warehouse,
        """
        SELECT sum(f.value) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND f.metric_code = 'req.received'
          AND f.breakdown = 'total'""",
    )
    link = [
        value
        for source, target, value in zip(
            sankey["link"]["source"], sankey["link"]["target"], values(sankey["link"]["value"]), strict=True
        )
        if labels[source] == "New this year" and labels[target] == "Handled"
    ]
    assert link == [float(received)]


def test_appeals_correction_rate_uses_concluded_cases(warehouse: Path) -> None:
    at = open_page("appeals", {"lang": "en", "tpl": "v2021"})
    spec = figures(at)["Correction rate (corrected ÷ concluded)"]
    review = next(trace for trace in spec["data"] if trace["name"] == "Reconsideration")
    expected = sql(
        warehouse,
        """
        SELECT r.year,
               sum(f.value) FILTER (WHERE f.metric_code = 'review.corrected'),
               sum(f.value) FILTER (WHERE f.metric_code IN ('review.upheld', 'review.corrected', 'review.other'))
        FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND r.template = 'v2021'
          AND f.metric_code LIKE 'review.%'
        GROUP BY 1 HAVING sum(f.value) FILTER (WHERE f.metric_code IN ('review.upheld', 'review.corrected',
                                                                       'review.other')) > 0
        ORDER BY 1""",
    )
    assert [int(x) for x in values(review["x"])] == [year for year, _, _ in expected]
    assert values(review["y"]) == pytest.approx([100 * float(c) / float(d) for _, c, d in expected])
    assert [row[1] for row in review["customdata"]] == [float(d) for _, _, d in expected]
    assert at.caption[0].value


def test_staffing_says_it_covers_old_table_years_only(warehouse: Path) -> None:
    at = open_page("staffing", {"lang": "en"})
    assert "old table" in at.info[0].value
    spec = figures(at)["Disclosure staff"]
    full_time = next(trace for trace in spec["data"] if trace["name"] == "Full-time staff")
    expected = sql(
        warehouse,
        """
        SELECT r.year, sum(f.value) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND f.metric_code = 'old.staff.full_time'
        GROUP BY 1 ORDER BY 1""",
    )
    assert [int(x) for x in values(full_time["x"])] == [year for year, _ in expected]
    assert values(full_time["y"]) == [float(v) for _, v in expected]


def test_agency_profile_and_ranking(warehouse: Path) -> None:
    agency_id, _ = sql(
        warehouse,
        """
        SELECT agency_id, any_value(agency) FROM reports WHERE is_current AND template = 'v2021' AND NOT coalesce(is_vertical, FALSE)
        GROUP BY 1 ORDER BY 1 LIMIT 1""",
    )[0]
    # The ranking is read only while its expander is open (docs/scale.md §5, sixth pass): opened by the URL.
    at = open_page("agencies", {"agency": agency_id, "lang": "en", "rank_open": "1"})
    assert at.selectbox(key="agency").value == agency_id
    assert at.query_params["agency"] == agency_id
    profile = html_table(next(str(e.value) for e in at.markdown if "xxgk-table" in str(e.value)))
    received = next(row for row in profile if row["Series"] == "Requests received")
    expected = sql(
        warehouse,
        """
        SELECT r.year, f.value FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND r.agency_id = ? AND f.metric_code = 'req.received' AND f.breakdown = 'total'""",
        [agency_id],
    )
    for year, value in expected:
        assert received[str(year)] == ("—" if value is None else str(int(value)))
    ranking = next(spec for title, spec in figures(at).items() if title.startswith("Requests received ·"))
    year = int(next(t for t in figures(at) if t.startswith("Requests received ·")).rsplit("·", 1)[1])
    ((with_value,),) = sql(
        warehouse,
        """
        SELECT count(DISTINCT r.report_id) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND r.year = ? AND f.value IS NOT NULL
          AND ((f.metric_code = 'req.received' AND f.breakdown = 'total')
               OR (f.metric_code IN ('old.requests.received', 'fj.requests.total')))""",
        [year],
    )
    assert len(ranking["data"][0]["y"]) == with_value


def test_quality_lists_every_failed_check_and_the_coverage_grid(warehouse: Path) -> None:
    # The coverage grid is read only while its expander is open (docs/scale.md §5, sixth pass).
    at = open_page("quality", {"lang": "en", "coverage_open": "1"})
    ((failed,),) = sql(
        warehouse,
        """
        SELECT count(*) FROM checks c JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND c.status = 'fail'""",
    )
    assert failed > 0
    tables = [df.value for df in at.dataframe]
    failed_table = next(t for t in tables if "message" in t.columns)
    # A page of FAILED_PAGE at a time (docs/scale.md §5, sixth pass): every page together lists each once.
    assert len(failed_table) == min(failed, FAILED_PAGE)
    listed = [failed_table]
    for page in range(2, -(-failed // FAILED_PAGE) + 1):
        at.number_input(key="failed_page").set_value(page).run()
        listed.append(next(df.value for df in at.dataframe if "message" in df.value.columns))
    every = pd.concat(listed)
    failing = sql(
        warehouse,
        """
        SELECT c.report_id FROM checks c JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND c.status = 'fail'""",
    )
    assert sorted(every["report_id"]) == sorted(report_id for (report_id,) in failing)
    grid = figures(at)["Coverage (agency × year)"]["data"][0]
    ((agencies,),) = sql(
        warehouse,
        "SELECT count(DISTINCT agency_id) FROM reports WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE)",
    )
    assert len(grid["y"]) == agencies
    errors = next(t for t in tables if "reason" in t.columns)
    assert len(errors) == sql(warehouse, "SELECT count(*) FROM ingest_errors")[0][0] > 0


def test_report_page_shows_values_beside_the_source_text(warehouse: Path) -> None:
    report_id, text = sql(
        warehouse,
        """
        SELECT r.report_id, d.text FROM reports r JOIN documents d USING (report_id)
        WHERE r.is_current AND r.template = 'v2021' ORDER BY r.report_id LIMIT 1""",
    )[0]
    at = open_page("report", {"report": report_id})
    assert at.selectbox(key="report").value == report_id
    facts = at.dataframe[0].value
    ((count,),) = sql(warehouse, "SELECT count(*) FROM facts WHERE report_id = ?", [report_id])
    assert len(facts) == count
    assert at.code[0].value == text
    assert {"value_raw", "semantic", "table_no", "row_label", "column_label"} <= set(facts.columns)
    assert set(facts["semantic"]) <= {"数值", "零", "空白", "不适用（“-”“无”等）", "不是数值"}


def test_report_page_shows_every_check_and_version_read_from_the_reports_bucket(warehouse: Path) -> None:
    """Opened by link and then picked: its checks (its own and the cross-report ones) and the other
    versions of its agency and year, read from its agency's bucket (dashboard_queries.report_key)."""
    replaced, current = sql(
        warehouse,
        """
        SELECT old.report_id, new.report_id FROM reports old JOIN reports new
          ON new.agency_id = old.agency_id AND new.year = old.year AND new.is_current
        WHERE NOT old.is_current ORDER BY old.report_id LIMIT 1""",
    )[0]
    at = open_page("report", {"report": replaced})
    for report_id in (replaced, current):
        if report_id == current:
            at.selectbox(key="report").select(current).run()
            assert not at.exception, [e.value for e in at.exception]
        assert at.selectbox(key="report").value == report_id
        checks = sql(warehouse, "SELECT check_id FROM checks WHERE report_id = ? ORDER BY ALL", [report_id])
        versions = sql(
            warehouse,
            """
            SELECT r.report_id FROM reports r JOIN reports this ON this.report_id = ?
            WHERE r.agency_id = this.agency_id AND r.year = this.year ORDER BY ALL""",
            [report_id],
        )
        shown = {next(iter(d.value.columns)): d.value for d in at.dataframe}
        assert sorted(shown["check_id"]["check_id"]) == [c for (c,) in checks]
        assert any(c.startswith("X") for (c,) in checks) or report_id == current
        listed = next(f for f in shown.values() if "ingested_at" in f.columns and "is_current" in f.columns)
        assert sorted(listed["report_id"]) == [r for (r,) in versions]
        assert len(versions) > 1


def test_unknown_report_in_the_url_says_so(warehouse: Path) -> None:
    at = open_page("report", {"report": "0" * 64})
    assert "0" * 64 in at.warning[0].value


def test_every_table_and_chart_has_its_downloads(warehouse: Path) -> None:
    at = open_page("requests", {"lang": "en"})
    buttons = [b for b in at.get("download_button")]
    charts_and_tables = len(at.get("plotly_chart")) + len(at.dataframe)
    assert len(buttons) == 3 * charts_and_tables


def test_a_new_warehouse_version_shows_on_the_next_interaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xxgk.ingest import ingest

    fixtures = sorted(
        p for p in (Path(__file__).parent / "fixtures" / "reports").iterdir() if p.suffix != ".json"
    )
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for index, path in enumerate(fixtures):
        target = first if index < len(fixtures) // 2 else second
        (target / path.name).write_bytes(path.read_bytes())
    directory = tmp_path / "data"
    ingest([first], directory)
    monkeypatch.setenv("XXGK_WAREHOUSE", str(directory))
    at = open_page("overview")
    before = sql(
        directory,
        "SELECT count(*) FROM reports WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE)",
    )[0][0]
    assert {m.label: m.value for m in at.metric}["报告"] == f"{before:,}"
    ingest([first, second], directory)
    at.run()
    after = sql(
        directory,
        "SELECT count(*) FROM reports WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE)",
    )[0][0]
    assert after > before
    assert {m.label: m.value for m in at.metric}["报告"] == f"{after:,}"


def test_agency_pickers_list_the_first_matches_and_keep_the_chosen_agency(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import pickers

    monkeypatch.setattr(pickers, "PICK_LIMIT", 2)
    listed = sql(
        warehouse,
        "SELECT agency_id, arg_max(agency, year) AS name FROM reports WHERE is_current AND coalesce(scope, 'own')"
        " = 'own' AND NOT coalesce(is_vertical, FALSE) GROUP BY 1 ORDER BY name, agency_id",
    )
    last_id, last_name = listed[-1]
    at = open_page("agencies", {"agency": last_id, "lang": "en"})
    assert at.selectbox(key="agency").value == last_id
    assert at.selectbox(key="agency").options[1:] == [str(name) for _, name in listed[:2]]
    assert any(f"{len(listed)} agencies" in c.value for c in at.caption)
    at.text_input(key="agency_search").input(str(listed[3][1])).run()
    assert str(listed[3][1]) in at.selectbox(key="agency").options
    at.text_input(key="agency_search").input("没有这样的机关名称").run()
    assert at.selectbox(key="agency").options == [str(last_name)]
    report = open_page("report", {"lang": "en"})
    assert len(report.selectbox(key="report_agency").options) == 2


def _reads_asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the warehouse reads the dashboard runs from now on (cache misses), in order."""
    from dashboard import data

    asked: list[str] = []
    run = data._run

    def counted(path: str, read: Any, *args: object) -> Any:
        asked.append(read.__name__)
        return run(path, read, *args)

    monkeypatch.setattr(data, "_run", counted)
    return asked


def test_the_ranking_and_the_coverage_grid_are_read_only_when_opened(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a large warehouse (more than components.OPEN_UP_TO current reports) they start closed: the
    agencies page reads no ranking and the quality page no coverage grid; a click on the expander, or a
    link naming the ranking's year, opens them and puts that in the URL."""
    import streamlit as st

    from dashboard import components

    monkeypatch.setattr(components, "OPEN_UP_TO", 0)

    asked = _reads_asked(monkeypatch)
    agency_id = sql(warehouse, "SELECT min(agency_id) FROM reports WHERE is_current AND template = 'v2021'")[
        0
    ][0]
    st.cache_data.clear()
    at = open_page("agencies", {"agency": agency_id, "lang": "en"})
    assert "ranking" not in asked and "ranking_years" not in asked
    assert not any(title.startswith("Requests received ·") for title in figures(at))
    at.session_state["rank_open"] = True
    at.run()
    assert "ranking" in asked
    assert any(title.startswith("Requests received ·") for title in figures(at))
    assert at.query_params["rank_open"] == "1"
    year = sql(warehouse, "SELECT min(year) FROM reports WHERE is_current AND template = 'v2021'")[0][0]
    linked = open_page("agencies", {"agency": agency_id, "lang": "en", "rank_year": str(year)})
    assert any(title.startswith("Requests received ·") for title in figures(linked))
    asked.clear()
    at = open_page("quality", {"lang": "en"})
    assert "coverage_limited" not in asked
    assert "Coverage (agency × year)" not in figures(at)
    at.session_state["coverage_open"] = True
    at.run()
    assert "coverage_limited" in asked
    assert "Coverage (agency × year)" in figures(at)
    assert at.query_params["coverage_open"] == "1"


def test_in_a_small_warehouse_the_ranking_and_the_coverage_grid_start_open(warehouse: Path) -> None:
    """Up to components.OPEN_UP_TO current reports what the lazy expanders hold is cheap, so they start
    open with no URL parameter; closing one puts `=0` in the URL, and that link opens the page with it
    closed."""
    at = open_page("quality", {"lang": "en"})
    assert "Coverage (agency × year)" in figures(at)
    assert "coverage_open" not in at.query_params
    at.session_state["coverage_open"] = False
    at.run()
    assert "Coverage (agency × year)" not in figures(at)
    assert at.query_params["coverage_open"] == "0"
    closed = open_page("quality", {"lang": "en", "coverage_open": "0"})
    assert "Coverage (agency × year)" not in figures(closed)
    agency_id = sql(warehouse, "SELECT min(agency_id) FROM reports WHERE is_current AND template = 'v2021'")[
        0
    ][0]
    agencies = open_page("agencies", {"agency": agency_id, "lang": "en"})
    assert any(title.startswith("Requests received ·") for title in figures(agencies))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_pages_figures_draw_the_same_without_plotly_validation(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The charts are built without plotly's validation (dashboard/charts.py `_figure`): every page's
    figures, as `st.plotly_chart` sends them, are those a validated build gives (the sample warehouse
    opens every lazy section, so the ranking, the grid and the comparison are drawn too)."""
    from dashboard import charts

    built = charts._figure
    drawn: dict[str, dict[str, dict[str, Any]]] = {}
    for validate in (False, True):
        monkeypatch.setattr(
            charts, "_figure", lambda d, layout, validate=validate, **_: built(d, layout, validate=validate)
        )
        for page in PAGES[:-1]:
            shown = figures(open_page(page, {"lang": lang}))
            if validate:
                assert shown == drawn[page], page
            else:
                drawn[page] = shown
    assert sum(len(found) for found in drawn.values()) >= 15, "the comparison must cover the charts"


def _shown(at: AppTest) -> dict[str, Any]:
    """What a page shows: its text, tables, figures, tiles and widgets' values."""
    return {
        "markdown": [str(e.value) for e in at.markdown],
        "caption": [str(e.value) for e in at.caption],
        "info": [str(e.value) for e in at.info],
        "tables": [e.value.to_dict("split") for e in at.dataframe],
        "figures": figures(at),
        "metrics": [(e.label, e.value) for e in at.metric],
        "selectboxes": [(e.key, e.value) for e in at.selectbox],
        "url": dict(at.query_params),
    }


@pytest.mark.parametrize(
    "params",
    [
        {"lang": "en"},
        {"lang": "en", "rank_year": "2021", "series": "litigation", "cmp_to": "2022", "years": "2019-2022"},
        {"lang": "zh", "rank_open": "0", "cmp_open": "0"},
    ],
)
def test_the_agencies_page_shows_from_one_read_of_the_agency_what_three_reads_showed(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str]
) -> None:
    """The agencies page takes its reports table, the comparison's years and the comparison's two reports
    from one read of the agency's bucket (`agency_rows`): it shows what it showed reading `reports`,
    `agency_report_years` and `compare_reports` (the page of before, run with those reads)."""
    from dataclasses import replace

    import streamlit as st

    from dashboard import components, documents
    from warehouse import dashboard_queries as dq

    agency_id = sql(
        warehouse,
        "SELECT agency_id FROM reports WHERE is_current AND template = 'v2021' AND agency_id IS NOT NULL "
        "AND NOT coalesce(is_vertical, FALSE) GROUP BY 1 ORDER BY count(DISTINCT year) DESC, 1 LIMIT 1",
    )[0][0]
    asked = _reads_asked(monkeypatch)
    st.cache_data.clear()
    one_read = _shown(open_page("agencies", {"agency": agency_id, **params}))
    assert "agency_rows" in asked and "reports" not in asked and "agency_report_years" not in asked

    def view() -> components.View:
        return components.view()

    def chosen() -> str:
        return str(st.session_state["agency"])

    monkeypatch.setattr(
        dq,
        "selected_reports",
        lambda _rows: view().frame("reports", replace(view().flt, agency_ids=(chosen(),))),
    )
    monkeypatch.setattr(documents, "years_of", lambda _rows: view().read("agency_report_years", chosen()))
    monkeypatch.setattr(documents, "compare_rows", lambda _rows, _years: None)
    asked.clear()
    st.cache_data.clear()
    three_reads = _shown(open_page("agencies", {"agency": agency_id, **params}))
    assert "reports" in asked and ("agency_report_years" in asked) == (params.get("cmp_open") != "0")
    assert one_read == three_reads
    assert ("agency", agency_id) in one_read["selectboxes"]
    assert one_read["tables"] and bool(one_read["metrics"]) == (params.get("cmp_open") != "0")


def test_an_agency_the_filters_leave_out_is_named_not_swapped_silently(warehouse: Path) -> None:
    listed = sql(
        warehouse,
        "SELECT agency_id, arg_max(agency, year) FROM reports WHERE is_current AND coalesce(scope, 'own') = 'own'"
        " AND NOT coalesce(is_vertical, FALSE) GROUP BY 1 ORDER BY 1",
    )
    wanted_id, wanted_name = listed[0]
    other_name = next(str(name) for _, name in listed if str(wanted_name) not in str(name))
    outside = open_page("agencies", {"agency": wanted_id, "q": other_name, "lang": "en"})
    assert outside.selectbox(key="agency").value != wanted_id
    assert any(
        markdown(wanted_name) in w.value and "outside the current filters" in w.value for w in outside.warning
    )
    unknown = open_page("agencies", {"agency": "**no-such-agency**"})
    assert any(markdown("**no-such-agency**") in w.value for w in unknown.warning)
    assert not any("**" in w.value for w in unknown.warning)
    inside = open_page("agencies", {"agency": wanted_id, "lang": "en"})
    assert inside.selectbox(key="agency").value == wanted_id
    assert not inside.warning


def _place_params(directory: Path) -> dict[str, str]:
    """The sidebar's URL parameters of the county with the most current reports."""
    row = sql(
        directory,
        "SELECT province_code, city_code, county_code FROM reports WHERE is_current AND county_code IS NOT NULL "
        "GROUP BY ALL ORDER BY count(*) DESC, county_code LIMIT 1",
    )[0]
    return {"province": row[0], "city": row[1], "county": row[2]}


@pytest.mark.parametrize(
    ("page", "params", "on_thread"),
    [
        ("agencies", {"lang": "en"}, {"ranking_years", "ranking", "comparison_shown"}),
        (
            "agencies",
            {
                "lang": "en",
                "rank_year": "2021",
                "series": "litigation",
                "cmp_to": "2022",
                "years": "2019-2022",
            },
            {"ranking_years", "ranking", "comparison_shown"},
        ),
        (
            "agencies",
            {"lang": "zh", "rank_year": "1999", "series": "nothing", "cmp_to": "3000"},
            {"ranking_years", "ranking", "comparison_shown"},
        ),
        ("agencies", {"lang": "zh", "rank_open": "0", "cmp_open": "0"}, set()),
        ("quality", {"lang": "en"}, {"coverage_limited"}),
        ("quality", {"lang": "en", "place": ""}, {"findings", "coverage_limited"}),
        (
            "quality",
            {"lang": "zh", "place": "", "years": "2019-2022", "findings_year": "2020"},
            {"findings", "coverage_limited"},
        ),
        ("quality", {"lang": "zh", "place": "", "findings_open": "0", "coverage_open": "0"}, set()),
    ],
)
def test_a_page_read_ahead_shows_what_the_page_reading_in_turn_shows(
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
    page: str,
    params: dict[str, str],
    on_thread: set[str],
) -> None:
    """The agencies page reads its ranking and its comparison, and the quality page the review findings of
    its place and the coverage grid, on a read-ahead thread while it reads and draws what comes before them
    (`View.ahead`, docs/scale.md §5, issue12rk): the page shows what it shows reading each in turn (the
    series, years and place its URL asks for, valid or not), each read ahead is read once, there, with the
    arguments the page's own call gives it, and the run ends with none left running."""
    import threading

    import streamlit as st

    from dashboard import components, data

    agency_id = sql(
        warehouse,
        "SELECT agency_id FROM reports WHERE is_current AND template = 'v2021' AND agency_id IS NOT NULL "
        "AND NOT coalesce(is_vertical, FALSE) GROUP BY 1 ORDER BY count(DISTINCT year) DESC, 1 LIMIT 1",
    )[0][0]
    url = dict(params)
    if url.pop("place", None) is not None:
        url |= _place_params(warehouse)
    if page == "agencies":
        url["agency"] = agency_id
    asked: list[tuple[str, str, str]] = []
    run = data._run

    def counted(path: str, read: Any, *args: object) -> Any:
        asked.append((read.__name__, repr(args), threading.current_thread().name))
        return run(path, read, *args)

    started: list[Any] = []
    start = data.ahead

    def kept(path: str, reads: Any) -> Any:
        # Waited for here, so the reads are the read-ahead thread's whatever the machine's load: which
        # thread reaches a cached read first is a race, and the page's own call must find it either way.
        started.append(start(path, reads))
        started[-1].result()
        return started[-1]

    monkeypatch.setattr(data, "_run", counted)
    monkeypatch.setattr(data, "ahead", kept)
    st.cache_data.clear()
    ahead = _shown(open_page(page, url))
    threads = {name for name, _, thread in asked if thread.startswith("xxgk-ahead")}
    assert threads == on_thread
    assert len({(name, args) for name, args, _ in asked}) == len(asked), "a read ahead is read once"
    in_page = {name for name, _, thread in asked if not thread.startswith("xxgk-ahead")}
    assert not threads & in_page, "the page's own call finds what was read ahead, with the same arguments"
    assert all(future.done() for future in started)
    monkeypatch.setattr(components.View, "ahead", lambda self, *reads: None)
    asked.clear()
    st.cache_data.clear()
    in_turn = _shown(open_page(page, url))
    assert not any(thread.startswith("xxgk-ahead") for _, _, thread in asked)
    assert ahead == in_turn
    assert {name for name, _, _ in asked} >= threads, "what is read ahead the page reads in turn"
