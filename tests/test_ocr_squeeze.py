"""A long line is read squeezed across (etl/ocr/engine.py `read_lines`): the same characters from fewer
time steps of the model, with the places of its characters given back in the line's own pixels; a short
line is read as it is. The text of a ruled table's cell is read squeezed from `CELL_SQUEEZE_FROM` (4:1)
on: a cell gives only its text, so a label of four characters or more costs fewer columns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from etl.ocr import engine as engine_module
from etl.ocr import page as page_module
from etl.ocr.engine import RapidOcrEngine
from etl.ocr.page import ReadPage, read_image_page
from etl.readers.ocr import SCALE, cell_text, pdf_sources
from tests.ocr_lines import line_image, recording_widths

REPORTS = Path(__file__).parent / "fixtures" / "reports"


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


NUMBERS = "2019 1234 5678 9012 3456 7890 2021 4455 6677 8899"


def test_a_long_line_is_read_squeezed_with_its_digits_and_places(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = line_image(NUMBERS)
    assert long.shape[1] > engine_module.SQUEEZE_FROM * long.shape[0]
    widths = recording_widths(engine, monkeypatch)
    step = 8 * long.shape[0] / 48 / engine_module.SQUEEZE  # a time step of the squeezed line, in its pixels
    squeezed = engine.read_lines([long])[0]
    monkeypatch.setattr(engine_module, "SQUEEZE", 1.0)
    whole = engine.read_lines([long])[0]
    assert widths[0] < 0.65 * widths[1]  # the model was given 40 % fewer pixels
    assert squeezed.text.split() == whole.text.split() == NUMBERS.split()
    assert squeezed.places[-1] <= long.shape[1]
    assert list(squeezed.places) == sorted(squeezed.places)
    # each character placed where the line read whole places it, within a time step of the squeezed line
    digits = [p for p, c in zip(squeezed.places, squeezed.text, strict=True) if c != " "]
    digits_whole = [p for p, c in zip(whole.places, whole.text, strict=True) if c != " "]
    assert np.allclose(digits, digits_whole, atol=step)


def test_a_cell_and_a_short_line_are_read_as_they_are(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = line_image("12 0 345 6789")
    assert short.shape[1] <= engine_module.SQUEEZE_FROM * short.shape[0]
    readings = engine.read_lines([line_image("7"), short])
    monkeypatch.setattr(engine_module, "SQUEEZE_FROM", 1e9)
    assert engine.read_lines([line_image("7"), short]) == readings
    assert [r.text for r in readings] == ["7", "12 0 345 6789"]


def _page_of_cells(engine: RapidOcrEngine) -> ReadPage:
    """Page 2 of a report printed with the old ruled table (68 cells: labels of 4–30 characters, units,
    values), rendered as a scan is read."""
    path = REPORTS / "衢江区自然资源和规划局_2014.pdf"
    source = pdf_sources(str(path), path.read_bytes())[1]
    return read_image_page(engine, source.render(1.0), 2, SCALE)


def test_the_cells_of_a_ruled_table_are_read_squeezed_with_the_same_text(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    widths = recording_widths(engine, monkeypatch)
    squeezed = _page_of_cells(engine)
    columns_squeezed = sum(widths)
    widths.clear()
    monkeypatch.setattr(page_module, "CELL_SQUEEZE_FROM", engine_module.SQUEEZE_FROM)
    whole = _page_of_cells(engine)
    assert len(squeezed.cells) == len(whole.cells) >= 60
    # the same text as the reader cleans it (a space beside a Chinese character is no text)
    assert [cell_text(c.text) for c in squeezed.cells] == [cell_text(c.text) for c in whole.cells]
    assert squeezed.lines == whole.lines  # lines outside the table: read as before, places and all
    assert columns_squeezed < 0.85 * sum(widths)
