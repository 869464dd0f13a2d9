"""One file in, one `ParsedReport` out: read, detect the template, extract, check.

Raises `UnsupportedFormat`, `UnreadableDocument`, `NotAReport` or `IncompleteReport` with a one-line
reason; recoverable problems travel with the report as `ParseIssue`s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from etl.compliance import compliance_checks
from etl.errors import OCR_NOT_INSTALLED, IncompleteReport, NeedsOcr, NotAReport, UnreadableDocument
from etl.extract import table_rows
from etl.extract.glued import extract_glued
from etl.extract.layout import FoldedText
from etl.extract.rows import FactCollector
from etl.metadata import looks_like_report_title, read_meta
from etl.narrative import extract_narrative, no_fees_statement
from etl.normalise import fold
from etl.readers import read_document
from etl.readers.images import image_only_page
from etl.readings import choose_reading
from etl.records import Document, Paragraph, ParsedReport, ParseIssue, Table, Template
from etl.templates import detect_template, run_checks, spec

REPORT_HEADINGS = (
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开工作年度报告",
    "依申请公开政府信息",
)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: str | Path) -> ParsedReport:
    data = Path(path).read_bytes()
    return parse_bytes(str(path), data)


def parse_bytes(
    path: str, data: bytes, evidence: Mapping[str, str] | None = None, *, digest: str | None = None
) -> ParsedReport:
    """`evidence`: what a collection's manifest says of the file (source_url, url, publisher, published);
    the document's own metadata wins where it has any, the manifest fills the gaps. A document whose text
    is only in images (a scan, an image, a web page of images) is read by OCR (etl/ocr). `digest`: the
    SHA-256 of `data` when the caller has it already (a worker hashes what it read), else computed here."""
    try:
        document = read_document(path, data)
    except NeedsOcr as exc:
        return _parse_ocr(path, data, exc.reason, evidence)
    if image_only_page(path, data, document):
        return _parse_ocr(path, data, "its report is in images", evidence, document)
    if evidence:
        document = with_evidence(document, evidence)
    return parse_document(document, digest or content_hash(data))


def _parse_ocr(
    path: str, data: bytes, why: str, evidence: Mapping[str, str] | None, page: Document | None = None
) -> ParsedReport:
    try:
        from etl.ocr.parse import parse_ocr
    except ImportError:
        raise UnreadableDocument(
            f"{why}; {OCR_NOT_INSTALLED}: pip install 'xxgk[ocr]' (rapidocr, onnxruntime, opencv)"
        ) from None

    def parse(document: Document, digest: str) -> ParsedReport:
        return parse_document(with_evidence(document, evidence) if evidence else document, digest)

    return parse_ocr(path, data, parse, page)


def with_evidence(document: Document, evidence: Mapping[str, str]) -> Document:
    own = dict(document.meta)
    merged = {**{k: v for k, v in evidence.items() if v}, **{k: v for k, v in own.items() if v}}
    if evidence.get("source_url"):
        merged["source_url"] = evidence["source_url"]
    return replace(document, meta=tuple(sorted(merged.items())))


def looks_like_report(document: Document) -> bool:
    if looks_like_report_title(document.title):
        return True
    body = fold(" ".join(p.text for p in document.paragraphs[:400]))
    return sum(heading in body for heading in REPORT_HEADINGS) >= 2


def parse_document(document: Document, digest: str) -> ParsedReport:
    if document.alternatives:
        return choose_reading(document, digest, parse_document)
    template = _template(document)
    described = spec(template)
    collector = FactCollector()
    described.extract(table_rows(document), collector)
    for table in document.tables:
        for note in table.notes:
            collector.warn("unplaced_row", note, f"table {table.index + 1}")
    if described.reads_glued_text and not any(code.startswith("req.") for code, _ in collector.facts):
        extract_glued(document.paragraphs, template, collector)
    found_cells = _table_cells(collector)  # the narrative below adds only text.* facts
    if not found_cells:
        raise IncompleteReport(_unreadable(document, template))
    text = document.plain_text()
    folded_text = FoldedText(text)  # folded when a row label is looked for
    expected = described.expected_cells(collector, folded_text)
    reason = described.incomplete(collector, expected, ends_in_table(document))
    if reason is not None:
        raise IncompleteReport(reason)
    if described.wanted is not None:
        _warn_missing(described.wanted(collector, folded_text), collector)
    extract_narrative(document.paragraphs, collector)
    body = [line for line in text.split("\n") if line]
    meta, meta_issues = read_meta(document, body)
    rows = described.table_rows(collector, folded_text) if described.table_rows else None
    codes = collector.codes()
    checks = (
        *run_checks(collector.facts, template, no_fees_statement(body), rows, codes),
        *compliance_checks(document, described.layout, meta, collector.facts, codes.present),
    )
    return ParsedReport(
        source_file=document.source,
        content_hash=digest,
        format=document.format,
        encoding=document.encoding,
        template=template,
        meta=meta,
        facts=tuple(collector.facts.values()),
        warnings=(*collector.issues, *meta_issues),
        checks=checks,
        expected_cells=expected,
        found_cells=found_cells,
        text=text,
    )


def _table_cells(collector: FactCollector) -> int:
    """How many facts were read from the statistics tables (not from the narrative or the sections)."""
    return collector.codes().table_cells


def _template(document: Document) -> Template:
    template = detect_template(document)
    if template is not None:
        return template
    title = document.title or next((p.text for p in document.paragraphs), "")
    if looks_like_report(document):
        raise IncompleteReport(
            f"annual report without a statistics table of any known template ({title[:40]!r})"
        )
    raise NotAReport(f"not an annual report: {title[:40]!r} has no report title and no statistics table")


def _unreadable(document: Document, template: Template) -> str:
    if not document.tables:
        return (
            f"the {template} statistics table is printed as text with its cells glued together and no "
            "cell could be read without guessing"
        )
    return f"labels of the {template} statistics table found, but no cell could be read"


def ends_in_table(document: Document) -> bool:
    """The document stops inside or right after its last table: nothing follows, or the page is cut off."""
    if not document.tables:
        return False
    last_table = max(i for i, block in enumerate(document.blocks) if isinstance(block, Table))
    trailing = [b for b in document.blocks[last_table + 1 :] if isinstance(b, Paragraph) and b.text.strip()]
    return not trailing or document.cut_off


def _warn_missing(wanted: tuple[str, ...], collector: FactCollector) -> None:
    present = collector.codes().present
    missing = [code for code in wanted if code not in present]
    if missing:
        collector.issues.append(
            ParseIssue(
                "missing_cells",
                f"{len(missing)} template cells not read: {', '.join(missing[:8])}"
                + (" …" if len(missing) > 8 else ""),
                ",".join(missing),
            )
        )
