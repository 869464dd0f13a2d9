"""Word (.docx) -> Document: body paragraphs and tables in reading order.

The body XML (word/document.xml) is walked directly with lxml; that is about five times faster than
going through python-docx's cell proxies and sees the same structure. Merged cells are rebuilt from
the markup (w:gridSpan, w:vMerge), never from repeated text, so two neighbouring cells that happen to
print the same value stay two cells (python-docx's `row.cells` repeats a merged cell across its span).
Line breaks inside cells are kept. A table nested in a cell is read as a table of its own, after the
table that holds it; a one-cell table used only for layout gives up its contents as blocks.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import cast

from lxml import etree

from etl.errors import UnreadableDocument
from etl.limits import MAX_NESTING_DEPTH, GridBudget
from etl.normalise import clean_text, one_line
from etl.readers.package import ZIP_ERRORS, check_package
from etl.records import Block, Document, Paragraph, Table, TableCell, new_paragraph, new_table_cell

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, TBL, TR, TC, SDT, SDT_CONTENT = (f"{W}{t}" for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
T, BR, CR, TAB, TCPR = (f"{W}{t}" for t in ("t", "br", "cr", "tab", "tcPr"))
VAL = f"{W}val"
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
"""A text box is written twice (DrawingML and a VML fallback); only the first copy is read."""
_MAIN_PART = re.compile(
    r'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)
DOCX_ERRORS: tuple[type[Exception], ...] = (*ZIP_ERRORS, etree.XMLSyntaxError)
TITLE_WORDS = ("报告", "报表")
COUNT_DIGITS = 9
_CORE_TITLE = re.compile(r"<dc:title>([^<]*)</dc:title>")


def read_docx(path: str, data: bytes) -> Document:
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            check_package(path, package)
            body_xml = package.read(main_part(package))
            core = package.read("docProps/core.xml") if "docProps/core.xml" in package.namelist() else b""
        root = etree.fromstring(body_xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except DOCX_ERRORS as exc:
        raise UnreadableDocument(
            f"{Path(path).name} is not a readable Word file ({type(exc).__name__})"
        ) from None
    for fallback in list(root.iter(FALLBACK)):
        parent = fallback.getparent()
        if parent is not None:
            parent.remove(fallback)
    body = root.find(f"{W}body")
    builder = _Blocks(GridBudget(path))
    if body is not None:
        builder.walk(body)
    blocks = tuple(builder.blocks)
    found = _CORE_TITLE.search(core.decode("utf-8", "replace"))
    title = first_title(blocks) or (one_line(found.group(1)) if found else "")
    return Document(source=path, format="docx", encoding="", title=title, blocks=blocks)


def main_part(package: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (word/document.xml almost always)."""
    if "_rels/.rels" in package.namelist():
        found = _MAIN_PART.search(package.read("_rels/.rels").decode("utf-8", "replace"))
        if found:
            return found.group(1) or found.group(2)
    return "word/document.xml"


def paragraph_text(p: etree._Element) -> str:
    parts = []
    for node in p.iter(T, BR, CR, TAB):
        if node.tag == T:
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == TAB else "\n")
    return "".join(parts)


@dataclass
class _Blocks:
    budget: GridBudget
    blocks: list[Block] = field(default_factory=list)
    tables: int = 0

    def walk(self, element: etree._Element, depth: int = 0) -> None:
        MAX_NESTING_DEPTH.check(self.budget.path, depth, "content controls and tables inside each other")
        for child in element:
            if child.tag == P:
                text = one_line(paragraph_text(child))
                if text:
                    self.blocks.append(new_paragraph(len(self.blocks), text))
            elif child.tag == TBL:
                self.table(child, depth + 1)
            elif child.tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.walk(content, depth + 1)

    def table(self, element: etree._Element, depth: int) -> None:
        grid = table_grid(element, self.budget)
        if len(grid.cells) == 1:
            self.walk(grid.elements[0], depth)
            return
        self.blocks.append(
            Table(
                index=self.tables,
                cells=tuple(grid.cells),
                n_rows=grid.n_rows,
                n_cols=max((c.col + c.colspan for c in grid.cells), default=0),
                aligned=True,
            )
        )
        self.tables += 1
        nested = cast(list[etree._Element], _NESTED(element))
        if nested:  # rarely: each cell's whole subtree was walked to find them
            owners = set(grid.elements)
            for table in nested:
                if table.getparent() in owners:
                    self.table(table, depth + 1)


@dataclass
class Grid:
    cells: list[TableCell] = field(default_factory=list)
    elements: list[etree._Element] = field(default_factory=list)
    n_rows: int = 0


GRID_SPAN, V_MERGE, H_MERGE = f"{W}gridSpan", f"{W}vMerge", f"{W}hMerge"


