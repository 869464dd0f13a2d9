"""Scanned copies of PDF reports, for testing OCR: as if printed, stamped, scanned or photographed.

A copy renders each page (pypdfium2) at 150–300 dpi and spoils it the way scanners and phones do: a
rotation of up to ±2°, grey paper, noise, JPEG artefacts, a red seal over part of a table, and for the
phone style a perspective tilt with uneven light. The borderless styles first take the tables' ruling
lines out, as if the tables had been printed without them (the values and their truth stay the same).
The copy is an image-only PDF or one image per page; its truth file is the original's (the same values
must be read back). Deterministic for a given seed.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

RGB = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Spoil:
    """How one copy is spoiled."""

    name: str
    dpi: int
    angle: float
    paper: int
    """Grey level of the paper (255 = white)."""
    noise: float
    jpeg: int
    """JPEG quality (0 = saved losslessly)."""
    seal: bool
    phone: bool = False
    borderless: bool = False
    """The tables' ruling lines are taken out before the page is spoiled: a table printed without lines."""


STYLES: tuple[Spoil, ...] = (
    Spoil("scan200", 200, 1.2, 236, 6.0, 60, seal=True),
    Spoil("scan150", 150, -1.6, 228, 5.0, 70, seal=False),
    Spoil("scan300", 300, 2.0, 232, 8.0, 45, seal=True),
    Spoil("fax200", 200, -0.7, 222, 10.0, 35, seal=False),
    Spoil("phone", 200, 0.0, 240, 6.0, 60, seal=True, phone=True),
    Spoil("borderless200", 200, 0.9, 234, 6.0, 60, seal=True, borderless=True),
    Spoil("borderless150", 150, -1.3, 226, 8.0, 45, seal=False, borderless=True),
)


def render_pages(pdf: bytes, dpi: int) -> list[RGB]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [
            np.asarray(page.render(scale=dpi / 72).to_pil().convert("RGB"), dtype=np.uint8)
            for page in document
        ]
    finally:
        document.close()


def without_rules(page: RGB, dpi: int) -> RGB:
    """The page with its tables' ruling lines painted over with paper: the long thin strokes (OpenCV
    opening) that join into a grid at least a quarter of the page wide. Characters' strokes are shorter
    than the kernels, and a stroke that survives is not part of a grid, so text is left alone."""
    ink = np.where(page.min(axis=2) < 160, 255, 0).astype(np.uint8)
    width = ink.shape[1]
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(40, width // 20)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(20, int(0.16 * dpi)), 1), np.uint8))
    lines = cv2.bitwise_or(across, down)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    grid = np.zeros_like(ink)
    for index in range(1, count):
        if stats[index, cv2.CC_STAT_WIDTH] >= width // 4:
            grid[labels == index] = 255
    wide = np.asarray(cv2.dilate(grid, np.ones((3, 3), np.uint8)), dtype=np.uint8)
    cleared = page.copy()
    cleared[wide > 0] = 255
    return cleared


def spoil_page(page: RGB, spoil: Spoil, rng: random.Random, seal: bool) -> RGB:
    if spoil.borderless:
        page = without_rules(page, spoil.dpi)
    image = page.astype(np.float32)
    image = image * (spoil.paper / 255.0)
    if seal:
        image = _stamp(image, rng, spoil.dpi)
    if spoil.phone:
        image = _phone(image, rng)
    elif spoil.angle:
        image = _rotate(image, spoil.angle + rng.uniform(-0.3, 0.3))
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, spoil.noise, image.shape[:2])
    image = (image + noise[:, :, np.newaxis]).astype(np.float32)
    result = np.clip(image, 0, 255).astype(np.uint8)
    if spoil.jpeg:
        result = _jpeg(result, spoil.jpeg)
    return result


def _rotate(image: npt.NDArray[np.float32], angle: float) -> npt.NDArray[np.float32]:
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    paper = float(np.median(image[:20, :20]))
    turned = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(paper,) * 3)
    return np.asarray(turned, dtype=np.float32)


