"""A file whose report is in images -> ParsedReport: read by OCR, then judged by the table's identities."""

from __future__ import annotations

import hashlib

from etl.ocr.trust import Parse, parse_scan
from etl.readers.ocr import read_scan
from etl.records import Document, ParsedReport


def parse_ocr(path: str, data: bytes, parse: Parse, page: Document | None = None) -> ParsedReport:
    """`page` is the web page already read, when its report body is images."""
    scan = read_scan(path, data, page)
    return parse_scan(scan, hashlib.sha256(data).hexdigest(), parse)
