"""A ruled table that runs onto the next page, joined to its first part.

A repeated header row is dropped; a row broken across the page break is put back together (its label
ends at the top of the next page, without values); a header broken across the break is one header; an
empty label cell at the top of the continuation continues the rowspan label above it. Where the first
row of a continuation may end the row above it or be a row of its own, the join is doubtful and both
readings go to the template's identities (etl/readings.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from etl.readers.pdf_grid import EDGE_TOLERANCE, index_of
from etl.readers.pdf_layout import Line, Part
from etl.records import TableCell
from etl.values import parse_value

_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])"
)


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
