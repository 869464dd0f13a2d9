"""A real browser over a warehouse of hostile reports: titles, agency names and file names show as the
characters they are on every page, and no page asks anything of another server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser_support import CHROMIUM, READY, launch_chromium, served
from tests.test_browser import SCREENSHOTS
from warehouse.db import connect
from warehouse.publish import require_current
from xxgk.samples.hostile import HOSTILE_AGENCY, HOSTILE_FILE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")
PAGES = ("", "proactive", "requests", "appeals", "staffing", "agencies", "quality", "report")


@pytest.fixture(scope="module")
def hostile_server(hostile_warehouse: Path) -> Iterator[str]:
    with served(hostile_warehouse) as url:
        yield url


def _ids(directory: Path) -> tuple[str, str]:
    con = connect(require_current(directory), read_only=True)
    try:
        ((report_id, agency_id),) = con.execute(
            "SELECT report_id, agency_id FROM reports WHERE agency LIKE '%**发展**%'"
        ).fetchall()
    finally:
        con.close()
    return str(report_id), str(agency_id)


def test_hostile_text_renders_as_text_and_nothing_is_fetched_from_outside(
    hostile_server: str, hostile_warehouse: Path
) -> None:
    report_id, agency_id = _ids(hostile_warehouse)
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN")
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        for path in PAGES:
            page.goto(f"{hostile_server}/{path}?report={report_id}&agency={agency_id}&compare={agency_id}")
            page.wait_for_selector(READY, timeout=60_000)
            page.wait_for_timeout(1500)
            page.wait_for_selector(READY, timeout=60_000)
            assert page.get_by_test_id("stException").count() == 0, path
            _no_markup_from_documents(page, path)
            if path == "report":
                text = page.inner_text("body").replace("\u2060", "")
                assert f"{HOSTILE_AGENCY} · 2020" in text
                assert "![t](http://127.0.0.1:9/x.png)[点击下载原文](http://127.0.0.1:9/download)" in text
                assert HOSTILE_FILE in text
                page.screenshot(path=str(SCREENSHOTS / "hostile-report.png"))
            if path == "agencies":
                assert f"{HOSTILE_AGENCY} · 历年概况" in page.inner_text("body").replace("\u2060", "")
        icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
        context.close()
        browser.close()
    outside = sorted({url for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(url).netloc != urlsplit(hostile_server).netloc})  # fmt: skip
    assert outside == []
    assert icon.startswith(("/", hostile_server, "./", "data:", "media/")) or not urlsplit(icon).netloc


def _no_markup_from_documents(page: Any, path: str) -> None:
    """No image, link, bold text, LaTeX or icon made of the documents' text."""
    images = [src for src in page.locator("img").evaluate_all("els => els.map(e => e.src)")]
    assert not [src for src in images if "127.0.0.1:9" in src or src.endswith("/x")], (path, images)
    links = page.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert not [
        href for href in links if "127.0.0.1:9" in href or href.startswith(("javascript:", "mailto:"))
    ]
    main = page.get_by_test_id("stMain")
    for selector in ("strong", "em", ".katex", "code", "[data-testid='stIconMaterial']"):
        for element in main.locator(f"[data-testid='stMarkdownContainer'] {selector}").all():
            assert "发展" not in element.inner_text() and "粗体" not in element.inner_text(), (path, selector)
    svg_links = page.locator("svg a").count()
    assert svg_links == 0, path
