"""Each crop is padded to a width of its own for recognition (etl/ocr/engine.py `padded_width`): what a
crop reads does not depend on the other crops it is read with, and a table cell is not padded to the
model's 320 px."""

from __future__ import annotations

import math

import pytest

from etl.ocr import engine as engine_module
from etl.ocr.engine import RapidOcrEngine, padded_width
from tests.ocr_lines import line_image, recording_widths


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


WIDER = ["2019 1234 5678", "12 0 345 6789 2021", "4455 6677 8899 1000 2000", "365 1024 98765"]


def test_a_crop_reads_the_same_alone_and_among_wider_crops(engine: RapidOcrEngine) -> None:
    cell = line_image("42")
    alone = engine.read_lines([cell])
    among = engine.read_lines(
        [line_image(text) for text in WIDER[:2]] + [cell] + [line_image(t) for t in WIDER[2:]]
    )
    assert among[2] == alone[0]  # the same text, score and places, to the last bit
    assert alone[0].text == "42"
    digits_alone = engine.read_digits([cell])
    digits_among = engine.read_digits([line_image(text) for text in WIDER] + [cell])
    assert digits_among[-1] == digits_alone[0]


def test_a_narrow_cell_is_padded_to_a_width_of_its_own_below_the_model_input(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cells = [line_image("7"), line_image("42"), line_image("1024")]
    widths = recording_widths(engine, monkeypatch)
    readings = engine.read_lines(cells)
    assert [r.text for r in readings] == ["7", "42", "1024"]
    assert all(width < 320 for width in widths)
    own = [padded_width(*cell.shape[:2]) for cell in cells]
    assert sorted(set(widths)) == sorted(set(own))
    assert all(width % engine_module.WIDTH_STEP == 0 and width >= engine_module.MIN_WIDTH for width in own)


def test_the_padded_width_follows_the_crop_alone() -> None:
    step, least, margin = engine_module.WIDTH_STEP, engine_module.MIN_WIDTH, engine_module.MARGIN
    assert padded_width(48, 10) == least
    for height, width in ((48, 4 * least + 1), (24, 200), (40, 388), (44, 221)):
        own = math.ceil(48 * width / height)  # scaled to the model's 48 px first
        padded = padded_width(height, width)
        assert padded % step == 0
        assert own + margin <= padded < own + margin + step  # blank beyond the last character
    assert padded_width(10, 100_000) == 48 * engine_module.MAX_RATIO
