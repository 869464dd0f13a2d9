"""The OCR engine behind one small interface, so it can be swapped (docs/ocr.md says why this one).

`RapidOcrEngine` runs the PP-OCR models that ship inside the `rapidocr` wheel on ONNX Runtime (CPU); it
never downloads anything. `TesseractEngine` drives Debian's `tesseract` with `chi_sim`; it is kept for the
comparison in `benchmarks/ocr_engines.py`.
"""

from __future__ import annotations

import functools
import io
import math
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from etl.errors import UnreadableDocument
from etl.ocr.rec_model import load_model, logits_model

Image = npt.NDArray[np.uint8]
"""A greyscale page or crop, uint8, white paper."""
Logits = npt.NDArray[np.float32]
"""The recogniser's output for one crop: time steps × characters, before the softmax."""
T = TypeVar("T")

DIGITS = "0123456789"
DIGIT_MARKS = DIGITS + ".-"
DETECT_WIDTH = 1240
"""Text is found on the page scaled to this width (an A4 page at 150 dpi); lines are read at full size."""
DETECT_LIMIT = 6000
ARENA_PAGE = 1280 * 1792
"""The detector's arena keeps what a page of up to this many pixels at detection scale needs (an A4 page
at 1,248 × 1,760); the arena is shrunk after a larger page (a long image), so that its memory is not
held while the page's lines are read."""
DETECT_ARENA = True
"""The detector keeps its working memory from page to page (`_with_arena`; the recogniser runs as the
library sets it up). Without it each page's activations, a few hundred MB, were mapped afresh from the
system, and the page faults cost about a quarter of detection's CPU time (docs/ocr.md, Speed)."""
MAX_CANDIDATES = 4
BATCH_PIXELS = 4096
"""Padded width (pixels at the model's 48 px height, summed over the crops) that one recognition call
may hold: the model's memory grows with it, about 35 KB a pixel (its 18,710 characters a time step)."""
MAX_RATIO = 100.0
"""Width:height beyond which a crop is squeezed to this ratio to be read (no line of a printed A4
page comes near it; a crop that does would otherwise cost memory without bound)."""
SQUEEZE_FROM = 20.0
"""Width:height beyond which a line (a line of narrative, about 20 characters or more) is read squeezed
across..."""
CELL_SQUEEZE_FROM = 4.0
"""Width:height beyond which the text of a ruled table's cell is read squeezed: a cell gives only its
text (the places of its characters are used for lines outside tables, to cut them into words), so a
label of four characters or more is read from 40 % fewer time steps (docs/ocr.md, Speed)."""
SQUEEZE = 0.6
"""...to this share of its width. The model, trained on lines squeezed into its 320 px, reads the same
characters from fewer time steps: such a line costs 40 % less (docs/ocr.md, Speed)."""
MIN_WIDTH = 96
"""The narrowest a crop is padded to for recognition, in pixels at the model's 48 px height: a cell of a
digit or two is not padded to the model's own 320 px (docs/ocr.md, Speed)."""
WIDTH_STEP = 32
"""A crop is padded to a multiple of this (the model reads a time step per 8 px)..."""
MARGIN = 32
"""...with at least this much blank beyond its own width: a line padded by less than two time steps
now and then reads a character twice at its end (`（一)）维持…`), and a short label with less than four
drops a mark (`用、行` read `用行`; docs/ocr.md, Speed)."""
DOUBT = 0.97
"""A time step whose best digit has less probability than this offers its runner-up as a candidate."""


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float
    slope: float = 0.0
    """How the text line found in the box rises or falls (dy/dx), where the engine knows it."""

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Reading:
    """Text read from one line image with the engine's score (0–1)."""

    text: str
    score: float
    places: tuple[float, ...] = ()
    """Where each character of `text` sits along the crop (pixels from its left edge), where the
    engine knows it: a line found as one piece can then be cut at its gaps into words."""


