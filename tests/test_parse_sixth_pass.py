"""The sixth pass's faster forms (docs/scale.md §2, "Sixth pass on the parse path") give what the plain
forms give: the HTML table walk, the id/class index, the meta elements and the records' slot setters."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from etl.decode import decode_bytes
from etl.limits import GridBudget
from etl.normalise import clean_text
from etl.readers.html import (
    _METAS,
    _WITH_ID_OR_CLASS,
    _has_table,
    _html_parser,
    _marked,
    _meta_contents,
    _span,
    _strings,
    cell_text,
    expand_table,
    find_content,
    page_title,
)
from etl.records import CellRef, CheckResult, Fact, Paragraph, ParseIssue, RowView, Table, TableCell
from tests.conftest import FIXTURES

CRAFTED_TABLES = """<html><head><title>t</title>
<meta name="ArticleTitle" content="某某局2021年政府信息公开工作年度报告">
<meta name="PubDate" content=""><meta name="PubDate" content="2022-01-20"><meta name="pubdate" content="x">
<meta content="某某局" name="ContentSource"><meta name="ContentSource">
</head><body><div id="zoom" class="a  b TRS_Editor">
<table id="spans"><tr><td rowspan="3">申请人<br>情况</td><td colspan="2">自然人</td><td colspan=" 2x">法人</td></tr>
<tr><th>商业&nbsp;企业</th><td></td><td rowspan="999">&nbsp;</td></tr>
<!-- a comment between rows -->
<tr><td><p>一、<span>本年</span>新收</p><p>申请</p></td><td colspan="0">5</td><td rowspan="-2">x</td></tr>
<tr></tr><tr><td rowspan="2" colspan="3"><div>a<script>no</script>b</div>tail</td><td>1</td></tr>
<tr><td>2<!-- inside -->3</td></tr></table>
<table id="outer"><tr><td>外<table id="inner"><tr><td rowspan="2">内</td><td>1</td></tr><tr><td>2</td></tr>
</table></td><td colspan="2">右</td></tr><tr><td>下</td></tr></table>
<table id="empty"><tr></tr></table>
<table id="bodies"><thead><tr><th>项目</th><th>数量</th></tr></thead><tbody><tr><td>一</td><td>1</td></tr>
</tbody><tfoot><tr><td colspan="2">注</td></tr></tfoot></table>
</div><h1 class="article_title">标题</h1></body></html>"""


def _old_cell_text(element: etree._Element) -> str:
    """The cell walk before this pass (etl/readers/html.py at 388bacf)."""
    from etl.readers.html import _cell_parts

    if not len(element):
        return clean_text(element.text or "")
    parts: list[str] = [element.text or ""]
    for child in element:
        _cell_parts(child, parts)
    return clean_text("".join(parts))


def _old_owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _old_expand_table(element: etree._Element, index: int) -> Table:
    """`expand_table` before this pass, verbatim but for the budget."""
    budget = GridBudget("table")
    rows = []
    for tr in element.iter("tr"):
        if _old_owning_table(tr) is not element:
            continue
        rows.append([c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")])
    rows = [r for r in rows if r]
    budget.start_table(len(rows))
    taken: set[tuple[int, int]] = set()
    cells: list[TableCell] = []
    n_rows = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for td in row:
            while (r, c) in taken:
                c += 1
            rowspan = min(_span(td, "rowspan"), n_rows - r)
            colspan = _span(td, "colspan")
            budget.place(c, rowspan, colspan)
            cells.append(TableCell(text=_old_cell_text(td), row=r, col=c, rowspan=rowspan, colspan=colspan))
            if rowspan > 1:
                taken.update((r + i, c + j) for i in range(1, rowspan) for j in range(colspan))
            c += colspan
    n_cols = max((cell.col + cell.colspan for cell in cells), default=0)
    return Table(index=index, cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, aligned=True)


def _tree(page: str) -> etree._Element:
    return etree.fromstring(page, _html_parser())


def _fixture_trees() -> list[etree._Element]:
    trees = [_tree(CRAFTED_TABLES)]
    for path in sorted((FIXTURES / "reports").iterdir()):
        if path.suffix in (".html", ".htm", ".shtml"):
            trees.append(
                _tree(decode_bytes(path.read_bytes(), html=True)[0].removeprefix('<?xml version="1.0"?>'))
            )
    return trees


def test_crafted_tables_expand_as_before() -> None:
    root = _tree(CRAFTED_TABLES)
    tables = {t.get("id"): t for t in root.iter("table")}
    assert set(tables) == {"spans", "outer", "inner", "empty", "bodies"}
    for element in tables.values():
        assert expand_table(element, 3) == _old_expand_table(element, 3)
    assert _has_table(tables["outer"]) and not _has_table(tables["inner"])
    spans = expand_table(tables["spans"], 0)
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in spans.cells][:4] == [
        ("申请人\n情况", 0, 0, 3, 1),
        ("自然人", 0, 1, 1, 2),
        ("法人", 0, 3, 1, 2),
        ("商业 企业", 1, 1, 1, 1),
    ]
    assert spans.cells[6].text == "一、本年新收\n申请" and spans.cells[9].text == "ab\ntail"
    assert spans.cells[-1].text == "2 inside 3"  # a comment's text is a cell's text, as before
    outer = expand_table(tables["outer"], 0)
    assert [c.text for c in outer.cells] == ["外内12", "右", "下"]


def test_every_fixture_table_expands_as_before() -> None:
    count = 0
    for root in _fixture_trees():
        for element in root.iter("table"):
            assert expand_table(element, 0) == _old_expand_table(element, 0)
            for td in element.iter("td", "th"):
                assert cell_text(td) == _old_cell_text(td)
            count += 1
    assert count > 20


def test_elements_with_id_or_class_found_from_attributes() -> None:
    predicate = etree.XPath("descendant-or-self::*[@id or @class]")
    for root in _fixture_trees():
        for context in [root, *root.iter("div", "body", "table")]:
            fast, plain = _WITH_ID_OR_CLASS(context), predicate(context)
            assert len(fast) == len(plain) and all(a is b for a, b in zip(fast, plain, strict=True))


def test_content_and_title_from_one_index() -> None:
    for root in _fixture_trees():
        marked = _marked(root)
        assert find_content(root, marked) is find_content(root)
        assert page_title(root, marked, _METAS(root)) == page_title(root)


def test_meta_contents_are_what_the_path_selects() -> None:
    for root in _fixture_trees():
        metas = _METAS(root)
        for name in ("ArticleTitle", "PubDate", "ContentSource", "url", "pubdate", "Nothing"):
            path = f"//meta[@name='{name}']/@content"
            assert (
                _meta_contents(root, name, metas) == _strings(root, path) == _meta_contents(root, name, None)
            )
    crafted = _tree(CRAFTED_TABLES)
    assert _meta_contents(crafted, "PubDate", _METAS(crafted)) == ["", "2022-01-20"]
    assert _meta_contents(crafted, "ContentSource", _METAS(crafted)) == ["某某局"]


def _plain_twin(cls: type) -> Any:
    """The same record as a frozen dataclass with its generated `__init__`."""
    return dataclasses.make_dataclass(
        cls.__name__,
        [(f.name, f.type, f) for f in dataclasses.fields(cls)],
        frozen=True,
    )


RECORDS: list[tuple[type, tuple[Any, ...], dict[str, Any]]] = [
    (TableCell, ("商业\n企业", 1, 2), {"colspan": 3, "box": (1.0, 2.0, 3.0, 4.0)}),
    (RowView, (0, 4, (TableCell("a", 4, 0),), True), {"page": 2}),
    (CellRef, (1, "本年新收", "自然人"), {"locator": "table 2, row 3, column 2"}),
    (Fact, ("req.received", "natural_person", Decimal("5"), "5", "number", CellRef(1, "a", "b")), {}),
    (ParseIssue, ("short_row", "a message"), {"locator": "table 1"}),
    (Paragraph, (3, "一、总体情况"), {"page": 1}),
    (CheckResult, ("I1", "error", "fail", "", Decimal("3"), Decimal("4"), "3 ≠ 4"), {"cells": (("a", ""),)}),
]


@pytest.mark.parametrize(("cls", "args", "keywords"), RECORDS, ids=[r[0].__name__ for r in RECORDS])
def test_records_built_through_slot_setters_are_the_same(
    cls: type, args: tuple[Any, ...], keywords: dict[str, Any]
) -> None:
    assert "__slots__" in cls.__dict__ and not hasattr(cls(*args), "__dict__")
    twin = _plain_twin(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for made, plain in (
        (cls(*args), twin(*args)),
        (cls(*args, **keywords), twin(*args, **keywords)),
        (cls(**dict(zip(names, args, strict=False)), **keywords), twin(*args, **keywords)),
    ):
        values = tuple(getattr(made, name) for name in names)
        assert values == tuple(getattr(plain, name) for name in names)
        assert repr(made) == repr(plain)
        assert made == cls(*values) and hash(made) == hash(cls(*values))
        assert pickle.loads(pickle.dumps(made)) == made
        assert dataclasses.replace(made) == made
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.__setattr__(names[0], None)
    with pytest.raises(TypeError, match="missing"):
        cls()
    with pytest.raises(TypeError, match="unexpected keyword"):
        cls(*args, not_a_field=1)


def test_fixture_paths_exist() -> None:
    assert Path(FIXTURES / "reports").is_dir()
