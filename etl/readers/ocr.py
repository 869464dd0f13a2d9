"""Scanned PDFs, page images and image-only web pages -> Document, read by OCR (etl/ocr).

Each page is rendered (PDF, `DPI`) or scaled to a page's width (images), prepared, and read; its ruled
tables become the same table parts the PDF reader builds from ruling lines, its other text becomes lines,
and a page without ruled tables goes through the word-position reconstruction of borderless PDF tables
(etl/readers/pdf_text.py). From there the PDF reader's own steps join tables across pages, drop running
headers and footers and build paragraphs, so extraction sees the same `Document` as for a text PDF.

OCR has a time budget per file (`budget_seconds`, CPU seconds of the worker, so that a busy machine does
not cut a file short): a file that needs more is an error row that says so, rather than a worker that
never ends.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from etl.errors import OCR_BUDGET_SPENT, UnreadableDocument
from etl.normalise import clean_text
from etl.ocr.engine import Engine, default_engine, give_back_memory
from etl.ocr.image import DPI, PAGE_WIDTH, to_working_size
from etl.ocr.page import ReadPage, read_image_page, text_rows
from etl.ocr.progress import page_read
from etl.ocr.words import ReadBox
from etl.readers.images import IMAGE_SUFFIXES, page_images
from etl.readers.pdf import readings
from etl.readers.pdf_blocks import first_title
from etl.readers.pdf_clean import is_footer, normalise_chars
from etl.readers.pdf_layout import Line, PageContent, Part
from etl.readers.pdf_text import Word, WordLine, rebuilt_lines, word_lines
from etl.records import Document, Paragraph, TableCell

SCALE = DPI / 72
"""Working pixels per point."""
SECONDS_PER_PAGE = 30.0
"""A dense page of a real report (narrative text, or a table of 100 cells) takes 8–10 CPU s on one core
of this kind of machine (docs/ocr.md, Time budget) and more on a busy one; the budget is a guard against
a file that would never end, not a speed target."""
MIN_BUDGET = 120.0
MAX_PAGES = 60
SAME_SIZE = 1.18
"""Detected line heights within this ratio are one font size."""
ALIGN_TOLERANCE = 6.0
"""Points by which the column edges of a table's parts on two scanned pages may differ."""
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_DOT_AFTER_NUMBER = re.compile(r"(?<![\d.])(\d{1,2})\s*[·•‧∙・]")
_DASH_AS_YI = re.compile(r"^[一—-]{1,3}$")

RGB = npt.NDArray[np.uint8]


def budget_seconds(pages: int) -> float:
    """The OCR budget of a file in CPU seconds: `XXGK_OCR_SECONDS` if set, else 30 s a page, at least
    120 s. A worker's wall-clock limit for a scanned file must allow at least this much."""
    fixed = os.environ.get("XXGK_OCR_SECONDS")
    if fixed:
        return float(fixed)
    return max(MIN_BUDGET, SECONDS_PER_PAGE * pages)


class PageSource(Protocol):
    def render(self, factor: float) -> RGB:
        """The page in colour at `factor` times the working resolution."""
        ...


@dataclass(frozen=True)
class PdfPageSource:
    data: bytes
    index: int
    name: str
    """The file's name, for the error when the page cannot be drawn."""

    def render(self, factor: float) -> RGB:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(self.data)
        try:
            bitmap = document[self.index].render(scale=SCALE * factor)
            return np.asarray(bitmap.to_pil().convert("RGB"), dtype=np.uint8)
        except pdfium.PdfiumError as exc:
            raise UnreadableDocument(
                f"page {self.index + 1} of {self.name} cannot be drawn for OCR ({exc})"
            ) from None
        finally:
            document.close()


@dataclass(frozen=True)
class ImageSource:
    rgb: RGB
    """The image as published."""

    def render(self, factor: float) -> RGB:
        return to_working_size(self.rgb, round(PAGE_WIDTH * factor))


