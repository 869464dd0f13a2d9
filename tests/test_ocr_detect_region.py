"""Text is found only in the part of the page that holds ink (etl/ocr/engine.py `ink_region`): white
paper margins and a blank lower half are not run through the detector, specks do not widen the region,
and the boxes found are those of the whole page."""

from __future__ import annotations

import numpy as np
import pytest

from etl.ocr import engine as engine_module
from etl.ocr.engine import RapidOcrEngine, ink_region
from tests.ocr_lines import line_image

STEP, MARGIN = engine_module.DETECT_STEP, engine_module.INK_MARGIN


def blank(height: int = 1760, width: int = 1248) -> np.ndarray:
    return np.full((height, width), 255, np.uint8)


def paste(page: np.ndarray, image: np.ndarray, x: int, y: int) -> None:
    page[y : y + image.shape[0], x : x + image.shape[1]] = image


def rounded_out(x0: int, top: int, x1: int, bottom: int, width: int, height: int) -> tuple[int, ...]:
    return (
        max(0, (x0 - MARGIN) // STEP * STEP),
        max(0, (top - MARGIN) // STEP * STEP),
        min(width, -(-(x1 + MARGIN) // STEP) * STEP),
        min(height, -(-(bottom + MARGIN) // STEP) * STEP),
    )


def test_the_region_is_the_text_with_its_margin_and_specks_do_not_count() -> None:
    page = blank()
    text = line_image("2019 1234 5678")
    paste(page, text, 300, 500)
    ink = np.argwhere(page < engine_module.INK_LEVEL)
    (top, x0), (bottom, x1) = ink.min(axis=0), ink.max(axis=0) + 1
    rng = np.random.default_rng(7)
    for y, x in zip(rng.integers(0, 1758, 300), rng.integers(0, 1246, 300), strict=True):
        page[y : y + 2, x : x + 2] = 90  # scanner noise: pieces of four pixels
    page[1700, 40:43] = 0
    region = ink_region(page)
    assert region == rounded_out(int(x0), int(top), int(x1), int(bottom), 1248, 1760)
    assert all(side % STEP == 0 for side in region)
    assert region[0] <= x0 - MARGIN and region[2] >= x1 + MARGIN
    assert region[1] <= top - MARGIN and region[3] >= bottom + MARGIN
    assert (region[2] - region[0]) * (region[3] - region[1]) < 0.1 * page.size


def test_text_at_the_edge_of_the_page_reaches_the_edge() -> None:
    page = blank()
    paste(page, line_image("365 1024 98765"), 0, 0)
    paste(page, line_image("4455 6677"), 1248 - line_image("4455 6677").shape[1], 1760 - 34)
    assert ink_region(page) == (0, 0, 1248, 1760)
    lower = blank()
    paste(lower, line_image("42")[4:], 600, 1760 - 30)  # cut by the page's lower edge
    x0, top, _, bottom = ink_region(lower)
    assert bottom == 1760 and x0 <= 600 - MARGIN and top <= 1760 - 30 - MARGIN


def test_a_blank_page_or_a_page_of_specks_is_given_whole() -> None:
    page = blank(640, 480)
    assert ink_region(page) == (0, 0, 480, 640)
    page[100:102, 100:103] = 0
    assert ink_region(page) == (0, 0, 480, 640)


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


def drawn_page() -> np.ndarray:
    """An A4 page at 200 dpi with lines of figures in its middle and its lower half blank."""
    page = np.full((2339, 1654), 255, np.uint8)
    texts = ["2019 1234 5678", "12 0 345 6789 2021", "4455 6677 8899 1000 2000", "365 1024 98765", "7"]
    for row, text in enumerate(texts):
        paste(page, line_image(text, 40), 260 + 150 * (row % 2), 300 + 90 * row)
    return page


def test_the_boxes_of_a_page_are_those_of_the_whole_page_from_a_smaller_input(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = drawn_page()
    shapes: list[tuple[int, ...]] = []
    model = engine._det.session

    def recorded(data: np.ndarray) -> object:
        shapes.append(tuple(data.shape))
        return model(data)

    monkeypatch.setattr(engine._det, "session", recorded)
    cropped = engine.find_lines(page)
    monkeypatch.setattr(engine_module, "CROP_TO_INK", False)
    whole = engine.find_lines(page)
    (_, _, h0, w0), (_, _, h1, w1) = shapes
    assert h0 * w0 < 0.3 * h1 * w1  # the ink of the page, not the whole page, was given to the detector
    assert len(cropped) == len(whole) == 5
    # The detector's squeeze-and-excitation blocks average each feature over the whole input, so the
    # paper left out shifts the boxes' edges by a few pixels (docs/ocr.md, Speed); no more than that.
    scale = page.shape[1] / engine_module.DETECT_WIDTH
    for a, b in zip(sorted(cropped, key=lambda b: b.top), sorted(whole, key=lambda b: b.top), strict=True):
        shift = max(abs(a.x0 - b.x0), abs(a.top - b.top), abs(a.x1 - b.x1), abs(a.bottom - b.bottom))
        assert shift <= 6 * scale  # six pixels at detection scale (five on this page)
