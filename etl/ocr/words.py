"""Found text lines cut into words at their gaps, for tables printed without ruling lines.

Text detection finds lines, not words: a label and the value printed a cell further ("行政法规禁 0"), or
two label columns ("三、本 （一）予以公开"), come out as one line. The recogniser places every character
along the line (`Reading.places`); where the paper between two neighbouring characters is wider than a
word gap, the line is cut there, as a PDF's text layer would give its words. Full-width punctuation
carries blank space of its own on one side (the ink of "，" or "）" sits left in its square, that of "（"
right), so a gap next to it must be wider still to count.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from etl.ocr.engine import Box, Image
from etl.values import parse_value


@dataclass(frozen=True)
class ReadBox:
    box: Box
    text: str
    score: float
    places: tuple[float, ...] = ()
    """Where each character sits across the page (pixels), where the engine knows it."""

    @property
    def is_value(self) -> bool:
        return parse_value(self.text).semantic in ("number", "zero", "na")


CLOSING = frozenset("，、。；：！？）」』】》〉”’.,:;")
OPENING = frozenset("（「『【《〈“‘")
WORD_GAP = 0.5
"""A gap wider than this share of the text height separates two words."""
NUMBER_GAP = 0.2
"""Between a digit and a Chinese character, a gap wider than this share of the text height."""
PUNCTUATION_ROOM = 0.55
"""The blank a full-width punctuation mark holds on its open side, as a share of the text height."""
JOIN_GAP = 0.3
"""Pieces of one line found apart by detection are one word when the gap between them is narrower than
this share of the text height (about the 3 pt a PDF's words are joined across)."""
PLACE_REACH = 0.75
"""A word's ink reaches at most this share of the text height beyond its first and last characters'
places (the places of CTC steps lag a little behind the characters)."""
SAME_BASELINE = 0.3
"""Words whose ink ends within this share of the text height stand on one printed line."""
SPECK = 6
"""A piece of ink this small (pixels) is scanner noise, not part of a character (the flat stroke of 一
is far larger, though only two or three pixels thick)."""


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def text_height(pieces: Sequence[ReadBox], ink: Image) -> float | None:
    """The height of the page's Chinese characters (ink, pixels): the median over lines of two or more."""
    heights = [
        height
        for piece in pieces
        if sum(is_cjk(c) for c in piece.text) >= 2
        for height in [_rows(ink, piece.box)[1]]
        if height > 0
    ]
    return float(np.median(heights)) if heights else None


def _rows(ink: Image, box: Box) -> tuple[int, int]:
    """(first row, height) of the text's own ink in a box: the longest run of inked rows, so that the
    edge of a neighbouring line that reaches into the box is left out."""
    top, x0, x1 = max(0, int(box.top)), max(0, int(box.x0)), int(box.x1)
    inked_rows: npt.NDArray[np.bool_] = np.asarray(np.any(ink[top : int(box.bottom), x0:x1] > 0, axis=1))
    rows = [bool(v) for v in inked_rows]
    best, start = (0, 0), None
    for index, inked in enumerate([*rows, False]):
        if inked and start is None:
            start = index
        elif not inked and start is not None:
            if index - start > best[1]:
                best = (start, index - start)
            start = None
    return top + best[0], best[1]


def split_words(piece: ReadBox, ink: Image, height: float) -> list[ReadBox]:
    """The words of a found line: cut where the paper between two characters is wider than a word gap
    (narrower where the recogniser read a space between them)."""
    text, places = piece.text, piece.places
    if len(text) < 2 or len(places) != len(text):
        return [piece]
    first, rows = _rows(ink, piece.box)
    if rows == 0:
        return [piece]
    left = max(0, int(piece.box.x0))
    region = np.asarray(ink[first : first + rows, left : int(piece.box.x1) + 1] == 0, dtype=np.bool_)
    blank: npt.NDArray[np.bool_] = np.asarray(region.all(axis=0), dtype=np.bool_)
    cuts: list[tuple[int, float]] = []
    for i, after in _next_characters(text):
        start = max(places[i] - height / 2, (places[i - 1] + places[i]) / 2 if i else 0.0)
        gap = _widest_gap(blank, start - left, places[after] - left)
        needed = word_gap(text[i], text[after])
        if after > i + 1:
            needed = min(needed, JOIN_GAP)
        if gap is not None and gap[1] > needed * height:
            cuts.append((i + 1, left + gap[0] + gap[1] / 2))
    words = []
    bounds = [(0, piece.box.x0), *cuts, (len(text), piece.box.x1)]
    for (start, x0), (end, x1) in itertools.pairwise(bounds):
        word, where = text[start:end], places[start:end]
        kept = [i for i, char in enumerate(word) if not char.isspace()]
        if not kept:
            continue
        box = _tight(ink, Box(x0, piece.box.top, x1, piece.box.bottom), first, rows)
        words.append(ReadBox(box, "".join(word[i] for i in kept), piece.score, tuple(where[i] for i in kept)))
    return words


def _next_characters(text: str) -> list[tuple[int, int]]:
    """(index, index of the next character that is not a space) for every character but spaces and the
    last: the gap between two characters is looked for over the whole paper between them, a space read
    there included (the place of a read space is somewhere in the gap, which it would cut in two)."""
    kept = [i for i, char in enumerate(text) if not char.isspace()]
    return list(itertools.pairwise(kept))


def word_gap(before: str, after: str) -> float:
    """The blank (share of the text height) that separates two words between these characters: less
    where a number meets text (a value printed a cell after its label), more next to full-width
    punctuation, which holds blank space of its own."""
    if before in CLOSING or after in OPENING:
        return WORD_GAP + PUNCTUATION_ROOM
    if _is_digit(before) != _is_digit(after) and (is_cjk(before) or is_cjk(after)):
        return NUMBER_GAP
    return WORD_GAP


def _is_digit(char: str) -> bool:
    return char.isascii() and char.isdigit()


def page_words(pieces: Sequence[ReadBox], ink: Image) -> list[ReadBox]:
    """The found lines of a page without ruled tables as words, each boxed the way a PDF's text layer
    boxes it: as wide as its ink, one text height tall, standing on its printed line's baseline (words
    whose ink ends within `SAME_BASELINE` text heights of each other share it), so that words printed
    on one line share their top whatever characters they hold. `ink`: the page's, `despeckle`d."""
    height = text_height(pieces, ink)
    if height is None:
        return list(pieces)
    words = [
        (tight, _baseline(ink, tight.box))
        for piece in pieces
        for word in split_words(piece, ink, height)
        for tight in [_tightened(ink, word, height)]
    ]
    placed: list[ReadBox] = []
    for line in _by_baseline(words, SAME_BASELINE * height):
        baseline = float(np.median([b for _, b in line]))
        for word in _joined(sorted(_once([w for w, _ in line]), key=lambda w: w.box.x0), height):
            box = Box(word.box.x0, baseline - height, word.box.x1, baseline)
            placed.append(ReadBox(box, word.text, word.score, word.places))
    return placed


def _joined(words: Sequence[ReadBox], height: float) -> list[ReadBox]:
    """Neighbouring pieces of one printed line that detection found apart but that no word gap
    separates ("2." and "其他法律") joined into one word."""
    joined: list[ReadBox] = []
    for word in words:
        last = joined[-1] if joined else None
        room = PUNCTUATION_ROOM if last is not None and last.text[-1] in CLOSING else 0.0
        if last is not None and word.box.x0 - last.box.x1 <= (JOIN_GAP + room) * height:
            box = Box(
                last.box.x0,
                min(last.box.top, word.box.top),
                word.box.x1,
                max(last.box.bottom, word.box.bottom),
            )
            joined[-1] = ReadBox(
                box, last.text + word.text, min(last.score, word.score), last.places + word.places
            )
        else:
            joined.append(word)
    return joined


def despeckle(ink: Image) -> Image:
    """The ink with specks of scanner noise removed."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] > SPECK
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _once(words: Sequence[ReadBox]) -> list[ReadBox]:
    """The words of a line with a piece detection found twice kept once: a word inside a longer (or the
    same) word found over it is dropped."""
    kept: list[ReadBox] = []
    for word in sorted(words, key=lambda w: -len(w.text)):
        if not any(_covers(other, word) for other in kept):
            kept.append(word)
    return kept


def _covers(other: ReadBox, word: ReadBox) -> bool:
    overlap = min(word.box.x1, other.box.x1) - max(word.box.x0, other.box.x0)
    return word.text in other.text and overlap >= 0.7 * (word.box.x1 - word.box.x0)


def _tightened(ink: Image, word: ReadBox, height: float) -> ReadBox:
    """The word's box narrowed to its ink, and to its characters' places (detection may have boxed the
    edge of the next word with it)."""
    box = word.box
    if word.places:
        reach = PLACE_REACH * height
        box = Box(
            max(box.x0, word.places[0] - reach), box.top, min(box.x1, word.places[-1] + reach), box.bottom
        )
    first, rows = _rows(ink, box)
    return replace(word, box=_tight(ink, box, first, rows)) if rows else word


def _baseline(ink: Image, box: Box) -> float:
    first, rows = _rows(ink, box)
    return float(first + rows) if rows else box.bottom


def _by_baseline(words: list[tuple[ReadBox, float]], tolerance: float) -> list[list[tuple[ReadBox, float]]]:
    lines: list[list[tuple[ReadBox, float]]] = []
    for word in sorted(words, key=lambda w: w[1]):
        if lines and word[1] - lines[-1][-1][1] <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _widest_gap(blank: np.ndarray, start: float, end: float) -> tuple[int, int] | None:
    """(first column, width) of the widest run of blank columns between two places."""
    lo, hi = max(0, int(start)), min(len(blank), int(end) + 1)
    best: tuple[int, int] | None = None
    run = None
    for index in range(lo, hi + 1):
        if index < hi and blank[index]:
            run = index if run is None else run
        elif run is not None:
            if best is None or index - run > best[1]:
                best = (run, index - run)
            run = None
    return best


def _tight(ink: Image, box: Box, first: int, rows: int) -> Box:
    """The box narrowed to the word's ink (its height kept)."""
    x0, x1 = max(0, int(box.x0)), int(box.x1) + 1
    inked = np.nonzero(ink[first : first + rows, x0:x1].any(axis=0))[0]
    if len(inked) == 0:
        return box
    return Box(float(x0 + inked[0]), box.top, float(x0 + inked[-1] + 1), box.bottom)


MISSED_INK = 25
"""Pixels of ink in a value column of a row that make a value detection missed (a lone "0")."""


def value_rows(words: Sequence[ReadBox]) -> list[list[ReadBox]]:
    """The printed lines (words sharing a baseline, see `page_words`) that end in a value."""
    lines: dict[float, list[ReadBox]] = {}
    for word in words:
        lines.setdefault(word.box.bottom, []).append(word)
    rows = [sorted(line, key=lambda w: w.box.x0) for _, line in sorted(lines.items())]
    return [row for row in rows if row[-1].is_value]


def without_stray_marks(words: Sequence[ReadBox]) -> list[ReadBox]:
    """The words without a lone symbol (☑, ✓, □: no letter, digit or punctuation) read between two values
    of a row: a stray mark on the paper, which would make the row look like running text; and the
    label words of a row of values without such a symbol read at their end (平潭 2016 scanned: a speck
    after "同意公开答复数" read as "☑" made the label no row of the table)."""
    stray: set[int] = set()
    ends: dict[int, ReadBox] = {}
    for row in value_rows(words):
        for before, word, after in zip(row, row[1:], row[2:], strict=False):
            if before.is_value and after.is_value and _is_mark(word.text):
                stray.add(id(word))
        for word in row:
            label = word.text.rstrip(STRAY_ENDS)
            if label != word.text and any(is_cjk(c) for c in label):
                ends[id(word)] = replace(word, text=label, places=word.places[: len(label)])
    return [ends.get(id(w), w) for w in words if id(w) not in stray]


STRAY_ENDS = "☑☐☒□■✓✔"
"""Check and box marks: a label does not end in one, a speck read as one may."""


def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) == "So" for c in text)