@dataclass(frozen=True)
class Line:
    """A line of text found and read on a page, in page pixels."""

    box: Box
    text: str
    score: float


class Engine(Protocol):
    name: str

    def find_lines(self, page: Image) -> list[Box]:
        """Boxes of the text lines on a page."""
        ...

    def read_lines(self, crops: Sequence[Image], squeeze_from: float | None = None) -> list[Reading]:
        """Each crop holds one line of text; a crop longer than `squeeze_from` (default `SQUEEZE_FROM`)
        times its height may be read narrowed (an engine that gains nothing by it reads every crop as
        it is)."""
        ...

    def read_digits(self, crops: Sequence[Image]) -> list[list[Reading]]:
        """Each crop holds one number: its readings with digits, '.' and '-' only, best first."""
        ...


def crop(page: Image, box: Box, pad: float = 0.0) -> Image:
    height, width = page.shape[:2]
    x0 = max(0, int(box.x0 - pad))
    y0 = max(0, int(box.top - pad))
    x1 = min(width, int(box.x1 + pad + 0.999))
    y1 = min(height, int(box.bottom + pad + 0.999))
    return page[y0:y1, x0:x1]


def read_page(engine: Engine, page: Image) -> list[Line]:
    boxes = engine.find_lines(page)
    crops = [crop(page, box, 2) for box in boxes]
    readings = engine.read_lines(crops) if crops else []
    return [Line(box, r.text, r.score) for box, r in zip(boxes, readings, strict=True) if r.text.strip()]


