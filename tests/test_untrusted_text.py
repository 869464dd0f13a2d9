"""Document text is only text: hostile titles, agency names and file names on every page (AppTest), the
escaping helpers, and URL parameters that must fall back to defaults instead of raising."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import state, untrusted
from tests.conftest import ROOT
from warehouse.db import connect
from warehouse.publish import require_current
from xxgk.samples.hostile import HOSTILE_AGENCY, HOSTILE_FILE, HOSTILE_TEXT

APP = ROOT / "dashboard" / "app.py"
PAGES = ("overview", "proactive", "requests", "appeals", "staffing", "agencies", "quality", "report")
RAW = ("![t](", "](http", "**发展**", "**粗体**", ":red[", "$x$", "`[点我]", "<img", "<b>", ":material/home:")


@pytest.fixture
def hostile(hostile_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(hostile_warehouse))
    yield hostile_warehouse


def _hostile_report(directory: Path) -> tuple[str, str]:
    con = connect(require_current(directory), read_only=True)
    try:
        ((report_id, agency_id),) = con.execute(
            "SELECT report_id, agency_id FROM reports WHERE agency LIKE '%**发展**%'"
        ).fetchall()
    finally:
        con.close()
    return str(report_id), str(agency_id)


def _open(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "overview":
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rendered_as_markdown(at: AppTest) -> list[str]:
    blocks = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption]
    blocks += [*at.error, *at.warning, *at.info, *at.success]
    texts = [str(block.value) for block in blocks]
    texts += [str(metric.label) for metric in at.metric] + [str(e.label) for e in at.expander]
    return texts


def _figure_texts(at: AppTest) -> Iterator[str]:
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        yield str(spec["layout"].get("title", {}).get("text", ""))
        for trace in spec["data"]:
            yield str(trace.get("name", ""))
            for key in ("x", "y", "text"):
                values = trace.get(key)
                if isinstance(values, list):
                    yield from (str(v) for row in values for v in (row if isinstance(row, list) else [row]))
            yield from (str(label) for label in trace.get("node", {}).get("label", []))


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_is_shown_as_text_on_every_page(hostile: Path, page: str) -> None:
    report_id, agency_id = _hostile_report(hostile)
    at = _open(page, {"report": report_id, "agency": agency_id, "compare": agency_id})
    for text in _rendered_as_markdown(at):
        assert not any(raw in text for raw in RAW), text
    for text in _figure_texts(at):
        assert "<" not in text, text
    shown = " ".join(html.unescape(text) for text in _rendered_as_markdown(at)).replace(untrusted.JOINER, "")
    if page == "report":
        assert f"{HOSTILE_AGENCY} · 2020" in shown
        assert HOSTILE_TEXT.strip() in shown and HOSTILE_FILE in shown
    if page == "agencies":
        assert f"{HOSTILE_AGENCY} · 历年概况" in shown
        names = [html.unescape(t) for t in _figure_texts(at)]
        assert HOSTILE_AGENCY in names


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("overview", {"years": "2019---5"}),
        ("overview", {"years": "²-2020"}),
        ("requests", {"years": "2019-2020-2021", "tpl": ",,,", "level": "x,,y"}),
        ("agencies", {"rank_year": "--5"}),
        ("agencies", {"rank_year": "²", "compare": ",".join(["x"] * 50), "series": "../../etc"}),
        ("report", {"report": "A" * 64}),
        ("report", {"report": "../" * 30}),
        ("overview", {"vertical": "yes", "q": "x" * 5000, "scope": "all", "lang": "de"}),
    ],
)
def test_malformed_url_parameters_fall_back_to_defaults(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str]
) -> None:
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    at = _open(page, params)
    assert at.title[0].value


@pytest.mark.parametrize(
    ("raw", "expected"), [(" 2021 ", 2021), ("-3", -3), ("0\x1f", 0), ("--5", None), ("²", None)]
)
def test_whole_numbers_are_read_from_the_stripped_text(raw: str, expected: int | None) -> None:
    assert state.parse_int(raw) == expected


@given(st.text(max_size=80))
def test_url_parsers_never_raise(raw: str) -> None:
    state.parse_int(raw)
    state.parse_year_range(raw, 2014, 2025)
    state.parse_choice(raw, ("zh", "en"))
    state.parse_choices(raw, ("v2019", "v2021"))
    state.parse_flag(raw)
    state.parse_text(raw, 60)
    state.parse_report_id(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-2023", (2019, 2023)),
        ("2010-2030", (2014, 2025)),
        ("2019---5", None),
        ("²-2020", None),
        ("2023-2019", None),
    ],
)
def test_year_ranges(raw: str, expected: tuple[int, int] | None) -> None:
    assert state.parse_year_range(raw, 2014, 2025) == expected


@given(st.text(max_size=200))
def test_markdown_escaping_keeps_every_character(text: str) -> None:
    escaped = untrusted.markdown(text)
    assert html.unescape(escaped).replace(untrusted.JOINER, "") == text.replace(untrusted.JOINER, "")
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"&#[0-9]+;", "", escaped))


@given(st.text(max_size=200))
def test_plotly_escaping_keeps_every_character(text: str) -> None:
    escaped = untrusted.plotly(text)
    assert "<" not in escaped and ">" not in escaped
    assert html.unescape(escaped).removeprefix(untrusted.JOINER) == text


def test_autolinks_are_broken_invisibly() -> None:
    shown = html.unescape(untrusted.markdown("see http://a.example, www.b.example or c@d.example"))
    assert "http://" not in shown and "www." not in shown and "c@" not in shown
    assert shown.replace(untrusted.JOINER, "") == "see http://a.example, www.b.example or c@d.example"
