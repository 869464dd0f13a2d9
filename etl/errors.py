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


NEEDS_OCR = "needs OCR"
"""How a reader says that a document is only images (and how an xxgk that could not OCR refused it)."""
OCR_NOT_INSTALLED = "OCR is not installed"
OCR_BUDGET_SPENT = "set XXGK_OCR_SECONDS to allow more"
"""The end of the reason a scan gets when its OCR time budget (etl/readers/ocr.py) is spent."""

INSTALLATION_FAILURES = (NEEDS_OCR, OCR_NOT_INSTALLED, "OCR needs the rapidocr package", OCR_BUDGET_SPENT)


def depends_on_the_installation(reason: str) -> bool:
    """A failure that another installation, setting or machine may not have: OCR not installed, or an
    xxgk that could not OCR yet ("needs OCR"), or the OCR time budget spent on a busy machine. Unlike a
    failure of the bytes themselves, the next ingest reads such a file again."""
    return any(phrase in reason for phrase in INSTALLATION_FAILURES)
