"""The readers' cheaper forms of 2026-12-04 (docs/scale.md §2, issue12rd) give what the forms before them
gave: an element's text serialised as text instead of XPath's `string()`, the metadata row filter's key
characters found by a regex class instead of a set, and the records built by `_slot_maker` instead of
their classes. Each old form is copied here verbatim."""

from __future__ import annotations

import dataclasses
import pickle
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etl.decode import decode_bytes
from etl.readers import html
from etl.records import (
    CellRef,
    CheckResult,
    Fact,
    Paragraph,
    RowView,
    TableCell,
    new_cell_ref,
    new_check_result,
    new_fact,
    new_paragraph,
    new_row_view,
    new_table_cell,
)

FIXTURES = Path(__file__).parent / "fixtures"
_STRING = etree.XPath("string()", smart_strings=False)


def _old_text_content(element: etree._Element) -> str:
    return str(_STRING(element))


def _old_may_hold_field(row: etree._Element) -> bool:
    present = html._ANY_KEY_CHARACTER.intersection(unicodedata.normalize("NFKD", _old_text_content(row)))
    return bool(present) and any(map(present.issuperset, html._KEY_CHARACTERS))


_CRAFTED = (
    "<html><head><title>a<!-- c -->b</title><script>var x = '<tr>';</script></head><body>"
    "<table><tr><td>索<b>引</b>号</td><td>x&amp;y&nbsp;z<br>w<!-- 发布机构 --></td></tr>"
    "<tr><th><p>发布<span>机构</span>：</p></th><td><![CDATA[q]]>r</td></tr>"
    "<tr><td>\u2f00\uf900\uff1a\u00a0</td><td><table><tr><td>公开日期</td></tr></table></td></tr></table>"
    "<p>tail<?pi x?>after</p>𠀀😀</body></html>"
)


def _pages() -> list[etree._Element]:
    paths = [p for p in sorted((FIXTURES / "reports").iterdir()) if p.suffix in (".html", ".htm", ".shtml")]
    texts = [decode_bytes(p.read_bytes(), html=True)[0] for p in paths] + [_CRAFTED]
    return [html._parse(text) for text in texts]


def test_text_content_is_xpaths_string_for_every_element_of_the_pages() -> None:
    elements = 0
    for root in _pages():
        for element in root.iter(etree.Element):
            assert html.text_content(element) == _old_text_content(element)
            elements += 1
        html._drop_and_index(root)
        for element in root.iter(etree.Element):
            assert html.text_content(element) == _old_text_content(element)
    assert elements > 1000


_TEXT = st.text(
    st.one_of(
        st.sampled_from(
            [*sorted(html._ANY_KEY_CHARACTER), "\ufe30", "\u2f00", "\uf900", "\uff1a", " ", "\n"]
        ),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
_TAGS = st.sampled_from(["b", "span", "p", "td", "th", "br", "script"])


@st.composite
def _fragments(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        text = draw(_TEXT).replace("&", "&amp;").replace("<", "&lt;")
        if depth < 3 and draw(st.booleans()):
            tag = draw(_TAGS)
            text = f"<{tag}>{text}{draw(_fragments(depth + 1))}</{tag}>"
        parts.append(text)
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_fragments())
def test_text_content_and_row_filter_as_before_on_generated_rows(fragment: str) -> None:
    root = html._parse(f"<html><body><table><tr>{fragment}</tr></table></body></html>")
    for element in root.iter(etree.Element):
        assert html.text_content(element) == _old_text_content(element)
    for row in root.iter("tr"):
        assert html._may_hold_field(row) == _old_may_hold_field(row)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_key_characters_by_regex_are_the_set_intersection(text: str) -> None:
    assert set(html._A_KEY_CHARACTER.findall(text)) == html._ANY_KEY_CHARACTER.intersection(text)


def test_row_filter_as_before_on_every_row_of_the_pages() -> None:
    rows = [row for root in _pages() for row in root.iter("tr")]
    assert [html._may_hold_field(row) for row in rows] == [_old_may_hold_field(row) for row in rows]
    assert any(map(_old_may_hold_field, rows)) and not all(map(_old_may_hold_field, rows))


_VALUES = st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=5), st.floats(allow_nan=False))
_MAKERS: list[tuple[type[Any], Any, int]] = [
    (TableCell, new_table_cell, 3),
    (Paragraph, new_paragraph, 2),
    (RowView, new_row_view, 4),
    (CellRef, new_cell_ref, 3),
    (Fact, new_fact, 6),
    (CheckResult, new_check_result, 7),
]


@pytest.mark.parametrize(("record", "maker", "required"), _MAKERS)
@settings(max_examples=100, deadline=None)
@given(values=st.lists(_VALUES, min_size=9, max_size=9), given_count=st.integers(0, 9))
def test_a_made_record_is_the_one_its_class_builds(
    record: type[Any], maker: Any, required: int, values: list[Any], given_count: int
) -> None:
    names = [f.name for f in dataclasses.fields(record)]
    args = values[: max(required, min(given_count, len(names)))]
    made, built = maker(*args), record(*args)
    assert type(made) is record
    assert made == built and repr(made) == repr(built) and hash(made) == hash(built)
    assert [getattr(made, name) for name in names] == [getattr(built, name) for name in names]
    assert pickle.loads(pickle.dumps(made)) == built
    assert dataclasses.replace(made) == built
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], 1)
    assert _error_of_setting(made, "other") == _error_of_setting(built, "other")  # no __dict__ either


def _error_of_setting(record: object, name: str) -> type[BaseException] | None:
    try:
        setattr(record, name, 1)
    except Exception as error:  # which one is the point
        return type(error)
    return None


@pytest.mark.parametrize(("record", "maker", "required"), _MAKERS)
def test_a_maker_takes_the_arguments_its_class_takes(record: type[Any], maker: Any, required: int) -> None:
    names = [f.name for f in dataclasses.fields(record)]
    with pytest.raises(TypeError):
        maker(*range(required - 1))
    with pytest.raises(TypeError):
        maker(*range(len(names) + 1))
    assert maker(**{name: 1 for name in names}) == record(**{name: 1 for name in names})
