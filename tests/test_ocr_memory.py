"""The recognition model's memory is bounded by the size of each call, whatever the page holds: crops are
read in calls of at most `BATCH_PIXELS` of padded width, a crop wider than `MAX_RATIO` is squeezed, and
how the calls are cut does not change what is read (crops of the same padded width share calls)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest

from etl.ocr import engine as engine_module
from etl.ocr.engine import BATCH_PIXELS, MAX_RATIO, RapidOcrEngine, Reading


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


class Recorder:
    """The recognition model, with the shape of every input it is given."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.shapes: list[tuple[int, ...]] = []

    def __call__(self, data: Any) -> Any:
        self.shapes.append(tuple(data.shape))
        return self.model(data)


@pytest.fixture
def recorded(engine: RapidOcrEngine) -> Iterator[Recorder]:
    recognizer = engine._rec
    recorder = Recorder(recognizer.session)
    recognizer.session = recorder
    try:
        yield recorder
    finally:
        recognizer.session = recorder.model


def _line(text: str, height: int = 34, width: int | None = None) -> np.ndarray:
    size, _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
    image = np.full((height, width or size[0] + 12), 255, np.uint8)
    cv2.putText(image, text, (6, height - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return image


def _crops() -> list[np.ndarray]:
    long = "2019 1234 5678 9012 3456 7890 " * 3
    return [
        *(_line(str(n)) for n in (7, 42, 365, 1024, 98765)),
        *(_line(long[: 20 + 9 * i]) for i in range(10)),
        np.full((4, 1654), 255, np.uint8),  # a hairline the width of a page: ratio 413
        *(_line(str(1000 + n)) for n in range(40)),  # cells of one padded width, more than one call holds
    ]


def test_each_recognition_call_stays_within_its_pixel_budget(
    engine: RapidOcrEngine, recorded: Recorder
) -> None:
    engine.read_lines(_crops())
    assert recorded.shapes
    for count, _, height, width in recorded.shapes:
        assert width <= height * MAX_RATIO
        assert count == 1 or count * width <= BATCH_PIXELS


def test_readings_do_not_depend_on_how_the_calls_are_cut(
    engine: RapidOcrEngine, recorded: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    crops = _crops()
    cut = engine.read_lines(crops)
    calls = len(recorded.shapes)
    monkeypatch.setattr(engine_module, "BATCH_PIXELS", 10**9)
    whole = engine.read_lines(crops)
    assert len(recorded.shapes) - calls < calls  # the calls of one padded width were cut above
    assert [r.text for r in cut] == [r.text for r in whole]
    assert all(_near(a, b) for a, b in zip(cut, whole, strict=True))
    assert "98765" in [r.text for r in cut]


def _near(a: Reading, b: Reading) -> bool:
    return abs(a.score - b.score) < 1e-4 and np.allclose(a.places, b.places)
