"""A report as a Word file, the way agencies type it: merged cells, a narrow first column that prints
the rowspan label one character per line, narrow applicant columns that break headers mid-word, line
breaks inside cells and a page footer `- N -`.
"""

from __future__ import annotations

import io
import random

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from xxgk.samples.model import Cell, Document, Para, Row, Table
from xxgk.samples.office import reproducible_zip
from xxgk.samples.quirks import OFFICE_QUIRKS

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TEXT_WIDTH_CM = 15.5
FOOTER_FIELD = '<w:fldSimple {} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
FILLER = (
    "本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "围绕中心工作，不断完善政府信息公开工作机制，规范依申请公开办理流程，提升政务公开质量和实效。"
)


def grid_positions(rows: tuple[Row, ...]) -> tuple[list[tuple[int, int, Cell]], int]:
    """(row, column, cell) of every physical cell, rowspans and colspans laid out as HTML does."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, Cell]] = []
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return placed, width


def column_widths(table: Table, width: int) -> list[float]:
    """Narrow value columns, as Word gives a 9-column table on an A4 page."""
    if table.name == "t3":
        label = TEXT_WIDTH_CM - 1.0 * (width - 3) - 0.8 - 1.4
        return [0.8, 1.4, label] + [1.0] * (width - 3)
    if table.name == "t4":
        return [TEXT_WIDTH_CM / width] * width
    if table.name == "old":
        return [10.5, 1.5, 3.5][:width] + [2.0] * max(0, width - 3)
    return [5.5] + [(TEXT_WIDTH_CM - 5.5) / max(1, width - 1)] * (width - 1)


def set_font(paragraph: DocxParagraph, name: str, size: float, bold: bool = False) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = name
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), name)


def write_cell(box: _Cell, cell: Cell) -> None:
    box.text = cell.text.strip(" ") if cell.fact is None else cell.text
    box.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for paragraph in box.paragraphs:
        if cell.fact is not None or cell.header:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph, BODY_FONT, 9 if cell.header else 10)


def add_table(docx: object, table: Table) -> None:
    placed, width = grid_positions(table.rows)
    target: DocxTable = docx.add_table(rows=len(table.rows), cols=width)  # type: ignore[attr-defined]
    target.style = "Table Grid"
    target.autofit = False
    boxes = target._cells
    widths = column_widths(table, width)
    for index, box in enumerate(boxes):
        box.width = Cm(widths[index % width])
    for r, c, cell in placed:
        write_cell(boxes[r * width + c], cell)
    for r, c, cell in placed:
        if cell.rowspan > 1 or cell.colspan > 1:
            last = boxes[(r + cell.rowspan - 1) * width + c + cell.colspan - 1]
            boxes[r * width + c].merge(last)


def add_para(docx: object, para: Para) -> None:
    paragraph: DocxParagraph = docx.add_paragraph()  # type: ignore[attr-defined]
    lines = para.text.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()
    if para.kind in ("heading", "subheading"):
        set_font(paragraph, HEADING_FONT, 14 if para.kind == "heading" else 12, bold=True)
    elif para.kind == "meta":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph, BODY_FONT, 12)
    elif para.kind == "sign":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_font(paragraph, BODY_FONT, 12)
    else:
        paragraph.paragraph_format.first_line_indent = Pt(24)
        set_font(paragraph, BODY_FONT, 12)


def add_footer(docx: object) -> None:
    footer = docx.sections[0].footer  # type: ignore[attr-defined]
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("- ")
    paragraph._p.append(parse_xml(FOOTER_FIELD.format(nsdecls("w"))))
    paragraph.add_run(" -")


def render_docx(doc: Document, rng: random.Random) -> tuple[bytes, set[str]]:
    """The report as DOCX bytes, and the quirks it carries. Long narrative pushes table 三 across a page."""
    docx = new_docx()
    section = docx.sections[0]
    section.left_margin = section.right_margin = Cm(2.7)
    quirks = {*OFFICE_QUIRKS, *({"br_in_header"} & doc.plan.flags)}
    if doc.title:
        title = docx.add_paragraph(doc.title)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(title, "方正小标宋简体", 20)
    filler = rng.randint(2, 6)
    for block in doc.blocks:
        if isinstance(block, Table):
            add_table(docx, block)
            docx.add_paragraph()
        else:
            add_para(docx, block)
            if block.kind == "heading" and block.text.startswith("二") and doc.plan.new:
                for _ in range(filler):
                    add_para(docx, Para(FILLER))
    add_footer(docx)
    docx.core_properties.title = doc.title or ""
    docx.core_properties.author = doc.plan.agency.name
    out = io.BytesIO()
    docx.save(out)
    return reproducible_zip(out.getvalue()), quirks
