"""A bulk ingest's rows as the parse workers send them: a report's text columns packed into one buffer each.

`warehouse/rows.py` gives a report's facts and checks column by column, a Python object per value (≈ 140
facts and ≈ 40 checks a report, ≈ 2,000 values). Sent as they are, each value was pickled in the worker,
unpickled in the driver and converted again by `pa.array` when the driver staged a chunk as Arrow: ≈ 0.4
ms of the driver's CPU a report, in the one process that all the reports pass through (docs/scale.md §5,
the full build's messages). Packed (`pack_report`, in the worker), a text column of a report is its values
joined by NUL and encoded once (`PackedText`); the report id, the same in every row, is not sent at all.
The driver joins a chunk's buffers and makes each column an Arrow array from them with NumPy
(`text_array`): no Python object per value on its side.

Lossless or not used: a column whose values are not all text, or whose text holds a NUL or cannot be
encoded, travels as it is (`pack_column`), and the driver unpacks a packed column into its values
wherever it does not stage Arrow (`unpacked`). The tables stored are the same (tests/test_packed_rows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from etl.normalise import remember
from warehouse.rows import (
    CHECK_COLUMNS,
    FACT_COLUMNS,
    Columns,
    Print,
    ReportRows,
    Row,
    by_column,
    check_columns,
    fact_columns,
    failed_checks,
    ocr_rows,
    report_print,
    report_row,
    warning_columns,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from etl.records import ParsedReport

SEPARATOR = "\x00"
NOT_TEXT = frozenset({"report_id", "table_no", "page"})
"""Columns not packed: the report id (the driver repeats the report's own) and the integer columns."""


PackedText = tuple[int, bytes, tuple[int, ...]]
"""A text column of one report, packed: how many values, their UTF-8 joined by NUL, and the positions of
its NULLs (an empty string there). A plain tuple, so that pickle writes and reads it in C: as a class,
each of the ≈ 20 a report cost a Python call in the worker's pickling and another in the driver's
unpickling, ≈ 0.14 M of the worker's instructions and ≈ 0.16 M of the driver's a report (docs/scale.md
§5, issue12pp). `packed_values` gives its values back."""
Values = list[object]
"""A column of one report left as it is (not text, or text that cannot be packed): a list, which a
`PackedText` never is (`is_packed`)."""
Column = PackedText | Values


def is_packed(column: Column | Sequence[object]) -> TypeGuard[PackedText]:
    """Whether `column` is a `PackedText`: the one kind of column that is a tuple. A `ReportRows`'s own
    columns are tuples too: they are never mixed with packed ones unlisted (`load._many_rows`)."""
    return type(column) is tuple


def packed_values(column: PackedText) -> list[str | None]:
    _, data, nulls = column
    found: list[str | None] = list(data.decode("utf-8").split(SEPARATOR))
    for index in nulls:
        found[index] = None
    return found


@dataclass(frozen=True, slots=True)
class PackedRows:
    """`ReportRows` with its facts and checks packed: each of their columns but the report id's is a
    `PackedText` or the values as they are; `facts`/`checks` are empty when the report has none."""

    report_id: str
    template: str
    has_warnings: bool
    failing: bool
    report: Row
    facts: tuple[Column, ...]
    n_facts: int
    checks: tuple[Column, ...]
    n_checks: int
    warnings: Columns
    document: Row
    ocr: Columns
    prints: Print | None = None
    """The report's `report_prints` row (`report_print`), None when the driver is to compute it."""

    def __reduce__(self) -> tuple[type[PackedRows], tuple[object, ...]]:
        return (PackedRows, tuple(getattr(self, name) for name in self.__slots__))


def pack_column(values: Sequence[object]) -> Column:
    """`values` as a `PackedText` when every one is text (or NULL) without a NUL; else as they are (a
    list). Joined first, since nearly every column is all text: a NULL or another value fails the join,
    and only then are the NULLs looked for."""
    if not values:
        return list(values)
    try:
        text = SEPARATOR.join(values)  # type: ignore[arg-type]
        nulls: tuple[int, ...] = ()
    except TypeError:
        nulls = tuple(i for i, v in enumerate(values) if v is None)
        if not nulls:  # a value not text
            return list(values)
        try:
            text = SEPARATOR.join(["" if v is None else v for v in values])  # type: ignore[misc]
        except TypeError:
            return list(values)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return list(values)
    if text.count(SEPARATOR) != len(values) - 1:  # a value holds a NUL
        return list(values)
    return (len(values), data, nulls)


def _pack_table(columns: Columns, names: tuple[str, ...]) -> tuple[tuple[Column, ...], int]:
    if not columns:
        return (), 0
    packed = tuple(
        list(values) if name in NOT_TEXT else pack_column(values)
        for name, values in zip(names[1:], columns[1:], strict=True)
    )
    return packed, len(columns[0])


def pack_rows(rows: ReportRows) -> PackedRows:
    """What a bulk ingest's worker sends for a report (built from its rows, in the worker)."""
    facts, n_facts = _pack_table(rows.facts, FACT_COLUMNS)
    checks, n_checks = _pack_table(rows.checks, CHECK_COLUMNS)
    printed = report_print(*rows.facts[1:4]) if rows.facts else (None, None)
    return PackedRows(
        rows.report_id,
        rows.template,
        rows.has_warnings,
        rows.failing,
        rows.report,
        facts,
        n_facts,
        checks,
        n_checks,
        rows.warnings,
        rows.document,
        rows.ocr,
        printed,
    )


def pack_report(report: ParsedReport, path: str, size: int) -> PackedRows:
    """`pack_rows(report_rows(report, path, size))`, with the facts' and checks' columns packed as they are
    gathered (`fact_columns`, `check_columns`): no row tuple a fact or check, no transposing, no report-id
    column built to be dropped. What a bulk ingest's worker sends (tests/test_worker_wk.py)."""
    rid = report.content_hash
    failed = failed_checks(report)
    facts = fact_columns(report)
    return PackedRows(
        rid,
        report.template,
        bool(report.warnings),
        failed > 0,
        report_row(report, path, size, failed),
        _pack_columns(facts, FACT_COLUMNS, _FACT_PACKS),
        len(report.facts),
        _pack_columns(check_columns(report), CHECK_COLUMNS, _CHECK_PACKS),
        len(report.checks),
        warning_columns(report),
        (rid, report.text),
        by_column(ocr_rows(report)),
        report_print(*facts[:3]) if facts else (None, None),
    )


def _pack_columns(
    columns: list[list[object]], names: tuple[str, ...], kept: dict[str, dict[tuple[object, ...], Column]]
) -> tuple[Column, ...]:
    """`fact_columns` or `check_columns` packed; none when the report has no row. A column named in `kept`
    is packed once for each distinct run of values (`_pack_kept`)."""
    if not columns:
        return ()
    return tuple(
        values
        if name in NOT_TEXT
        else pack_column(values)
        if name not in kept
        else _pack_kept(values, kept[name])
        for name, values in zip(names[1:], columns, strict=True)
    )


REPEATED = ("metric_code", "breakdown", "confidence", "row_label", "column_label", "locator")
"""The facts' columns whose values recur whole from report to report (a template's codes, labels and
locators: 62–90 % of nat10k's reports repeat one of an earlier report); the value, its printed text, the
semantic and the page almost never do, or are not packed."""
REPEATED_CHECKS = ("check_id", "severity", "status", "breakdown", "cells")
"""The checks' columns that recur whole (87–96 %); not the expected and actual values or the messages."""
KEPT_PACKS = 128
"""Distinct runs of values a column keeps packed (a few templates and table layouts make most reports)."""
_FACT_PACKS: dict[str, dict[tuple[object, ...], Column]] = {name: {} for name in REPEATED}
_CHECK_PACKS: dict[str, dict[tuple[object, ...], Column]] = {name: {} for name in REPEATED_CHECKS}


def _pack_kept(values: list[object], kept: dict[tuple[object, ...], Column]) -> Column:
    """`pack_column(values)`, the packed text kept per tuple of values: a run of text and NULLs packs to
    the same `PackedText` whenever it comes again (equal values, str or None, join and encode alike). One
    memo a column of a table, so that a report's message never holds one packed column twice (pickle
    would write the second as a reference to the first)."""
    key = tuple(values)
    try:
        return kept[key]
    except KeyError:
        pass
    except TypeError:  # a value not hashable: not text, so not packed
        return pack_column(values)
    column = pack_column(values)
    if is_packed(column):
        remember(kept, key, column, KEPT_PACKS)
    return column


def unpacked(column: Column) -> Sequence[object]:
    """A column's values, packed or not."""
    return packed_values(column) if is_packed(column) else column


def text_array(parts: Sequence[PackedText]) -> pa.Array:
    """One Arrow string array of the values of `parts`, in order (each part holds at least one value)."""
    import numpy as np
    import pyarrow as pa

    total = sum(p[0] for p in parts)
    joined = b"\x00".join([p[1] for p in parts])
    data = np.frombuffer(joined, dtype=np.uint8)
    separators = np.flatnonzero(data == 0)
    if len(separators) != total - 1:  # never: `pack_column` counted them
        raise ValueError(f"packed text: {len(separators)} separators for {total} values")
    wide = len(data) >= 1 << 31
    offsets = np.empty(total + 1, dtype=np.int64 if wide else np.int32)
    offsets[0] = 0
    offsets[1:total] = separators + 1 - np.arange(1, total)  # each value's start, separators left out
    offsets[total] = len(data) - (total - 1)
    text = joined.replace(b"\x00", b"")  # one pass in C: a NumPy mask and its copy cost half as much again
    validity = None
    nulls = 0
    if any(p[2] for p in parts):
        valid = np.ones(total, dtype=bool)
        start = 0
        for count, _, where in parts:
            if where:
                valid[start + np.asarray(where, dtype=np.int64)] = False
            start += count
        nulls = int(total - valid.sum())
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.large_string() if wide else pa.string(),
        total,
        [validity, pa.py_buffer(offsets), pa.py_buffer(text)],
        null_count=nulls,
    )
