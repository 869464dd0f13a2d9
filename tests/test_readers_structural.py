"""The readers' faster forms of 2026-12-04 (docs/scale.md §2, issue12hr) give what the forms before them
gave: the decoder trying a second encoding only when the first reads as mojibake, the page's closing tag
looked for at its end first, the title candidates read lazily, the metadata-table row count, the
page-metadata row filter, and the DOCX grid's left neighbour. Each old form is copied here verbatim."""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from io import BytesIO
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etl.decode import (
    _candidates,
    _control_ratio,
    _guess,
    _looks_binary,
    _try,
    declared_charset,
    decode_bytes,
    rare_cjk_ratio,
)
from etl.errors import UnreadableDocument
from etl.limits import GridBudget
from etl.normalise import one_line
from etl.readers import docx
from etl.readers.html import (
    _ANY_KEY_CHARACTER,
    _KEY_CHARACTERS,
    _METAS,
    _closed,
    _html_parser,
    _marked,
    _may_hold_field,
    _meta_contents,
    _selected,
    is_metadata_table,
    page_title,
    text_content,
)
from etl.records import TableCell
from tests.conftest import FIXTURES

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _old_decode_bytes(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """`decode_bytes` before this pass (every candidate encoding decoded up front)."""
    if not data.strip():
        raise UnreadableDocument("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            if text is not None:
                return text.lstrip("\ufeff"), encoding.replace("-sig", "")
    if _looks_binary(data):
        raise UnreadableDocument("binary data, not a text or HTML document")
    declared = declared_charset(data) if html else None
    decoded = [(enc, text) for enc in _candidates(data, declared) if (text := _try(data, enc)) is not None]
    if not decoded:
        return _guess(data)
    encoding, text = decoded[0]
    if rare_cjk_ratio(text) > 0.35:
        better = [(e, t) for e, t in decoded[1:] if rare_cjk_ratio(t) < 0.2]
        if better:
            encoding, text = better[0]
    if _control_ratio(text) > 0.05:
        raise UnreadableDocument(f"binary data, not a text or HTML document (decoded as {encoding})")
    return text, encoding


def _outcome(function: object, data: bytes, html: bool) -> tuple[str, str] | str:
    try:
        return function(data, html=html)  # type: ignore[operator, no-any-return]
    except UnreadableDocument as error:
        return f"error: {error}"


_REPORT = (
    "某某县人民政府办公室2021年政府信息公开工作年度报告，本年新收政府信息公开申请数量，予以公开，部分公开。"
)
_CRAFTED_BYTES = [
    b"",
    b" \t\r\n\x0b\x0c",
    b"\x00\x01binary",
    _REPORT.encode("utf-8"),
    _REPORT.encode("gb18030"),
    codecs.BOM_UTF8 + _REPORT.encode("utf-8"),
    codecs.BOM_UTF16_LE + _REPORT.encode("utf-16-le"),
    # UTF-8 bytes declared GB2312: read as GB18030 first, mojibake, then UTF-8
    f'<meta charset="gb2312"><p>{_REPORT * 3}</p>'.encode(),
    # GB bytes declared UTF-8: UTF-8 fails, GB18030 reads
    f'<meta charset="utf-8"><p>{_REPORT * 3}</p>'.encode("gb18030"),
    # a declared charset lxml does not know, and one Python does not know
    f'<meta charset="x-unknown"><p>{_REPORT}</p>'.encode(),
    f'<meta charset="big5"><p>{_REPORT}</p>'.encode("big5", "replace"),
    # control characters
    ("\x01\x02\x03" * 50 + _REPORT).encode(),
    # neither UTF-8 nor GB18030 (stray bytes)
    b"\xff\xfe\xfd" * 40 + _REPORT.encode("utf-8"),
]


@pytest.mark.parametrize("html", [False, True])
def test_decoding_as_before_on_crafted_and_fixture_bytes(html: bool) -> None:
    samples = list(_CRAFTED_BYTES)
    samples += [
        p.read_bytes()
        for p in sorted((FIXTURES / "reports").iterdir())
        if p.suffix in {".txt", ".html", ".htm", ".shtml"}
    ]
    for data in samples:
        assert _outcome(decode_bytes, data, html) == _outcome(_old_decode_bytes, data, html)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([_REPORT, "abc ", "\n", "\x01", "表", "<meta charset=gbk>", "<meta charset=utf-8>"]),
        max_size=12,
    ),
    st.sampled_from(["utf-8", "gb18030", "big5", "utf-16-le"]),
    st.binary(max_size=8),
    st.booleans(),
)
def test_decoding_as_before_on_generated_bytes(
    parts: list[str], encoding: str, noise: bytes, html: bool
) -> None:
    data = "".join(parts).encode(encoding, "replace") + noise
    assert _outcome(decode_bytes, data, html) == _outcome(_old_decode_bytes, data, html)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab<>/ \n", max_size=60),
    st.sampled_from(["", "</body>", "</HTML >", "</body\n>", "</bod>", "</ html>"]),
    st.integers(min_value=0, max_value=9000),
    st.integers(min_value=0, max_value=9000),
)
def test_closing_tag_found_as_by_one_search(text: str, tag: str, before: int, after: int) -> None:
    page = "x" * before + text + tag + "y" * after
    assert _closed(page) == bool(re.search(r"</(?:html|body)\s*>", page, re.I))


