"""A PDF's pages in reading order -> paragraphs and tables.

Text lines are joined into paragraphs (a paragraph ends at a short line or before an indented one; a
wrapped title centred under its first line continues it); ruled table parts that continue on the next
page are joined (etl/readers/pdf_join.py); tables rebuilt from word positions take their place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from etl.readers.pdf_grid import cluster
from etl.readers.pdf_join import continues, join_parts, regrid
from etl.readers.pdf_layout import Line, PageContent, Part
from etl.readers.pdf_text import Ambiguity
from etl.records import Block, Paragraph, Table, TableCell

SENTENCE_ENDS = ("。", "！", "？", "；", "：", ":", ";")


@dataclass(frozen=True)
class _Item:
    page: int
    top: float
    line: Line | None = None
    part: Part | None = None
    text_table: Table | None = None


def page_items(pages: list[PageContent]) -> list[_Item]:
    items: list[_Item] = []
    for page in pages:
        found = [_Item(page.number, line.top, line=line) for line in page.lines]
        found += [_Item(page.number, part.top, part=part) for part in page.parts]
        found += [_Item(page.number, text.top, text_table=text.table) for text in page.texts]
        items += sorted(found, key=lambda item: item.top)
    return items


def join_name(page: int) -> str:
    return f"join p{page}"


def page_blocks(
    pages: list[PageContent], flip: str | None = None
) -> tuple[tuple[Block, ...], list[Ambiguity]]:
    """The document's blocks, and the doubtful joins of table parts (`flip` joins the one of that name)."""
    builder = _BlockBuilder(margins=_margins(pages), flip=flip)
    for item in page_items(pages):
        if item.part is not None:
            builder.add_part(item.part)
        elif item.text_table is not None:
            builder.add_table(item.text_table)
        elif item.line is not None:
            builder.add_line(item.line)
    return tuple(builder.finish()), builder.doubtful


def _margins(pages: list[PageContent]) -> tuple[float, float]:
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return 0.0, 0.0
    return min(line.x0 for line in lines), max(line.x1 for line in lines)


@dataclass
class _OpenTable:
    cells: list[TableCell]
    n_rows: int
    last: Part
    first_page: int


class _BlockBuilder:
    def __init__(self, margins: tuple[float, float], flip: str | None = None) -> None:
        self.left, self.right = margins
        self.flip = flip
        self.doubtful: list[Ambiguity] = []
        self.blocks: list[Block] = []
        self.lines: list[Line] = []
        self.table: _OpenTable | None = None
        self.between: list[Line] = []
        self.tables = 0

    def add_line(self, line: Line) -> None:
        if self.table is not None:
            if line.page != self.table.last.page:
                self.between.append(line)
                return
            self._end_table()
        if self.lines and self._starts_paragraph(self.lines[-1], line):
            self._end_paragraph()
        self.lines.append(line)

    def _starts_paragraph(self, previous: Line, line: Line) -> bool:
        size = max(line.bottom - line.top, 6.0)
        short = previous.x1 < self.right - 1.5 * size
        if short and (previous.text.endswith(SENTENCE_ENDS) or previous.x1 < self.right - 6 * size):
            return True
        return line.x0 > self.left + 0.8 * size and not _centred_continuation(previous, line)

    def add_part(self, part: Part) -> None:
        self._end_paragraph()
        if self.table is not None and continues(self.table.last, part, self.between):
            xs = cluster((*self.table.last.xs, *part.xs))
            first = regrid(self.table.cells, self.table.last.xs, xs)
            rest = replace(part, cells=tuple(regrid(part.cells, part.xs, xs)), xs=xs)
            name = join_name(part.page)
            joined = join_parts(first, self.table.n_rows, rest, join_doubtful=self.flip == name)
            if joined.doubtful:
                why = f"the first row of the table on page {part.page} may end the row above it"
                self.doubtful.append(Ambiguity(name, why))
            self.table = _OpenTable(joined.cells, joined.n_rows, rest, self.table.first_page)
            return
        self._end_table()
        self.table = _OpenTable(list(part.cells), part.n_rows, part, part.page)

    def add_table(self, table: Table) -> None:
        self._end_paragraph()
        self._end_table()
        self.blocks.append(replace(table, index=self.tables))
        self.tables += 1

    def _end_paragraph(self) -> None:
        if not self.lines:
            return
        text = "".join(line.text for line in self.lines)
        self.blocks.append(Paragraph(index=len(self.blocks), text=text, page=self.lines[0].page))
        self.lines = []

    def _end_table(self) -> None:
        if self.table is None:
            return
        table, pending = self.table, self.between
        self.table, self.between = None, []
        self.blocks.append(
            Table(
                index=self.tables,
                cells=tuple(sorted(table.cells, key=lambda c: (c.row, c.col))),
                n_rows=table.n_rows,
                n_cols=len(table.last.xs) - 1,
                aligned=True,
                page=table.first_page,
            )
        )
        self.tables += 1
        for line in pending:
            self.add_line(line)

    def finish(self) -> list[Block]:
        self._end_table()
        self._end_paragraph()
        return self.blocks


def _centred_continuation(previous: Line, line: Line) -> bool:
    """A wrapped title: same font size, the second line centred under the first."""
    size = line.bottom - line.top
    same_size = abs((previous.bottom - previous.top) - size) <= 1
    centre = abs((previous.x0 + previous.x1) / 2 - (line.x0 + line.x1) / 2)
    return same_size and centre <= 0.5 * size and line.top - previous.bottom < 2 * size


def first_title(blocks: tuple[Block, ...]) -> str:
    for block in blocks[:3]:
        text = block.text if isinstance(block, Paragraph) else ""
        if "报告" in text and len(text) <= 80 and not text.endswith("。"):
            return text
    return ""
