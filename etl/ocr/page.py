"""One page image read: prepared, its ruled tables found, its text lines found and read, placed in cells.

The result is in working pixels (`image.DPI`); `etl/readers/ocr.py` turns it into the same page records
the PDF reader builds from a text layer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from etl.ocr.engine import CELL_SQUEEZE_FROM, Box, Engine, Image, Reading, crop
from etl.ocr.grid import Grid, GridCell, find_grids, has_ink, ink_box, is_dash, without_text
from etl.ocr.image import MAX_SKEW, PreparedPage, binarise, prepare, text_skew
from etl.ocr.words import (
    ReadBox,
    despeckle,
    is_cjk,
    missed_labels,
    missed_values,
    page_words,
    without_stray_marks,
)

ONE_OR_SLASH = frozenset({"1", "l", "I", "|", "/"})
SLANT = 0.15
DASH_READINGS = frozenset({"", "一", "-", "_", "~"})
SAME_LINE = 0.6
"""Two boxes whose vertical centres differ by less than this share of their height are on one line."""
LONG_LINE = 5.0
"""A found line this many times wider than high tells the slope of the page's text."""
MIN_LONG_LINES = 3
LEVEL = 0.1
"""Degrees: a page whose text is turned less than this is left as it is."""


@dataclass(frozen=True)
class ReadCell:
    grid: int
    cell: GridCell
    text: str
    score: float
    """The lowest score of the lines read in the cell (1.0 for an empty cell)."""


@dataclass(frozen=True)
class ReadPage:
    number: int
    prepared: PreparedPage
    grids: tuple[Grid, ...]
    cells: tuple[ReadCell, ...]
    lines: tuple[ReadBox, ...]
    """Text outside the ruled tables, one entry per found line piece."""
    words: tuple[ReadBox, ...] = ()
    """On a page without ruled tables, its text as words (see `etl/ocr/words.py`)."""

    @property
    def image(self) -> Image:
        return self.prepared.image


def read_image_page(engine: Engine, rgb: npt.NDArray[np.uint8], number: int, scale: float) -> ReadPage:
    prepared = prepare(rgb, scale, deskew=False)
    found = engine.find_lines(prepared.image)
    if not prepared.framed:
        prepared, found = level(prepared, found)
    ink = binarise(prepared.image)
    grids = find_grids(without_text(ink, found))
    placed, free = _place(grids, found, ink)
    keys = list(placed)
    in_cells = [box for key in keys for box in placed[key]]
    boxes = in_cells + free
    readings = engine.read_lines(
        [crop(prepared.image, box, PAD) for box in in_cells], squeeze_from=CELL_SQUEEZE_FROM
    ) + engine.read_lines([crop(prepared.image, box, PAD) for box in free])
    read = iter(zip(boxes, readings, strict=True))
    cell_reads = {key: [ReadBox(*_next(read)) for _ in placed[key]] for key in keys}
    lines = tuple(ReadBox(box, r.text, r.score, _on_page(box, r.places)) for box, r in read if r.text.strip())
    cells = [
        _cell(ink, g, cell, cell_reads.get((g, c), []))
        for g, grid in enumerate(grids)
        for c, cell in enumerate(grid.cells)
    ]
    words = () if grids else tuple(unruled_words(engine, prepared.image, lines, ink))
    return ReadPage(number, prepared, tuple(grids), tuple(cells), lines, words)


def unruled_words(engine: Engine, image: Image, lines: Sequence[ReadBox], ink: Image) -> list[ReadBox]:
    """The page's text as words, with the values detection missed in rows of a table printed without
    lines read on their own (a row that still lacks one is left short, and extraction skips it)."""
    ink = despeckle(ink)
    words = without_stray_marks(page_words(lines, ink))
    values = [w for w in _read_alone(engine, image, missed_values(words, ink)) if w.text and w.is_value]
    if values:
        lines = [*lines, *values]
        words = without_stray_marks(page_words(lines, ink))
    labels = [w for w in _read_alone(engine, image, missed_labels(words, ink)) if _is_label(w)]
    if labels:
        words = without_stray_marks(page_words([*lines, *labels], ink))
    return slashes_told(words, ink)


def _read_alone(engine: Engine, image: Image, boxes: Sequence[Box]) -> list[ReadBox]:
    """Each box of the page read on its own as a line of text."""
    if not boxes:
        return []
    readings = engine.read_lines([crop(image, box, PAD) for box in boxes])
    return [
        ReadBox(box, r.text.strip(), r.score, _on_page(box, r.places))
        for box, r in zip(boxes, readings, strict=True)
    ]


LABEL_SCORE = 0.8
"""A missed label read under this score is left out (paper noise read as a character or two)."""