def _old_page_title(root: etree._Element, marked: dict, metas: list) -> str:  # type: ignore[type-arg]
    from etl.readers.html import TITLE_SELECTORS

    candidates = [one_line(v) for v in _meta_contents(root, "ArticleTitle", metas)]
    for found in _selected(TITLE_SELECTORS, root, marked):
        candidates += [one_line(text_content(el)) for el in found]
    page = root.find(".//title")
    page_text = one_line(text_content(page)) if page is not None else ""
    for candidate in candidates:
        if "报告" in candidate and 6 <= len(candidate) <= 80:
            return candidate
    return page_text


def _old_is_metadata_table(element: etree._Element) -> bool:
    rows = [r for r in element.iter("tr")]
    if not rows or len(rows) > 6:
        return False
    text = one_line(text_content(element))
    labels = re.compile(r"索\s*引\s*号|发布机构|成文日期|发文机关|主题分类|文\s*号")
    return len(labels.findall(text)) >= 2 and not re.search(r"\d+\s*件|收到|申请", text)


def _old_may_hold_field(row: etree._Element) -> bool:
    present = _ANY_KEY_CHARACTER.intersection(unicodedata.normalize("NFKD", text_content(row)))
    return bool(present) and any(key <= present for key in _KEY_CHARACTERS)


_CRAFTED_PAGE = """<html><head><title>页面标题 某某局2020年报告</title>
<meta name="ArticleTitle" content="短"><meta name="ArticleTitle" content="某某局2021年政府信息公开工作年度报告">
</head><body><h1>首页</h1><h2>某某局2019年度报告</h2><div class="title">标题</div>
<table id="m1"><tr><td>索引号</td><td>1</td></tr><tr><td>发布机构</td><td>某某局</td></tr></table>
<table id="m2"><tr><td>索 引 号</td></tr><tr><td>文 号</td></tr><tr><td>申请</td></tr></table>
<table id="m3"><tr><td>索引号</td></tr><tr><td>发布机构</td></tr><tr/><tr/><tr/><tr/><tr/></table>
<table id="m4"><tr><td>索引号</td></tr><tr><td>发布机构</td></tr><tr/><tr/><tr/><tr/></table>
<table id="m5"></table>
<table><tr><td>ｕｒｌ：</td><td>http://x</td></tr><tr><td>⽇期</td><td>2021-01-01</td></tr>
<tr><td>公开日期</td></tr><tr><td>来</td><td>源</td></tr><tr><td>1</td><td>2</td></tr></table>
</body></html>"""


def _pages() -> list[etree._Element]:
    pages = [
        _CRAFTED_PAGE,
        _CRAFTED_PAGE.replace('content="某某局2021年政府信息公开工作年度报告"', 'content="x"'),
    ]
    pages.append(_CRAFTED_PAGE.replace("2019年度报告", "").replace("工作年度报告", "工作"))
    for path in sorted((FIXTURES / "reports").iterdir()) + sorted((FIXTURES / "patterns").iterdir()):
        if path.suffix in (".html", ".htm", ".shtml"):
            pages.append(decode_bytes(path.read_bytes(), html=True)[0].removeprefix('<?xml version="1.0"?>'))
    return [etree.fromstring(page, _html_parser()) for page in pages]


def test_page_title_metadata_tables_and_field_rows_as_before() -> None:
    titles = set()
    tables = rows = 0
    for root in _pages():
        marked = _marked(root)
        metas = _METAS(root)
        titles.add(page_title(root, marked, metas))
        assert page_title(root, marked, metas) == _old_page_title(root, marked, metas)
        for table in root.iter("table"):
            assert is_metadata_table(table) == _old_is_metadata_table(table)
            tables += 1
        for row in root.iter("tr"):
            assert _may_hold_field(row) == _old_may_hold_field(row)
            rows += 1
    assert {
        "某某局2021年政府信息公开工作年度报告",
        "某某局2019年度报告",
        "页面标题 某某局2020年报告",
    } <= titles
    assert tables > 20 and rows > 200
    crafted = {t.get("id"): t for t in _pages()[0].iter("table")}
    assert [is_metadata_table(crafted[k]) for k in ("m1", "m2", "m3", "m4", "m5")] == [
        True,
        False,
        False,
        True,
        False,
    ]