def missed_values(words: Sequence[ReadBox], ink: Image) -> list[Box]:
    """Ink where a row of values lacks a value that another row of the same table has in that column:
    a single digit or dash that text detection missed. Each box is to be read on its own."""
    rows = value_rows(words)
    missed: list[Box] = []
    for row in rows:
        height = row[0].box.height
        for column in _columns(rows, row):
            reach = Box(column[0], row[0].box.top - 0.2 * height, column[1], row[0].box.bottom + 0.2 * height)
            if any(_overlaps(w.box, reach) for w in words):
                continue
            found = _ink_in(ink, reach)
            if found is not None:
                missed.append(found)
    for row in rows:
        missed += [box for box in gap_values(row, ink) if not any(_overlaps(box, m) for m in missed)]
    return missed


LABEL_ROOM = 1.0
"""Text heights left of a table's leftmost label word that a row's missed label may start at."""


def missed_labels(words: Sequence[ReadBox], ink: Image) -> list[Box]:
    """Ink left of a row's values, in the table's label columns, that no word covers: a label text
    detection missed together with its row's values (平潭 2019 faxed: "5.要求行政机关确认或", whose
    values were found again by `missed_values`, had no label, and the row was not the template's). The
    label may stand a little higher or lower than its values, so the band reaches `LABEL_REACH` text
    heights beyond the row, with the ink of every word taken out; ink that reaches a word (a word is
    boxed one text height tall, its ink may stand out of the box) is that word's. Each box is to be
    read on its own."""
    rows = value_rows(words)
    starts = [row[0].box.x0 for row in rows if len(row) > 1 and not row[0].is_value]
    if not starts:
        return []
    free = ink.copy()
    for word in words:
        free[
            max(0, int(word.box.top)) : int(word.box.bottom) + 1,
            max(0, int(word.box.x0)) : int(word.box.x1) + 1,
        ] = 0
    found: list[Box] = []
    for row in rows:
        values = [w for w in row if w.is_value]
        height = row[0].box.height
        left = min(starts) - LABEL_ROOM * height
        end = values[0].box.x0 - WORD_GAP * height
        if end - left < height:
            continue
        reach = LABEL_REACH * height
        band = Box(left, row[0].box.top - reach, end, row[0].box.bottom + reach)
        taken = [*found, *(w.box for w in words)]
        for blob in _ink_runs(free, band, height):
            big = blob.x1 - blob.x0 >= height and blob.height >= LABEL_HEIGHT * height
            if big and not any(_overlaps(_grown(blob, TOUCH * height), box) for box in taken):
                found.append(blob)
    return found