class RapidOcrEngine:
    """PP-OCR (detection + recognition) from the `rapidocr` wheel on ONNX Runtime, one thread (and
    OpenCV's image work, process-wide, on as many)."""

    name = "rapidocr"

    def __init__(self, threads: int = 1) -> None:
        try:
            import cv2
            from rapidocr import RapidOCR
        except ImportError:
            raise UnreadableDocument(
                "OCR needs the rapidocr package: pip install 'xxgk[ocr]' (its models ship in the wheel)"
            ) from None
        params: dict[str, Any] = {
            "Global.log_level": "error",
            "Global.use_cls": False,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_LIMIT,
            "Rec.rec_batch_num": 8,
        }
        cv2.setNumThreads(threads)  # OpenCV's pool (a thread a core) would read the page on two cores
        self._ocr = RapidOCR(params=params)
        self._det = self._ocr._load_det_model()  # type: ignore[no-untyped-call]
        if DETECT_ARENA:
            self._det.session.session = _with_arena(self._det.session.session)
        self._rec = self._ocr._load_rec_model()  # type: ignore[no-untyped-call]
        self._logits = _give_logits(self._rec.session, self._ocr.cfg.Rec.engine_cfg)
        characters = list(self._rec.postprocess_op.character)
        self._characters = characters
        self._digit_ids = np.array([0, *(i for i, c in enumerate(characters) if c and c in DIGIT_MARKS)])

    def find_lines(self, page: Image) -> list[Box]:
        import cv2

        factor = min(1.0, DETECT_WIDTH / page.shape[1])
        small = (
            page
            if factor == 1.0
            else cv2.resize(page, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        )
        quads = self._detect(np.asarray(small, dtype=np.uint8))
        boxes = []
        for quad in quads:
            xs = [float(p[0]) / factor for p in quad]
            ys = [float(p[1]) / factor for p in quad]
            boxes.append(Box(min(xs), min(ys), max(xs), max(ys), _slope(quad)))
        return boxes

    def _detect(self, grey: Image) -> list[Any]:
        """The text quadrilaterals the library's detector finds on a greyscale page, with its steps but
        not its float64 copies of the page (each three times the size of the model's input): its
        normalisation is applied through a table of the 256 grey levels, which gives the same values."""
        pre = self._det.get_preprocess()
        resized = pre.resize(grey)
        if resized is None:
            return []
        levels = np.asarray(pre.normalize(np.arange(256, dtype=np.uint8)[:, np.newaxis].repeat(3, axis=1)))
        levels = levels.astype(np.float32)
        tensor = np.empty((1, 3, *resized.shape[:2]), np.float32)
        for channel in range(3):
            plane = resized if resized.ndim == 2 else resized[:, :, channel]
            tensor[0, channel] = levels[plane, channel]
        give_back_memory()
        large = tensor.shape[2] * tensor.shape[3] > ARENA_PAGE
        detector = functools.partial(_run_shrinking, self._det.session) if large else self._det.session
        predictions = _run_model(detector, tensor)
        del tensor
        quads, _ = self._det.postprocess_op(predictions, grey.shape[:2])
        return list(self._det.sorted_boxes(quads)) if len(quads) else []

    def _recognised(self, crops: Sequence[Image], decode: Callable[[Logits, float], T]) -> list[T]:
        """Each crop's CTC logits (time steps × characters) and the crop pixels a step spans,
        decoded by `decode` as soon as its call is read, so that no call's output outlives it.

        Each crop is padded to a width of its own (`padded_width`), and only crops of the same padded
        width are read together, in calls of at most `BATCH_PIXELS` of padded width: what a crop reads
        does not depend on the other crops of the page, and a page of long lines needs no more memory
        than one of cells."""
        result: list[T | None] = [None] * len(crops)
        height = int(self._rec.rec_image_shape[1])
        widths = [padded_width(c.shape[0], c.shape[1], height) for c in crops]
        for padded in sorted(set(widths)):
            same = [i for i, w in enumerate(widths) if w == padded]
            calls = max(1, BATCH_PIXELS // padded)
            for first in range(0, len(same), calls):
                part = same[first : first + calls]
                images = np.stack([_normalised(crops[i], height, padded) for i in part])
                output = np.asarray(_run_model(self._rec.session, images))
                del images
                predictions = output.reshape(len(part), -1, output.shape[-1])
                if not self._logits:
                    predictions = np.log(predictions)
                for i, logits in zip(part, predictions, strict=True):
                    crop_height, crop_width = crops[i].shape[:2]
                    resized = _resized_width(crop_height, crop_width, height, padded)
                    result[i] = decode(logits, padded / len(logits) * crop_width / resized)
                del output
                del predictions
        return [r for r in result if r is not None]

    def read_lines(self, crops: Sequence[Image], squeeze_from: float | None = None) -> list[Reading]:
        """A line longer than `squeeze_from` (default `SQUEEZE_FROM`) times its height is read squeezed
        (`SQUEEZE`); the places of its characters are given back in its own pixels."""
        usable = [c for c in crops if c.size and min(c.shape[:2]) >= 4]
        squeezed = [_squeezed(c, SQUEEZE_FROM if squeeze_from is None else squeeze_from) for c in usable]
        characters = self._characters
        decoded = self._recognised(squeezed, lambda logits, step: ctc_decode(logits, step, characters))
        readings = iter(
            _stretched(reading, crop.shape[1] / narrow.shape[1])
            for reading, crop, narrow in zip(decoded, usable, squeezed, strict=True)
        )
        return [next(readings) if c.size and min(c.shape[:2]) >= 4 else Reading("", 0.0) for c in crops]

    def read_digits(self, crops: Sequence[Image]) -> list[list[Reading]]:
        ids, characters = self._digit_ids, self._characters
        return self._recognised(crops, lambda logits, _: digit_candidates(logits[:, ids], characters, ids))


def _with_arena(session: Any) -> Any:
    """The detector's ONNX Runtime session made again with the same options but ONNX Runtime's memory
    arena on and its memory patterns off: each tensor of a run then comes from the arena and goes back
    to it, and the next page reuses it (with patterns the arena held each page size's block beside the
    tensors of its first run: a scan's reading peaked at 1.1 GB, against 0.65 GB without an arena and
    0.82–0.87 GB this way)."""
    import onnxruntime

    options = session.get_session_options()
    options.enable_cpu_mem_arena = True
    options.enable_mem_pattern = False
    return onnxruntime.InferenceSession(session._model_path, options, providers=session.get_providers())


def _run_shrinking(session: Any, data: Any) -> Any:
    """One run of the detector that gives its arena's free memory back at the end (a page larger than
    `ARENA_PAGE`), failing as the library's own call does."""
    import onnxruntime
    from rapidocr.inference_engine.onnxruntime.main import ONNXRuntimeError

    options = onnxruntime.RunOptions()
    options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    inner = session.session
    try:
        return inner.run(None, {inner.get_inputs()[0].name: data}, options)[0]
    except Exception as exc:
        raise ONNXRuntimeError(str(exc)) from exc


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    trim = getattr(library, "malloc_trim", None)  # glibc only
    return trim if callable(trim) else None


def give_back_memory() -> None:
    """The heap's free pages returned to the system (glibc keeps what a model run freed, and the next
    page's peak would come on top of it)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _run_model(model: Callable[[Any], Any], data: Any) -> Any:
    """One call into ONNX Runtime. Its allocation failure under the worker's memory limit comes back as
    its own exception carrying `bad_alloc`: that is a MemoryError (the worker reports the limit); any
    other failure of the engine is a reason, not a traceback."""
    from rapidocr.inference_engine.onnxruntime.main import ONNXRuntimeError

    try:
        return model(data)
    except ONNXRuntimeError as exc:
        if "bad_alloc" in str(exc) or "bad_alloc" in str(exc.__cause__ or ""):
            raise MemoryError("ONNX Runtime could not allocate memory") from None
        raise UnreadableDocument(f"the OCR engine failed on a page: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _give_logits(recogniser: Any, options: Any) -> bool:
    """The library's recognition session (`OrtInferSession`) made to run its model with the output
    layer as one `Gemm` giving logits (etl/ocr/rec_model.py), with the library's session options; False
    if the model cannot be rewritten (it then gives probabilities, as the library's)."""
    from onnxruntime import InferenceSession

    loaded = recogniser.session
    model = load_model(loaded._model_path)
    rewritten = logits_model(model) if model is not None else None
    if rewritten is None:
        return False
    recogniser.session = InferenceSession(
        rewritten.SerializeToString(),
        sess_options=recogniser._init_sess_opts(options),
        providers=loaded.get_providers(),
    )
    return True


def _slope(quad: Sequence[Sequence[float]]) -> float:
    """dy/dx of the long side of a detected quadrilateral (its corners clockwise from top left)."""
    (x0, y0), (x1, y1) = quad[0][:2], quad[1][:2]
    return float(y1 - y0) / float(x1 - x0) if abs(x1 - x0) > 1e-6 else 0.0


def ctc_decode(logits: Logits, step: float, characters: list[str]) -> Reading:
    """Greedy CTC decoding; each character is placed at the middle of the time steps that emit it, and
    scored by its probability at the first of them (the softmax of that step's logits)."""
    if logits.size == 0:
        return Reading("", 0.0)
    best = logits.argmax(axis=1)
    text: list[str] = []
    firsts: list[int] = []
    spans: list[list[int]] = []
    previous = -1
    for index, emitted in enumerate(best):
        if emitted != 0 and emitted == previous and spans:
            spans[-1][1] = index
        elif emitted != 0:
            text.append(characters[emitted])
            firsts.append(index)
            spans.append([index, index])
        previous = int(emitted)
    places = tuple((first + last + 1) / 2 * step for first, last in spans)
    scores = [float(p) for p in best_probabilities(logits[firsts], best[firsts])]
    return Reading("".join(text), float(np.mean(scores)) if scores else 0.0, places)


def best_probabilities(logits: Logits, best: npt.NDArray[np.int_]) -> Logits:
    """The softmax probability of each row's `best` column, as ONNX Runtime's Softmax computes it
    (float32, the exponentials of the logits less the row's largest)."""
    top = logits[np.arange(len(best)), best][:, np.newaxis]
    return np.asarray(1 / np.exp(logits - top).sum(axis=1, dtype=np.float32), np.float32)


def digit_candidates(logits: Logits, characters: list[str], ids: npt.NDArray[np.int_]) -> list[Reading]:
    """Best digit-only reading, and the readings where one doubtful step takes its runner-up; `logits`
    are the columns of the blank, the digits, '.' and '-' (their softmax among themselves is the
    model's probabilities of them made to sum to one)."""
    if logits.size == 0:
        return [Reading("", 0.0)]
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exps / exps.sum(axis=1, keepdims=True)
    best = probs.argmax(axis=1)
    paths = [best]
    order = np.argsort(probs, axis=1)
    doubtful = [step for step in range(len(best)) if probs[step, best[step]] < DOUBT]
    for step in sorted(doubtful, key=lambda s: probs[s, best[s]])[: MAX_CANDIDATES - 1]:
        other = best.copy()
        other[step] = order[step, -2]
        paths.append(other)
    readings: list[Reading] = []
    for path in paths:
        text, previous = [], -1
        for index in path:
            if index != previous and index != 0:
                text.append(characters[ids[index]])
            previous = int(index)
        score = float(np.prod(probs[np.arange(len(path)), path]))
        reading = Reading("".join(text), score)
        if all(r.text != reading.text for r in readings):
            readings.append(reading)
    return sorted(readings, key=lambda r: -r.score)


def padded_width(crop_height: int, crop_width: int, height: int = 48) -> int:
    """The width (at the model's `height`) a crop is padded to for recognition: its own width at that
    height rounded up to a multiple of `WIDTH_STEP`, at least `MIN_WIDTH` and at most `MAX_RATIO`
    times the height. It depends on the crop alone."""
    own = math.ceil(height * crop_width / max(1, crop_height))
    rounded = -(-(own + MARGIN) // WIDTH_STEP) * WIDTH_STEP
    return int(min(max(MIN_WIDTH, rounded), height * MAX_RATIO))


def _resized_width(crop_height: int, crop_width: int, height: int, padded: int) -> int:
    return max(1, min(padded, math.ceil(height * crop_width / max(1, crop_height))))


def _normalised(image: Image, height: int, padded: int) -> npt.NDArray[np.float32]:
    """The crop as the recogniser takes it (as the library's `resize_norm_img`): scaled to `height`
    (squeezed if wider than `padded`), three channels in -1…1, padded with 0 on the right."""
    import cv2

    width = _resized_width(image.shape[0], image.shape[1], height, padded)
    resized = cv2.resize(_colour(image), (width, height)).astype(np.float32)
    tensor = np.zeros((3, height, padded), np.float32)
    tensor[:, :, :width] = (resized.transpose((2, 0, 1)) / 255 - 0.5) / 0.5
    return tensor


def _squeezed(image: Image, squeeze_from: float) -> Image:
    import cv2

    if image.shape[1] <= squeeze_from * image.shape[0]:
        return image
    width = max(4, round(image.shape[1] * SQUEEZE))
    return np.asarray(cv2.resize(image, (width, image.shape[0]), interpolation=cv2.INTER_AREA), np.uint8)


def _stretched(reading: Reading, factor: float) -> Reading:
    if factor == 1:
        return reading
    return Reading(reading.text, reading.score, tuple(place * factor for place in reading.places))


def _colour(image: Image) -> Image:
    if image.ndim == 3:
        return image
    return np.repeat(image[:, :, np.newaxis], 3, axis=2)


class TesseractEngine:
    """Debian's tesseract with chi_sim, through its command line (kept for the engine comparison)."""

    name = "tesseract"

    def __init__(self) -> None:
        if shutil.which("tesseract") is None:
            raise UnreadableDocument("tesseract is not installed (apt-get install tesseract-ocr-chi-sim)")
        self._env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def _run(self, image: Image, *options: str) -> str:
        from PIL import Image as PilImage

        buffer = io.BytesIO()
        PilImage.fromarray(image).save(buffer, "PNG")
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "chi_sim", *options],
            input=buffer.getvalue(),
            capture_output=True,
            env=self._env,
            check=False,
        )
        return done.stdout.decode("utf-8", "replace")

    def find_lines(self, page: Image) -> list[Box]:
        lines: dict[tuple[str, str, str], list[Box]] = {}
        for row in self._run(page, "--psm", "11", "tsv").splitlines()[1:]:
            fields = row.split("\t")
            if len(fields) == 12 and fields[11].strip():
                x, y, w, h = (float(v) for v in fields[6:10])
                lines.setdefault((fields[2], fields[3], fields[4]), []).append(Box(x, y, x + w, y + h))
        return [
            Box(
                min(b.x0 for b in bs),
                min(b.top for b in bs),
                max(b.x1 for b in bs),
                max(b.bottom for b in bs),
            )
            for bs in lines.values()
        ]

    def read_lines(self, crops: Sequence[Image], squeeze_from: float | None = None) -> list[Reading]:
        """All crops stacked into one image, one line each, read in one call (a call per crop would
        spend most of its time starting tesseract and loading chi_sim)."""
        return self._stacked(crops, "--psm", "6")

    def read_digits(self, crops: Sequence[Image]) -> list[list[Reading]]:
        whitelist = ("-c", f"tessedit_char_whitelist={DIGIT_MARKS}")
        return [[reading] for reading in self._stacked(crops, "--psm", "6", *whitelist)]

    def _stacked(self, crops: Sequence[Image], *options: str) -> list[Reading]:
        if not crops:
            return []
        height = 48
        gap = 24
        scaled = [_to_height(c, height) for c in crops]
        width = max(c.shape[1] for c in scaled) + 2 * gap
        sheet = np.full((len(scaled) * (height + gap) + gap, width), 255, np.uint8)
        for i, c in enumerate(scaled):
            top = gap + i * (height + gap)
            sheet[top : top + height, gap : gap + c.shape[1]] = c
        texts: dict[int, list[tuple[float, str, float]]] = {}
        for row in self._run(sheet, *options, "tsv").splitlines()[1:]:
            fields = row.split("\t")
            if len(fields) != 12 or not fields[11].strip():
                continue
            x, y, h = float(fields[6]), float(fields[7]), float(fields[9])
            index = int((y + h / 2 - gap / 2) // (height + gap))
            texts.setdefault(index, []).append((x, fields[11], max(0.0, float(fields[10])) / 100))
        readings = []
        for i in range(len(scaled)):
            words = sorted(texts.get(i, []))
            text = "".join(w for _, w, _ in words)
            readings.append(Reading(text, min((c for _, _, c in words), default=0.0)))
        return readings


def _to_height(image: Image, height: int) -> Image:
    import cv2

    if image.size == 0:
        return np.full((height, 4), 255, np.uint8)
    grey = image if image.ndim == 2 else image[:, :, 0]
    width = max(4, round(grey.shape[1] * height / grey.shape[0]))
    return np.asarray(cv2.resize(grey, (width, height), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def _tesseract_reading(text: str) -> Reading:
    cleaned = "".join(text.split())
    return Reading(cleaned, 0.9 if cleaned else 0.0)


ENGINES: dict[str, Callable[[], Engine]] = {"rapidocr": RapidOcrEngine, "tesseract": TesseractEngine}


@functools.cache
def default_engine() -> Engine:
    """The engine a worker process uses: created once per process (loading the models takes ~1 s)."""
    name = os.environ.get("XXGK_OCR_ENGINE", "rapidocr")
    try:
        return ENGINES[name]()
    except KeyError:
        raise UnreadableDocument(f"unknown OCR engine {name!r}; known: {', '.join(ENGINES)}") from None