_NS = {"w": W[1:-1]}
_CELL_PROPERTIES = etree.XPath(
    " | ".join(f"w:tr/w:tc/w:tcPr[1]/w:{name}[1]" for name in ("gridSpan", "vMerge", "hMerge")),
    namespaces=_NS,
)
"""The properties `table_grid` reads of the table's own cells (not a nested table's), the first of each
in a cell's first w:tcPr: one XPath call a table instead of a `find` path search (≈ 4 µs) a cell, since
most cells have none of them."""
_GRID_BEFORE = etree.XPath("w:tr/w:trPr/w:gridBefore", namespaces=_NS)
_NESTED = etree.XPath("w:tr/w:tc/w:tbl", namespaces=_NS)
"""The tables inside the table's own cells, in document order: the order of their cells in the grid."""


def _table_properties(table: etree._Element) -> dict[etree._Element, dict[object, etree._Element]]:
    """The properties `table_grid` reads (w:gridSpan, w:vMerge, w:hMerge: the first of each among the
    children of a cell's first w:tcPr) by tag, for every cell of the table that has any, by cell; a cell
    missing here has none of them. lxml hands out one proxy a node while any reference to it lives, so
    the cells found here are the ones the rows' iteration gives."""
    found: dict[etree._Element, dict[object, etree._Element]] = {}
    for element in cast(list[etree._Element], _CELL_PROPERTIES(table)):
        tc = cast(etree._Element, cast(etree._Element, element.getparent()).getparent())
        found.setdefault(tc, {}).setdefault(element.tag, element)
    return found


def _grid_before(table: etree._Element) -> dict[etree._Element, etree._Element]:
    """What `tr.find("w:trPr/w:gridBefore")` finds, for every row of the table that has one (the first in
    document order), from one XPath call a table."""
    found: dict[etree._Element, etree._Element] = {}
    for element in cast(list[etree._Element], _GRID_BEFORE(table)):
        found.setdefault(cast(etree._Element, cast(etree._Element, element.getparent()).getparent()), element)
    return found


def _int_value(element: etree._Element | None, default: int) -> int:
    """A w:val count; more digits than any count has read as a number too large for every limit."""
    value = element.get(VAL) if element is not None else None
    if not value or not value.isascii() or not value.isdigit():
        return default
    return int(value) if len(value) <= COUNT_DIGITS else 10**COUNT_DIGITS


def _continues(merge: etree._Element | None) -> bool:
    """A w:vMerge / w:hMerge without val="restart" continues the cell before it."""
    return merge is not None and merge.get(VAL) != "restart"


def cell_text(tc: etree._Element) -> str:
    return clean_text("\n".join([paragraph_text(p) for p in tc if p.tag == P]))


def table_grid(table: etree._Element, budget: GridBudget) -> Grid:
    """Physical cells at their top-left grid position; a w:vMerge continuation grows the cell above.
    Each cell's columns are counted against the limits before it is placed."""
    grid = Grid()
    above: dict[int, int] = {}
    rows = [row for row in table if row.tag == TR]
    budget.start_table(len(rows))
    cell_properties = _table_properties(table)
    grid_before = _grid_before(table)
    for r, tr in enumerate(rows):
        col = _int_value(grid_before.get(tr), 0)
        budget.place(0, 1, col)
        current: dict[int, int] = {}
        left: int | None = None
        """The cell of `current`'s highest column (the last placed: columns only grow along a row)."""
        for tc in tr.iterchildren(TC):
            properties = cell_properties.get(tc)
            if properties is None:  # most cells: one column, merging nothing
                span, grown = 1, None
                budget.place(col, 1, 1)
            else:
                span = max(1, _int_value(properties.get(GRID_SPAN), 1))
                budget.place(col, 1, span)
                grown = _grow(grid, properties, left, above.get(col), span, r)
            if grown is None:
                grown = len(grid.cells)
                grid.cells.append(new_table_cell(cell_text(tc), r, col, 1, span))
                grid.elements.append(tc)
            left = current[col] = grown
            col += span
        above = current
        grid.n_rows = r + 1
    return grid


def _grow(
    grid: Grid,
    properties: dict[object, etree._Element],
    left: int | None,
    owner: int | None,
    span: int,
    row: int,
) -> int | None:
    """The cell a merge continuation grows, grown by it: `left` (the row's last cell) by `span` columns for
    w:hMerge, `owner` (the cell above) down to `row` for w:vMerge; None when the cell starts a new one."""
    if _continues(properties.get(H_MERGE)) and left is not None:
        cell = grid.cells[left]
        grid.cells[left] = TableCell(cell.text, cell.row, cell.col, cell.rowspan, cell.colspan + span)
        return left
    if _continues(properties.get(V_MERGE)) and owner is not None:
        cell = grid.cells[owner]
        grid.cells[owner] = TableCell(cell.text, cell.row, cell.col, row - cell.row + 1, cell.colspan)
        return owner
    return None


def first_title(blocks: tuple[Block, ...]) -> str:
    for block in blocks[:3]:
        if isinstance(block, Paragraph):
            text = block.text
            if any(word in text for word in TITLE_WORDS) and len(text) <= 80 and not text.endswith("。"):
                return text
    return ""
