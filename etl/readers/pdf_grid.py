"""Tables rebuilt from their ruling lines (pdfplumber): every cell at its grid row and column, with spans.

Cell edges become grid lines, so a rowspan label printed one character per line, a label wrapped over
three lines or a header broken mid-word ("商业企\\n业") stays inside its cell, and a merged cell is one
cell, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from etl.normalise import clean_text
from etl.readers.pdf_clean import normalise_chars
from etl.readers.pdf_layout import Part
from etl.records import TableCell

EDGE_TOLERANCE = 2.0
TABLE_SETTINGS: dict[str, Any] = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def cluster(values: Iterable[float]) -> tuple[float, ...]:
    """Coordinates that differ by less than the tolerance are one grid line."""
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > EDGE_TOLERANCE:
            edges.append(value)
    return tuple(edges)


def index_of(edges: tuple[float, ...], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def is_grid(table: Any) -> bool:
    return max((len(row.cells) for row in table.rows), default=0) >= 2


def inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


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
