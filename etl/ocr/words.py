"""Found text lines cut into words at their gaps, for tables printed without ruling lines.

Text detection finds lines, not words: a label and the value printed a cell further ("行政法规禁 0"), or
two label columns ("三、本 （一）予以公开"), come out as one line. The recogniser places every character
along the line (`Reading.places`); where the paper between two neighbouring characters is wider than a
word gap, the line is cut there, as a PDF's text layer would give its words. Full-width punctuation
carries blank space of its own on one side (the ink of "，" or "）" sits left in its square, that of "（"
right), so a gap next to it must be wider still to count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from etl.ocr.engine import Box, Image
from etl.ocr.page import ReadBox

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
    rows = ink[top : int(box.bottom), x0:x1].any(axis=1)
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
    (narrower where the recogniser read a space)."""
    text, places = piece.text, piece.places
    if len(text) < 2 or len(places) != len(text):
        return [piece]
    first, rows = _rows(ink, piece.box)
    if rows == 0:
        return [piece]
    left = max(0, int(piece.box.x0))
    blank = ~_despeckled(ink[first : first + rows, left : int(piece.box.x1) + 1]).any(axis=0)
    cuts: list[tuple[int, float]] = []
    for i in range(len(text) - 1):
        gap = _widest_gap(blank, places[i] - left, places[i + 1] - left)
        needed = JOIN_GAP if text[i + 1].isspace() else word_gap(text[i], text[i + 1])
        if gap is not None and gap[1] > needed * height:
            cuts.append((i + 1, left + gap[0] + gap[1] / 2))
    if not cuts:
        return [piece]
    words = []
    bounds = [(0, piece.box.x0), *cuts, (len(text), piece.box.x1)]
    for (start, x0), (end, x1) in zip(bounds, bounds[1:], strict=False):
        word, where = text[start:end], places[start:end]
        kept = [i for i, char in enumerate(word) if not char.isspace()]
        if not kept:
            continue
        box = _tight(ink, Box(x0, piece.box.top, x1, piece.box.bottom), first, rows)
        words.append(ReadBox(box, "".join(word[i] for i in kept), piece.score, tuple(where[i] for i in kept)))
    return words


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
    on one line share their top whatever characters they hold."""
    height = text_height(pieces, ink)
    if height is None:
        return list(pieces)
    words = [
        (tight, _baseline(ink, tight.box))
        for piece in pieces
        for word in split_words(piece, ink, height)
        for tight in [_tightened(ink, word)]
    ]
    placed: list[ReadBox] = []
    for line in _by_baseline(words, SAME_BASELINE * height):
        baseline = float(np.median([b for _, b in line]))
        kept = [word for word, _ in line if not any(_repeats(word, other) for other, _ in line)]
        for word in _joined(sorted(kept, key=lambda w: w.box.x0), height):
            box = Box(word.box.x0, baseline - height, word.box.x1, baseline)
            placed.append(ReadBox(box, word.text, word.score, word.places))
    return placed


def _joined(words: Sequence[ReadBox], height: float) -> list[ReadBox]:
    """Neighbouring pieces of one printed line that detection found apart but that no word gap
    separates ("2." and "其他法律") joined into one word."""
    joined: list[ReadBox] = []
    for word in words:
        last = joined[-1] if joined else None
        if last is not None and word.box.x0 - last.box.x1 <= JOIN_GAP * height:
            box = Box(last.box.x0, min(last.box.top, word.box.top), word.box.x1, max(last.box.bottom, word.box.bottom))
            joined[-1] = ReadBox(box, last.text + word.text, min(last.score, word.score), last.places + word.places)
        else:
            joined.append(word)
    return joined


def _despeckled(region: Image) -> npt.NDArray[np.bool_]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats((region > 0).astype(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] > SPECK
    keep[0] = False
    return np.asarray(keep[labels], dtype=np.bool_)


def _repeats(word: ReadBox, other: ReadBox) -> bool:
    """The word is part of a longer word found over it (detection found the piece twice)."""
    if word is other or len(other.text) <= len(word.text) or word.text not in other.text:
        return False
    overlap = min(word.box.x1, other.box.x1) - max(word.box.x0, other.box.x0)
    return overlap >= 0.7 * (word.box.x1 - word.box.x0)


def _tightened(ink: Image, word: ReadBox) -> ReadBox:
    first, rows = _rows(ink, word.box)
    return replace(word, box=_tight(ink, word.box, first, rows)) if rows else word


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
    inked = np.nonzero(_despeckled(ink[first : first + rows, x0:x1]).any(axis=0))[0]
    if len(inked) == 0:
        return box
    return Box(float(x0 + inked[0]), box.top, float(x0 + inked[-1] + 1), box.bottom)
