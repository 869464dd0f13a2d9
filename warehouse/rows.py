"""A parsed report as the rows it adds to each table of the warehouse, as plain tuples.

Pure Python without DuckDB: an ingest's parse workers build these (xxgk/parsing.py) and send them to the
driver, which only stacks them into columns and inserts them (warehouse/load.py `insert_rows`). Tuples of
strings and numbers pickle and unpickle several times faster than the report's frozen dataclasses (a fact
is a `Fact`, a `CellRef` and a `Decimal`), and the rows are built in the workers, in parallel, instead of
in the one driver. Values stored as DECIMAL travel as their exact text (`_micro`), cast on insert.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation
from pathlib import Path

from etl.agencies import agency_id, classify
from etl.normalise import remember
from etl.places import Place
from etl.records import ParsedReport, ReportMeta

MICRO = Decimal("0.000001")
STORED = Context(prec=38, traps=[InvalidOperation, Inexact])

REPORT_COLUMNS = (
    "report_id",
    "source_file",
    "file_name",
    "format",
    "encoding",
    "file_size",
    "template",
    "title",
    "agency",
    "agency_source",
    "year",
    "year_source",
    "province",
    "city",
    "county",
    "province_code",
    "city_code",
    "county_code",
    "place_code",
    "place_status",
    "place_note",
    "agency_id",
    "agency_level",
    "agency_kind",
    "is_vertical",
    "parsed_place_code",
    "scope",
    "scope_evidence",
    "publisher",
    "published",
    "url",
    "source_url",
    "expected_cells",
    "found_cells",
    "n_warnings",
    "checks_failed",
    "is_current",
)
"""The columns of a report row but `ingested_at`, which the driver adds (the run's time)."""
PLACE_COLUMNS = REPORT_COLUMNS[REPORT_COLUMNS.index("province") : REPORT_COLUMNS.index("is_vertical") + 1]
"""The columns `place_columns` gives, in a report row's order."""
FACT_COLUMNS = (
    "report_id",
    "metric_code",
    "breakdown",
    "value",
    "value_raw",
    "semantic",
    "confidence",
    "table_no",
    "row_label",
    "column_label",
    "page",
    "locator",
)
CHECK_COLUMNS = (
    "report_id",
    "check_id",
    "severity",
    "status",
    "breakdown",
    "expected",
    "actual",
    "message",
    "message_zh",
    "cells",
)
WARNING_COLUMNS = ("report_id", "code", "message", "locator")
DOCUMENT_COLUMNS = ("report_id", "text")
OCR_COLUMNS = (
    "report_id",
    "metric_code",
    "breakdown",
    "page",
    "x0",
    "top",
    "x1",
    "bottom",
    "score",
    "confirmed",
    "doubt",
    "crop_png",
)
DECIMAL_COLUMNS = frozenset({"value", "expected", "actual"})
"""Columns whose values travel as text (`micro_text`) and are stored as DECIMAL(38, 6)."""

Row = tuple[object, ...]
Columns = tuple[tuple[object, ...], ...]
"""Rows given column by column: one tuple of values per column (none at all when there are no rows)."""


@dataclass(frozen=True)
class ReportRows:
    """One report's rows, table by table (columns as the *_COLUMNS above; the many-row tables column by
    column, which the driver extends its columns with), and what an ingest's summary counts of it."""

    report_id: str
    template: str
    has_warnings: bool
    failing: bool
    report: Row
    facts: Columns
    checks: Columns
    warnings: Columns
    document: Row
    ocr: Columns


CELLS_ENTRIES = 4096
"""Cells tuples `cells_text` keeps (emptied when full)."""
INTEGER_DIGITS = 32
"""Digits an integer may have and still fit DECIMAL(38, 6) with its six decimals (`micro_text`)."""


def micro_text(value: Decimal | None) -> str | None:
    """A value as DECIMAL(38, 6) stores it, as text with exactly six decimals, which DuckDB casts without
    rounding; it never rounds (etl/values.py keeps values within six decimal places), and a number that
    would is an error rather than a silent change. A whole number of exponent 0 (nearly every value: a
    count), whose text is only its digits, gets its six zeros appended: what `quantize` gives it, at a
    third of the cost (tests/test_bulk_ingest_pass2.py compares the two)."""
    if value is None:
        return None
    text = str(value)
    try:
        return _MICRO_TEXTS[text]
    except KeyError:
        pass
    digits = text[1:] if text[:1] == "-" else text
    if digits.isdigit() and digits.isascii() and len(digits) <= INTEGER_DIGITS:
        return remember(_MICRO_TEXTS, text, text + ".000000", MICRO_ENTRIES)
    return remember(_MICRO_TEXTS, text, str(value.quantize(MICRO, context=STORED)), MICRO_ENTRIES)


_MICRO_TEXTS: dict[str, str] = {}
"""`micro_text` per a value's own text (which a Decimal's value, sign and exponent are read back from
exactly, so the stored text is a function of it). Besides the work, the rows then hold one string object
per distinct value: pickle sends the first and refers back to it for the others, and the driver unpickles
one string where it unpickled one a fact (nearly every value is a small count)."""
MICRO_ENTRIES = 4096


def report_rows(report: ParsedReport, path: str, size: int) -> ReportRows:
    """Every row `report`, read from the file at `path` of `size` bytes, adds to the warehouse."""
    rid = report.content_hash
    failed = failed_checks(report)
    return ReportRows(
        report_id=rid,
        template=report.template,
        has_warnings=bool(report.warnings),
        failing=failed > 0,
        report=report_row(report, path, size, failed),
        facts=_with_report_id(rid, fact_columns(report)),
        checks=_with_report_id(rid, check_columns(report)),
        warnings=warning_columns(report),
        document=(rid, report.text),
        ocr=by_column(ocr_rows(report)),
    )


def by_column(rows: list[Row]) -> Columns:
    return tuple(zip(*rows, strict=True))


def _with_report_id(rid: str, columns: list[list[object]]) -> Columns:
    """Columns without the report id's (`fact_columns`, `check_columns`) as a table's `Columns`."""
    if not columns:
        return ()
    return ((rid,) * len(columns[0]), *map(tuple, columns))


def failed_checks(report: ParsedReport) -> int:
    return sum(c.status == "fail" for c in report.checks)


def warning_columns(report: ParsedReport) -> Columns:
    rid = report.content_hash
    return by_column([(rid, w.code, w.message, w.locator) for w in report.warnings])


def report_row(report: ParsedReport, path: str, size: int, failed: int) -> Row:
    meta = report.meta
    place = meta_place(meta)
    where = place_columns(meta.agency, place, {})
    return (
        report.content_hash,
        path,
        file_name(path),
        report.format,
        report.encoding,
        size,
        report.template,
        meta.title,
        meta.agency,
        meta.agency_source,
        meta.year,
        meta.year_source,
        *(where[c] for c in PLACE_COLUMNS),
        place.place_code,
        meta.scope,
        meta.scope_evidence or None,
        meta.publisher,
        meta.published,
        meta.url,
        meta.source_url,
        report.expected_cells,
        report.found_cells,
        len(report.warnings),
        failed,
        True,
    )


def place_columns(agency: str | None, place: Place, aliases: dict[str, str]) -> dict[str, object]:
    """The place and agency columns of a report row (the dashboard contract in schema.sql)."""
    kind = classify(agency, place)
    return {
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "province_code": place.province_code,
        "city_code": place.city_code,
        "county_code": place.county_code,
        "place_code": place.place_code,
        "place_status": place.status,
        "place_note": place.note or None,
        "agency_id": agency_id(agency, aliases),
        "agency_level": kind.level,
        "agency_kind": kind.kind,
        "is_vertical": kind.is_vertical,
    }


def file_name(path: str) -> str:
    """`Path(path).name` without building the `Path` (≈ 0.1 M instructions a report, docs/scale.md §2,
    issue12hp2): the text after the last "/", unless that is empty or "." (a path ending in "/" or "/.",
    or "."), whose name `Path` reads otherwise, and a path not a str (tests/test_parse_hp2.py compares
    the two)."""
    if type(path) is not str:
        return Path(path).name
    name = path[path.rfind("/") + 1 :]
    return name if name and name != "." else Path(path).name


def meta_place(meta: ReportMeta) -> Place:
    return Place(
        province=meta.province,
        city=meta.city,
        county=meta.county,
        province_code=meta.province_code,
        city_code=meta.city_code,
        county_code=meta.county_code,
        status=meta.place_status,
        note=meta.place_note,
    )


def fact_columns(report: ParsedReport) -> list[list[object]]:
    """The facts' columns but the report id's (FACT_COLUMNS[1:]), a list of values each; none at all when
    the report has no fact. Built column by column: what a bulk job packs (warehouse/packed.py) without
    a row tuple a fact to transpose."""
    facts = report.facts
    if not facts:
        return []
    sources = [fact.source for fact in facts]
    return [
        [fact.metric_code for fact in facts],
        [fact.breakdown for fact in facts],
        [micro_text(fact.value) for fact in facts],
        [fact.value_raw for fact in facts],
        [fact.semantic for fact in facts],
        [fact.confidence for fact in facts],
        [None if (table := source.table) is None else table + 1 for source in sources],
        [source.row_label for source in sources],
        [source.column_label for source in sources],
        [source.page for source in sources],
        [source.locator for source in sources],
    ]


def check_columns(report: ParsedReport) -> list[list[object]]:
    """The checks' columns but the report id's (CHECK_COLUMNS[1:]), as `fact_columns`."""
    checks = report.checks
    if not checks:
        return []
    return [
        [check.check_id for check in checks],
        [check.severity for check in checks],
        [check.status for check in checks],
        [check.breakdown for check in checks],
        [None if (expected := check.expected) is None else micro_text(expected) for check in checks],
        [None if (actual := check.actual) is None else micro_text(actual) for check in checks],
        [check.message for check in checks],
        [check.message_zh for check in checks],
        [cells_text(check.cells) for check in checks],
    ]


_CELLS_TEXTS: dict[tuple[tuple[str, str], ...], str] = {}
"""`cells_text` of the cells tuples seen: a check reads the same cells in report after report (≈ 37
checks a report, ≈ 6 cells each; a lookup is about a fifth of the join)."""


def cells_text(cells: tuple[tuple[str, str], ...]) -> str:
    """The cells a check read as `code|breakdown;…` (f-string formatting only when one is not a str).
    Kept per cells tuple when every cell is text (only then: `(1, "a")` equals `(1.0, "a")`)."""
    try:
        return _CELLS_TEXTS[cells]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell
        return _joined(cells)
    try:
        return remember(_CELLS_TEXTS, cells, ";".join(map("|".join, cells)), CELLS_ENTRIES)
    except TypeError:
        return ";".join(f"{code}|{breakdown}" for code, breakdown in cells)


def _joined(cells: tuple[tuple[str, str], ...]) -> str:
    try:
        return ";".join(map("|".join, cells))
    except TypeError:
        return ";".join(f"{code}|{breakdown}" for code, breakdown in cells)


def ocr_rows(report: ParsedReport) -> list[Row]:
    rows: list[Row] = []
    for cell in report.ocr:
        x0, top, x1, bottom = cell.box
        rows.append(
            (
                report.content_hash,
                cell.metric_code,
                cell.breakdown,
                cell.page,
                x0,
                top,
                x1,
                bottom,
                cell.score,
                cell.confirmed,
                cell.doubt,
                cell.crop_png or None,
            )
        )
    return rows


PRINTED_OUT = ("text.", "old.section.")
"""Metric codes the schema's `report_prints` view leaves out of a report's fingerprint."""
STORED_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]{6}")
"""A value's text (`micro_text`) that DuckDB gives back unchanged from DECIMAL(38, 6) (`-0.000000` aside)."""
Print = tuple[str | None, int | None]
"""A report's row of `report_prints`: its fingerprint and its count of nonzero values; (None, None) for a
report that has no row there (no fact counted)."""


