"""A real browser (Debian's /usr/bin/chromium via Playwright) against a real `xxgk serve` process."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.browser_support import CHROMIUM, READY, launch_chromium, served
from warehouse.db import connect
from warehouse.publish import require_current

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PAGES = {
    "": "总览",
    "proactive": "主动公开",
    "requests": "依申请公开",
    "appeals": "行政复议和行政诉讼",
    "staffing": "机构人员和经费",
    "agencies": "机关",
    "quality": "数据质量",
    "report": "报告",
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(sample_warehouse: Path) -> Iterator[str]:
    with served(sample_warehouse) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 2200}, locale="zh-CN", accept_downloads=True
    )
    sync_api.expect.set_options(timeout=30_000)
    opened = context.new_page()
    yield opened
    context.close()


def _open(page: Any, url: str) -> None:
    """Open a page and wait until it has settled: a page opened from a URL may run its script a second
    time once the widgets have taken the URL's values, and a click during that run lands on the first
    run's elements."""
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector(READY, timeout=60_000)


def _until(page: Any, action: Any, done: Any, tries: int = 3) -> None:
    """Do an action that makes Streamlit rerun until its outcome shows; a click that lands while the page
    is still wiring its handlers (a busy machine) is simply repeated."""
    for attempt in range(tries):
        action()
        try:
            done()
        except sync_api.Error:
            if attempt == tries - 1:
                raise
            continue
        page.wait_for_selector(READY, timeout=60_000)
        return


def _query(directory: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _tile_shows(page: Any, label: str, value: str) -> None:
    """The overview tile `label` shows `value`, waiting for it: the URL takes a filter's value as the
    rerun starts, and on a busy machine the tiles are drawn some seconds later."""
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    sync_api.expect(metric.get_by_test_id("stMetricValue")).to_have_text(value, timeout=60_000)


def _choose(page: Any, label: str, option: str, key: str, code: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text=label).first
    _until(
        page,
        lambda: (box.click(), page.get_by_role("option", name=option, exact=True).click()),
        lambda: page.wait_for_url(f"**{key}={code}**", timeout=20_000),
    )


def test_every_page_opens_without_an_error(server: str, page: Any) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    for path, heading in PAGES.items():
        _open(page, f"{server}/{path}")
        sync_api.expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        assert page.get_by_test_id("stException").count() == 0, path
        if path in ("", "requests", "quality"):
            sync_api.expect(page.locator(".js-plotly-plot").first).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"))


def test_county_filter_goes_into_the_url_and_survives_a_reload(
    server: str, page: Any, sample_warehouse: Path
) -> None:
    ((code, county, province_code, province, city_code, city, reports),) = _query(
        sample_warehouse,
        """
        SELECT county_code, any_value(county), any_value(province_code), any_value(province),
               any_value(city_code), any_value(city), count(*) FROM reports
        WHERE is_current AND coalesce(scope, 'own') = 'own' AND NOT coalesce(is_vertical, FALSE) AND county_code IS NOT NULL
        GROUP BY county_code ORDER BY count(*) DESC, county_code LIMIT 1""",
    )
    _open(page, server)
    _choose(page, "省", province, "province", province_code)
    _choose(page, "市", city, "city", city_code)
    _choose(page, "县（区、市）", county, "county", code)
    page.wait_for_url(f"**county={code}**")
    _tile_shows(page, "报告", f"{reports:,}")
    copied = page.url
    _open(page, copied)
    _tile_shows(page, "报告", f"{reports:,}")
    assert f"county={code}" in page.url
    page.screenshot(path=str(SCREENSHOTS / "overview-county.png"))


def test_language_switch_translates_the_page_and_the_url(server: str, page: Any) -> None:
    _open(page, f"{server}/requests")
    _until(
        page,
        lambda: page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click(),
        lambda: page.wait_for_url("**lang=en**", timeout=20_000),
    )
    sync_api.expect(page.get_by_role("heading", name="Requests for information").first).to_be_visible()
    _open(page, page.url)
    sync_api.expect(page.get_by_role("heading", name="Requests for information").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "requests-en.png"))


