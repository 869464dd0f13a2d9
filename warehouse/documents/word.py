"""Word (DOCX) building blocks shared by the summary and the comparison: page, fonts, headings, the official
grids with their merged cells, and plain tables. python-docx writes the file; nothing here reads data."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from warehouse.documents.layout import OfficialTable, Slot

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
CAPTION_FILL = "C6D9F1"
HEADER_FILL = "F2F2F2"
MARGIN_CM = 2.0
TEXT_WIDTH_TWIPS = 9600
"""A4 (21 cm) less two 2 cm margins is 17 cm = 9,638 twips; the template's tables are 9,740 wide."""
LANDSCAPE_WIDTH_TWIPS = 14400
"""29.7 cm less two 2 cm margins is 25.7 cm = 14,570 twips."""


def document(title: str, landscape: bool = False) -> DocxDocument:
    """A4 with 2 cm margins, the title as the first paragraph and in the file properties."""
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.page_width, section.page_height = section.page_height, section.page_width
        section.orientation = 1  # type: ignore[assignment]
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled(paragraph.add_run(title), TITLE_FONT, 18, bold=True)
    doc.core_properties.title = title
    doc.core_properties.author = "xxgk"
    return doc


def styled(run: object, font: str, size: float, *, bold: bool = False, color: str | None = None) -> None:
    target = run  # a docx Run
    target.font.name = font  # type: ignore[attr-defined]
    target.font.size = Pt(size)  # type: ignore[attr-defined]
    target.font.bold = bold  # type: ignore[attr-defined]
    if color:
        target.font.color.rgb = RGBColor.from_string(color)  # type: ignore[attr-defined]
    fonts = target._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), font)


def heading(doc: DocxDocument, text: str, size: float = 14) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.keep_with_next = True
    styled(paragraph.add_run(text), HEADING_FONT, size, bold=True)
    return paragraph


def text(doc: DocxDocument, body: str, *, size: float = 10.5, indent: bool = True) -> Paragraph:
    paragraph = doc.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(3)
    styled(paragraph.add_run(body), BODY_FONT, size)
    return paragraph


def shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _fixed(table: Table, widths: Sequence[int]) -> list[_Cell]:
    """Fixed column widths; returns the grid's cells in row-major order (one lookup for the whole table:
    python-docx's `table.cell(r, c)` walks every cell on each call)."""
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for index, column in enumerate(table.columns):
        column.width = Twips(widths[index])
    cells: list[_Cell] = list(table._cells)
    for index, cell in enumerate(cells):
        cell.width = Twips(widths[index % len(widths)])
    return cells


def scaled(widths: Sequence[int], total: int = TEXT_WIDTH_TWIPS) -> list[int]:
    whole = sum(widths)
    return [round(w * total / whole) for w in widths]


def write_cell(cell: _Cell, body: str, *, size: float = 10, center: bool = True, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    lines = body.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.font.size = Pt(size)  # the font itself is the document's (宋体, set on the Normal style)
        if bold:
            run.font.bold = True
        if index < len(lines) - 1:
            run.add_break()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def official_table(doc: DocxDocument, table: OfficialTable, shown: Callable[[Slot], str]) -> Table:
    """An official grid with its merged cells; `shown` gives the text of each value slot."""
    target: Table = doc.add_table(rows=table.n_rows, cols=table.n_cols)
    boxes = _fixed(target, scaled(table.widths))
    placed = table.placed()
    for item in placed:
        slot = item.slot
        cell = boxes[item.row * table.n_cols + item.col]
        body = shown(slot) if slot.is_value else slot.text
        write_cell(cell, body, center=not table.left_aligned(item))
        if slot.caption:
            shade(cell, CAPTION_FILL)
    for item in placed:
        slot = item.slot
        if slot.rowspan > 1 or slot.colspan > 1:
            last = boxes[(item.row + slot.rowspan - 1) * table.n_cols + item.col + slot.colspan - 1]
            boxes[item.row * table.n_cols + item.col].merge(last)
    return target


def plain_table(
    doc: DocxDocument,
    header: Sequence[str],
    body: Sequence[Sequence[str]],
    widths: Sequence[int],
    *,
    size: float = 9,
    colours: Sequence[str | None] | None = None,
    page_width: int = LANDSCAPE_WIDTH_TWIPS,
) -> Table:
    """A simple ruled table with a shaded header row; `colours` shades whole body rows."""
    target: Table = doc.add_table(rows=1 + len(body), cols=len(header))
    boxes = _fixed(target, scaled(widths, page_width))
    width = len(header)
    for index, name in enumerate(header):
        write_cell(boxes[index], name, size=size, bold=True)
        shade(boxes[index], HEADER_FILL)
    for r, values in enumerate(body, start=1):
        fill = colours[r - 1] if colours else None
        for c, content in enumerate(values):
            cell = boxes[r * width + c]
            write_cell(cell, content, size=size, center=False)
            if fill:
                shade(cell, fill)
    return target


def footer_note(doc: DocxDocument, note: str) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled(paragraph.add_run(note), BODY_FONT, 8)


def to_bytes(doc: DocxDocument, when: datetime) -> bytes:
    doc.core_properties.created = when
    doc.core_properties.modified = when
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