def report_print(
    codes: Sequence[object], breakdowns: Sequence[object], values: Sequence[object]
) -> Print | None:
    """The schema's `report_prints` of one report, from its facts' metric codes, breakdowns and values (as
    `micro_text` gives them), as DuckDB computes it: the md5 of `code|breakdown|value` (`-` for NULL)
    joined by `;` in the order of code and breakdown, the facts of PRINTED_OUT codes left out, and the
    count of values not zero. Computed in a bulk ingest's worker, which has the values, instead of by the
    driver's `string_agg` over a segment's facts (≈ 0.1 ms of the driver a report; docs/scale.md §5,
    issue12dc). None when it cannot be told for sure here: a value whose text DuckDB would write
    otherwise, two facts of one code and breakdown (DuckDB orders them by those alone), a NUL, a value
    that is not text or text that is not UTF-8; the driver computes it then."""
    known = _PRINTED_TEXTS
    found = list(map(known.get, values))
    texts = [known.get(value) or _printed_text(value) for value in values] if None in found else found
    if "" in texts:
        return None
    layout = _print_layout(codes, breakdowns) if len(texts) == len(codes) else None
    if layout is not None:
        order, heads = layout
        kept: list[str] = list(map(texts.__getitem__, order))  # type: ignore[arg-type]  # no None: found
        if not kept:
            return None, None
        nonzero = len(kept) - kept.count("-") - kept.count(ZERO_TEXT)
        return hashlib.md5(";".join(map(str.__add__, heads, kept)).encode("utf-8")).hexdigest(), nonzero
    try:
        # NUL sorts before every other character: code NUL breakdown sorts as (code, breakdown) does
        entries = sorted(map("\0".join, zip(codes, breakdowns, texts, strict=True)))  # type: ignore[arg-type]
        if len(set(zip(codes, breakdowns, strict=True))) < len(entries):
            return None
    except TypeError:  # a code or breakdown not text, or unhashable
        return None
    nonzero = len(texts) - texts.count("-") - texts.count(ZERO_TEXT)
    for prefix in PRINTED_OUT:  # the facts of a code left out sort side by side
        first = bisect_left(entries, prefix)
        end = bisect_left(entries, prefix[:-1] + chr(ord(prefix[-1]) + 1), first)
        nonzero -= sum(not entry.endswith(("\0-", "\0" + ZERO_TEXT)) for entry in entries[first:end])
        del entries[first:end]
    if not entries:
        return None, None
    joined = ";".join(entries)
    if joined.count("\0") != 2 * len(entries):
        return None
    try:
        data = joined.replace("\0", "|").encode("utf-8")
    except UnicodeEncodeError:
        return None
    return hashlib.md5(data).hexdigest(), nonzero


