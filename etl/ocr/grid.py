"""Ruled tables found in a page image, and the text read on the page put into their cells.

The ruling lines are the ink that survives a morphological opening with a long thin kernel (OpenCV), in
each direction; strokes of characters are too short to survive and stray ones are dropped because they
do not touch the grid. The cells are the regions the lines enclose; their edges, clustered, are the
table's grid lines, so every cell gets its row, column and spans as in a PDF's ruled table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from etl.ocr.engine import Box, Image
from etl.ocr.image import near_edge

EDGE_TOLERANCE = 8.0
"""Cell edges closer than this (working pixels) are one grid line."""
MIN_CELL = 12
DASH_WIDTH = 7
MIN_MARK = 12
MIN_DASH = 8
"""Pixels of ink a mark needs to count (scanner noise leaves smaller specks)."""
SHORT_VERTICAL = 20
"""Pixels: the shortest vertical ruling line (a single-line row at 200 dpi is about 30 px high)."""
TEXT_BAND = 0.2
"""Share of a text box's height left at its top and bottom when its text is cleared."""
RULED_ROW = 0.9
"""A row of a text box's middle band inked over this share of its width is a ruling line the box runs
over (header text printed tight under the line above it), and is kept."""
MIN_TABLE_WIDTH = 0.25
"""A grid narrower than this share of the page is not a table (a box around a seal, a logo)."""


@dataclass(frozen=True)
class GridCell:
    box: Box
    row: int
    col: int
    rowspan: int
    colspan: int


@dataclass(frozen=True)
class Grid:
    box: Box
    cells: tuple[GridCell, ...]
    xs: tuple[float, ...]
    ys: tuple[float, ...]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    def cell_at(self, x: float, y: float) -> GridCell | None:
        for cell in self.cells:
            if cell.box.x0 <= x <= cell.box.x1 and cell.box.top <= y <= cell.box.bottom:
                return cell
        return None


def line_masks(ink: Image) -> tuple[Image, Image]:
    """(horizontal, vertical) ruling lines as ink masks (text already blanked out, see `without_text`)."""
    width = ink.shape[1]
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    across = max(40, width // 30)
    horizontal = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((1, across), np.uint8))
    horizontal = cv2.dilate(horizontal, np.ones((3, 9), np.uint8))
    vertical = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((SHORT_VERTICAL, 1), np.uint8))
    vertical = cv2.dilate(vertical, np.ones((7, 3), np.uint8))
    return np.asarray(horizontal, np.uint8), np.asarray(vertical, np.uint8)


def without_text(ink: Image, boxes: Sequence[Box]) -> Image:
    """Ink with the middle band of every text box cleared, so that the strokes of characters (章, 制)
    cannot pass for ruling lines; the box edges, where a cell's border may run, are left alone."""
    cleared = ink.copy()
    for box in boxes:
        band = TEXT_BAND * box.height
        y0, y1 = int(box.top + band), int(box.bottom - band)
        x0, x1 = int(box.x0 + 2), int(box.x1 - 2)
        if y1 > y0 and x1 > x0:
            ruled = np.count_nonzero(ink[y0:y1, x0:x1], axis=1) >= RULED_ROW * (x1 - x0)
            cleared[y0:y1, x0:x1][~ruled] = 0
    return cleared


def find_grids(ink: Image) -> list[Grid]:
    """The ruled tables on a page, top to bottom."""
    horizontal, vertical = line_masks(ink)
    lines = cv2.bitwise_or(horizontal, vertical)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grids = []
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index, :4])
        if w < MIN_TABLE_WIDTH * ink.shape[1] or h < 2 * MIN_CELL or near_edge(x, y, w, h, ink.shape):
            continue
        mask = np.where(labels[y : y + h, x : x + w] == index, 255, 0).astype(np.uint8)
        grid = _grid(mask, x, y)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: g.box.top)


