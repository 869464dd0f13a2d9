"""The workbench in a real browser (Debian's /usr/bin/chromium via Playwright) against real `xxgk serve`
processes: a new office imports files and a ZIP into an empty warehouse, reviews, corrects a value,
reloads and downloads the values; `xxgk ingest` of the same files keeps the correction; a replaced file
asks for review. Served on a non-loopback address, edits need an editor's password."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.browser_support import CHROMIUM, READY, launch_chromium, start_serve, stop_serve
from tests.review_helpers import FIXTURES, query
from warehouse.review.ledger import history, load_snapshot

SCREENSHOTS = Path(
    os.environ.get("XXGK_SCREENSHOTS") or Path(__file__).resolve().parent.parent / "screenshots"
)
SINGLE = ("江山市交通运输局_2021.txt", "常山县天马街道办事处_2021.htm")
ZIPPED = ("江山市农业农村局_2024.htm", "衢州市财政局_2019.shtml")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1800}, locale="zh-CN", accept_downloads=True
    )
    sync_api.expect.set_options(timeout=30_000)
    opened = context.new_page()
    yield opened
    context.close()


def _open(page: Any, url: str) -> None:
    """Open a page and let it settle: a page opened from a URL may run its script a second time once its
    widgets have taken the URL's values (as in tests/test_browser.py)."""
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector(READY, timeout=60_000)


def _settle(page: Any) -> None:
    page.wait_for_timeout(400)
    page.wait_for_selector(READY, timeout=60_000)


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1500)  # tables draw on a canvas after the script ends
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _upload(page: Any, url: str, files: list[Path]) -> None:
    _open(page, f"{url}/import")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(f) for f in files])
    for file in files:
        sync_api.expect(page.locator(f'[data-testid="stFileChipName"][title="{file.name}"]')).to_be_visible()
    page.get_by_role("button", name="开始导入").click()
    sync_api.expect(page.get_by_text("导入完成")).to_be_visible(timeout=120_000)
    _settle(page)


def _pick(page: Any, label: str, option: str) -> None:
    """Choose by typing and Enter (the first match is focused): a click on an option of a long list can
    wait forever for it to stop moving while the list scrolls; tried again if a rerun closed the list."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    for _ in range(3):
        _settle(page)
        box.click()
        page.keyboard.type(option)
        try:
            page.get_by_role("option").filter(has_text=option).first.wait_for(state="visible", timeout=10_000)
        except sync_api.TimeoutError:
            page.keyboard.press("Escape")
            continue
        page.keyboard.press("Enter")
        _settle(page)
        if option in box.get_by_role("combobox").input_value():
            return
    assert option in box.get_by_role("combobox").input_value()


def _download_values(page: Any, tmp_path: Path, name: str) -> pd.DataFrame:
    buttons = page.get_by_test_id("stDownloadButton")
    with page.expect_download() as download:
        buttons.filter(has_text="CSV").first.click()
    target = tmp_path / name
    download.value.save_as(target)
    return pd.read_csv(target, encoding="utf-8-sig", dtype={"breakdown": str}, keep_default_na=False)


def _correct(page: Any, value: str, reason: str) -> None:
    page.get_by_text("更正数值", exact=True).click()
    _pick(page, "要更正的数值", "一、本年新收政府信息公开申请数量 · 总计")
    page.get_by_label("正确数值（按指标单位，金额为元）").fill(value)
    page.get_by_label("理由（必填，例如：单位来函确认）").fill(reason)
    page.get_by_role("button", name="保存更正").click()
    sync_api.expect(page.get_by_text("已保存更正 #")).to_be_visible()
    _settle(page)


SENT = """() => {
    const field = document.querySelector('[data-testid="stSidebar"] input[type="password"]');
    return field === null || field.value === "";
}"""
"""The login form was sent: cleared, or gone after a login."""


def _log_in(page: Any, name: str, password: str) -> None:
    """Fill the sidebar's login form and send it, on a settled page (connected, no run redrawing it, the
    sidebar's expander open): under pytest-xdist a click once left the form unsent, still holding the name
    and password. The form clears itself in the browser as it is sent (clear_on_submit), so a cleared
    (or, logged in, gone) password field shows it was sent before the test waits for the answer, and a
    lost click fails here, named as such, not as a missing answer."""
    sidebar = page.get_by_test_id("stSidebar")
    _settle(page)
    sidebar.get_by_label("编辑账号").fill(name)
    sidebar.get_by_label("密码").fill(password)
    _settle(page)
    sidebar.get_by_role("button", name="登录").click()
    page.wait_for_function(SENT, timeout=10_000)


def _report_id(directory: Path, name: str) -> str:
    rows = query(directory, "SELECT report_id FROM reports WHERE file_name = ? AND is_current", [name])
    assert rows, name
    return str(rows[0][0])


def _archive(tmp_path: Path) -> Path:
    target = tmp_path / "各单位年报.zip"
    with zipfile.ZipFile(target, "w") as handle:
        for name in ZIPPED:
            handle.writestr(f"江山市/{name}", (FIXTURES / name).read_bytes())
    return target


def _received(frame: pd.DataFrame) -> pd.Series:
    """The total of new requests in a download of the report's values (the table as shown: the
    breakdown in words, the metric code kept)."""
    rows = frame[(frame["metric_code"] == "req.received") & (frame["breakdown"] == "总计")]
    assert len(rows) == 1
    return rows.iloc[0]


def _findings_workbook(page: Any, url: str, target: Path) -> Any:
    """The 数据质量 page's review findings of 常山县 2021, downloaded as the workbook."""
    _open(page, f"{url}/quality?province=330000&city=330800&county=330822&findings_year=2021")
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").filter(has_text="审核意见 Excel").click()
    download.value.save_as(target)
    return load_workbook(target)


