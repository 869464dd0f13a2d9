"""Image files and web pages whose report is in images: recognised here, read by OCR (etl/readers/ocr.py).

This module stays light (no OpenCV, no OCR engine) so that every reader can be imported without the
optional `ocr` dependencies.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote

from etl.errors import NEEDS_OCR, NeedsOcr, NotAReport
from etl.records import Document

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
WEB_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
_IMG_SRC = re.compile(rb"""<img[^>]*?\ssrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def page_images(path: str, data: bytes) -> list[Path]:
    """Local files of the images a web page shows (`<img src>` next to the page or in its `_files`
    folder, as a browser saves it), in page order."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(data)
    except (ValueError, SyntaxError):
        return []
    folder = Path(path).parent
    found: list[Path] = []
    for image in root.iter("img"):
        name = unquote(str(image.get("src") or "").split("?")[0].split("#")[0])
        if not name or name.startswith("data:"):
            continue
        options = [folder / Path(name).name, folder / f"{Path(path).stem}_files" / Path(name).name]
        if "://" not in name and not name.startswith("/"):
            options.insert(0, folder / name)
        hit = next((p for p in options if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES), None)
        if hit is not None and hit not in found:
            found.append(hit)
    return found


def image_only_page(path: str, data: bytes, document: Document) -> bool:
    """A web page without tables that shows its report as images kept next to it."""
    return Path(path).suffix.lower() in WEB_SUFFIXES and not document.tables and bool(page_images(path, data))


def read_image(path: str, data: bytes) -> Document:
    """Image files are read by OCR (etl/ocr); one that a web page beside it shows is read with it."""
    name = Path(path).name
    page = shown_on_pages(str(Path(path).parent)).get(name)
    if page is not None:
        raise NotAReport(f"{name} is an image of the web page {page}; it is read with that page")
    raise NeedsOcr(f"{name} is an image: {NEEDS_OCR}")


@functools.lru_cache(maxsize=32)
def shown_on_pages(folder: str) -> dict[str, str]:
    """Image file name -> the web page in `folder` that shows it (read once per folder and process)."""
    shown: dict[str, str] = {}
    for page in sorted(Path(folder).glob("*")):
        if page.suffix.lower() not in WEB_SUFFIXES or not page.is_file():
            continue
        for src in _IMG_SRC.findall(page.read_bytes()):
            name = unquote(src.decode("utf-8", "replace").split("?")[0]).rsplit("/", 1)[-1]
            shown.setdefault(name, page.name)
    return shown