def test_csv_and_xlsx_downloads_hold_the_numbers_on_screen(
    server: str, page: Any, sample_warehouse: Path, tmp_path: Path
) -> None:
    _open(page, f"{server}/requests?years=2021-2023")
    expected = dict(
        _query(
            sample_warehouse,
            """
        SELECT r.year, sum(f.value) FROM facts f JOIN reports r USING (report_id)
        WHERE r.is_current AND coalesce(r.scope, 'own') = 'own' AND NOT coalesce(r.is_vertical, FALSE) AND r.year BETWEEN 2021 AND 2023
          AND f.metric_code = 'req.received' AND f.breakdown = 'natural_person'
        GROUP BY 1""",
        )
    )
    # by the key the page gives the chart's buttons: a button found by its place could be the next
    # chart's while a rerun redraws the page
    csv_button = page.locator(".st-key-applicants_csv").get_by_test_id("stDownloadButton")
    sync_api.expect(csv_button).to_be_visible()
    with page.expect_download() as csv_download:
        csv_button.click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name.startswith("xxgk_requests-received-by-applicant_") and "2021-2023" in csv_path.name
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    natural = frame[frame["breakdown"] == "natural_person"].groupby("year")["value"].sum()
    assert {int(y): float(v) for y, v in natural.items()} == {int(y): float(v) for y, v in expected.items()}

    with page.expect_download() as xlsx_download:
        page.locator(".st-key-applicants_xlsx").get_by_test_id("stDownloadButton").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    book = pd.read_excel(xlsx_path, sheet_name=None)
    assert set(book) == {"requests-received-by-applicant", "about"}
    sheet = book["requests-received-by-applicant"]
    natural_x = sheet[sheet["breakdown"] == "natural_person"].groupby("year")["value"].sum()
    assert {int(y): float(v) for y, v in natural_x.items()} == {int(y): float(v) for y, v in expected.items()}
    about = dict(zip(book["about"].iloc[:, 0], book["about"].iloc[:, 1], strict=True))
    assert about["年度"] == "2021–2023"
    assert str(about["数据版本 data version"]).startswith("warehouse-")


def test_agency_deep_link_and_report_page(server: str, page: Any, sample_warehouse: Path) -> None:
    ((agency_id, report_id),) = _query(
        sample_warehouse,
        """
        SELECT agency_id, arg_max(report_id, year) FROM reports
        WHERE is_current AND template = 'v2021' AND NOT coalesce(is_vertical, FALSE) GROUP BY 1 ORDER BY 1 LIMIT 1""",
    )
    _open(page, f"{server}/agencies?agency={agency_id}")
    sync_api.expect(page.get_by_text(f"{agency_id} · 历年概况")).to_be_visible()
    _open(page, f"{server}/report?report={report_id}")
    sync_api.expect(page.get_by_test_id("stCode").first).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "report.png"))


def test_clicking_a_ranked_bar_opens_its_report(server: str, page: Any) -> None:
    _open(page, f"{server}/agencies")
    ranking = page.locator(
        '[data-testid="stElementContainer"]:not([data-stale="true"]) [data-testid="stPlotlyChart"]'
    ).last
    sync_api.expect(ranking.locator("g.point path").last).to_be_visible()

    def click_bar() -> None:
        ranking.locator("g.point path").last.scroll_into_view_if_needed()
        bar = ranking.locator("g.point path").last.bounding_box()
        assert bar is not None
        page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)

    _until(page, click_bar, lambda: page.wait_for_url("**/report?report=**", timeout=20_000))
    sync_api.expect(page.get_by_test_id("stCode").first).to_be_visible()


def test_chart_toolbar_saves_a_png_named_after_its_contents(server: str, page: Any, tmp_path: Path) -> None:
    _open(page, f"{server}/requests")
    chart = page.locator(".js-plotly-plot").first
    sync_api.expect(chart).to_be_visible()
    chart.hover()
    with page.expect_download() as png:
        chart.locator(".modebar-btn[data-title='Download plot as a PNG']").click()
    target = tmp_path / png.value.suggested_filename
    png.value.save_as(target)
    # the page's first chart: the applicants' bars, or the flow chart while a rerun under load redraws them
    assert re.match(r"xxgk_requests-(received-by-applicant|flow)", target.name) and target.suffix == ".png"
    assert target.read_bytes().startswith(b"\x89PNG")