LABEL_REACH = 0.6
"""Text heights above and below a row of values that a label detection missed may reach."""
LABEL_HEIGHT = 0.7
"""A missed label is at least this share of the text height tall (a sliver of a word's ink outside its
box, a word being boxed one text height tall on its baseline, is not)."""
TOUCH = 0.2
"""Ink within this share of the text height of a word belongs to that word."""


def _grown(box: Box, by: float) -> Box:
    return Box(box.x0 - by, box.top - by, box.x1 + by, box.bottom + by)


GLYPH = 0.4
"""Ink this share of the text height tall or wide between two values of a row may be a value."""


def gap_values(row: Sequence[ReadBox], ink: Image) -> list[Box]:
    """Ink between two neighbouring values of a row that no word covers: a lone value detection missed
    in a column no other row of the page shows either (a table's last rows, alone on a page)."""
    height = row[0].box.height
    found: list[Box] = []
    for before, after in itertools.pairwise(row):
        if not (before.is_value and after.is_value):
            continue
        start, end = before.box.x1 + WORD_GAP * height, after.box.x0 - WORD_GAP * height
        if end - start < GLYPH * height:
            continue
        band = Box(start, row[0].box.top - 0.2 * height, end, row[0].box.bottom + 0.2 * height)
        for blob in _ink_runs(ink, band, WORD_GAP * height):
            if max(blob.x1 - blob.x0, blob.height) >= GLYPH * height:
                found.append(blob)
    return found


