"""Exceptions raised by the ETL. Each message is one line that says what failed and why."""

from __future__ import annotations


class XxgkError(Exception):
    """Base class: `reason` is the one-line explanation shown to users next to the file name."""

    kind = "error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsupportedFormat(XxgkError):
    """The file extension has no reader."""


class UnreadableDocument(XxgkError):
    """Empty, binary, undecodable or otherwise unreadable input."""


class NotAReport(XxgkError):
    """A readable document that is not an annual report (a letter, a notice, a list page)."""

    kind = "rejected"


class IncompleteReport(XxgkError):
    """An annual report whose statistics tables are missing or cut off."""


class LimitExceeded(UnreadableDocument):
    """The input is larger than one of the named limits in `etl/limits.py`; refused before allocating."""


class NeedsOcr(UnreadableDocument):
    """The document's text is only in images (a scan, a photo, a garbled text layer): read it by OCR."""