@dataclass(frozen=True)
class Scan:
    """A document read by OCR, with what the trust step needs to look at its cells again."""

    document: Document
    pages: tuple[ReadPage, ...]
    sources: tuple[PageSource, ...]
    engine: Engine


def pdf_sources(path: str, data: bytes) -> list[PageSource]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"{Path(path).name} is not a readable PDF ({exc})") from None
    count = len(document)
    document.close()
    return [PdfPageSource(data, index, Path(path).name) for index in range(count)]


def image_source(name: str, data: bytes) -> ImageSource:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(
            f"{Path(name).name} is not a readable image ({type(exc).__name__})"
        ) from None
    if min(rgb.shape[:2]) < 100:
        raise UnreadableDocument(
            f"{Path(name).name} is too small to hold a page ({rgb.shape[1]}×{rgb.shape[0]})"
        )
    return ImageSource(rgb)


MIN_IMAGE_WIDTH = 400
MIN_IMAGE_HEIGHT = 200
"""Smaller images on a web page are icons, logos or QR codes, not pages of the report."""


def image_sources(name: str, data: bytes) -> list[ImageSource]:
    """The pages of an image file (a multi-page TIFF has several)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = [np.asarray(f.convert("RGB"), dtype=np.uint8) for f in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(
            f"{Path(name).name} is not a readable image ({type(exc).__name__})"
        ) from None
    pages = [
        ImageSource(f) for f in frames if f.shape[1] >= MIN_IMAGE_WIDTH and f.shape[0] >= MIN_IMAGE_HEIGHT
    ]
    if not pages:
        raise UnreadableDocument(f"{Path(name).name} is too small to be a page of a report")
    return pages


def read_scan(path: str, data: bytes, page: Document | None = None, engine: Engine | None = None) -> Scan:
    """A scanned PDF, an image file, or a web page (`page`, already read) whose report is in images."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return scan(path, pdf_sources(path, data), engine)
    if suffix in IMAGE_SUFFIXES:
        return scan(path, image_sources(path, data), engine)
    sources = [s for image in page_images(path, data) for s in _page_sources(image)]
    if not sources:
        raise UnreadableDocument(f"{Path(path).name}: no image of the report found next to the page")
    found = scan(path, sources, engine)
    if page is None:
        return found
    heading = tuple(b for b in page.blocks if isinstance(b, Paragraph))
    blocks = tuple(replace(b, index=i) for i, b in enumerate((*heading, *found.document.blocks)))
    document = replace(
        found.document, blocks=blocks, title=page.title, format=page.format, meta=(*page.meta, ("ocr", "1"))
    )
    return replace(found, document=document)


def _page_sources(image: Path) -> list[ImageSource]:
    try:
        return image_sources(image.name, image.read_bytes())
    except UnreadableDocument:
        return []


def scan(path: str, sources: Sequence[PageSource], engine: Engine | None = None) -> Scan:
    name = Path(path).name
    if len(sources) > MAX_PAGES:
        raise UnreadableDocument(f"{name} has {len(sources)} pages; OCR reads at most {MAX_PAGES}")
    page_read(name, 0, len(sources), 0.0)  # page 0: the scan starts (a worker asks for its time here)
    engine = engine or default_engine()
    budget = budget_seconds(len(sources))
    started = time.process_time()
    pages = []
    for number, source in enumerate(sources, start=1):
        pages.append(read_image_page(engine, source.render(1.0), number, SCALE))
        give_back_memory()
        spent = time.process_time() - started
        page_read(name, number, len(sources), spent)
        if spent > budget and number < len(sources):
            raise UnreadableDocument(
                f"{name}: OCR stopped after page {number} of {len(sources)}: its time budget of "
                f"{budget:.0f} s is spent ({OCR_BUDGET_SPENT})"
            )
    return Scan(document_of(path, pages), tuple(pages), tuple(sources), engine)


