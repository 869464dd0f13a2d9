"""Progress per page of OCR on the terminal, also from ingest's worker processes.

A worker tells each page it read to this process (xxgk/parsing.py relays them through xxgk/workers.py),
where they reach the listener registered here, as pages read in this process do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.ocr.progress import off_page, on_page


def page_line(name: str, page: int, pages: int, seconds: float) -> str:
    shown = Path(name).name[:40]
    if page == 0:
        return f"{shown}: OCR of {pages} page{'s' if pages != 1 else ''} …"
    return f"{shown}: OCR page {page}/{pages} ({seconds:.1f} s)"


@contextmanager
def pages_shown(show: Callable[[str], None]) -> Iterator[None]:
    """While open, every page read by OCR (here or in a worker) is shown as one line."""

    def shown(name: str, page: int, pages: int, seconds: float) -> None:
        show(page_line(name, page, pages, seconds))

    on_page(shown)
    try:
        yield
    finally:
        off_page(shown)