def _grid(lines: Image, left: int, top: int) -> Grid | None:
    inside = cv2.bitwise_not(lines)
    count, _, stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
    height, width = lines.shape
    boxes = []
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index, :4])
        touches_edge = x == 0 or y == 0 or x + w >= width or y + h >= height
        if touches_edge or w < MIN_CELL or h < MIN_CELL:
            continue
        boxes.append(Box(left + x - 2.0, top + y - 2.0, left + x + w + 2.0, top + y + h + 2.0))
    if len(boxes) < 2:
        return None
    xs = cluster(v for b in boxes for v in (b.x0, b.x1))
    ys = cluster(v for b in boxes for v in (b.top, b.bottom))
    cells = []
    for box in boxes:
        row, col = index_of(ys, box.top), index_of(xs, box.x0)
        cells.append(
            GridCell(
                box,
                row,
                col,
                max(1, index_of(ys, box.bottom) - row),
                max(1, index_of(xs, box.x1) - col),
            )
        )
    if max(c.col + c.colspan for c in cells) < 2:
        return None
    outer = Box(
        min(b.x0 for b in boxes),
        min(b.top for b in boxes),
        max(b.x1 for b in boxes),
        max(b.bottom for b in boxes),
    )
    return Grid(outer, tuple(sorted(cells, key=lambda c: (c.row, c.col))), xs, ys)


def cluster(values: Iterable[float]) -> tuple[float, ...]:
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= EDGE_TOLERANCE:
            groups[-1].append(value)
        else:
            groups.append([value])
    return tuple(sum(g) / len(g) for g in groups)


def index_of(edges: tuple[float, ...], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _marks(ink: Image, box: Box, inset: float) -> list[tuple[int, int, int, int, int]]:
    """Connected pieces of ink inside a cell, away from its ruling lines: (x, y, w, h, area)."""
    x0, y0 = int(box.x0 + inset), int(box.top + inset)
    x1, y1 = int(box.x1 - inset), int(box.bottom - inset)
    if x1 <= x0 or y1 <= y0:
        return []
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink[y0:y1, x0:x1], connectivity=8)
    return [tuple(int(v) for v in stats[i, :5]) for i in range(1, count)]  # type: ignore[misc]


def _is_dash_mark(mark: tuple[int, int, int, int, int], height: float) -> bool:
    """A short flat stroke in the middle of the cell's height (a hyphen or dash: not applicable), not a
    piece of a border line near the top or bottom."""
    _, y, w, h, area = mark
    middle = y + h / 2
    return area >= MIN_DASH and w >= DASH_WIDTH and w >= 2.5 * h and 0.25 * height <= middle <= 0.75 * height


def has_ink(ink: Image, box: Box, inset: float = 5.0) -> bool:
    """Enough ink inside a cell (away from its ruling lines) to hold a character or a dash."""
    height = box.height - 2 * inset
    return any(
        (area >= MIN_MARK and h >= 8) or _is_dash_mark((x, y, w, h, area), height)
        for x, y, w, h, area in _marks(ink, box, inset)
    )


def is_dash(ink: Image, box: Box, inset: float = 5.0) -> bool:
    """The cell holds one flat stroke and nothing else, which text detection may miss."""
    marks = [m for m in _marks(ink, box, inset) if m[4] >= MIN_DASH]
    return len(marks) == 1 and _is_dash_mark(marks[0], box.height - 2 * inset)


def ink_box(ink: Image, box: Box, inset: float = 5.0) -> Box | None:
    """The tight box of the ink inside a cell."""
    x0, y0 = int(box.x0 + inset), int(box.top + inset)
    x1, y1 = int(box.x1 - inset), int(box.bottom - inset)
    if x1 <= x0 or y1 <= y0:
        return None
    points = cv2.findNonZero(ink[y0:y1, x0:x1])
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    return Box(float(x0 + x), float(y0 + y), float(x0 + x + w), float(y0 + y + h))
