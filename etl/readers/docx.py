"""Word (.docx) -> Document: body paragraphs and tables in reading order.

python-docx repeats a merged cell's text across its span (the v2021 template gives 三、本年度办理结果 in
22 rows); spans are rebuilt by comparing the underlying cell element, never the text, so two
neighbouring cells that happen to print the same value stay two cells. Line breaks inside cells are
kept. A table nested in a cell is read as a table of its own, after the table that holds it; a one-cell
table used only for layout gives up its contents as paragraphs and tables.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from etl.errors import UnreadableDocument
from etl.normalise import clean_text, one_line
from etl.records import Block, Document, Paragraph, Table, TableCell

TITLE_WORDS = ("报告", "报表")


def read_docx(path: str, data: bytes) -> Document:
    try:
        docx = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise UnreadableDocument(
            f"{Path(path).name} is not a readable Word file ({type(exc).__name__})"
        ) from None
    builder = _Blocks()
    builder.body(docx.element.body, docx)
    blocks = tuple(builder.blocks)
    title = first_title(blocks) or one_line(docx.core_properties.title or "")
    return Document(source=path, format="docx", encoding="", title=title, blocks=blocks)


class _Blocks:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables = 0

    def body(self, element: etree._Element, parent: object) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                self.paragraph(DocxParagraph(child, parent))  # type: ignore[arg-type]
            elif child.tag == qn("w:tbl"):
                self.table(DocxTable(child, parent))  # type: ignore[arg-type]
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.body(content, parent)

    def paragraph(self, paragraph: DocxParagraph) -> None:
        text = one_line(paragraph.text)
        if text:
            self.blocks.append(Paragraph(index=len(self.blocks), text=text))

    def table(self, table: DocxTable) -> None:
        rows = grid_rows(table)
        if len(rows) == 1 and len({id(c._tc) for c in rows[0]}) == 1:
            self.body(rows[0][0]._tc, rows[0][0])
            return
        self.blocks.append(expand(rows, self.tables))
        self.tables += 1
        for cell in unique_cells(rows):
            for nested in cell.tables:
                self.table(nested)


def grid_rows(table: DocxTable) -> list[list[_Cell]]:
    """Every row as its grid cells; a merged cell appears once per grid position it covers."""
    return [list(row.cells) for row in table.rows]


def unique_cells(rows: list[list[_Cell]]) -> Iterator[_Cell]:
    seen: set[int] = set()
    for row in rows:
        for cell in row:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                yield cell


def cell_text(cell: _Cell) -> str:
    return clean_text("\n".join(p.text for p in cell.paragraphs))


def expand(rows: list[list[_Cell]], index: int) -> Table:
    """Physical cells at their top-left grid position, spans counted over identical cell elements."""
    cells: list[TableCell] = []
    placed: set[int] = set()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            key = id(cell._tc)
            if key in placed:
                continue
            placed.add(key)
            colspan = 1
            while c + colspan < len(row) and row[c + colspan]._tc is cell._tc:
                colspan += 1
            rowspan = 1
            while (
                r + rowspan < len(rows)
                and c < len(rows[r + rowspan])
                and rows[r + rowspan][c]._tc is cell._tc
            ):
                rowspan += 1
            cells.append(TableCell(cell_text(cell), r, c, rowspan, colspan))
    n_cols = max((len(row) for row in rows), default=0)
    return Table(index=index, cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, aligned=True)


def first_title(blocks: tuple[Block, ...]) -> str:
    for block in blocks[:3]:
        if isinstance(block, Paragraph):
            text = block.text
            if any(word in text for word in TITLE_WORDS) and len(text) <= 80 and not text.endswith("。"):
                return text
    return ""
