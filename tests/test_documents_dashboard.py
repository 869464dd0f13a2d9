"""The document buttons on the dashboard (AppTest over the sample warehouse): the summary of the filtered
place on the overview page, the comparison on the agencies page, and the bytes their buttons hand out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import components
from dashboard.documents import _comparison_data, _summary_data
from etl.pipeline import parse_file
from warehouse.documents.compare import Comparison
from warehouse.documents.make import make_comparison
from warehouse.documents.summary import SummaryRequest
from warehouse.publish import require_current

pytestmark = pytest.mark.slow  # builds or ingests a warehouse
APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PLACE = {"province": "330000", "city": "330800"}


@pytest.fixture
def warehouse(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    yield sample_warehouse


def open_page(params: dict[str, str], page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labels(at: AppTest) -> list[str]:
    return [str(button.proto.label) for button in at.get("download_button")]


def test_summary_buttons_for_the_filtered_place(warehouse: Path) -> None:
    at = open_page({**PLACE, "county": "330802", "years": "2020-2024"})
    assert {"汇总表 Word", "汇总表 Excel"} <= set(labels(at))
    year = at.selectbox(key="summary_year")
    assert year.value == 2024 and year.options == ["2024", "2023", "2022", "2021", "2020"]
    assert any("汇总2个单位" in caption.value for caption in at.caption)


def test_summary_asks_for_a_place_first(warehouse: Path) -> None:
    at = open_page({})
    assert "汇总表 Word" not in labels(at)
    assert any("选择省、市或县" in info.value for info in at.info)


def test_summary_of_a_year_with_two_templates_asks_which(warehouse: Path) -> None:
    at = open_page({**PLACE, "county": "330822", "summary_year": "2021"})
    assert any("不同的统计表模板" in w.value for w in at.warning)
    choice = at.radio(key="summary_tpl")
    assert sorted(choice.options) == ["old", "v2021"]
    choice.set_value("v2021").run()
    assert not at.exception
    assert {"汇总表 Word", "汇总表 Excel"} <= set(labels(at))


def test_comparison_on_the_agencies_page(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a large warehouse (components.OPEN_UP_TO) the comparison is read only once its expander is
    opened (the page is cheaper without it); opened, its years, tiles and buttons show, and the URL keeps
    it open."""
    monkeypatch.setattr(components, "OPEN_UP_TO", 0)
    at = open_page({**PLACE, "county": "330802"}, "views/agencies.py")
    assert not {"对比 Word", "对比 Excel", "对比 HTML"} & set(labels(at))
    assert "对比该机关两个年度的报告" in [e.label for e in at.expander]
    at.session_state["cmp_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["cmp_open"] == "1"
    assert {"对比 Word", "对比 Excel", "对比 HTML"} <= set(labels(at))
    later, earlier = at.selectbox(key="cmp_to"), at.selectbox(key="cmp_from")
    assert int(later.value) > int(earlier.value)
    assert [m.label for m in at.metric][-4:] == [
        "变化的单元格",
        "不可比的单元格",
        "正文沿用比例",
        "未通过检查（前/后）",
    ]


def test_the_comparisons_documents_read_the_whole_comparison_on_the_download_thread(warehouse: Path) -> None:
    """The page shows a comparison without checks and series (`comparison_shown`); its buttons write the
    whole comparison, read when clicked on Streamlit's download thread (no script run there)."""
    at = open_page({**PLACE, "county": "330802", "cmp_to": "2023"}, "views/agencies.py")
    view = at.session_state[components.VIEW_KEY]
    agency, years = at.session_state["agency"], (int(at.session_state["cmp_from"]), 2023)
    shown = view.read("comparison_shown", agency, years, view.version_name())
    read: list[Comparison] = []
    made: list[bytes] = []

    def clicked() -> None:
        def whole() -> Comparison:
            read.append(view.read("comparison", agency, years, view.version_name()))
            return read[-1]

        made.append(_comparison_data(whole, "html")())

    thread = threading.Thread(target=clicked)
    thread.start()
    thread.join()
    assert len(made) == 1 and made[0].startswith(b"<!DOCTYPE html>")
    expected = make_comparison(require_current(warehouse), agency, years)
    assert replace(read[0], generated_at=expected.generated_at) == expected
    assert expected.before.checks and expected.series and not shown.series and not shown.before.checks
    assert shown.before.n_failed() == len(expected.before.failed())
    assert shown.cells == expected.cells and shown.sections == expected.sections


def test_a_link_naming_the_compared_year_opens_the_comparison(warehouse: Path) -> None:
    at = open_page({**PLACE, "county": "330802", "cmp_to": "2023"}, "views/agencies.py")
    assert {"对比 Word", "对比 Excel", "对比 HTML"} <= set(labels(at))
    assert int(at.selectbox(key="cmp_to").value) == 2023


def test_the_buttons_hand_out_the_documents(warehouse: Path, tmp_path: Path) -> None:
    version = require_current(warehouse)
    path = tmp_path / "summary.xlsx"
    path.write_bytes(_summary_data(version, SummaryRequest("330802", 2023), "xlsx")())
    assert parse_file(path).meta.agency == "柯城区"
    comparison = make_comparison(version, "柯城区教育局", (2022, 2023))
    page = _comparison_data(lambda: comparison, "html")()
    assert page.startswith(b"<!DOCTYPE html>") and "柯城区教育局".encode() in page