def _ink_runs(ink: Image, band: Box, gap: float) -> list[Box]:
    """The ink of a band in pieces parted by blank columns wider than `gap` (pixels)."""
    x0, top = max(0, int(band.x0)), max(0, int(band.top))
    inked = np.nonzero(ink[top : int(band.bottom) + 1, x0 : int(band.x1) + 1].any(axis=0))[0]
    runs: list[Box] = []
    if len(inked) == 0:
        return runs
    cuts = np.nonzero(np.diff(inked) > gap)[0]
    for first, last in zip(np.r_[0, cuts + 1], np.r_[cuts, len(inked) - 1], strict=True):
        piece = _ink_in(ink, Box(x0 + inked[first], band.top, x0 + inked[last] + 1, band.bottom))
        if piece is not None:
            runs.append(piece)
    return runs


def _columns(rows: Sequence[list[ReadBox]], row: list[ReadBox]) -> list[tuple[float, float]]:
    """The value columns (x ranges, widened by a third of the text height) of the other rows whose
    values span this row's values: the columns of the same table."""
    values = [w for w in row if w.is_value]
    height = row[0].box.height
    columns: list[tuple[float, float]] = []
    for other in rows:
        theirs = [w for w in other if w.is_value]
        if other is row or len(theirs) <= 1:
            continue
        if theirs[0].box.x0 > values[0].box.x0 + height or theirs[-1].box.x1 < values[-1].box.x1 - height:
            continue
        for word in theirs:
            span = (word.box.x0 - height / 3, word.box.x1 + height / 3)
            if not any(a < span[1] and span[0] < b for a, b in columns):
                columns.append(span)
    return columns


def _overlaps(a: Box, b: Box) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.top < b.bottom and b.top < a.bottom


def _ink_in(ink: Image, box: Box) -> Box | None:
    x0, top = max(0, int(box.x0)), max(0, int(box.top))
    region = ink[top : int(box.bottom) + 1, x0 : int(box.x1) + 1]
    if int(np.count_nonzero(region)) < MISSED_INK:
        return None
    ys, xs = np.nonzero(region)
    return Box(
        float(x0 + xs.min()), float(top + ys.min()), float(x0 + xs.max() + 1), float(top + ys.max() + 1)
    )
