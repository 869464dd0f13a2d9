"""PDF with a text layer (printed from Word or WPS) -> Document.

The steps, one module each:
- pages are read with pdfplumber here: text lines outside tables, ruled table parts, word positions;
- ruled tables become grids of cells with spans (pdf_grid.py); tables printed without ruling lines are
  rebuilt from word positions (pdf_text.py);
- text is cleaned: CJK radicals and compatibility ideographs (⼊ U+2F0A) NFKC-normalised, page footers
  ("- 4 -", "第 4 页", "4 / 6") and running headers dropped (pdf_clean.py);
- pages are put in reading order: lines joined into paragraphs, a table that runs onto the next page
  joined to its first part (pdf_blocks.py, pdf_join.py).
Layout decisions the reader cannot settle are handed on as named alternative readings.
A PDF without a text layer (a scan) or with a garbled one raises NeedsOcr in `require_text_layer`:
etl/ocr reads it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from etl.errors import NEEDS_OCR, NeedsOcr, UnreadableDocument
from etl.limits import MAX_PAGE_CHARS, MAX_PAGE_GRAPHICS, MAX_PDF_PAGES
from etl.ocr.detect import garbage_text_layer
from etl.readers.pdf_blocks import first_title, page_blocks
from etl.readers.pdf_clean import drop_running_lines, is_footer, line_text, normalise_chars
from etl.readers.pdf_grid import TABLE_SETTINGS, inside, is_grid, table_part
from etl.readers.pdf_layout import Line, PageContent
from etl.readers.pdf_text import Ambiguity, Word, WordLine, text_tables, word_lines
from etl.records import Alternative, Block, Document

MIN_CHARS_PER_PAGE = 10
MAX_ALTERNATIVES = 6
MAX_REFERENCE_CHAIN = 64
"""An object that is only a reference to another may lead on this many times; a cycle never ends."""

logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read_pdf(path: str, data: bytes) -> Document:
    pages = list(read_pages(path, data))
    require_text_layer(path, pages)
    blocks, alternatives = readings(pages)
    return Document(
        source=path,
        format="pdf",
        encoding="",
        title=first_title(blocks),
        blocks=blocks,
        meta=(("pages", str(len(pages))),),
        alternatives=alternatives,
    )


def readings(
    pages: list[PageContent],
    placed: Callable[[list[PageContent]], list[PageContent]] | None = None,
) -> tuple[tuple[Block, ...], tuple[Alternative, ...]]:
    """The pages' blocks in reading order, and an alternative reading for each layout decision the
    reader could not settle (a label between two rows, a doubtful join across a page break), each
    named after its decision. Shared with the OCR reader (etl/readers/ocr.py), whose `placed` gives the
    values of tables rebuilt from words the boxes they were read from."""

    def rebuilt_pages(name: str | None) -> tuple[list[PageContent], list[Ambiguity]]:
        rebuilt, ambiguous = rebuild_unruled(pages, name)
        return (placed(rebuilt) if placed else rebuilt), ambiguous

    rebuilt, ambiguous = rebuilt_pages(None)
    blocks, doubtful = page_blocks(drop_running_lines(rebuilt))
    alternatives = tuple(
        Alternative(a.name, a.why, page_blocks(drop_running_lines(rebuilt_pages(a.name)[0]))[0])
        for a in ambiguous[:MAX_ALTERNATIVES]
    ) + tuple(
        Alternative(a.name, a.why, page_blocks(drop_running_lines(rebuilt), a.name)[0])
        for a in doubtful[:MAX_ALTERNATIVES]
    )
    return blocks, alternatives


def require_text_layer(path: str, pages: list[PageContent]) -> None:
    """A PDF without a text layer (a scanned or image-only PDF) or with a garbled one needs OCR: the one
    place that says so (NeedsOcr), for etl/ocr to take over."""
    if sum(page.chars for page in pages) < MIN_CHARS_PER_PAGE * max(1, len(pages)):
        raise NeedsOcr(f"{Path(path).name} has no text layer (a scanned or image-only PDF): {NEEDS_OCR}")
    if garbage_text_layer(" ".join(line.text for page in pages for line in page.lines)):
        raise NeedsOcr(f"{Path(path).name} has a text layer that is not readable text: {NEEDS_OCR}")


def _library_errors() -> tuple[type[BaseException], ...]:
    """What pdfplumber and pdfminer raise on a damaged file: their own exceptions, and the built-in ones
    their parsers let through on malformed objects (a name where a number belongs, a short stream)."""
    import struct
    import zlib

    from pdfminer.pdfexceptions import PDFException
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    return (
        PdfminerException,
        MalformedPDFException,
        PDFException,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        AssertionError,
        ArithmeticError,
        RecursionError,
        EOFError,
        struct.error,
        zlib.error,
    )


def read_pages(path: str, data: bytes) -> Iterator[PageContent]:
    import pdfplumber

    guard_reference_cycles()
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            MAX_PDF_PAGES.check(path, len(pdf.pages))
            for number, page in enumerate(pdf.pages, start=1):
                yield read_page(path, page, number)
                page.close()
    except _library_errors() as exc:
        raise UnreadableDocument(f"{Path(path).name} is not a readable PDF ({_why(exc)})") from None


def _why(exc: BaseException) -> str:
    """The exception's type and the start of its message, printable ASCII only (messages quote bytes)."""
    lines = str(exc).strip().splitlines()
    detail = "".join(ch for ch in (lines[0] if lines else "") if " " <= ch <= "~")[:80].strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def read_page(path: str, page: Any, number: int) -> PageContent:
    MAX_PAGE_GRAPHICS.check(path, len(page.lines) + len(page.rects) + len(page.curves), f"page {number}")
    MAX_PAGE_CHARS.check(path, len(page.chars), f"page {number}")
    page = page.dedupe_chars()
    found = [t for t in page.find_tables(TABLE_SETTINGS) if is_grid(t)]
    parts = tuple(table_part(t, number) for t in found)
    boxes = [t.bbox for t in found]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not inside(obj, boxes))
    lines = tuple(
        Line(line_text(line["text"]), line["x0"], line["x1"], line["top"], line["bottom"], number)
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
    text = line_text(" ".join(w.text for w in line.words))
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


def rebuild_unruled(
    pages: list[PageContent], flip: str | None = None
) -> tuple[list[PageContent], list[Ambiguity]]:
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


def guard_reference_cycles() -> None:
    """pdfminer follows an object that is only a reference to another object until it finds something
    else, so `1 0 obj 1 0 R endobj` loops forever; once per process, make a cycle a syntax error."""
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.pdftypes import PDFObjRef

    if getattr(PDFObjRef.resolve, "guarded", False):
        return
    resolve_once = PDFObjRef.resolve

    def resolve(self: Any, default: object = None) -> Any:
        seen = {self.objid}
        found = resolve_once(self, default)
        while isinstance(found, PDFObjRef):
            if found.objid in seen or len(seen) >= MAX_REFERENCE_CHAIN:
                raise PDFSyntaxError(f"circular reference through object {found.objid}")
            seen.add(found.objid)
            found = resolve_once(found, default)
        return found

    resolve.guarded = True  # type: ignore[attr-defined]
    PDFObjRef.resolve = resolve  # type: ignore[method-assign]
