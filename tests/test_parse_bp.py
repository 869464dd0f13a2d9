"""The parser's CPU a report, structurally (issue12bp, docs/scale.md §2): each faster form against the
plain one it replaces, copied here where it is gone."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etl import limits
from etl.decode import decode_bytes
from etl.errors import LimitExceeded
from etl.limits import GridBudget
from etl.normalise import _CONDITIONAL_COMMENT, _INVISIBLE_CHARS, _ODD_SPACES, _SPACES, clean_text, one_line
from etl.readers import docx, html
from etl.records import Table, TableCell

FIXTURES = Path(__file__).parent / "fixtures"

# ---------------------------------------------------------------- clean_text and one_line

_OLD_CJK_BREAK = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\n(?=[\u3400-\u9fff\uf900-\ufaff])")


def _old_clean_text(text: str) -> str:
    text = _INVISIBLE_CHARS.sub("", _CONDITIONAL_COMMENT.sub("", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _old_one_line(text: str) -> str:
    return _OLD_CJK_BREAK.sub("", _old_clean_text(text)).replace("\n", " ")


def test_odd_spaces_are_the_whitespace_that_is_no_line_break_and_not_a_space() -> None:
    everything = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    breaks = {c for c in everything if len(f"a{c}b".splitlines()) == 2}
    expected = {c for c in everything if c.isspace() and c not in breaks and not _SPACES.fullmatch(c)}
    assert set(_ODD_SPACES) == expected and len(_ODD_SPACES) == len(expected)


_PIECES = [
    *" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2002\u2005\u2009\u200a\u200b\u200c\u2028\u2029",
    *"\u202f\u205f\u3000\ufeff\xad",
    *"a1，,。中文\u3400\u33ff\u9fff\ua000\uf900\uf8ff\ufaff\ufb00",
    "\r\n",
    "<!--[if IE]-->",
    "<![endif]>",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
@settings(max_examples=3000, deadline=None)
def test_clean_text_and_one_line_give_what_the_regexes_gave(text: str) -> None:
    assert clean_text.__wrapped__(text) == _old_clean_text(text)  # type: ignore[attr-defined]
    assert one_line.__wrapped__(text) == _old_one_line(text)  # type: ignore[attr-defined]
    assert clean_text(text) == _old_clean_text(text) and one_line(text) == _old_one_line(text)


def _pages() -> list[str]:
    pages = [CRAFTED_PAGE]
    for folder in ("reports", "patterns"):
        for path in sorted((FIXTURES / folder).iterdir()):
            if path.suffix in (".html", ".htm", ".shtml"):
                pages.append(decode_bytes(path.read_bytes(), html=True)[0])
    return pages


def test_page_texts_and_cells_on_one_line_as_before() -> None:
    count = 0
    for page in _pages():
        root = html._parse(page)
        texts = html._texts(root)
        whole = " ".join(texts)
        assert one_line.__wrapped__(whole) == _old_one_line(whole)  # type: ignore[attr-defined]
        assert clean_text.__wrapped__(whole) == _old_clean_text(whole)  # type: ignore[attr-defined]
        for text in texts:
            assert one_line.__wrapped__(text) == _old_one_line(text)  # type: ignore[attr-defined]
            count += 1
    assert count > 500


# ---------------------------------------------------------------- the page's elements in one walk

CRAFTED_PAGE = (
    '<!-- before --><html><head><title>页 题</title><meta name="PubDate" content="2022-01-20">'
    '<link rel="canonical" href="http://a.gov.cn/x"><link rel="stylesheet" href="s.css"><link rel="canonical">'
    '<link rel="canonical" href="http://b.gov.cn/y"><script>var t = "<title>x</title><tr>";</script>'
    '<style>tr{}</style></head><body>a<!-- c -->b<noscript><meta name="x" content="y"><title>里</title>'
    "<table><tr><td>发布机构</td></tr></table><script>s</script></noscript>"
    "<table><tr><td>索引号</td><td>1<!--x-->2</td></tr><tr><td><title>格</title></td></tr></table>尾"
    "</body></html><!-- after -->"
)


def _old_drop(root: etree._Element) -> None:
    for bad in root.xpath("//script|//style|//noscript|//comment()"):
        html._drop(bad)


def _same(found: list[etree._Element], expected: list[etree._Element]) -> bool:
    return len(found) == len(expected) and all(a is b for a, b in zip(found, expected, strict=True))


def test_the_drop_and_the_index_of_one_walk_are_the_paths_of_before() -> None:
    pages = _pages()
    for page in [*pages, CRAFTED_PAGE.replace("noscript", "div")]:
        old, new = html._parse(page), html._parse(page)
        _old_drop(old)
        found = html._drop_and_index(new)
        assert etree.tostring(new, encoding=str) == etree.tostring(old, encoding=str)
        assert _same(found.metas, html._METAS(new))
        assert _same(found.rows, list(new.iter("tr")))
        assert found.title(new) is new.find(".//title")
        assert found.canonical() == new.xpath("//link[@rel='canonical']/@href")
        assert html._page_meta(new, "t", found.metas, found) == html._page_meta(new, "t")
        marked = html._marked(new)
        assert html.page_title(new, marked, found.metas, found) == html.page_title(new)
    crafted = html._parse(CRAFTED_PAGE)
    found = html._drop_and_index(crafted)
    assert found.canonical() == ["http://a.gov.cn/x", "http://b.gov.cn/y"]
    assert [html.text_content(t) for t in found.titles] == ["页 题", "格"]  # the noscript's went with it
    assert len(found.rows) == 2 and len(found.metas) == 1


def test_has_table_is_the_xpath() -> None:
    boolean = etree.XPath("boolean(descendant::table)")
    for page in _pages():
        root = html._parse(page)
        for element in root.iter():
            if isinstance(element.tag, str):
                assert html._has_table(element) is boolean(element)


# ---------------------------------------------------------------- the grid budget inline


def _old_expand_table(element: etree._Element, index: int, budget: GridBudget) -> Table:
    """`expand_table` before this pass (every cell through `budget.place`)."""
    rows = [r for r in html._table_rows(element) if r]
    budget.start_table(len(rows))
    taken: set[tuple[int, int]] = set()
    cells: list[TableCell] = []
    n_rows = len(rows)
    n_cols = 0
    for r, row in enumerate(rows):
        c = 0
        for td in row:
            while (r, c) in taken:
                c += 1
            rowspan = 1 if td.get("rowspan") is None else min(html._span(td, "rowspan"), n_rows - r)
            colspan = 1 if td.get("colspan") is None else html._span(td, "colspan")
            budget.place(c, rowspan, colspan)
            text = clean_text(td.text or "") if not len(td) else html.cell_text(td)
            cells.append(TableCell(text, r, c, rowspan, colspan))
            if rowspan > 1:
                taken.update((r + i, c + j) for i in range(1, rowspan) for j in range(colspan))
            c += colspan
        n_cols = max(n_cols, c)
    return Table(index=index, cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, aligned=True)


def _expanded(expand: object, tables: list[etree._Element]) -> tuple[object, int, int]:
    budget = GridBudget("x.html")
    done = []
    try:
        for element in tables:
            done.append(expand(element, len(done), budget))  # type: ignore[operator]
    except LimitExceeded as exc:
        done.append(str(exc))
    return done, budget.used, budget.table_used


_SPANS = st.sampled_from(["", ' rowspan="2"', ' colspan="2"', ' rowspan="3" colspan="2"', ' colspan="x"'])


@given(st.lists(st.lists(st.lists(_SPANS, min_size=1, max_size=7), min_size=1, max_size=6), max_size=4))
@settings(max_examples=300, deadline=None)
def test_tables_stop_where_and_as_they_did_under_small_limits(tables: list[list[list[str]]]) -> None:
    """Columns first, then the table's cells, then the document's: the same cell stops the read with the
    same message, and the budget holds the same counts after every table."""
    page = "".join(
        "<table>"
        + "".join("<tr>" + "".join(f"<td{s}>{i}</td>" for i, s in enumerate(r)) + "</tr>" for r in t)
        + "</table>"
        for t in tables
    )
    small = {
        "MAX_TABLE_COLUMNS": limits.Limit("MAX_TABLE_COLUMNS", 9, "grid columns in one table"),
        "MAX_TABLE_CELLS": limits.Limit("MAX_TABLE_CELLS", 30, "grid cells in one table"),
        "MAX_DOCUMENT_CELLS": limits.Limit("MAX_DOCUMENT_CELLS", 70, "grid cells in all tables"),
    }
    kept = {name: getattr(limits, name) for name in small}
    root = html._parse(f"<html><body>{page}</body></html>")
    elements = list(root.iter("table"))
    try:
        for name, limit in small.items():
            setattr(limits, name, limit)
        new = _expanded(html.expand_table, elements)
        old = _expanded(_old_expand_table, elements)
    finally:
        for name, limit in kept.items():
            setattr(limits, name, limit)
    assert new == old


def test_every_fixture_table_expands_as_before() -> None:
    count = 0
    for page in _pages():
        root = html._parse(page)
        for element in root.iter("table"):
            assert _expanded(html.expand_table, [element]) == _expanded(_old_expand_table, [element])
            assert html.expand_table(element, 0, nests=html._has_table(element)) == html.expand_table(
                element, 0
            )
            count += 1
    assert count > 20


# ---------------------------------------------------------------- DOCX: a table's properties at once

W = docx.W[1:-1]


def _bodies() -> list[etree._Element]:
    bodies = [etree.fromstring(CRAFTED_BODY)]
    for folder in ("reports", "converted"):
        for path in sorted((FIXTURES / folder).iterdir()):
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as package:
                    bodies.append(etree.fromstring(package.read(docx.main_part(package))))
    return bodies


def _cell(text: str, properties: str = "", inner: str = "") -> str:
    return f"<w:tc>{properties}<w:p><w:r><w:t>{text}</w:t></w:r></w:p>{inner}</w:tc>"


def _table(*rows: str, properties: str = "") -> str:
    return f"<w:tbl>{properties}" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"


_INNER = _table(_cell("内1") + _cell("内2"))
CRAFTED_BODY = (
    f'<w:document xmlns:w="{W}"><w:body>'
    + _table(
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr><w:trPr><w:gridBefore w:val="3"/></w:trPr>'
        + _cell("a", '<w:tcPr><w:vMerge w:val="restart"/><w:gridSpan w:val="2"/></w:tcPr>', _INNER)
        + _cell(
            "b",
            '<w:tcPr><!-- x --><w:hMerge w:val="restart"/><w:gridSpan w:val="3"/><w:gridSpan w:val="9"/></w:tcPr>',
        ),
        _cell("c", '<w:tcPr><w:vMerge/></w:tcPr><w:tcPr><w:gridSpan w:val="4"/></w:tcPr>', _INNER)
        + _cell("d", "<w:tcPr><w:hMerge/></w:tcPr>", _INNER)
        + _cell("e", "", _table(_cell("深", "", _INNER) + _cell("x")) + _INNER),
        _cell("f", "<w:tcPr/>")
        + _cell("g")
        + "<w:sdt><w:sdtContent>"
        + _cell("h")
        + "</w:sdtContent></w:sdt>",
    )
    + "</w:body></w:document>"
)


def test_cell_properties_and_grid_before_of_a_table_are_what_find_finds() -> None:
    count = 0
    for body in _bodies():
        for table in body.iter(docx.TBL):
            properties = docx._table_properties(table)
            before = docx._grid_before(table)
            for tr in table.iterchildren(docx.TR):
                assert before.get(tr) is tr.find(f"{docx.W}trPr/{docx.W}gridBefore")
                for tc in tr.iterchildren(docx.TC):
                    props = tc.find(docx.TCPR)
                    for tag in (docx.GRID_SPAN, docx.V_MERGE, docx.H_MERGE):
                        expected = None if props is None else props.find(tag)
                        assert properties.get(tc, {}).get(tag) is expected
                    count += 1
    assert count > 100


class _OldBlocks(docx._Blocks):
    def table(self, element: etree._Element, depth: int) -> None:
        """`_Blocks.table` before this pass: the nested tables found by walking each cell."""
        grid = docx.table_grid(element, self.budget)
        if len(grid.cells) == 1:
            self.walk(grid.elements[0], depth)
            return
        n_cols = max((c.col + c.colspan for c in grid.cells), default=0)
        self.blocks.append(Table(self.tables, tuple(grid.cells), grid.n_rows, n_cols, aligned=True))
        self.tables += 1
        for tc in grid.elements:
            for nested in tc.iter(docx.TBL):
                if nested.getparent() is tc:
                    self.table(nested, depth + 1)


def test_nested_tables_are_read_in_the_order_and_number_of_before() -> None:
    for body in _bodies():
        old, new = _OldBlocks(GridBudget("x.docx")), docx._Blocks(GridBudget("x.docx"))
        old.walk(body.find(f"{docx.W}body"))
        new.walk(body.find(f"{docx.W}body"))
        assert new.blocks == old.blocks
    crafted = docx._Blocks(GridBudget("x.docx"))
    crafted.walk(etree.fromstring(CRAFTED_BODY).find(f"{docx.W}body"))
    tables = [b for b in crafted.blocks if isinstance(b, Table)]
    assert [[c.text for c in t.cells] for t in tables] == [
        ["a", "b", "c", "e", "f", "g"],
        ["内1", "内2"],  # in a
        ["内1", "内2"],  # in c (its vMerge has no cell above it: a starts a column later)
        ["深", "x"],  # in e, then the table in its cell 深, then e's second table
        ["内1", "内2"],
        ["内1", "内2"],
    ]  # the table in d (an hMerge continuation of c) is not read, as before
