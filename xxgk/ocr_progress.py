"""Progress per page of OCR on the terminal, also from ingest's worker processes.

The listener is registered before the worker pool forks, so each worker inherits it and the queue it
writes to; a thread of the main process passes every page on to the progress display.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.ocr.progress import off_page, on_page

Event = tuple[str, int, int, float] | None


@contextmanager
def pages_shown(show: Callable[[str], None]) -> Iterator[None]:
    """While open, every page read by OCR (here or in a forked worker) is shown as one line."""
    queue: multiprocessing.SimpleQueue[Event] = multiprocessing.get_context("fork").SimpleQueue()

    def put(name: str, page: int, pages: int, seconds: float) -> None:
        queue.put((name, page, pages, seconds))

    def drain() -> None:
        while (event := queue.get()) is not None:
            name, page, pages, seconds = event
            show(f"{Path(name).name[:40]}: OCR page {page}/{pages} ({seconds:.1f} s)")

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    on_page(put)
    try:
        yield
    finally:
        off_page(put)
        queue.put(None)
        thread.join(5)
