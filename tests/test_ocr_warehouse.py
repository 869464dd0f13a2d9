"""A scanned report ingested into a real warehouse: OCR values, their crops and the dashboard's OCR filter,
and a real browser (Debian's chromium) showing the crop of an OCR value on the report page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import CHROMIUM, READY, launch_chromium, served
from tests.conftest import FIXTURES
from tests.ocr_scans import truth_of  # skips without the ocr extra
from warehouse import dashboard_queries
from warehouse.db import connect
from warehouse.filters import ReportFilter
from warehouse.publish import require_current
from xxgk.ingest import ingest
from xxgk.samples.scans import STYLES, write_scan

pytestmark = pytest.mark.slow  # scans a generated report into a warehouse once for the module

V2021 = FIXTURES / "reports" / "常山县水利局_2024.pdf"


@pytest.fixture(scope="module")
def ocr_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ocr_warehouse")
    scans = base / "scans"
    scans.mkdir()
    write_scan(V2021, scans, next(s for s in STYLES if s.name == "scan150"))
    summary = ingest([scans], base / "data", jobs=1)
    assert not summary.failed
    return base / "data"


def _rows(directory: Path, sql: str) -> list[tuple[Any, ...]]:
    con = connect(require_current(directory), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ocr_values_and_crops_are_stored(ocr_warehouse: Path) -> None:
    truth = truth_of(V2021)
    facts = _rows(ocr_warehouse, "SELECT confidence, count(*) FROM facts GROUP BY 1")
    assert facts == [("ocr", len(truth["facts"]))]
    cells = _rows(
        ocr_warehouse,
        "SELECT count(*), count(*) FILTER (confirmed), count(*) FILTER (doubt <> ''), "
        "min(octet_length(crop_png)), max(score) FROM ocr_cells",
    )[0]
    in_tables = [f for f in truth["facts"] if not f["metric_code"].startswith("text.")]
    assert cells[0] >= len(in_tables) - 1 and cells[1] > 150 and cells[2] == 0
    assert cells[3] > 0 and cells[4] <= 1.0


def test_filter_hides_unconfirmed_ocr_values(ocr_warehouse: Path) -> None:
    con = connect(require_current(ocr_warehouse), read_only=True)
    try:
        codes = ("v2021.licensing.decisions", "req.total")
        every = dashboard_queries.metric_by_year(con.cursor(), ReportFilter(), codes, ("", "total"))
        confirmed = dashboard_queries.metric_by_year(
            con.cursor(), ReportFilter(hide_unconfirmed_ocr=True), codes, ("", "total")
        )
        report_id = con.execute("SELECT report_id FROM reports").fetchall()[0][0]
        crops = dashboard_queries.report_ocr(con.cursor(), report_id)
    finally:
        con.close()
    assert set(every["metric_code"]) == set(codes)
    assert set(confirmed["metric_code"]) == {"req.total"}  # table 二 takes part in no identity
    assert crops["crop_png"].map(lambda b: bytes(b)[:4] == b"\x89PNG").all()


@pytest.fixture(scope="module")
def server(ocr_warehouse: Path) -> Iterator[str]:
    with served(ocr_warehouse, wait_seconds=90) as url:
        yield url


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium")
def test_report_page_shows_the_crop_of_an_ocr_value(server: str, ocr_warehouse: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    report_id = _rows(ocr_warehouse, "SELECT report_id FROM reports")[0][0]
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
            page.goto(f"{server}/report?report={report_id}")
            page.wait_for_selector(READY, timeout=90_000)
            heading = page.get_by_text("扫描件原图（文字识别的数值）")
            sync_api.expect(heading).to_be_visible(timeout=60_000)
            image = page.locator('[data-testid="stImage"] img').first
            sync_api.expect(image).to_be_visible(timeout=60_000)
            size = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
            assert size[0] > 10 and 10 <= size[1] <= 48
            assert page.get_by_text("识别为").count() >= 1
            shots = Path(__file__).resolve().parent.parent / "screenshots"
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / "report_ocr_crop.png"), full_page=True)
        finally:
            browser.close()


def test_series_with_the_filter(ocr_warehouse: Path) -> None:
    con = connect(require_current(ocr_warehouse), read_only=True)
    try:
        flt = ReportFilter(hide_unconfirmed_ocr=True)
        every = dashboard_queries.series_by_year(con.cursor(), ReportFilter(), ("requests.received",))
        confirmed = dashboard_queries.series_by_year(con.cursor(), flt, ("requests.received",))
    finally:
        con.close()
    assert not every.empty
    assert confirmed["value"].sum() == every["value"].sum()  # table 三 is confirmed by N1–N3
