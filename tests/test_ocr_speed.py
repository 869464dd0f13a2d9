"""What makes a page cheaper without changing what is read (docs/ocr.md, Speed): the recogniser's output
layer rewritten at start-up (etl/ocr/rec_model.py; one `Gemm` giving logits instead of `MatMul`, a bias
`Add` and a `Softmax` over 18,710 characters), whose readings (text, scores, places) are the library's
model's, and OpenCV's image work on the engine's one thread."""

from __future__ import annotations

import numpy as np
import pytest

from etl.ocr import engine as engine_module
from etl.ocr.engine import RapidOcrEngine, Reading, _normalised
from tests.ocr_lines import line_image

onnx = pytest.importorskip("onnx")

LINES = ["7", "42", "1,024", "98765", "2019 1234 5678", "-", "0.5", "2019 1234 5678 9012 3456 7890 1234"]


@pytest.fixture(scope="module")
def engines() -> tuple[RapidOcrEngine, RapidOcrEngine]:
    """This engine, and one with the library's own recognition session (it gives probabilities)."""
    rewritten = RapidOcrEngine()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_module, "_give_logits", lambda *_: False)
        library = RapidOcrEngine()
    return rewritten, library


def test_the_session_gives_logits_whose_softmax_is_the_library_models_output(
    engines: tuple[RapidOcrEngine, RapidOcrEngine],
) -> None:
    rewritten, library = engines
    assert rewritten._logits and not library._logits
    images = np.stack([_normalised(line_image(text), 48, 320) for text in LINES])
    probabilities = np.asarray(library._rec.session(images))
    logits = np.asarray(rewritten._rec.session(images))
    assert logits.shape == (probabilities.shape[0] * probabilities.shape[1], probabilities.shape[2])
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax = (exps / exps.sum(axis=1, keepdims=True)).reshape(probabilities.shape)
    np.testing.assert_allclose(softmax, probabilities, rtol=1e-4, atol=1e-6)


def _same(ours: Reading, theirs: Reading) -> None:
    assert ours.text == theirs.text
    assert ours.score == pytest.approx(theirs.score, rel=1e-5, abs=1e-6)
    assert ours.places == pytest.approx(theirs.places)


def test_lines_and_digits_read_as_with_the_library_model(
    engines: tuple[RapidOcrEngine, RapidOcrEngine],
) -> None:
    rewritten, library = engines
    crops = [line_image(text) for text in LINES]
    ours, theirs = rewritten.read_lines(crops), library.read_lines(crops)
    assert [r.text for r in ours][:4] == ["7", "42", "1,024", "98765"]
    for a, b in zip(ours, theirs, strict=True):
        _same(a, b)
    for found, expected in zip(rewritten.read_digits(crops), library.read_digits(crops), strict=True):
        assert len(found) == len(expected)
        for a, b in zip(found, expected, strict=True):
            _same(a, b)


def test_a_model_that_does_not_end_as_the_recogniser_is_left_alone() -> None:
    from onnx import TensorProto, helper

    from etl.ocr.rec_model import logits_model

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "t", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "t", 4])
    graph = helper.make_graph([helper.make_node("Softmax", ["x"], ["y"], axis=2)], "g", [x], [y])
    assert logits_model(helper.make_model(graph)) is None


def test_opencv_works_on_the_engines_one_thread(engines: tuple[RapidOcrEngine, RapidOcrEngine]) -> None:
    import cv2

    cv2.setNumThreads(2)
    RapidOcrEngine()
    assert cv2.getNumThreads() == 1
