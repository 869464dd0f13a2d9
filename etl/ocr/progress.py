"""Who is told about each page read by OCR (the CLI shows progress per page with this).

Kept apart from the OCR code so that the CLI can listen without importing the optional OCR packages.
"""

from __future__ import annotations

from collections.abc import Callable

PageListener = Callable[[str, int, int, float], None]
"""Told (file name, page, pages, CPU seconds so far) after each page read by OCR, and once with page 0
when the OCR of a file starts (before its engine is loaded)."""
_listeners: list[PageListener] = []


def on_page(listener: PageListener) -> None:
    _listeners.append(listener)


def off_page(listener: PageListener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def page_read(name: str, page: int, pages: int, seconds: float) -> None:
    for listener in list(_listeners):
        listener(name, page, pages, seconds)
