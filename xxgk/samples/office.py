"""Reports as Word and PDF files: DOCX bytes made reproducible, PDFs printed from them by LibreOffice.

Most real PDFs are Word or WPS documents printed to PDF, so the PDF samples are the DOCX samples
converted with LibreOffice headless. Without LibreOffice the reports planned as PDF stay DOCX and one
line says so. Time stamps and document ids are fixed so that the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from etl.errors import UnreadableDocument
from etl.readers.office import convert, soffice

ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[^)]*\)")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_PDF_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")


def reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed member time stamps."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def reproducible_pdf(data: bytes) -> bytes:
    """The same PDF with its dates and id replaced by constants of the same length (offsets unchanged)."""

    def date(match: re.Match[bytes]) -> bytes:
        return b"/" + match.group(1) + b"(D:" + b"2" * (len(match.group()) - len(match.group(1)) - 5) + b")"

    def ident(match: re.Match[bytes]) -> bytes:
        return (
            match.group()
            .replace(match.group(1), b"0" * len(match.group(1)))
            .replace(match.group(2), b"0" * len(match.group(2)))
        )

    def checksum(match: re.Match[bytes]) -> bytes:
        return match.group().replace(match.group(1), b"0" * len(match.group(1)))

    return _PDF_CHECKSUM.sub(checksum, _PDF_ID.sub(ident, _PDF_DATE.sub(date, data)))


def can_print_pdf() -> bool:
    return soffice() is not None


def print_pdfs(docx_files: Sequence[bytes]) -> list[bytes] | None:
    """PDF bytes of each DOCX, printed by LibreOffice in one run; None (and a notice) without it."""
    if not docx_files:
        return []
    if not can_print_pdf():
        print("LibreOffice not found: PDF samples written as DOCX instead", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="xxgk-samples-") as work:
        folder = Path(work)
        sources = []
        for number, data in enumerate(docx_files):
            source = folder / f"report{number:05d}.docx"
            source.write_bytes(data)
            sources.append(source)
        try:
            outputs = convert(sources, "pdf", folder / "pdf")
        except UnreadableDocument as exc:
            print(f"PDF samples written as DOCX instead: {exc.reason}", file=sys.stderr)
            return None
        return [reproducible_pdf(path.read_bytes()) for path in outputs]