PrintLayout = tuple[list[int], list[str]]
"""A report's facts in `report_print`'s order, those of PRINTED_OUT codes left out, and each one's
`code|breakdown|` (`_print_layout`)."""
PRINT_LAYOUTS = 128
_PRINT_LAYOUTS: dict[tuple[tuple[object, ...], tuple[object, ...]], PrintLayout | None] = {}
"""`_print_layout` per codes and breakdowns (a template's facts come in the same codes and breakdowns
report after report: 84 % of nat10k's sample repeat an earlier report's)."""


def _print_layout(codes: Sequence[object], breakdowns: Sequence[object]) -> PrintLayout | None:
    """Where `report_print`'s entries come from when every code and breakdown is text without a NUL, and
    encodable, and no two facts share both: then the entries (`code NUL breakdown NUL text`, the texts
    being ASCII without a NUL) sort as their (code, breakdown) do, whatever the texts, and hold no NUL
    but their separators. None otherwise (`report_print` then sorts the entries themselves). Kept per
    codes and breakdowns (tests/test_parse_hp2.py compares `report_print` with the form without it)."""
    key = (tuple(codes), tuple(breakdowns))
    try:
        return _PRINT_LAYOUTS[key]
    except KeyError:
        pass
    except TypeError:  # a code or breakdown unhashable
        return None
    return remember(_PRINT_LAYOUTS, key, _new_print_layout(*key), PRINT_LAYOUTS)


