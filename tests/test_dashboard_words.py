"""Every word in the user's language: each page run with AppTest over a real warehouse, every text it shows
collected (titles, captions, messages, table headers and cells as displayed, choices), and no code word,
English phrase or "None" found in the Chinese interface — and no Chinese in the words the English
interface writes itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from warehouse.db import connect
from warehouse.publish import require_current

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = ("overview", "proactive", "requests", "appeals", "staffing", "agencies", "quality", "report")
CODE_WORDS = (
    "natural_person|commercial|research|social_org|legal_service|other_org|legal_subtotal|suit_direct|"
    "suit_after_review|error|warning|pass|passed|fail|failed|not_assessable|assessable|number|zero|blank|"
    "invalid|exact|inferred|fuzzy_label|rejected|None|True|False|nan|NaN|NaT|v2019|v2021|old_fujian|missing|"
    "sum of its parts|counted as|department|government|township|county|city|province|own|aggregate"
)
ENGLISH = re.compile(rf"(?<![A-Za-z_.])(?:{CODE_WORDS})(?![A-Za-z_])")
IDENTIFIER_COLUMNS = {
    "source_file",
    "report_id",
    "link",
    "metric_code",
    "指标代码",
    "agency_id",
    "locator",
    "reason",
}
"""Columns that hold identifiers or file paths by design (the 指标代码 column, 文件), and the one-line
reason a file did not load, which the readers write in English (not translated yet)."""
CJK = re.compile(r"[\u3400-\u9fff]")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」")
NUMBERS = str.maketrans("", "", "一二三四五六七")


@pytest.fixture
def warehouse(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    yield sample_warehouse


def first(directory: Path, query: str) -> Any:
    con = connect(require_current(directory), read_only=True)
    try:
        row = con.execute(query).fetchone()
    finally:
        con.close()
    assert row is not None, query
    return row[0]


def open_page(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def displayed(element: Any) -> tuple[list[str], pd.DataFrame]:
    """A dataframe's column headers and cells as the browser shows them (a Styler's display values
    where the table has them)."""
    proto = element.proto
    data = convert_arrow_bytes_to_pandas_df(proto.arrow_data.data).astype(object)
    if proto.arrow_data.styler.display_values:
        shown = convert_arrow_bytes_to_pandas_df(proto.arrow_data.styler.display_values)
        data = shown.where(shown.notna() & (shown != ""), data.astype(str))
    config = json.loads(proto.columns or "{}")
    headers = []
    for column in data.columns:
        setting = config.get(f"name:{column}") or config.get(str(column)) or {}
        label = setting.get("label") if isinstance(setting, dict) else None
        if setting is not None and setting != {} and setting.get("hidden") is True:
            continue
        headers.append(str(label or column))
    hidden = [c for c in data.columns if str(c) in IDENTIFIER_COLUMNS]
    return headers, data.drop(columns=hidden).astype(str)


def texts(at: AppTest) -> list[tuple[str, str]]:
    """(where, text) of everything the page shows."""
    found: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "caption", "info", "success", "warning", "error"):
        found += [(kind, str(e.value)) for e in at.get(kind)]
    found += [("markdown", re.sub(r"<style>.*?</style>|<[^>]+>", " ", str(e.value))) for e in at.markdown]
    found += [
        ("markdown title", t) for e in at.markdown for t in re.findall(r'title="([^"]*)"', str(e.value))
    ]
    for box in (*at.selectbox, *at.multiselect):
        found += [("choice", str(box.label)), *(("choice", str(o)) for o in box.options)]
    for metric in at.metric:
        found += [("metric", str(metric.label))]
    for frame in at.dataframe:
        headers, cells = displayed(frame)
        found += [("header", h) for h in headers]
        for column in cells.columns:
            found += [(f"cell {column}", text) for text in cells[column].unique()]
    return found


def chinese_pages(directory: Path) -> Iterator[tuple[str, AppTest]]:
    """Each page, the report and agency pages opened where there is something to translate: a report
    with failed checks and blank cells, an agency whose profile has empty cells."""
    report = first(
        directory,
        """SELECT c.report_id FROM checks c JOIN facts f USING (report_id)
           WHERE c.status = 'fail' AND c.check_id LIKE 'N%' AND f.semantic IN ('blank', 'na')
           GROUP BY 1 ORDER BY 1 LIMIT 1""",
    )
    agency = first(directory, "SELECT agency_id FROM reports WHERE report_id = '" + report + "'")
    for page in PAGES:
        params = {"report": report} if page == "report" else {"agency": agency} if page == "agencies" else {}
        yield page, open_page(page, params)


def test_the_chinese_interface_has_no_code_words_and_no_none(warehouse: Path) -> None:
    seen = 0
    for page, at in chinese_pages(warehouse):
        for where, text in texts(at):
            seen += 1
            if where == "caption" and text.startswith("数据版本"):
                continue  # the version file's name
            found = ENGLISH.search(QUOTED.sub("", text))
            assert found is None, (page, where, text)
    assert seen > 500


def test_check_ids_appear_with_their_meaning_and_messages_in_chinese(warehouse: Path) -> None:
    report = first(
        warehouse, "SELECT report_id FROM checks WHERE status = 'fail' AND check_id = 'N1' ORDER BY 1 LIMIT 1"
    )
    at = open_page("report", {"report": report})
    headers, checks = displayed(at.dataframe[1])
    assert "检查内容" in headers and "说明" in headers
    n1 = checks[(checks["check_id"] == "N1") & (checks["status"] == "未通过")]
    assert set(n1["meaning"]) == {"表三 第一项加第二项之和等于第三项加第四项之和"}
    assert all("第一项（本年新收）" in message for message in n1["message"])
    _, facts = displayed(at.dataframe[0])
    assert {"自然人", "商业企业", "总计"} <= set(facts["breakdown"])


def test_agency_profile_writes_missing_values_as_dashes_with_the_reason(warehouse: Path) -> None:
    agency = first(warehouse, "SELECT agency_id FROM reports WHERE template = 'v2021' ORDER BY 1 LIMIT 1")
    at = open_page("agencies", {"agency": agency})
    table = next(str(e.value) for e in at.markdown if "xxgk-table" in str(e.value))
    assert "None" not in table and "nan" not in table
    dashes = re.findall(r'<td style="text-align:center;color:#888" title="([^"]*)">—</td>', table)
    assert dashes and set(dashes) <= {
        "该年报告的统计表没有此项",
        "空白单元格",
        *(t for t in dashes if t.startswith("原文填写")),
        *(t for t in dashes if t.startswith("原文“")),
    }
    assert "该年报告的统计表没有此项" in dashes  # the new tables have no proactive total


def test_the_english_interface_writes_its_own_words_in_english(warehouse: Path) -> None:
    report = first(
        warehouse,
        "SELECT report_id FROM checks WHERE status = 'fail' AND check_id LIKE 'N%' ORDER BY 1 LIMIT 1",
    )
    checked = 0
    for page, params in (("report", {"report": report}), ("quality", {}), ("overview", {})):
        at = open_page(page, {**params, "lang": "en"})
        for frame in at.dataframe:
            headers, cells = displayed(frame)
            for text in headers:
                assert not CJK.search(text), (page, text)
            for column in ("meaning", "severity", "status", "message", "semantic", "confidence", "kind"):
                if column not in cells.columns:
                    continue
                for text in cells[column].unique():
                    checked += 1
                    # document text is quoted; tables and sections keep their printed numbers (table 三)
                    assert not CJK.search(QUOTED.sub("", text).translate(NUMBERS)), (page, column, text)
    assert checked > 20