def document_of(path: str, read: Sequence[ReadPage], source_format: str = "pdf") -> Document:
    pages = align_continued_tables([page_content(page) for page in read])
    if sum(page.chars for page in pages) == 0:
        raise UnreadableDocument(f"{Path(path).name}: OCR found no text on its {len(pages)} page(s)")
    blocks, alternatives = readings(pages, lambda rebuilt: with_value_boxes(rebuilt, pages))
    return Document(
        source=path,
        format=source_format,
        encoding="",
        title=first_title(blocks),
        blocks=blocks,
        meta=(("pages", str(len(pages))), ("ocr", "1")),
        alternatives=alternatives,
    )


VALUE_MARGIN = 3.0
"""Points of paper kept around a value's word in its box (the crop and the second reading)."""


def with_value_boxes(rebuilt: list[PageContent], pages: Sequence[PageContent]) -> list[PageContent]:
    """The values of tables rebuilt from words, given the page and box of the word they were read from,
    as a ruled table's cells have, so that the trust step can crop and read them again. A row's values
    are the value words of one word line, and rows follow those lines in reading order; a blank put into
    its column keeps the box of that column on its line."""
    page_lines = rebuilt_lines([line for page in pages for line in page.words])
    lines = [line for line in page_lines if line.has_values]
    cursor = 0
    boxed = []
    for page in rebuilt:
        texts = []
        for text in page.texts:
            cells = {(c.row, c.col): c for c in text.table.cells}
            for r in range(text.table.n_rows):
                every = sorted((c for c in text.table.cells if c.row == r), key=lambda c: c.col)
                for cell in every:
                    if not cell.text and cell.box is not None:  # a blank put into its column
                        cells[(cell.row, cell.col)] = replace(cell, box=_widened(cell.box))
                row = [c for c in every if c.text or c.box is None]
                found = _values_line(lines, cursor, [c.text for c in row])
                if found is None:
                    continue
                cursor = found + 1
                words = [w for w in lines[found].words if w.is_value and not w.blank]
                for cell, word in zip(row[len(row) - len(words) :], words, strict=True):
                    cells[(cell.row, cell.col)] = replace(cell, page=lines[found].page, box=_around(word))
            texts.append(replace(text, table=replace(text.table, cells=tuple(cells.values()))))
        boxed.append(replace(page, texts=tuple(texts)))
    return boxed


def _values_line(lines: Sequence[WordLine], start: int, row: list[str]) -> int | None:
    """The first word line from `start` whose value words are the row's last cells."""
    for index in range(start, len(lines)):
        values = [w.text for w in lines[index].words if w.is_value and not w.blank]
        if values and row[len(row) - len(values) :] == values:
            return index
    return None


def _around(word: Word) -> tuple[float, float, float, float]:
    return _widened((word.x0, word.top, word.x1, word.bottom))


