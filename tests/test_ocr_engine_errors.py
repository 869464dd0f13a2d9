"""The OCR engine's own failures at its boundary: ONNX Runtime's allocation failure under the worker's
memory limit is a MemoryError (the worker reports the limit), any other failure a one-line reason."""

from __future__ import annotations

from typing import Any

import pytest

from etl.errors import UnreadableDocument
from etl.ocr.engine import _run_model
from tests.conftest import FIXTURES

onnx_main = pytest.importorskip("rapidocr.inference_engine.onnxruntime.main")


def _failing(message: str) -> Any:
    def model(data: Any) -> Any:
        try:
            raise RuntimeError(message)
        except RuntimeError as cause:
            raise onnx_main.ONNXRuntimeError("Traceback (most recent call last):\n...") from cause

    return model


def test_an_allocation_failure_is_a_memory_error() -> None:
    with pytest.raises(MemoryError):
        _run_model(_failing("[ONNXRuntimeError] : 1 : FAIL : std::bad_alloc"), None)


def test_another_engine_failure_is_a_reason() -> None:
    with pytest.raises(UnreadableDocument, match="the OCR engine failed on a page"):
        _run_model(_failing("[ONNXRuntimeError] : 2 : INVALID_ARGUMENT"), None)


def test_a_working_model_returns_its_output() -> None:
    assert _run_model(lambda data: data * 2, 21) == 42


def test_a_page_pdfium_cannot_load_is_a_reason_naming_the_page_and_the_file() -> None:
    """Found by tools/fuzz.py (seed 3008): a mutant whose text layer is broken goes to OCR, and its
    third page object is damaged, so drawing it failed with PdfiumError, a traceback."""
    from etl.readers.ocr import pdf_sources

    path = FIXTURES / "fuzzed" / "page3_fails_to_load.pdf"
    sources = pdf_sources(path.name, path.read_bytes())
    with pytest.raises(UnreadableDocument) as caught:
        sources[2].render(1.0)
    assert caught.value.reason == (
        "page 3 of page3_fails_to_load.pdf cannot be drawn for OCR (Failed to load page.)"
    )
