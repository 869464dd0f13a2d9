"""Short crops are read side by side in strips and long lines squeezed (etl/ocr/engine.py `read_lines`):
each crop still gets its own reading, with places in its own pixels, and the readings are the ones a
crop read alone gives."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.ocr import engine as engine_module
from etl.ocr.engine import Emitted, Piece, RapidOcrEngine, Strip, side_by_side, split_strip


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


def _line(text: str, height: int = 34) -> np.ndarray:
    size, _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
    image = np.full((height, size[0] + 12), 255, np.uint8)
    cv2.putText(image, text, (6, height - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return image


def _recording_calls(engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shape of every input the recognition model is given from now on."""
    calls: list[tuple[int, ...]] = []
    model = engine._rec.session

    def recorded(data: np.ndarray) -> object:
        calls.append(data.shape)
        return model(data)

    monkeypatch.setattr(engine._rec, "session", recorded)
    return calls


NUMBERS = ["7", "42", "365", "0", "13", "2", "460", "51", "8", "96"]


def test_short_crops_read_side_by_side_each_get_their_own_reading(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    crops = [_line(n) for n in NUMBERS]
    assert all(c.shape[1] / c.shape[0] < engine_module.SIDE_BY_SIDE_BELOW for c in crops)
    calls = _recording_calls(engine, monkeypatch)
    readings = engine.read_lines(crops)
    assert [r.text for r in readings] == NUMBERS
    assert len(calls) == 1 and calls[0][0] == 1  # ten cells, one strip, one call
    for crop, reading in zip(crops, readings, strict=True):
        assert len(reading.places) == len(reading.text)
        assert all(0 <= place <= crop.shape[1] for place in reading.places)
        assert list(reading.places) == sorted(reading.places)
        assert reading.score > 0.5


def test_a_crop_of_several_words_is_read_alone(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = _line("12 0 345")
    assert wide.shape[1] / wide.shape[0] >= engine_module.SIDE_BY_SIDE_BELOW
    calls = _recording_calls(engine, monkeypatch)
    readings = engine.read_lines([_line("7"), wide, _line("42")])
    assert [r.text for r in readings] == ["7", "12 0 345", "42"]
    assert sorted(shape[3] for shape in calls) == [320, 320]  # the wide one padded alone; the two in a strip


def test_a_strip_holds_no_more_than_its_width_and_never_cuts_a_crop() -> None:
    crops = [_line(n) for n in NUMBERS * 6]
    strips = side_by_side(crops, 48, gap=48, width=600)
    assert len(strips) > 1
    assert [p.index for s in strips for p in s.pieces] == list(range(len(crops)))
    for strip in strips:
        assert strip.image.shape[0] == 48
        assert strip.image.shape[1] <= 600 or len(strip.pieces) == 1
        assert strip.pieces[-1].x1 + 48 == strip.image.shape[1]
        assert (strip.image[:, : strip.pieces[0].x0] == 255).all()  # paper before the first


def test_a_long_line_read_squeezed_keeps_its_digits_and_places(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = _line("2019 1234 5678 9012 3456 7890 2021")
    assert long.shape[1] / long.shape[0] > engine_module.SQUEEZE_FROM
    squeezed = engine.read_lines([long])[0]
    monkeypatch.setattr(engine_module, "SQUEEZE", 1.0)
    whole = engine.read_lines([long])[0]
    assert (
        squeezed.text.split()
        == whole.text.split()
        == ["2019", "1234", "5678", "9012", "3456", "7890", "2021"]
    )
    assert squeezed.places[-1] <= long.shape[1]
    # the same characters placed within a few pixels (a time step of the squeezed line)
    digits = [p for p, c in zip(squeezed.places, squeezed.text, strict=True) if c != " "]
    digits_whole = [p for p, c in zip(whole.places, whole.text, strict=True) if c != " "]
    assert np.allclose(digits, digits_whole, atol=16)


def _strip(widths: list[int], gap: int) -> Strip:
    pieces, x = [], gap
    for index, width in enumerate(widths):
        pieces.append(Piece(index, x, x + width, 1.0))
        x += width + gap
    return Strip(np.full((48, x), 255, np.uint8), tuple(pieces))


def test_characters_go_to_the_piece_they_stand_in_or_nearest_within_the_gap() -> None:
    strip = _strip([40, 60, 30], gap=48)  # pieces at 48-88, 136-196, 244-274
    emitted = [
        Emitted(" ", 0.9, 20.0),
        Emitted("1", 0.9, 60.0),
        Emitted("2", 0.8, 100.0),  # in the gap, nearer the first piece
        Emitted(" ", 0.9, 140.0),
        Emitted("3", 0.7, 150.0),
        Emitted("4", 0.9, 190.0),
        Emitted(" ", 0.9, 210.0),
    ]
    first, second, third = split_strip(strip, emitted)
    assert (first.text, second.text, third.text) == ("12", "34", "")
    assert first.places == (12.0, 52.0)  # measured from the piece's left edge
    assert second.places == (14.0, 54.0)
    assert second.score == pytest.approx(0.8)
    assert third.score == 0.0 and third.places == ()


@given(st.lists(st.integers(1, 200), min_size=1, max_size=12), st.lists(st.floats(0, 3000), max_size=40))
def test_every_character_of_a_strip_goes_to_exactly_one_piece(widths: list[int], places: list[float]) -> None:
    strip = _strip(widths, gap=48)
    emitted = [Emitted("x", 0.5, place) for place in places]
    readings = split_strip(strip, emitted)
    assert len(readings) == len(widths)
    assert sum(len(r.text) for r in readings) == len(places)
