"""Text cleanup of a PDF's lines: CJK radicals, spaces between hanzi, page footers, running headers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from etl.normalise import clean_text
from etl.readers.pdf_layout import Line, PageContent

FOOTER_ZONE = 0.88
HEADER_ZONE = 0.08
_FOOTER = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}|\d{1,3}"
    r"|(?:page\s*)?\d{1,3}\s*of\s*\d{1,3})$",
    re.IGNORECASE,
)
_RADICALS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")
_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}]) +| +(?=[{_CJK}])")


def normalise_chars(text: str) -> str:
    """Kangxi and supplementary radicals, compatibility ideographs -> the ordinary hanzi."""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def line_text(text: str) -> str:
    return _SPACE_NEAR_CJK.sub("", normalise_chars(clean_text(text)))


def is_footer(line: Line, height: float) -> bool:
    return line.top > height * FOOTER_ZONE and bool(_FOOTER.match(line.text.replace(" ", "")))


def drop_running_lines(pages: list[PageContent]) -> list[PageContent]:
    """Running headers and footers: the same line (page numbers aside) at the top or bottom of 2+ pages."""

    def key(line: Line, height: float) -> str | None:
        in_margin = line.top < height * HEADER_ZONE or line.top > height * FOOTER_ZONE
        return re.sub(r"\d+", "#", line.text) if in_margin else None

    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            found = key(line, page.height)
            if found is not None:
                seen.setdefault(found, set()).add(page.number)
    running = {text for text, numbers in seen.items() if len(numbers) >= 2}
    if not running:
        return pages
    return [
        replace(page, lines=tuple(line for line in page.lines if key(line, page.height) not in running))
        for page in pages
    ]
