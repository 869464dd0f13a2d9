"""One file in, one `ParsedReport` out: read, detect the template, extract, check.

Raises `UnsupportedFormat`, `UnreadableDocument`, `NotAReport` or `IncompleteReport` with a one-line
reason; recoverable problems travel with the report as `ParseIssue`s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from etl.catalogue import metrics
from etl.checks import run_checks
from etl.errors import IncompleteReport, NotAReport
from etl.extract import extract_tables
from etl.extract.glued import extract_glued
from etl.extract.old import SECTION_OF_CODE
from etl.extract.rows import FactCollector
from etl.extract.table2 import CELLS as TABLE2_CELLS
from etl.extract.table3 import ROWS_V2019, ROWS_V2021
from etl.metadata import looks_like_report_title, read_meta
from etl.narrative import extract_narrative, no_fees_statement
from etl.normalise import fold
from etl.readers import read_document
from etl.readings import choose_reading
from etl.records import Document, Paragraph, ParsedReport, ParseIssue, Table, Template
from etl.templates import detect_template

REPORT_HEADINGS = (
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开工作年度报告",
    "依申请公开政府信息",
)
OLD_MIN_SHARE = 0.5
FUJIAN_MIN_CELLS = 4


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: str | Path) -> ParsedReport:
    data = Path(path).read_bytes()
    return parse_bytes(str(path), data)


def parse_bytes(path: str, data: bytes, evidence: Mapping[str, str] | None = None) -> ParsedReport:
    """`evidence`: what a collection's manifest says of the file (source_url, url, publisher, published);
    the document's own metadata wins where it has any, the manifest fills the gaps."""
    document = read_document(path, data)
    if evidence:
        document = with_evidence(document, evidence)
    return parse_document(document, content_hash(data))


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
    collector = extract_tables(document, template)
    if template in ("v2019", "v2021") and not any(code.startswith("req.") for code, _ in collector.facts):
        extract_glued(document.paragraphs, template, collector)
    table_codes = {code for code, _ in collector.facts if not code.startswith(("text.", "old.section."))}
    if not table_codes:
        raise IncompleteReport(_unreadable(document, template))
    expected = expected_cells(template, collector)
    _require_complete(template, collector, table_codes, expected, ends_in_table(document))
    _warn_missing(template, collector)
    extract_narrative(document.paragraphs, collector)
    text = document.plain_text()
    body = [line for line in text.split("\n") if line]
    meta, meta_issues = read_meta(document, body)
    checks = run_checks(collector.facts, template, no_fees_statement(body))
    found = sum(1 for code, _ in collector.facts if not code.startswith(("text.", "old.section.")))
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
        found_cells=found,
        text=text,
    )


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


def _columns(collector: FactCollector) -> int:
    breakdowns = {b for code, b in collector.facts if code.startswith("req.")}
    return max(len(breakdowns), 7)


def expected_cells(template: Template, collector: FactCollector) -> int:
    if template == "old":
        return len(SECTION_OF_CODE)
    if template == "old_fujian":
        return sum(1 for code, _ in collector.facts if code.startswith("fj."))
    rows = ROWS_V2021 if template == "v2021" else ROWS_V2019
    return TABLE2_CELLS[template] + rows * _columns(collector) + 15


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


def _require_complete(
    template: Template, collector: FactCollector, codes: set[str], expected: int, cut_off: bool
) -> None:
    if template == "old":
        if len(codes) < OLD_MIN_SHARE * expected and cut_off:
            raise IncompleteReport(
                f"statistics table incomplete: {len(codes)} of {expected} rows of the old "
                "national table found (truncated?)"
            )
        return
    if template == "old_fujian":
        if len(codes) < FUJIAN_MIN_CELLS:
            raise IncompleteReport(
                f"statistics table incomplete: only {len(codes)} cells of the Fujian table"
            )
        return
    if not any(code.startswith("req.") for code in codes):
        raise IncompleteReport("table 三 (收到和处理政府信息公开申请情况) not found or not readable")
    for code in ("req.total", "req.carried_out"):
        if code not in codes:
            raise IncompleteReport(
                f"table 三 is cut off: row {metrics()[code].label_zh} missing (truncated?)"
            )
    if not any(code.startswith(("review.", "suit_")) for code in codes):
        raise IncompleteReport("table 四 (行政复议、行政诉讼情况) not found (truncated?)")


def _warn_missing(template: Template, collector: FactCollector) -> None:
    present = {code for code, _ in collector.facts}
    wanted = [
        m.code for m in metrics().values() if template in m.templates and not m.code.startswith("old.section")
    ]
    if template == "old_fujian":
        return
    missing = [code for code in wanted if code not in present]
    if missing:
        collector.issues.append(
            ParseIssue(
                "missing_cells",
                f"{len(missing)} template cells not read: {', '.join(missing[:8])}"
                + (" …" if len(missing) > 8 else ""),
            )
        )
