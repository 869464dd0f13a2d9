"""The text detector keeps its working memory from page to page (etl/ocr/engine.py `DETECT_ARENA`): a
page's detection no longer maps a few hundred MB afresh (page faults cost about a quarter of detection's
CPU time), and the boxes found are the same, to the pixel, as without it."""

from __future__ import annotations

import resource

import numpy as np
import pytest

from etl.ocr.engine import RapidOcrEngine
from tests.ocr_lines import line_image


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return RapidOcrEngine()


def drawn_page(shift: int = 0) -> np.ndarray:
    """An A4 page at 200 dpi with lines of figures on it."""
    page = np.full((2339, 1654), 255, np.uint8)
    texts = ["2019 1234 5678", "12 0 345 6789 2021", "4455 6677 8899 1000 2000", "365 1024 98765", "7"]
    for row, text in enumerate(texts * 4):
        image = line_image(text, 40)
        x, y = 200 + 150 * (row % 3) + shift, 200 + 100 * row
        page[y : y + image.shape[0], x : x + image.shape[1]] = image
    return page


def faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def test_only_the_detector_keeps_a_memory_arena_without_memory_patterns(engine: RapidOcrEngine) -> None:
    options = engine._det.session.session.get_session_options()
    assert options.enable_cpu_mem_arena and not options.enable_mem_pattern
    assert options.intra_op_num_threads == 1
    assert not engine._rec.session.session.get_session_options().enable_cpu_mem_arena


def test_a_later_page_is_detected_without_mapping_its_memory_afresh(engine: RapidOcrEngine) -> None:
    engine.find_lines(drawn_page())
    engine.find_lines(drawn_page(shift=20))  # the run that plans the memory of pages of this size
    before = faults()
    engine.find_lines(drawn_page(shift=30))
    # Without the arena an A4 page's detection took about 100,000 new pages (400 MB) each time.
    assert faults() - before < 25_000


def test_the_boxes_are_those_found_without_the_arena(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapidocr.inference_engine.onnxruntime.main import OrtInferSession

    page = drawn_page(shift=11)
    kept = engine.find_lines(page)
    monkeypatch.setattr(engine._det, "session", OrtInferSession(engine._ocr.cfg.Det))
    assert not engine._det.session.session.get_session_options().enable_cpu_mem_arena
    assert engine.find_lines(page) == kept
    assert len(kept) == 20


def test_a_page_longer_than_a4_gives_the_arena_back_and_finds_the_same_boxes(
    engine: RapidOcrEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.ocr import engine as engine_module

    long_page = np.vstack([drawn_page(), drawn_page(shift=40)])
    shrunk: list[int] = []
    run = engine_module._run_shrinking

    def recorded(session: object, data: np.ndarray) -> object:
        shrunk.append(int(data.shape[2]))
        return run(session, data)

    monkeypatch.setattr(engine_module, "_run_shrinking", recorded)
    boxes = engine.find_lines(long_page)
    assert len(shrunk) == 1 and len(boxes) == 40
    engine.find_lines(drawn_page())
    assert len(shrunk) == 1  # an A4 page keeps the arena
    monkeypatch.setattr(engine_module, "ARENA_PAGE", 10**9)
    assert engine.find_lines(long_page) == boxes
