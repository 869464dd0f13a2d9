"""The parser's CPU, ninth pass (issue12hp, docs/scale.md §2): each faster form against the plain one it
replaces, copied here where it is gone."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from etl.normalise import clean_text
from etl.page_meta import _KEY_AT, KEYS, _key_is_suffix, fields_in_text
from etl.readers import html
from tests.test_parse_bp import _pages

# ---------------------------------------------------------------- a cell's text


def _plain_cell_text(element: etree._Element) -> str:
    """`cell_text` by the walk alone (before this pass)."""
    if not len(element):
        return clean_text(element.text or "")
    parts: list[str] = [element.text or ""]
    for child in element:
        html._cell_parts(child, parts)
    return clean_text("".join(parts))


_CELL_PARTS = st.sampled_from(
    [
        *["<p>", "</p>", "<div>", "</div>", "<span>", "</span>", "<b>", "</b>", "<br>", "<font>", "</font>"],
        *["<script>x</script>", "<style>y</style>", "<?pi z?>", "<!--c-->", "<!--[if IE]-->", "<![endif]>"],
        *["12", "信息", "a b", "&nbsp;", *" \n\u3000\x1f\u2000\u200b"],
    ]
)


@given(st.lists(_CELL_PARTS, max_size=14).map("".join))
@settings(max_examples=1500, deadline=None)
def test_a_cells_text_is_the_walks(inside: str) -> None:
    root = html._parse(f"<html><body><table><tr><td>{inside}</td></tr></table></body></html>")
    try:
        html._drop_and_index(root)
    except ValueError:  # lxml refuses a control character as the tail a dropped script hands on
        assume(False)
    for cell in root.iter("td"):
        assert html.cell_text(cell) == _plain_cell_text(cell)


def test_a_word_cells_text_is_read_without_the_walk() -> None:
    root = html._parse(
        "<table><tr><td> <p><span>1\u3000 2</span> </p>\n</td><td><p>a<b>b</b></p></td></tr></table>"
    )
    first, second = root.iter("td")
    assert html._one_block_text(first) == "1\u3000 2 " and html.cell_text(first) == "1 2"
    assert html._one_block_text(second) == "ab"


def test_every_fixture_cell_and_row_reads_as_before() -> None:
    cells = rows = 0
    for page in _pages():
        root = html._parse(page)
        found = html._drop_and_index(root)
        for cell in root.iter("td", "th"):
            assert html.cell_text(cell) == _plain_cell_text(cell)
            cells += 1
        for row in found.rows:
            assert html._may_hold_field(row) is _plain_may_hold_field(row)
            rows += 1
    assert cells > 500 and rows > 100


# ---------------------------------------------------------------- "key：value" fields in text


def _plain_fields_in_text(text: str) -> list[tuple[str, str]]:
    matches = list(_KEY_AT.finditer(text))
    if not matches:
        return []
    ends = [m.start() - (2 if _key_is_suffix(text, m.start()) else 0) for m in matches[1:]] + [len(text)]
    return [
        (match.group(1), text[match.end() : end].strip())
        for match, end in zip(matches, ends, strict=True)
        if not _key_is_suffix(text, match.start())
    ]


_TEXT_PARTS = st.sampled_from(
    [
        *KEYS,
        *[
            "公开",
            "信息",
            "更新",
            "打印",
            "发布",
            "日",
            "期",
            "ur",
            "：",
            ":",
            "：：",
            "2021-01-05",
            "某某局",
            "a",
        ],
        *" \u3000\t\n\x1c\x1f\u2028",
    ]
)


@given(st.lists(_TEXT_PARTS, max_size=25).map("".join))
@settings(max_examples=2000, deadline=None)
def test_fields_in_text_are_the_regexes(text: str) -> None:
    assert fields_in_text(text) == _plain_fields_in_text(text)


def test_fields_of_the_fixture_pages_are_the_regexes() -> None:
    for page in _pages():
        root = html._parse(page)
        whole = html.one_line(" ".join(html._texts(root)))
        assert fields_in_text(whole) == _plain_fields_in_text(whole)


def test_every_whitespace_of_the_regex_is_strs() -> None:
    space = re.compile(r"\s")
    assert all(bool(space.match(chr(c))) is chr(c).isspace() for c in range(0x110000))


# ---------------------------------------------------------------- the metadata rows' filter


def _plain_may_hold_field(row: etree._Element) -> bool:
    found = html._A_KEY_CHARACTER.findall(unicodedata.normalize("NFKD", html.text_content(row)))
    if not found:
        return False
    present = set(found)
    return any(map(present.issuperset, html._KEY_CHARACTERS))


def test_every_key_has_a_mark() -> None:
    marks = set(html._A_MARK.pattern.strip("[]"))
    assert all(marks & chars for chars in html._KEY_CHARACTERS)


_ROW_PARTS = st.sampled_from([*KEYS, *"".join(KEYS), "㈰", "⽇", "ｕｒｌ", "申请", "0", " ", "</td><td>"])


@given(st.lists(_ROW_PARTS, max_size=12).map("".join))
@settings(max_examples=2000, deadline=None)
def test_a_rows_filter_is_the_plain_one(inside: str) -> None:
    root = html._parse(f"<table><tr><td>{inside}</td></tr></table>")
    for row in root.iter("tr"):
        assert html._may_hold_field(row) is _plain_may_hold_field(row)