def _new_print_layout(codes: tuple[object, ...], breakdowns: tuple[object, ...]) -> PrintLayout | None:
    if len(codes) != len(breakdowns) or not {*map(type, codes), *map(type, breakdowns)} <= {str}:
        return None
    pairs: list[tuple[str, str]] = list(zip(codes, breakdowns, strict=True))  # type: ignore[arg-type]
    text = "".join(codes) + "".join(breakdowns)  # type: ignore[arg-type]
    if "\0" in text or len(set(pairs)) < len(pairs):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    order = [
        i for i in sorted(range(len(pairs)), key=pairs.__getitem__) if not pairs[i][0].startswith(PRINTED_OUT)
    ]
    return order, [f"{pairs[i][0]}|{pairs[i][1]}|" for i in order]


ZERO_TEXT = "0.000000"
_PRINTED_TEXTS: dict[object, str] = {}
"""`_printed_text` per value (the values repeat: mostly small counts)."""


def _printed_text(value: object) -> str:
    """How `report_prints` writes a value (`micro_text`'s) back from DECIMAL(38, 6): the same text, but
    zero without its sign, and `-` for NULL; empty when another text or not told here."""
    if value is None:
        text = "-"
    elif not isinstance(value, str) or STORED_TEXT.fullmatch(value) is None:
        return ""
    else:
        text = ZERO_TEXT if value.lstrip("-") == ZERO_TEXT else value
    return remember(_PRINTED_TEXTS, value, text, MICRO_ENTRIES)