def _unit_row(book: Any, file_name: str) -> tuple[Any, ...]:
    (row,) = [r for r in book["单位汇总"].iter_rows(min_row=2, values_only=True) if r[3] == file_name]
    return tuple(row)


def test_a_season_of_work_in_the_browser(page: Any, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in SINGLE:
        shutil.copyfile(FIXTURES / name, inbox / name)
    process, url = start_serve(directory)
    try:
        _open(page, url)
        sync_api.expect(page.get_by_text("还没有数据")).to_be_visible()
        _upload(page, url, [inbox / SINGLE[0], inbox / SINGLE[1], _archive(tmp_path)])
        metric = page.get_by_test_id("stMetric").filter(has_text="已导入")
        sync_api.expect(metric.get_by_test_id("stMetricValue")).to_have_text("4")
        assert page.get_by_test_id("stException").count() == 0
        _shot(page, "workbench-import")
        assert len(query(directory, "SELECT * FROM reports")) == 4

        report = _report_id(directory, SINGLE[1])
        _open(page, f"{url}/report?report={report}")
        page.get_by_text("审核", exact=True).click()
        page.get_by_text("退回修改", exact=True).click()
        page.get_by_label("审核意见（退回修改时必填）").fill("表三第一项与正文不一致，请核实")
        page.get_by_role("button", name="保存审核状态").click()
        sync_api.expect(page.get_by_text("审核状态：退回修改")).to_be_visible()
        _settle(page)
        (event,) = history(directory, report)
        assert (event.status, event.comment) == ("returned", "表三第一项与正文不一致，请核实")

        before = _received(_download_values(page, tmp_path, "before.csv"))
        _correct(page, "15", "单位来函确认：本年新收申请15件")
        _shot(page, "workbench-corrected")
        page.reload()
        page.wait_for_selector(READY, timeout=60_000)
        _settle(page)
        sync_api.expect(page.get_by_text("单位来函确认：本年新收申请15件").first).to_be_attached()
        after = _received(_download_values(page, tmp_path, "after.csv"))
        assert (str(after["value"]), str(after["corrected"]), str(after["original_value"])) == (
            "15.0", "True", str(before["value"])
        )  # fmt: skip

        uploads = directory / "uploads"
        reingest = subprocess.run(
            [sys.executable, "-m", "xxgk", "ingest", str(uploads), "--warehouse", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert reingest.returncode == 0, reingest.stdout + reingest.stderr
        _open(page, f"{url}/report?report={report}")
        again = _received(_download_values(page, tmp_path, "again.csv"))
        assert (str(again["value"]), str(again["corrected"])) == ("15.0", "True")
        book = _findings_workbook(page, url, tmp_path / "findings.xlsx")
        sync_api.expect(page.get_by_text("审核状态：已审核0个，退回修改1个")).to_be_visible()
        unit = _unit_row(book, SINGLE[1])
        assert unit[9] == "退回修改" and "表三第一项与正文不一致，请核实" in unit[10]
        fixed = [r for r in book["审核更正"].iter_rows(min_row=2, values_only=True)]
        assert [(r[6], r[8]) for r in fixed] == [("15", "单位来函确认：本年新收申请15件")]
        _shot(page, "workbench-findings")

        revised = inbox / "常山县天马街道办事处_2021_修订.htm"
        revised.write_bytes(
            (inbox / SINGLE[1]).read_bytes().replace(b"</body>", "<p>修订版</p></body>".encode())
        )
        _upload(page, url, [revised])
        new = _report_id(directory, revised.name)
        assert new != report
        _open(page, f"{url}/report?report={new}")
        sync_api.expect(page.get_by_text("旧版本有 1 项更正")).to_be_visible()
        _shot(page, "workbench-needs-review")
        _open(page, f"{url}/quality?review=returned")
        sync_api.expect(page.get_by_text("需要复核的更正")).to_be_visible()
        _shot(page, "workbench-quality")
        book = _findings_workbook(page, url, tmp_path / "findings-after.xlsx")
        assert _unit_row(book, revised.name)[9] == "待审核"  # the replacing file is not reviewed yet
        assert not list(book["审核更正"].iter_rows(min_row=2, values_only=True))  # nor its correction applied
    finally:
        stop_serve(process)
    export = subprocess.run(
        [sys.executable, "-m", "xxgk", "export", "facts", "--warehouse", str(directory)],
        capture_output=True,
        check=True,
    )
    facts = pd.read_csv(io.BytesIO(export.stdout), dtype={"breakdown": str}, keep_default_na=False)
    corrected = facts[facts["corrected"]]
    assert list(zip(corrected["report_id"], corrected["value"], strict=True)) == [(report, "15")]


def test_served_beyond_loopback_edits_need_an_editors_password(page: Any, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    from xxgk.ingest import ingest

    ingest([FIXTURES / SINGLE[1]], directory)
    report = _report_id(directory, SINGLE[1])
    process, url = start_serve(directory, host="0.0.0.0")
    try:
        _open(page, f"{url}/report?report={report}")
        page.get_by_text("审核", exact=True).click()
        sync_api.expect(
            page.get_by_test_id("stMain").get_by_text("只读：本服务不在本机地址上运行").first
        ).to_be_visible()
        assert page.get_by_text("更正数值", exact=True).count() == 0
        _open(page, f"{url}/import")
        assert page.get_by_role("button", name="开始导入").count() == 0
        _shot(page, "workbench-read-only")

        added = subprocess.run(
            [sys.executable, "-m", "xxgk", "users", "add", "zhang", "--warehouse", str(directory)],
            input="correct horse\ncorrect horse\n",
            capture_output=True,
            text=True,
            check=False,
        )
        assert added.returncode == 0, added.stderr
        _open(page, f"{url}/report?report={report}")
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("审核人", exact=True).click()
        _log_in(page, "zhang", "wrong horse")
        sync_api.expect(sidebar.get_by_text("账号或密码不对。")).to_be_visible()
        assert page.get_by_text("更正数值", exact=True).count() == 0
        _log_in(page, "zhang", "correct horse")
        sync_api.expect(sidebar.get_by_text("已登录：zhang")).to_be_visible()
        _settle(page)
        _correct(page, "15", "来函确认")
        _shot(page, "workbench-editor")
    finally:
        stop_serve(process)
    (made,) = load_snapshot(directory).active()
    assert (made.created_by, made.value) == ("zhang", "15")
