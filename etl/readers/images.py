"""Image files and web pages whose report is in images: recognised here, read by OCR (etl/readers/ocr.py).

This module stays light (no OpenCV, no OCR engine) so that every reader can be imported without the
optional `ocr` dependencies.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from etl.errors import NeedsOcr, NotAReport
from etl.records import Document

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
WEB_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")


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
    for page in sorted(Path(path).parent.glob("*")):
        if page.suffix.lower() in WEB_SUFFIXES and page.is_file() and name.encode() in page.read_bytes():
            raise NotAReport(f"{name} is an image of the web page {page.name}; it is read with that page")
    raise NeedsOcr(f"{name} is an image: needs OCR")