def _is_label(word: ReadBox) -> bool:
    """A reading of missed label ink that is label text: Chinese characters, read with confidence."""
    return word.score >= LABEL_SCORE and not word.is_value and sum(map(is_cjk, word.text)) >= 2


def slashes_told(words: Sequence[ReadBox], ink: Image) -> list[ReadBox]:
    """A word that is a lone stroke read as "1" (or l, I, |) whose ink leans right is the "/" mark, as
    in a ruled cell (`is_slash`): table 二 of a v2019 report prints "/" where a row does not apply, and
    the recogniser reads a steep "/" as "1"."""
    return [replace(w, text="/") if _is_slash_word(w, ink) else w for w in words]


def _is_slash_word(word: ReadBox, ink: Image) -> bool:
    return word.text in ONE_OR_SLASH and word.text != "/" and is_slash(ink, _cell_of(word.box))


WORD_ROOM = 6.0
"""Pixels a word's box is widened by to look at its ink as a cell's (`ink_box` keeps 5 off a cell's
edges, where a ruled cell has its lines)."""


def _cell_of(box: Box) -> Box:
    return Box(box.x0 - WORD_ROOM, box.top - WORD_ROOM, box.x1 + WORD_ROOM, box.bottom + WORD_ROOM)


PAD = 3
"""Pixels of paper kept around a found line when it is read."""


def _on_page(box: Box, places: Sequence[float]) -> tuple[float, ...]:
    left = max(0, int(box.x0 - PAD))
    return tuple(left + p for p in places)


def level(prepared: PreparedPage, found: list[Box]) -> tuple[PreparedPage, list[Box]]:
    """A page without a frame to rectify it by, turned so that its text lines are level, with the
    found lines turned along (detection is not run again)."""
    angle = line_skew(found)
    if angle is None:
        angle = edge_skew(found)
    if angle is None:
        angle = text_skew(binarise(prepared.image))
    if abs(angle) < LEVEL:
        return prepared, found
    turned = prepared.turned(angle)
    matrix = turned.transform @ np.linalg.inv(prepared.transform)
    return turned, [_turn(box, matrix, angle) for box in found]


def line_skew(found: Sequence[Box]) -> float | None:
    """Degrees by which the page must turn (counter-clockwise) for its long text lines to be level."""
    slopes = [b.slope for b in found if b.x1 - b.x0 > LONG_LINE * b.height]
    if len(slopes) < MIN_LONG_LINES:
        return None
    return float(np.degrees(np.arctan(np.median(slopes))))


EDGE_TOLERANCE = 3.0
"""Pixels a left edge may lie off the line of the column it is in (the detector boxes a little coarsely)."""
MIN_EDGE_LINES = 8
EDGE_SPAN = 15.0
"""Text heights the left-aligned lines of a column must span to tell the page's rotation from."""


def edge_skew(found: Sequence[Box]) -> float | None:
    """Degrees by which the page must turn for its text to be level, told by the left edges of the lines
    of a column (the label column of a table printed without lines, run on from the page before: short
    lines, none long enough to tell the slope of the text, one under the other). Left-aligned lines start
    on one straight line, which a turned page tilts: the most lines whose left edges lie on one line
    within `EDGE_TOLERANCE` (at least `MIN_EDGE_LINES`, spanning `EDGE_SPAN` text heights) give it. None
    where no such column stands."""
    if len(found) < MIN_EDGE_LINES:
        return None
    xs = np.array([b.x0 for b in found], dtype=np.float64)
    ys = np.array([b.centre[1] for b in found], dtype=np.float64)
    height = float(np.median([b.height for b in found]))
    limit = np.tan(np.radians(MAX_SKEW))
    best = np.zeros(len(found), dtype=bool)
    for upper in range(len(found)):
        dy, dx = ys - ys[upper], xs - xs[upper]
        lower = (dy > EDGE_SPAN * height / 3) & (np.abs(dx) <= limit * dy)
        if not lower.any():
            continue
        tilts = dx[lower] / dy[lower]
        inliers = np.abs(dx[np.newaxis, :] - tilts[:, np.newaxis] * dy[np.newaxis, :]) <= EDGE_TOLERANCE
        counts = inliers.sum(axis=1)
        if counts.max() > best.sum():
            best = inliers[int(counts.argmax())]
    if best.sum() < MIN_EDGE_LINES or np.ptp(ys[best]) < EDGE_SPAN * height:
        return None
    tilt = float(np.polyfit(ys[best], xs[best], 1)[0])
    return float(np.degrees(np.arctan(-tilt)))


