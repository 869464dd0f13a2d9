"""Lines of digits drawn by the tests, and the widths the recognition model is given (the OCR engine's
unit tests)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from etl.ocr.engine import RapidOcrEngine


def line_image(text: str, height: int = 34) -> np.ndarray:
    size, _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
    image = np.full((height, size[0] + 12), 255, np.uint8)
    cv2.putText(image, text, (6, height - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return image


def recording_widths(engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The padded width of every input the recognition model is given from now on."""
    widths: list[int] = []
    model = engine._rec.session

    def recorded(data: np.ndarray) -> object:
        widths.append(int(data.shape[3]))
        return model(data)

    monkeypatch.setattr(engine._rec, "session", recorded)
    return widths