def _widened(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    margin = VALUE_MARGIN
    x0, top, x1, bottom = box
    return (x0 - margin, top - margin, x1 + margin, bottom + margin)


def align_continued_tables(pages: list[PageContent]) -> list[PageContent]:
    """A table that runs onto the next page was scanned a little apart on each sheet: the first part on a
    page is moved onto the column edges of the last part on the page before when the two have the same
    width, so that the PDF reader's joining sees one table."""
    aligned: list[PageContent] = []
    for page in pages:
        before = aligned[-1].parts if aligned else ()
        if before and page.parts:
            previous = max(before, key=lambda p: p.bottom)
            first = min(page.parts, key=lambda p: p.top)
            moved = _onto(previous.xs, first.xs)
            if moved is not None:
                parts = tuple(replace(p, xs=moved) if p is first else p for p in page.parts)
                page = replace(page, parts=parts)
        aligned.append(page)
    return aligned


def _onto(target: tuple[float, ...], xs: tuple[float, ...]) -> tuple[float, ...] | None:
    if abs((target[-1] - target[0]) - (xs[-1] - xs[0])) > ALIGN_TOLERANCE or abs(target[0] - xs[0]) > 40:
        return None
    shift = target[0] - xs[0]
    moved = []
    for x in xs:
        nearest = min(target, key=lambda t: abs(t - (x + shift)))
        moved.append(nearest if abs(nearest - (x + shift)) <= ALIGN_TOLERANCE else round(x + shift, 2))
    return tuple(moved)


def _points(value: float) -> float:
    return round(value / SCALE, 2)


def page_content(page: ReadPage) -> PageContent:
    height = page.image.shape[0] / SCALE
    parts = tuple(_part(page, g) for g in range(len(page.grids)))
    lines = []
    rows = text_rows(page.lines)
    sizes = font_sizes([max(p.box.height for p in row) for row in rows])
    for row, size in zip(rows, sizes, strict=True):
        text = line_text(" ".join(p.text for p in row))
        middle = sum(p.box.centre[1] for p in row) / len(row)
        line = Line(
            text,
            _points(row[0].box.x0),
            _points(row[-1].box.x1),
            _points(middle - size / 2),
            _points(middle + size / 2),
            page.number,
        )
        if text and not is_footer(line, height):
            lines.append(line)
    words: tuple[WordLine, ...] = ()
    if not parts and lines:
        words = tuple(
            line
            for line in word_lines([_word(p) for p in page.words], page.number, 0.0)
            if not is_footer(_as_line(line), height)
        )
    chars = sum(len(p.text) for p in page.lines) + sum(len(c.text) for c in page.cells)
    return PageContent(page.number, height, tuple(lines), parts, chars, words)


def font_sizes(heights: Sequence[float]) -> list[float]:
    """Line heights snapped to the font sizes of the page: detected boxes of one font differ by a few
    pixels with the glyphs they hold, and the PDF reader joins a wrapped title only at one size."""
    groups: list[list[float]] = []
    for value in sorted(heights):
        if groups and value <= groups[-1][0] * SAME_SIZE:
            groups[-1].append(value)
        else:
            groups.append([value])
    size = {value: sorted(group)[len(group) // 2] for group in groups for value in group}
    return [size[h] for h in heights]


def _word(piece: ReadBox) -> Word:
    box = piece.box
    return Word(
        line_text(piece.text), _points(box.x0), _points(box.x1), _points(box.top), _points(box.bottom)
    )


def _as_line(line: WordLine) -> Line:
    text = line_text(" ".join(w.text for w in line.words))
    return Line(text, line.x0, line.x1, line.top, line.top + line.height, line.page)


def _part(page: ReadPage, index: int) -> Part:
    grid = page.grids[index]
    cells = []
    for read in page.cells:
        if read.grid != index:
            continue
        cell, box = read.cell, read.cell.box
        cells.append(
            TableCell(
                text=cell_text(read.text),
                row=cell.row,
                col=cell.col,
                rowspan=cell.rowspan,
                colspan=cell.colspan,
                page=page.number,
                box=(_points(box.x0), _points(box.top), _points(box.x1), _points(box.bottom)),
            )
        )
    xs = tuple(_points(x) for x in grid.xs)
    return Part(tuple(cells), xs, grid.n_rows, page.number, _points(grid.box.top), _points(grid.box.bottom))


def line_text(text: str) -> str:
    """OCR text cleaned like a PDF's text line; an item number read with a middle dot ("1·") is "1."."""
    text = _SPACE_NEAR_CJK.sub("", normalise_chars(clean_text(text)))
    return _DOT_AFTER_NUMBER.sub(r"\1.", text)


def cell_text(text: str) -> str:
    """A cell's lines cleaned; a cell holding only a dash read as the character 一 is a dash."""
    cleaned = "\n".join(line_text(line) for line in text.split("\n"))
    return "—" if _DASH_AS_YI.match(cleaned) else cleaned