W = docx.W
_DOCX_TABLE = f"""<w:document xmlns:w="{W[1:-1]}"><w:body><w:tbl>
<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>
<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>b</w:t><w:br/><w:t>c</w:t></w:r></w:p></w:tc>
<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc><w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p/></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>d</w:t></w:r></w:p></w:tc>
<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p><w:r><w:t>e</w:t></w:r></w:p></w:tc><!-- c -->
<w:tc><w:tcPr><!-- p --><w:gridSpan w:val="3"/></w:tcPr><w:p/></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:tcPr><w:vMerge/><w:hMerge/></w:tcPr><w:p/></w:tc>
<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:tab/><w:t>f</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr><w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc></w:tr>
</w:tbl></w:body></w:document>"""


def _old_properties(tc: etree._Element) -> dict[object, etree._Element]:
    """The cell's properties by tag as `table_grid` read them before the reader took them a table at a
    time: the first of each tag among the children of the cell's first w:tcPr."""
    props = tc.find(docx.TCPR)
    found: dict[object, etree._Element] = {}
    for child in () if props is None else props:
        found.setdefault(child.tag, child)
    return found


def _old_table_grid(table: etree._Element, budget: GridBudget) -> docx.Grid:
    """`table_grid` before this pass (the left cell found from `max(current)` for every cell)."""
    grid = docx.Grid()
    above: dict[int, int] = {}
    rows = [row for row in table if row.tag == docx.TR]
    budget.start_table(len(rows))
    for r, tr in enumerate(rows):
        col = docx._int_value(tr.find(f"{W}trPr/{W}gridBefore"), 0)
        budget.place(0, 1, col)
        current: dict[int, int] = {}
        for tc in (c for c in tr if c.tag == docx.TC):
            properties = _old_properties(tc)
            span = max(1, docx._int_value(properties.get(docx.GRID_SPAN), 1))
            budget.place(col, 1, span)
            merge = properties.get(docx.V_MERGE)
            owner = above.get(col)
            left = current.get(max(current)) if current else None
            if docx._continues(properties.get(docx.H_MERGE)) and left is not None:
                cell = grid.cells[left]
                grid.cells[left] = TableCell(cell.text, cell.row, cell.col, cell.rowspan, cell.colspan + span)
                current[col] = left
            elif docx._continues(merge) and owner is not None:
                cell = grid.cells[owner]
                grid.cells[owner] = TableCell(cell.text, cell.row, cell.col, r - cell.row + 1, cell.colspan)
                current[col] = owner
            else:
                current[col] = len(grid.cells)
                grid.cells.append(TableCell(docx.cell_text(tc), r, col, 1, span))
                grid.elements.append(tc)
            col += span
        above = current
        grid.n_rows = r + 1
    return grid


def _docx_tables() -> list[etree._Element]:
    roots = [etree.fromstring(_DOCX_TABLE.encode())]
    paths = sorted((FIXTURES / "reports").glob("*.docx")) + sorted((FIXTURES / "converted").glob("*.docx"))
    for path in paths:
        with zipfile.ZipFile(BytesIO(Path(path).read_bytes())) as package:
            roots.append(etree.fromstring(package.read(docx.main_part(package))))
    return [table for root in roots for table in root.iter(docx.TBL)]


def test_docx_grid_as_before() -> None:
    tables = _docx_tables()
    for table in tables:
        new, old = docx.table_grid(table, GridBudget("t")), _old_table_grid(table, GridBudget("t"))
        assert (new.cells, new.elements, new.n_rows) == (old.cells, old.elements, old.n_rows)
    assert len(tables) > 10
    crafted = docx.table_grid(tables[0], GridBudget("t"))
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in crafted.cells] == [
        ("a", 0, 1, 1, 1),
        ("b\nc", 0, 2, 1, 3),
        ("", 0, 5, 1, 1),
        ("d", 1, 0, 2, 4),
        ("", 1, 2, 1, 3),
        ("f", 2, 3, 1, 1),
        ("", 3, 2, 1, 1),
    ]


def test_metadata_row_count_reads_at_most_seven_rows() -> None:
    table = etree.fromstring(
        "<table>" + "<tr><td>索引号 发布机构</td></tr>" * 1000 + "</table>", _html_parser()
    )
    element = table.find(".//table")
    assert element is not None
    assert sum(1 for _ in islice(element.iter("tr"), 7)) == 7 and not is_metadata_table(element)