def _turn(box: Box, matrix: npt.NDArray[np.float64], angle: float) -> Box:
    """The upright box of a line found turned by `angle`: its centre moved, its own width and height
    recovered from the turned rectangle's bounding box."""
    x, y = box.centre
    cx, cy, _ = matrix @ np.array([x, y, 1.0])
    radians = np.radians(abs(angle))
    cos, sin = float(np.cos(radians)), float(np.sin(radians))
    across, high = box.x1 - box.x0, box.height
    denominator = cos * cos - sin * sin
    width = max((across * cos - high * sin) / denominator, 0.5 * across)
    height = max((high * cos - across * sin) / denominator, 0.5 * high)
    return Box(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)


def _next(read: Iterator[tuple[Box, Reading]]) -> tuple[Box, str, float]:
    box, reading = next(read)
    return box, reading.text, reading.score


def _place(
    grids: Sequence[Grid], found: Sequence[Box], ink: Image
) -> tuple[dict[tuple[int, int], list[Box]], list[Box]]:
    """Text boxes by (grid, cell) and those outside every table; a cell with ink but no text box found
    (a lone "0" or dash detection missed) gets the box of its ink."""
    placed: dict[tuple[int, int], list[Box]] = {}
    free: list[Box] = []
    for box in found:
        pieces = _in_cells(grids, box)
        if not pieces:
            free.append(box)
        for key, piece in pieces:
            placed.setdefault(key, []).append(piece)
    for g, grid in enumerate(grids):
        for c, cell in enumerate(grid.cells):
            inked = ink_box(ink, cell.box) if (g, c) not in placed and has_ink(ink, cell.box) else None
            if inked is not None:
                placed[(g, c)] = [inked]
    return placed, free


def _cell(ink: Image, grid: int, cell: GridCell, reads: Sequence[ReadBox]) -> ReadCell:
    pieces = [p for p in reads if p.text.strip()]
    score = min((p.score for p in pieces), default=1.0)
    text = join_lines(pieces)
    if text in ONE_OR_SLASH and is_slash(ink, cell.box):
        text = "/"
    elif (text in DASH_READINGS or len(text) == 1) and is_dash(ink, cell.box):
        text = "—"
    return ReadCell(grid, cell, text, score)


def _in_cells(grids: Sequence[Grid], box: Box) -> list[tuple[tuple[int, int], Box]]:
    """The cells a text box lies in, with the part of the box inside each (a box that runs over a
    vertical ruling line is cut at it)."""
    x, y = box.centre
    for g, grid in enumerate(grids):
        if not (grid.box.x0 <= x <= grid.box.x1 and grid.box.top <= y <= grid.box.bottom):
            continue
        pieces = []
        for c, cell in enumerate(grid.cells):
            b = cell.box
            if not (b.top <= y <= b.bottom):
                continue
            left, right = max(b.x0 + 3, box.x0), min(b.x1 - 3, box.x1)
            if right - left >= 0.4 * box.height:
                pieces.append(((g, c), Box(left, box.top, right, box.bottom)))
        return pieces
    return []


def is_slash(ink: Image, box: Box) -> bool:
    """A lone stroke leaning right ("/", the not-applicable mark) rather than a "1" (upright, its flag
    leaning left at the top): the ink of the top third lies right of the ink of the bottom third."""
    found = ink_box(ink, box)
    if found is None:
        return False
    region = ink[int(found.top) : int(found.bottom) + 1, int(found.x0) : int(found.x1) + 1]
    ys, xs = np.nonzero(region)
    if len(ys) < 10:
        return False
    height = float(ys.max() - ys.min() + 1)
    top = xs[ys < ys.min() + height / 3]
    bottom = xs[ys > ys.max() - height / 3]
    return bool(len(top) and len(bottom) and top.mean() - bottom.mean() > SLANT * height)


def join_lines(pieces: Sequence[ReadBox]) -> str:
    """Text pieces in reading order: lines top to bottom joined by newlines, pieces on a line by spaces."""
    rows: list[list[ReadBox]] = []
    for piece in sorted(pieces, key=lambda p: p.box.centre[1]):
        if rows and abs(rows[-1][0].box.centre[1] - piece.box.centre[1]) <= SAME_LINE * piece.box.height:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return "\n".join(" ".join(p.text for p in sorted(row, key=lambda p: p.box.x0)) for row in rows)


def text_rows(pieces: Sequence[ReadBox]) -> list[list[ReadBox]]:
    """Free text pieces grouped into printed lines, top to bottom, each left to right."""
    rows: list[list[ReadBox]] = []
    for piece in sorted(pieces, key=lambda p: p.box.centre[1]):
        if rows and abs(_middle(rows[-1]) - piece.box.centre[1]) <= SAME_LINE * piece.box.height:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.box.x0) for row in rows]


def _middle(row: list[ReadBox]) -> float:
    return sum(p.box.centre[1] for p in row) / len(row)
