"""Typed records that flow from the readers through extraction to the warehouse.

Everything here is a frozen dataclass: readers build a `Document`, extraction turns it into a
`ParsedReport` holding `Fact`s, `ParseIssue`s and `CheckResult`s. Nothing in this module does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, TypeVar, cast

_Class = TypeVar("_Class", bound=type)
_Record = TypeVar("_Record")


def _slot_init(cls: _Class) -> _Class:
    """Give a frozen dataclass with slots an `__init__` that stores each field through its slot's own
    setter: the generated one calls `object.__setattr__` a field (about 1,700 instructions each here),
    this about 40 % fewer a record. Same signature, defaults and values; for the records made by the
    thousand a report (cells, rows, facts and where they were read)."""
    params: list[str] = []
    scope: dict[str, Any] = {}
    lines: list[str] = []
    for f in fields(cls):
        assert f.default_factory is MISSING and f.init, f"{cls.__name__}.{f.name}"
        scope[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(lines) + "\n"
    made: dict[str, Any] = {}
    exec(source, scope, made)  # the source is built from the class's own field names
    init = made["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls


def _slot_maker(cls: type[_Record]) -> Callable[..., _Record]:
    """A function that builds a frozen slotted record from its fields (same signature and defaults as the
    class): ≈ 2× cheaper than the class's `__init__`, even `_slot_init`'s. The fields are stored by plain
    attribute stores into an instance of a class without the frozen `__setattr__` and with the same slots,
    which is then given the record's class (CPython allows `__class__` to change between classes of the
    same layout). What it returns is an instance of `cls` like any other (tests/test_readers_rd.py)."""
    unfrozen = type(f"_Unfrozen{cls.__name__}", (), {"__slots__": cls.__slots__})  # type: ignore[attr-defined]
    params: list[str] = []
    scope: dict[str, Any] = {"_unfrozen": unfrozen, "_record": cls}
    lines = ["    self = _unfrozen()"]
    for f in fields(cast(Any, cls)):
        assert f.default_factory is MISSING and f.init, f"{cls.__name__}.{f.name}"
        if f.default is MISSING:
            params.append(f.name)
        else:
            scope[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        lines.append(f"    self.{f.name} = {f.name}")
    lines += ["    self.__class__ = _record", "    return self"]
    source = f"def make({', '.join(params)}):\n" + "\n".join(lines) + "\n"
    made: dict[str, Any] = {}
    exec(source, scope, made)  # the source is built from the class's own field names
    maker: Callable[..., _Record] = made["make"]
    maker.__qualname__ = maker.__name__ = f"new_{cls.__name__}"
    maker.__module__ = cls.__module__
    return maker


Semantic = Literal["number", "zero", "blank", "na", "invalid"]
"""What a printed cell means: a number, an explicit zero, an empty cell, a "not applicable" mark
('-', '/', '无', '不适用' …) or text that is not a value at all."""

Template = Literal["old", "old_fujian", "v2019", "v2021"]
TEMPLATES: tuple[Template, ...] = ("old", "old_fujian", "v2019", "v2021")

Severity = Literal["error", "warning"]
CheckStatus = Literal["pass", "fail", "not_assessable"]
Confidence = Literal["exact", "inferred", "fuzzy_label", "ocr"]


@_slot_init
@dataclass(frozen=True, slots=True)
class TableCell:
    """One physical cell as published, at its top-left grid position."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    """The page the cell is printed on, where a table runs over several pages (PDF)."""
    box: tuple[float, float, float, float] | None = None
    """Where the cell sits on its page (x0, top, x1, bottom), where the reader knows it (OCR)."""


new_table_cell = _slot_maker(TableCell)
"""`TableCell(...)`, built ≈ 2× cheaper: for the readers' table walks (a cell a printed cell)."""


