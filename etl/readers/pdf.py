"""PDF with a text layer (printed from Word or WPS) -> Document.

Tables are rebuilt from their ruling lines (pdfplumber), so a rowspan label printed one character per
line, a label wrapped over three lines or a header broken mid-word ("商业企\\n业") stays inside its cell.
Cell edges become grid lines: every cell gets its row, column and spans, merged cells once.
Repairs done here, before extraction:
- a table that runs onto the next page is joined to its first part; a repeated header is dropped, a row
  broken across the page joins its first half, and rowspan labels continue over the page break;
- page footers ("- 4 -", "第 4 页", "4 / 6") are dropped;
- text lines are joined into paragraphs (a paragraph ends at a short line or before an indented one);
- CJK radicals and compatibility ideographs (⼊ U+2F0A) are NFKC-normalised.
A PDF without a text layer (a scan) or with a garbled one raises NeedsOcr: etl/ocr reads it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from etl.errors import NeedsOcr, UnreadableDocument
from etl.normalise import clean_text
from etl.ocr.detect import garbage_text_layer
from etl.readers.pdf_text import TextTable, Word, WordLine, text_tables, word_lines
from etl.records import Block, Document, Paragraph, Table, TableCell
from etl.values import parse_value

EDGE_TOLERANCE = 2.0
MIN_CHARS_PER_PAGE = 10
MAX_ALTERNATIVES = 6
FOOTER_ZONE = 0.88
HEADER_ZONE = 0.08
SENTENCE_ENDS = ("。", "！", "？", "；", "：", ":", ";")
_FOOTER = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3}"
    r"|(?:page\s*)?\d{1,3}\s*of\s*\d{1,3})$",
    re.IGNORECASE,
)
_RADICALS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])"
)
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def normalise_chars(text: str) -> str:
    """Kangxi and supplementary radicals, compatibility ideographs -> the ordinary hanzi."""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int


@dataclass(frozen=True)
class Part:
    """A table as found on one page: grid cells, column edges and where it sits."""

    cells: tuple[TableCell, ...]
    xs: tuple[float, ...]
    n_rows: int
    page: int
    top: float
    bottom: float


@dataclass(frozen=True)
class PageContent:
    number: int
    height: float
    lines: tuple[Line, ...]
    parts: tuple[Part, ...]
    chars: int
    words: tuple[WordLine, ...] = ()
    """Word lines of a page without ruled tables, for rebuilding tables printed without lines."""
    texts: tuple[TextTable, ...] = ()


def read_pdf(path: str, data: bytes) -> Document:
    pages = list(read_pages(path, data))
    if sum(page.chars for page in pages) < MIN_CHARS_PER_PAGE * max(1, len(pages)):
        raise NeedsOcr(f"{Path(path).name} has no text layer (a scanned or image-only PDF): needs OCR")
    if garbage_text_layer(" ".join(line.text for page in pages for line in page.lines)):
        raise NeedsOcr(f"{Path(path).name} has a text layer that is not readable text: needs OCR")
    rebuilt, ambiguous = rebuild_unruled(pages)
    blocks, doubtful = page_blocks(drop_running_lines(rebuilt))
    alternatives = tuple(
        (why, page_blocks(drop_running_lines(rebuild_unruled(pages, flip)[0]))[0])
        for flip, why in enumerate(ambiguous[:MAX_ALTERNATIVES])
    ) + tuple(
        (why, page_blocks(drop_running_lines(rebuilt), flip)[0])
        for flip, why in enumerate(doubtful[:MAX_ALTERNATIVES])
    )
    return Document(
        source=path,
        format="pdf",
        encoding="",
        title=first_title(blocks),
        blocks=blocks,
        meta=(("pages", str(len(pages))),),
        alternatives=alternatives,
    )


def read_pages(path: str, data: bytes) -> Iterator[PageContent]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                yield read_page(page, number)
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise UnreadableDocument(f"{Path(path).name} is not a readable PDF ({type(exc).__name__})") from None


def read_page(page: Any, number: int) -> PageContent:
    page = page.dedupe_chars()
    found = [t for t in page.find_tables(TABLE_SETTINGS) if _is_grid(t)]
    parts = tuple(table_part(t, number) for t in found)
    boxes = [t.bbox for t in found]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    lines = tuple(
        Line(_line_text(line["text"]), line["x0"], line["x1"], line["top"], line["bottom"], number)
        for line in outside.extract_text_lines(return_chars=False)
    )
    body = tuple(line for line in lines if line.text and not is_footer(line, page.height))
    words: tuple[WordLine, ...] = ()
    if not parts and body:
        found_words = [
            Word(normalise_chars(w["text"]), w["x0"], w["x1"], w["top"], w["bottom"])
            for w in page.extract_words()
        ]
        words = tuple(
            line
            for line in word_lines(found_words, number, 0.0)
            if not is_footer(_as_line(line), page.height)
        )
    return PageContent(number, page.height, body, parts, len(page.chars), words)


def _as_line(line: WordLine) -> Line:
    text = _line_text(" ".join(w.text for w in line.words))
    return Line(text, line.x0, line.x1, line.top, line.top + line.height, line.page)


def _continuous(pages: list[PageContent]) -> list[WordLine]:
    """Word lines on one axis where the next page's first line follows the last line of the page before,
    so a label that runs over a page break is as close to its values as on one page."""
    lines: list[WordLine] = []
    for page in pages:
        if not page.words:
            continue
        offset = 0.0
        if lines:
            last = lines[-1]
            offset = last.y + 1.5 * last.height - page.words[0].top
        lines += [replace(line, y=line.top + offset) for line in page.words]
    return lines


def rebuild_unruled(pages: list[PageContent], flip: int | None = None) -> tuple[list[PageContent], list[str]]:
    """Pages without ruled tables whose lines end in values: their tables are rebuilt from words.
    Also returns the ambiguous label placements (see `text_tables`)."""
    unruled = [page for page in pages if page.words]
    right = max((line.x1 for page in unruled for line in page.words), default=0.0)
    reading = text_tables(_continuous(unruled), right, flip)
    paragraph_lines, tables = reading.paragraphs, reading.tables
    if not tables:
        return pages, []
    rebuilt = []
    for page in pages:
        if not page.words:
            rebuilt.append(page)
            continue
        kept = tuple(_as_line(line) for line in paragraph_lines if line.page == page.number)
        texts = tuple(table for table in tables if table.page == page.number)
        rebuilt.append(replace(page, lines=kept, texts=texts))
    return rebuilt, reading.ambiguous


def _is_grid(table: Any) -> bool:
    return max((len(row.cells) for row in table.rows), default=0) >= 2


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _line_text(text: str) -> str:
    return _SPACE_NEAR_CJK.sub("", normalise_chars(clean_text(text)))


def is_footer(line: Line, height: float) -> bool:
    return line.top > height * FOOTER_ZONE and bool(_FOOTER.match(line.text.replace(" ", "")))


def drop_running_lines(pages: list[PageContent]) -> list[PageContent]:
    """Running headers and footers: the same line (page numbers aside) at the top or bottom of 2+ pages."""

    def key(line: Line, height: float) -> str | None:
        in_margin = line.top < height * HEADER_ZONE or line.top > height * FOOTER_ZONE
        return re.sub(r"\d+", "#", line.text) if in_margin else None

    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            found = key(line, page.height)
            if found is not None:
                seen.setdefault(found, set()).add(page.number)
    running = {text for text, numbers in seen.items() if len(numbers) >= 2}
    if not running:
        return pages
    return [
        replace(page, lines=tuple(line for line in page.lines if key(line, page.height) not in running))
        for page in pages
    ]


# --- tables ---------------------------------------------------------------------------------------


def cluster(values: Iterable[float]) -> tuple[float, ...]:
    """Coordinates that differ by less than the tolerance are one grid line."""
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > EDGE_TOLERANCE:
            edges.append(value)
    return tuple(edges)


def index_of(edges: tuple[float, ...], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def table_part(table: Any, page: int) -> Part:
    boxes = [cell for row in table.rows for cell in row.cells if cell is not None]
    texts = [text for row in table.extract() for text in row]
    placed = [(box, text) for box, text in zip(_cells_in_order(table), texts, strict=True) if box is not None]
    xs = cluster(v for box in boxes for v in (box[0], box[2]))
    ys = cluster(v for box in boxes for v in (box[1], box[3]))
    cells = []
    for (x0, top, x1, bottom), text in placed:
        row, col = index_of(ys, top), index_of(xs, x0)
        cells.append(
            TableCell(
                text=normalise_chars(clean_text(text or "")),
                row=row,
                col=col,
                rowspan=max(1, index_of(ys, bottom) - row),
                colspan=max(1, index_of(xs, x1) - col),
                page=page,
            )
        )
    x0, top, x1, bottom = table.bbox
    return Part(tuple(cells), xs, len(ys) - 1, page, top, bottom)


def _cells_in_order(table: Any) -> list[tuple[float, float, float, float] | None]:
    return [cell for row in table.rows for cell in row.cells]


def continues(previous: Part, part: Part, between: list[Line]) -> bool:
    """`part` is the rest of `previous` on the next page: same outer edges, one set of column edges
    inside the other (a part may lack an edge that none of its rows uses) and no text between them."""
    small, large = sorted((previous.xs, part.xs), key=len)
    return (
        part.page == previous.page + 1
        and not between
        and abs(small[0] - large[0]) <= 3 * EDGE_TOLERANCE
        and abs(small[-1] - large[-1]) <= 3 * EDGE_TOLERANCE
        and all(abs(large[index_of(large, x)] - x) <= 3 * EDGE_TOLERANCE for x in small)
    )


def regrid(cells: Iterable[TableCell], old: tuple[float, ...], new: tuple[float, ...]) -> list[TableCell]:
    """Cells placed on the column edges `old`, moved onto the finer edges `new`."""
    moved = []
    for cell in cells:
        col = index_of(new, old[cell.col])
        end = index_of(new, old[min(cell.col + cell.colspan, len(old) - 1)])
        moved.append(replace(cell, col=col, colspan=max(1, end - col)))
    return moved


def _row(cells: Iterable[TableCell], row: int) -> list[TableCell]:
    return sorted((c for c in cells if c.row <= row < c.row + c.rowspan), key=lambda c: c.col)


def _is_number(cell: TableCell) -> bool:
    return parse_value(cell.text).semantic in ("number", "zero")


@dataclass(frozen=True)
class Joined:
    cells: list[TableCell]
    n_rows: int
    doubtful: bool = False
    """The first row of the continuation may or may not finish the row above (see `_is_broken_row`)."""


def join_parts(first: list[TableCell], n_rows: int, part: Part, join_doubtful: bool = False) -> Joined:
    """The cells of `first` (n_rows rows) followed by those of the continuation `part`.

    A first row that may be the end of a row broken by the page, or a row of its own, is kept as a row
    of its own unless `join_doubtful`; the result says it was doubtful so the caller can try both."""
    rest = _drop_repeated_header(first, list(part.cells))
    cells = list(first)
    if not rest:
        return Joined(cells, n_rows)
    doubtful = _may_be_broken_row(first, n_rows, rest) and not _is_broken_row(first, n_rows, rest)
    if _is_broken_row(first, n_rows, rest) or (doubtful and join_doubtful):
        cells, rest = _join_broken_row(cells, n_rows, rest)
    elif _is_broken_header(first, n_rows, rest):
        cells, rest = _join_broken_header(cells, n_rows, rest)
    cells, rest = _continue_spans(cells, n_rows, rest)
    top = min(c.row for c in rest) if rest else 0
    shifted = [replace(c, row=c.row - top + n_rows) for c in rest]
    rows = max((c.row + c.rowspan for c in shifted), default=n_rows)
    return Joined(cells + shifted, rows, doubtful)


def _texts(cells: list[TableCell], row: int) -> list[str]:
    return [c.text for c in cells if c.row == row]


def _drop_repeated_header(first: list[TableCell], rest: list[TableCell]) -> list[TableCell]:
    row = 0
    while (
        _texts(rest, row)
        and _texts(rest, row) == _texts(first, row)
        and not any(_is_number(c) for c in rest if c.row == row)
    ):
        row += 1
    if row == 0:
        return rest
    return [replace(c, row=c.row - row) for c in rest if c.row >= row]


def _first_value_column(cells: list[TableCell]) -> int:
    return min((c.col for c in cells if _is_number(c)), default=10**6)


def _may_be_broken_row(first: list[TableCell], n_rows: int, rest: list[TableCell]) -> bool:
    """Word lets a row break across pages: its label ends at the top of the next page, no values.
    Such a fragment has the same cells as the row above, text, no number and no item number."""
    head = [c for c in rest if c.row == 0]
    last = _row(first, n_rows - 1)
    return (
        {(c.col, c.colspan) for c in head} == {(c.col, c.colspan) for c in last}
        and any(c.text for c in head)
        and not any(_is_number(c) for c in head)
        and not any(_NUMBERED.match(c.text) for c in head if c.text)
    )


def _is_broken_row(first: list[TableCell], n_rows: int, rest: list[TableCell]) -> bool:
    """Certainly a fragment: the row above has numbers or a numbered label (a row of its own would be
    numbered too)."""
    last = _row(first, n_rows - 1)
    texts = [c.text for c in last if c.text and not _is_number(c)]
    return _may_be_broken_row(first, n_rows, rest) and (
        any(_is_number(c) for c in last) or any(_NUMBERED.match(t) for t in texts[-1:])
    )


def _join_broken_row(
    cells: list[TableCell], n_rows: int, rest: list[TableCell]
) -> tuple[list[TableCell], list[TableCell]]:
    last = _row(cells, n_rows - 1)
    for piece in (c for c in rest if c.row == 0 and c.text):
        owner = next((c for c in last if c.col <= piece.col < c.col + c.colspan), None)
        if owner is not None:
            cells[cells.index(owner)] = replace(owner, text=f"{owner.text}\n{piece.text}")
    remaining = []
    for cell in rest:
        if cell.row > 0:
            remaining.append(cell)
        elif cell.rowspan > 1:
            remaining.append(replace(cell, row=1, rowspan=cell.rowspan - 1, text=""))
    return cells, remaining


def _is_broken_header(first: list[TableCell], n_rows: int, rest: list[TableCell]) -> bool:
    """Header rows (no numbers) on both sides of the page break: cells in the same columns are one."""
    head = [c for c in rest if c.row == 0]
    last = _row(first, n_rows - 1)
    return (
        any(c.text for c in head)
        and all(_is_words(c) for c in last)
        and all(_is_words(c) or not c.text for c in head)
        and not any(_NUMBERED.match(c.text) for c in head)
    )


def _is_words(cell: TableCell) -> bool:
    return parse_value(cell.text).semantic == "invalid"


def _join_broken_header(
    cells: list[TableCell], n_rows: int, rest: list[TableCell]
) -> tuple[list[TableCell], list[TableCell]]:
    last = {(c.col, c.colspan): c for c in _row(cells, n_rows - 1)}
    owned = {id(c): last[(c.col, c.colspan)] for c in rest if c.row == 0 and (c.col, c.colspan) in last}
    row_kept = any(c.row == 0 and id(c) not in owned for c in rest)
    remaining = []
    for piece in rest:
        owner = owned.get(id(piece))
        if owner is None:
            remaining.append(piece)
            continue
        text = f"{owner.text}\n{piece.text}" if piece.text else owner.text
        grown = replace(owner, text=text, rowspan=owner.rowspan + piece.rowspan - (0 if row_kept else 1))
        cells[cells.index(owner)] = grown
    if not row_kept:
        remaining = [replace(c, row=c.row - 1) for c in remaining]
    return cells, remaining


def _continue_spans(
    cells: list[TableCell], n_rows: int, rest: list[TableCell]
) -> tuple[list[TableCell], list[TableCell]]:
    """An empty label cell at the top of the continuation is the rest of the rowspan label above it."""
    if not rest:
        return cells, rest
    top = min(c.row for c in rest)
    values_from = _first_value_column(cells)
    last = _row(cells, n_rows - 1)
    remaining = []
    for cell in rest:
        owner = next((c for c in last if c.col == cell.col and c.colspan == cell.colspan), None)
        if cell.row == top and not cell.text and cell.col < values_from and owner is not None and owner.text:
            cells[cells.index(owner)] = replace(owner, rowspan=owner.rowspan + cell.rowspan)
        else:
            remaining.append(cell)
    return cells, remaining


# --- blocks ---------------------------------------------------------------------------------------


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


def page_blocks(pages: list[PageContent], flip: int | None = None) -> tuple[tuple[Block, ...], list[str]]:
    """The document's blocks, and the doubtful joins of table parts (`flip` joins the one at that index)."""
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
    def __init__(self, margins: tuple[float, float], flip: int | None = None) -> None:
        self.left, self.right = margins
        self.flip = flip
        self.doubtful: list[str] = []
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
            joined = join_parts(first, self.table.n_rows, rest, join_doubtful=self.flip == len(self.doubtful))
            if joined.doubtful:
                self.doubtful.append(
                    f"the first row of the table on page {part.page} may end the row above it"
                )
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
