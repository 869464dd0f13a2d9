"""The parser's CPU, eighth pass (issue12wp): each fast form against the plain one it replaces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from etl.catalogue import metrics
from etl.decode import decode_bytes
from etl.errors import UnreadableDocument
from etl.extract import extract_new, table_rows
from etl.extract.layout import (
    MIN_APPLICANT_COLUMNS,
    FoldedText,
    applicant_columns,
    document_rows,
    table3_rows,
)
from etl.extract.rows import FactCollector, fact_codes
from etl.extract.table3 import settle_group_rows
from etl.normalise import fold
from etl.readers import read_document
from etl.readers.html import _parse
from etl.records import Document, RowView, Table, TableCell, new_cell_ref
from etl.templates import TEMPLATE_SPECS, _old_wanted, detect_template, template_of_text
from tests.conftest import FIXTURES

REF = new_cell_ref(0, "row", "column")
CODES = st.sampled_from(
    [
        "req.received",
        "req.carried_in",
        "req.granted",
        "v2019.regulations.made",
        "review.upheld",
        "text.requests.received",
        "old.section.proactive",
    ]
)
BREAKDOWNS = st.sampled_from(["", "total", "natural_person", "commercial", "legal_subtotal"])
KEYS = st.lists(st.tuples(CODES, BREAKDOWNS), max_size=30)


def _documents(*suffixes: str) -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in suffixes)


def _read(path: Path) -> Document | None:
    try:
        return read_document(str(path), path.read_bytes())
    except Exception:  # unreadable fixtures are other tests' business
        return None


def _collector(keys: list[tuple[str, str]]) -> FactCollector:
    collector = FactCollector()
    for code, breakdown in keys:
        collector.add(code, breakdown, "1", REF)
    return collector


@given(KEYS)
def test_fact_codes_are_what_each_step_found_by_its_own_pass(keys: list[tuple[str, str]]) -> None:
    facts = _collector(keys).facts
    codes = fact_codes(facts)
    assert codes.present == {code for code, _ in facts}
    assert codes.table_codes == {code for code, _ in facts if not code.startswith(("text.", "old.section."))}
    assert codes.table_cells == sum(not code.startswith(("text.", "old.section.")) for code, _ in facts)
    assert codes.req_breakdowns == {b for code, b in facts if code.startswith("req.")}


@given(KEYS, KEYS)
def test_a_collectors_codes_follow_its_facts(
    first: list[tuple[str, str]], then: list[tuple[str, str]]
) -> None:
    collector = _collector(first)
    assert collector.codes() == fact_codes(collector.facts)
    for code, breakdown in then:
        collector.add(code, breakdown, "2", REF)
        assert collector.codes() == fact_codes(collector.facts)
    for cell in list(collector.facts)[::2]:
        collector.discard(cell)
        assert collector.codes() == fact_codes(collector.facts)
    if collector.facts:  # a fact put into `facts` directly is seen too
        collector.facts[("req.partial", "")] = next(iter(collector.facts.values()))
        assert collector.codes() == fact_codes(collector.facts)


def test_document_rows_are_made_once_and_are_table3_rows_of_the_codes() -> None:
    seen = 0
    for path in _documents(".htm", ".html", ".docx", ".txt"):
        document = _read(path)
        template = detect_template(document) if document is not None else None
        if document is None or template not in ("v2019", "v2021"):
            continue
        collector = FactCollector()
        extract_new(template, table_rows(document), collector)
        settle_group_rows(collector)
        text = FoldedText(document.plain_text())
        present = {code for code, _ in collector.facts}
        unread = any(issue.code in ("unknown_row", "short_row") for issue in collector.issues)
        rows = document_rows(template, collector, text)
        assert rows == table3_rows(template, present, text, unread)
        collector.add("text.requests.received", "", "3", REF)  # what the narrative adds in between
        assert document_rows(template, collector, text) is rows
        other = FoldedText(document.plain_text())
        assert document_rows(template, collector, other) == rows  # another text: made again
        breakdowns = {b for code, b in collector.facts if code.startswith("req.")}
        assert applicant_columns(collector) == max(len(breakdowns), MIN_APPLICANT_COLUMNS)
        seen += 1
    assert seen >= 5


def _plain_template(document: Document) -> str | None:
    """`detect_template` as it was: every cell folded and joined."""
    cells = "|".join([fold(cell.text) for table in document.tables for cell in table.cells])
    found = template_of_text(cells)
    if found is not None:
        return found
    return template_of_text("|".join(fold(p.text) for p in document.paragraphs))


def test_template_detection_over_distinct_texts_is_the_plain_detection() -> None:
    markers = {
        m
        for s in TEMPLATE_SPECS.values()
        for m in (
            *s.detection.markers,
            *s.detection.shared_markers,
            *s.detection.weak_markers,
            *s.detection.requires,
        )
    }
    assert markers and not any("|" in m for m in markers)
    documents = [d for p in _documents(".htm", ".html", ".docx", ".txt") if (d := _read(p)) is not None]
    assert len(documents) >= 20
    for document in documents:
        assert detect_template(document) == _plain_template(document)


def test_the_old_tables_wanted_codes_are_the_catalogues() -> None:
    plain = tuple(
        m.code for m in metrics().values() if "old" in m.templates and not m.code.startswith("old.section")
    )
    assert _old_wanted(FactCollector(), "") == plain


def _plain_parse(text: str) -> bytes | str:
    """`readers.html._parse` as it was (the text handed to lxml as a str), as bytes or its error."""
    import re

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = etree.fromstring(text, etree.HTMLParser())
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as exc:
        return f"not parseable as HTML ({exc})"
    return etree.tostring(root)


def _parsed(text: str) -> bytes | str:
    try:
        return etree.tostring(_parse(text))
    except UnreadableDocument as exc:
        return str(exc)


HTML_PARTS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<td>",
        "<table>",
        "<br>",
        "<!-- c -->",
        "<?xml version='1.0'?>",
        "<?xml  encoding='gbk'?>",
        "<meta charset='gbk'>",
        "<meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>",
        "&amp;",
        "&#0;",
        "中文",
        "é",
        "\U0001f600",
        "\ud800",
        "\x00",
        "\ufeff",
        " ",
        "\n",
        "x",
    ]
)


@given(st.lists(HTML_PARTS, max_size=12).map("".join))
def test_a_page_parsed_from_its_utf8_is_the_page_parsed_from_the_str(text: str) -> None:
    assert _parsed(text) == _plain_parse(text)


def test_every_fixture_page_parses_to_the_same_tree() -> None:
    pages = _documents(".htm", ".html")
    assert len(pages) >= 5
    for path in pages:
        text, _ = decode_bytes(path.read_bytes(), html=True)
        assert _parsed(text) == _plain_parse(text)


def _plain_row_views(table: Table) -> list[RowView]:
    """`Table.row_views` as it was: every row read off the grid."""
    views = []
    for r, line in enumerate(table.grid()):
        seen = tuple({id(cell): cell for cell in line if cell is not None}.values())
        pages = [c.page for c in seen if c.row == r and c.page is not None]
        views.append(RowView(table.index, r, seen, table.aligned, min(pages) if pages else table.page))
    return views


CELLS = st.lists(
    st.builds(
        TableCell,
        text=st.sampled_from(["", "1", "a"]),
        row=st.integers(-1, 4),
        col=st.integers(-1, 4),
        rowspan=st.sampled_from([1, 1, 1, 2]),
        colspan=st.sampled_from([1, 1, 1, 2]),
        page=st.sampled_from([None, None, 1, 2]),
    ),
    max_size=16,
)


@given(CELLS, st.integers(0, 4), st.integers(0, 4), st.sampled_from([None, 3]))
def test_row_views_without_the_grid_are_the_grids(
    cells: list[TableCell], n_rows: int, n_cols: int, page: int | None
) -> None:
    table = Table(index=0, cells=tuple(cells), n_rows=n_rows, n_cols=n_cols, page=page)
    assert _outcome(lambda: list(table.row_views())) == _outcome(lambda: _plain_row_views(table))


def _outcome(views: Callable[[], list[RowView]]) -> list[RowView] | str:
    """The views, or the error they raise (a negative place indexes the grid from its end)."""
    try:
        return views()
    except IndexError as error:
        return f"IndexError: {error}"


@given(st.integers(1, 5), st.integers(1, 5), st.sampled_from([None, 2]))
def test_row_views_of_a_plain_grid_are_the_grids(n_rows: int, n_cols: int, page: int | None) -> None:
    cells = tuple(
        TableCell(str(r * n_cols + c), r, c, 1, 1, page) for r in range(n_rows) for c in range(n_cols)
    )
    table = Table(index=1, cells=cells, n_rows=n_rows, n_cols=n_cols)
    assert table._lines() is not None
    assert list(table.row_views()) == _plain_row_views(table)