@dataclass(frozen=True)
class Table:
    """A table as a grid of physical cells.

    `aligned` tables (HTML, DOCX) have true grid positions: merged cells are expanded and a column
    index means the same column in every row. Tables rebuilt from flattened text are not aligned:
    each row's cells sit at columns 0..k-1 in reading order, and a row may have fewer cells than
    another (rowspan labels are printed only once).
    """

    index: int
    cells: tuple[TableCell, ...]
    n_rows: int
    n_cols: int
    aligned: bool = True
    page: int | None = None
    line: int | None = None
    notes: tuple[str, ...] = ()
    """What the reader could not settle in this table and left out, in words (a row of a table printed
    without lines whose values it could not put into columns): warnings of the report."""

    def grid(self) -> list[list[TableCell | None]]:
        grid: list[list[TableCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            if cell.rowspan == 1 and cell.colspan == 1:  # most cells: the loops below, unrolled
                if cell.row < self.n_rows and cell.col < self.n_cols:
                    grid[cell.row][cell.col] = cell
                continue
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    grid[r][c] = cell
        return grid

    def row_views(self) -> Iterator[RowView]:
        """Each row with every cell covering it (merged cells from above included), left to right."""
        return iter(self._row_views)

    @cached_property
    def _row_views(self) -> tuple[RowView, ...]:
        return tuple(self._build_row_views())

    def _lines(self) -> list[list[TableCell]] | None:
        """The cells of each row of `grid`, left to right, without the grid: when no cell spans rows or
        columns, lies outside the grid or shares its place, each row's cells are its cells in the order
        given, provided that order is the columns'. None otherwise (the grid decides)."""
        n_rows, n_cols = self.n_rows, self.n_cols
        lines: list[list[TableCell]] = [[] for _ in range(n_rows)]
        for cell in self.cells:
            row, col = cell.row, cell.col
            if cell.rowspan != 1 or cell.colspan != 1 or not (0 <= row < n_rows and 0 <= col < n_cols):
                return None
            line = lines[row]
            if line and line[-1].col >= col:
                return None
            line.append(cell)
        return lines

    def _build_row_views(self) -> Iterator[RowView]:
        lines = self._lines()
        if lines is not None:
            paged = any(cell.page is not None for cell in self.cells)
            index, aligned, page = self.index, self.aligned, self.page
            for r, cells in enumerate(lines):
                seen = tuple(cells)
                if paged:
                    pages = [c.page for c in seen if c.page is not None]
                    yield new_row_view(index, r, seen, aligned, min(pages) if pages else page)
                else:
                    yield new_row_view(index, r, seen, aligned, page)
            return
        grid = self.grid()
        # Without a cell spanning columns, no cell covers two places of one row: nothing to deduplicate.
        # Without a cell's own page, every row is on the table's page.
        spans = any(cell.colspan != 1 for cell in self.cells)
        paged = any(cell.page is not None for cell in self.cells)
        index, aligned, page = self.index, self.aligned, self.page
        for r, line in enumerate(grid):
            if spans:
                seen = tuple({id(cell): cell for cell in line if cell is not None}.values())
            else:
                seen = tuple([cell for cell in line if cell is not None])
            if paged:
                pages = [c.page for c in seen if c.row == r and c.page is not None]
                yield new_row_view(index, r, seen, aligned, min(pages) if pages else page)
            else:
                yield new_row_view(index, r, seen, aligned, page)


@_slot_init
@dataclass(frozen=True, slots=True)
class RowView:
    table: int
    row: int
    cells: tuple[TableCell, ...]
    aligned: bool
    page: int | None = None

    def starts_here(self, cell: TableCell) -> bool:
        return cell.row == self.row


new_row_view = _slot_maker(RowView)
"""`RowView(...)`, built ≈ 2× cheaper: a table's rows are viewed once a table, by every reader of it."""


@_slot_init
@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    text: str
    line: int | None = None
    page: int | None = None


new_paragraph = _slot_maker(Paragraph)
"""`Paragraph(...)`, built ≈ 2× cheaper: for the readers (a block a line of text)."""

Block = Paragraph | Table


@dataclass(frozen=True)
class Alternative:
    """Another reading of a layout the reader could not settle: one decision taken the other way."""

    name: str
    """Which decision, in words that stay the same when a reader learns new heuristics (the page and the
    text it is about, never a position in a list): `choose_reading` breaks ties by it."""
    why: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """What every reader returns: ordered paragraphs and tables, plus page-level metadata."""

    source: str
    format: str
    encoding: str
    title: str
    blocks: tuple[Block, ...]
    meta: tuple[tuple[str, str], ...] = ()
    cut_off: bool = False
    """The file visibly stops early (an HTML page without its closing tags)."""
    alternatives: tuple[Alternative, ...] = ()
    """Other readings of a layout the reader could not settle: the pipeline parses each and lets the
    template's identities choose (etl/readings.py)."""

    @cached_property
    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Table))

    @cached_property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Paragraph))

    def meta_value(self, key: str) -> str | None:
        for k, v in self.meta:
            if k == key:
                return v
        return None

    def plain_text(self) -> str:
        """The document as text: paragraphs as lines, table rows as tab-separated cells."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                for view in block.row_views():
                    row = view.row  # `view.starts_here(c)`, inline
                    parts.append("\t".join([" ".join(c.text.split()) for c in view.cells if c.row == row]))
        return "\n".join(parts)


@_slot_init
@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a value was read: table and row/column labels as printed, or a narrative paragraph."""

    table: int | None
    row_label: str
    column_label: str
    page: int | None = None
    locator: str = ""


