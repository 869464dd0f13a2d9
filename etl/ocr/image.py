"""A page image made ready for OCR: red seals dropped, light flattened, rotation and perspective undone.

Everything is greyscale uint8 with white paper. A PDF page is rendered at `DPI`; a photo or a scan saved
as an image is scaled to the width an A4 page has at that resolution, so the grid and text sizes the rest
of the OCR code expects hold for both.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from etl.ocr.engine import Image

DPI = 200
"""Resolution of the working page image: text of 10.5 pt is about 29 px high."""
REREAD_DPI = 400
A4_WIDTH_INCHES = 8.27
PAGE_WIDTH = round(A4_WIDTH_INCHES * DPI)
MAX_SKEW = 4.0
RED = 40
"""A pixel whose red exceeds its green and blue by this much is seal ink, set to paper after the light
is flattened, unless it is dark there: black text and lines under the seal stay."""
LIGHT = 150
EDGE_MARGIN = 0.03
MIN_VERTICAL = 60
"""Pixels: the shortest vertical ruling line used to rectify a page (a table of two rows)."""
SEGMENT = 18
"""Pixels: the run a line piece must have to be found at up to 4° of rotation."""


@dataclass(frozen=True)
class PreparedPage:
    image: Image
    """Greyscale, flattened and rectified page."""
    transform: npt.NDArray[np.float64]
    """3×3 homography from the working page to the prepared one (for crops of the original)."""
    scale: float
    """Working pixels per point (1/72 inch)."""
    framed: bool = False
    """Rectified by ruling lines or the sheet's edges (no further deskew needed)."""

    def turned(self, angle: float) -> PreparedPage:
        """The page rotated by `angle` degrees (counter-clockwise) about its centre."""
        matrix = rotation(self.image.shape, angle)
        size = (self.image.shape[1], self.image.shape[0])
        warped = cv2.warpPerspective(self.image, matrix, size, flags=cv2.INTER_LINEAR, borderValue=255)
        return PreparedPage(np.asarray(warped, dtype=np.uint8), matrix @ self.transform, self.scale, True)


def rotation(shape: tuple[int, ...], angle: float) -> npt.NDArray[np.float64]:
    centre = (shape[1] / 2, shape[0] / 2)
    return np.vstack([cv2.getRotationMatrix2D(centre, angle, 1.0), [0, 0, 1]])


def drop_red(rgb: npt.NDArray[np.uint8]) -> Image:
    """Greyscale from the red channel: a red seal is nearly as light there as the paper, while black
    text printed under the seal stays dark."""
    return np.ascontiguousarray(rgb[:, :, 0])


def redness(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.int16]:
    red = rgb[:, :, 0].astype(np.int16)
    return red - np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)


def flatten_light(grey: Image) -> Image:
    """Paper made evenly white: the page divided by its background (text removed by a dilation)."""
    size = max(15, (min(grey.shape) // 40) | 1)
    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size // 4 | 1, size // 4 | 1))
    background = cv2.medianBlur(cv2.dilate(small, kernel), 21)
    background = cv2.resize(background, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    return np.asarray(flat, dtype=np.uint8)


def binarise(grey: Image) -> Image:
    """Ink as 255 on 0 (Otsu on the flattened page)."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return np.asarray(ink, dtype=np.uint8)


def to_working_size(rgb: npt.NDArray[np.uint8], width: int = PAGE_WIDTH) -> npt.NDArray[np.uint8]:
    """An image scaled so that its width is a page's width at `DPI` (an A4 page photo or scan)."""
    factor = width / rgb.shape[1]
    if abs(factor - 1) < 0.02:
        return rgb
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=method), dtype=np.uint8)


@dataclass(frozen=True)
class RuledLine:
    """A long ruling line fitted through its pixels: a point on it and its unit direction."""

    x: float
    y: float
    dx: float
    dy: float
    length: float

    def meet(self, other: RuledLine) -> tuple[float, float]:
        det = self.dx * other.dy - self.dy * other.dx
        t = ((other.x - self.x) * other.dy - (other.y - self.y) * other.dx) / det
        return self.x + t * self.dx, self.y + t * self.dy


def ruled_lines(ink: Image) -> tuple[list[RuledLine], list[RuledLine]]:
    """The long (horizontal, vertical) ruling lines of a page, tolerating a few degrees of rotation and
    a photo's perspective."""
    width = ink.shape[1]
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    found: list[list[RuledLine]] = []
    for kernel, minimum in (((1, SEGMENT), width / 3), ((SEGMENT, 1), MIN_VERTICAL)):
        pieces = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
        pieces = cv2.dilate(pieces, np.ones((3, 3), np.uint8))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces, connectivity=8)
        lines = []
        for index in range(1, count):
            x, y, w, h = (int(v) for v in stats[index, :4])
            if max(w, h) < minimum or min(w, h) > max(w, h) / 8 or near_edge(x, y, w, h, ink.shape):
                continue
            ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
            points = np.column_stack([xs + x, ys + y]).astype(np.float32)
            dx, dy, px, py = (float(v) for v in cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel())
            lines.append(RuledLine(px, py, dx, dy, float(max(w, h))))
        found.append(lines)
    return found[0], found[1]