def _stamp(image: npt.NDArray[np.float32], rng: random.Random, dpi: int) -> npt.NDArray[np.float32]:
    """A red seal (ring, star, ring of marks) multiplied over the lower right part of the page, where
    the value columns of the statistics tables are."""
    height, width = image.shape[:2]
    radius = int(0.8 * dpi)
    cx = int(width * rng.uniform(0.55, 0.75))
    cy = int(height * rng.uniform(0.35, 0.7))
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    ring = max(4, dpi // 40)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=255, width=ring)
    star = [
        (
            cx + (0.3 if i % 2 == 0 else 0.12) * radius * math.sin(i * math.pi / 5),
            cy - (0.3 if i % 2 == 0 else 0.12) * radius * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=255)
    for i in range(16):
        angle = math.pi * (0.85 + 1.3 * i / 15)
        x = cx + 0.72 * radius * math.cos(angle)
        y = cy + 0.72 * radius * math.sin(angle)
        draw.rectangle((x - ring, y - ring, x + ring, y + ring), fill=255)
    alpha = np.asarray(layer, dtype=np.float32) / 255.0 * rng.uniform(0.75, 0.9)
    red = np.array([225.0, 40.0, 45.0], dtype=np.float32) / 255.0
    tint = 1 - alpha[:, :, np.newaxis] * (1 - red)
    return np.asarray(image * tint, dtype=np.float32)


def _phone(image: npt.NDArray[np.float32], rng: random.Random) -> npt.NDArray[np.float32]:
    """A page photographed at a slant: perspective, light falling off to one corner, slight blur."""
    height, width = image.shape[:2]
    d = 0.04
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    target = source + np.array(
        [[rng.uniform(0, d) * width, rng.uniform(0, d) * height] for _ in range(4)], dtype=np.float32
    ) * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(image, matrix, (width, height), borderValue=(90, 90, 90))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 1.0 - 0.35 * ((xs / width) * 0.6 + (ys / height) * 0.4)
    lit = warped * light[:, :, np.newaxis]
    return np.asarray(cv2.GaussianBlur(lit, (3, 3), 0.8), dtype=np.float32)


def _jpeg(image: RGB, quality: int) -> RGB:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.uint8)


def scanned_pages(pdf: bytes, spoil: Spoil, seed: int = 0) -> list[RGB]:
    rng = random.Random(f"{spoil.name}-{seed}")
    pages = render_pages(pdf, spoil.dpi)
    sealed = _table_page(pdf)
    return [spoil_page(page, spoil, rng, spoil.seal and i == sealed) for i, page in enumerate(pages)]


def _table_page(pdf: bytes) -> int:
    """The page that holds most of the statistics table (the one the seal is put on)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        counts = [len(page.find_tables()) for page in document.pages]
    return max(range(len(counts)), key=lambda i: (counts[i], -i)) if counts else 0


def as_pdf(pages: Sequence[RGB], dpi: int) -> bytes:
    images = [Image.fromarray(page) for page in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi), quality=85)
    return buffer.getvalue()


def as_image(page: RGB, suffix: str) -> bytes:
    buffer = io.BytesIO()
    kinds = {".png": "PNG", ".jpg": "JPEG", ".tif": "TIFF"}
    Image.fromarray(page).save(buffer, kinds[suffix], **({"quality": 85} if suffix == ".jpg" else {}))
    return buffer.getvalue()


def write_scan(original: Path, out_dir: Path, spoil: Spoil, seed: int = 0) -> Path:
    """An image-only PDF copy of `original` in `out_dir`, with the original's truth file beside it."""
    pages = scanned_pages(original.read_bytes(), spoil, seed)
    target = out_dir / f"{original.stem}_{spoil.name}.pdf"
    target.write_bytes(as_pdf(pages, spoil.dpi))
    truth_file = Path(f"{original}.truth.json")
    if truth_file.exists():
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        truth["file"] = target.name
        truth["scan"] = spoil.name
        Path(f"{target}.truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return target