new_cell_ref = _slot_maker(CellRef)
"""`CellRef(...)`, built ≈ 2× cheaper: for extraction (a reference a value read)."""


@_slot_init
@dataclass(frozen=True, slots=True)
class Fact:
    metric_code: str
    breakdown: str
    value: Decimal | None
    value_raw: str
    semantic: Semantic
    source: CellRef
    confidence: Confidence = "exact"


new_fact = _slot_maker(Fact)
"""`Fact(...)`, built ≈ 2× cheaper: for the fact collector (a fact a value read)."""


@_slot_init
@dataclass(frozen=True, slots=True)
class ParseIssue:
    """A recoverable problem found while reading a report (unknown row, missing row, conflict…)."""

    code: str
    message: str
    locator: str = ""


@_slot_init
@dataclass(frozen=True, slots=True)
class CheckResult:
    check_id: str
    severity: Severity
    status: CheckStatus
    breakdown: str
    expected: Decimal | None
    actual: Decimal | None
    message: str
    """In English; `message_zh` says the same in Chinese (etl/check_catalogue.py has each id's meaning)."""
    message_zh: str = ""
    cells: tuple[tuple[str, str], ...] = ()
    """The cells the check read, as (metric code, breakdown): what a reviewer looks at when it fails."""


new_check_result = _slot_maker(CheckResult)
"""`CheckResult(...)`, built ≈ 3× cheaper: for the checks (≈ 40 results a report)."""


@dataclass(frozen=True)
class ReportMeta:
    title: str
    agency: str | None
    agency_source: str
    year: int | None
    year_source: str
    province: str | None = None
    city: str | None = None
    county: str | None = None
    publisher: str | None = None
    published: str | None = None
    url: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    place_status: str = "unresolved"
    """resolved | override | unresolved: how the place codes were found (etl/places.py)."""
    place_note: str = ""
    scope: str = "own"
    """own | aggregate: an aggregate report says it was compiled from sub-units' reports (etl/scope.py)."""
    scope_evidence: str = ""
    source_url: str | None = None
    """Where a collection found the document (its manifest.csv), when it was collected."""


@dataclass(frozen=True)
class OcrEvidence:
    """How one value was read from a page image (etl/ocr): the OCR score, whether an identity of the
    table confirms it, and a small PNG crop of the cell as printed."""

    metric_code: str
    breakdown: str
    page: int
    box: tuple[float, float, float, float]
    """The cell on the page image, in points (1/72 inch) of the rectified page."""
    score: float
    confirmed: bool
    """The value takes part in an identity of the table that passes."""
    crop_png: bytes = field(default=b"", repr=False)
    doubt: str = ""
    """Why the value is in doubt (an identity it is part of fails, a second reading differs); empty when
    nothing speaks against it."""


@dataclass(frozen=True)
class ParsedReport:
    source_file: str
    content_hash: str
    format: str
    encoding: str
    template: Template
    meta: ReportMeta
    facts: tuple[Fact, ...]
    warnings: tuple[ParseIssue, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    expected_cells: int = 0
    found_cells: int = 0
    text: str = field(default="", repr=False)
    ocr: tuple[OcrEvidence, ...] = ()
    """One entry per value read by OCR (empty for documents with a text layer)."""