def near_edge(x: int, y: int, w: int, h: int, shape: tuple[int, ...]) -> bool:
    """A shape that runs along the border of the image: the edge of the sheet in a photo, not a table."""
    height, width = shape[:2]
    margin = EDGE_MARGIN * min(height, width)
    return x < margin or y < margin or x + w > width - margin or y + h > height - margin


def page_frame(ink: Image) -> npt.NDArray[np.float32] | None:
    """Corners (top-left, top-right, bottom-right, bottom-left) where the outermost long ruling lines
    meet, or None when the page has too few of them."""
    horizontal, vertical = ruled_lines(ink)
    if len(horizontal) < 2 or len(vertical) < 2:
        return None
    top = min(horizontal, key=lambda line: line.y)
    bottom = max(horizontal, key=lambda line: line.y)
    left = min(vertical, key=lambda line: line.x)
    right = max(vertical, key=lambda line: line.x)
    if bottom.y - top.y < 50 or right.x - left.x < ink.shape[1] / 3:
        return None
    return np.array(
        [top.meet(left), top.meet(right), bottom.meet(right), bottom.meet(left)], dtype=np.float32
    )


SHEET_SHARE = 0.4
"""The sheet of a photographed page covers at least this share of the picture."""
SHEET_CORNER = 0.01
"""A sheet whose corners all lie this close (share of the picture's size) to the picture's corners fills
the picture: a scan, not a photo."""


def sheet_frame(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32] | None:
    """Corners of the paper sheet in a photo, where it stands out from a darker background."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    factor = 0.25
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    if cv2.contourArea(sheet) < SHEET_SHARE * small.size:
        return None
    quad = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True).reshape(-1, 2)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    points = quad.astype(np.float32) / factor
    sums, differences = points.sum(axis=1), points[:, 1] - points[:, 0]
    corners = np.array(
        [
            points[sums.argmin()],
            points[differences.argmin()],
            points[sums.argmax()],
            points[differences.argmax()],
        ],
        dtype=np.float32,
    )
    height, width = grey.shape
    picture = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    if np.abs(corners - picture).max() < SHEET_CORNER * max(width, height) + 1 / factor:
        return None
    return corners


def rectify(corners: npt.NDArray[np.float32]) -> npt.NDArray[np.float64] | None:
    """The homography that makes the frame an upright rectangle (its top-left corner kept in place), or
    None when it is already upright or is not a plausible frame."""
    tl, tr, br, bl = corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    if width < 50 or height < 50:
        return None
    angle = np.degrees(np.arctan2(tr[1] - tl[1], tr[0] - tl[0]))
    if abs(angle) > MAX_SKEW:
        return None
    x0, y0 = float(tl[0]), float(tl[1])
    target = np.array([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]], np.float32)
    if np.abs(target - corners).max() < 1.5:
        return None
    return np.asarray(cv2.getPerspectiveTransform(corners, target), dtype=np.float64)


def text_skew(ink: Image) -> float:
    """The rotation of a page without a ruled table, from the sharpness of its row profile."""
    margin = int(EDGE_MARGIN * min(ink.shape))
    inner = np.zeros_like(ink)
    inner[margin:-margin, margin:-margin] = ink[margin:-margin, margin:-margin]
    small = cv2.resize(inner, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    centre = (small.shape[1] / 2, small.shape[0] / 2)
    best, best_score = 0.0, -1.0
    for angle in np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.25):
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        turned = cv2.warpAffine(small, matrix, (small.shape[1], small.shape[0]))
        profile = turned.sum(axis=1, dtype=np.float64)
        score = float(np.var(profile))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def prepare(rgb: npt.NDArray[np.uint8], scale: float, deskew: bool = True) -> PreparedPage:
    """Seal dropped, light flattened; rectified by the table outline, else by the sheet's edges (a
    photo), else deskewed by the text's row profile (unless `deskew` is off: the caller then turns the
    page by the slope of its text lines, see `etl/ocr/page.py`)."""
    grey = flatten_light(drop_red(rgb))
    grey[(redness(rgb) > RED) & (grey > LIGHT)] = 255
    ink = binarise(grey)
    corners = page_frame(ink)
    if corners is None:
        corners = sheet_frame(rgb)
    transform = rectify(corners) if corners is not None else None
    if transform is None and corners is None and deskew:
        angle = text_skew(ink)
        if abs(angle) >= 0.25:
            transform = rotation(grey.shape, angle)
    framed = corners is not None
    if transform is None:
        return PreparedPage(grey, np.eye(3), scale, framed)
    size = (grey.shape[1], grey.shape[0])
    warped = cv2.warpPerspective(grey, transform, size, flags=cv2.INTER_LINEAR, borderValue=255)
    return PreparedPage(np.asarray(warped, dtype=np.uint8), transform, scale, framed)
