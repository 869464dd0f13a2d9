"""Limits checked before allocation: each hostile input is refused within seconds, with one line that
names the file and the limit; special files are refused by their type; values never round silently."""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from etl import limits
from etl.errors import LimitExceeded, UnreadableDocument, XxgkError
from etl.limits import read_input
from etl.pipeline import parse_bytes
from etl.readers import read_document
from etl.values import VALUE_MAX_DECIMALS, VALUE_MAX_DIGITS, parse_value, to_metric_unit
from tests.conftest import ROOT
from warehouse.rows import MICRO, STORED
from xxgk.samples import hostile

CASES = [
    (
        hostile.self_referencing_pdf,
        "is not a readable PDF (PdfminerException: circular reference through object 2)",
    ),
    (
        hostile.xlsx_stray_cell,
        "16,384 grid columns in one table, over the limit of 1,000 (MAX_TABLE_COLUMNS)",
    ),
    (hostile.xlsx_whole_sheet_merge, "covered by merged ranges and hyperlinks), over the limit of 1,000,000"),
    (
        hostile.docx_grid_span,
        "100,000,000 grid columns in one table, over the limit of 1,000 (MAX_TABLE_COLUMNS)",
    ),
    (
        lambda: hostile.docx_zip_bomb(256 << 20),
        "bytes in one decompressed ZIP part (word/document.xml), over",
    ),
    (hostile.html_span_grids, "grid columns in one table, over the limit of 1,000 (MAX_TABLE_COLUMNS)"),
]


@pytest.mark.parametrize(("make", "reason"), CASES, ids=lambda x: getattr(x, "__name__", "")[:30])
def test_hostile_file_is_refused_quickly_with_its_limit(make: object, reason: str) -> None:
    found = make()  # type: ignore[operator]
    started = time.monotonic()
    with pytest.raises(UnreadableDocument) as refused:
        parse_bytes(found.name, found.data)
    assert time.monotonic() - started < 10
    assert reason in refused.value.reason
    assert found.name in refused.value.reason and "\n" not in refused.value.reason


def test_a_zip_part_that_lies_about_its_size_stops_at_the_size_it_declares() -> None:
    bomb = hostile.docx_zip_bomb(8 << 20).data
    (part,) = zipfile.ZipFile(io.BytesIO(bomb)).infolist()
    lying = bomb.replace(part.file_size.to_bytes(4, "little"), (1 << 20).to_bytes(4, "little"))
    assert zipfile.ZipFile(io.BytesIO(lying)).infolist()[0].file_size == 1 << 20
    with pytest.raises(UnreadableDocument, match=r"not a readable Word file \(BadZipFile\)"):
        read_document("lying.docx", lying)


def test_every_limit_is_named_in_its_message() -> None:
    for limit in limits.LIMITS:
        message = limit.error("dir/报告.pdf", limit.value + 1, "detail").reason
        assert message.startswith("报告.pdf: ") and f"({limit.name})" in message
        assert re.fullmatch(r"[A-Z_]+", limit.name) and getattr(limits, limit.name) is limit


def test_limits_are_checked_before_the_table_grid_is_built() -> None:
    page = "<table>" + "<tr><td>1</td></tr>" * (limits.MAX_TABLE_ROWS.value + 1) + "</table>"
    with pytest.raises(LimitExceeded, match="MAX_TABLE_ROWS"):
        read_document("rows.html", f"<html><body>{page}</body></html>".encode())


def test_deep_nesting_is_refused() -> None:
    depth = limits.MAX_NESTING_DEPTH.value + 10
    controls = "<w:sdt><w:sdtContent>" * depth + "</w:sdtContent></w:sdt>" * depth
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", hostile._document_xml(controls))
    with pytest.raises(LimitExceeded, match="MAX_NESTING_DEPTH"):
        read_document("deep.docx", out.getvalue())


def test_special_files_are_refused_by_type(tmp_path: Path) -> None:
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    with pytest.raises(
        UnreadableDocument, match=r"report\.html is a named pipe \(FIFO\), not a regular file"
    ):
        read_input(fifo)
    with pytest.raises(UnreadableDocument, match="zero is a character device"):
        read_input("/dev/zero")
    with pytest.raises(UnreadableDocument, match="cannot read file"):
        read_input(tmp_path / "missing.html")


def test_file_size_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES.value + 1)
    with pytest.raises(LimitExceeded, match="MAX_FILE_BYTES"):
        read_input(big)


@pytest.mark.parametrize(
    ("printed", "problem"),
    [
        ("9" * 29, "29 significant digits, more than the 18 a value may have"),
        ("1" * 19, "19 significant digits"),
        ("1.1234567", "7 decimal places, more than the 6 a value is stored with"),
    ],
)
def test_values_the_warehouse_cannot_hold_exactly_are_invalid_with_a_reason(
    printed: str, problem: str
) -> None:
    parsed = parse_value(printed)
    assert parsed.value is None and parsed.semantic == "invalid" and parsed.problem.startswith(problem)


def test_trailing_zeros_do_not_count_as_decimals() -> None:
    assert parse_value("1.50000000").value == Decimal("1.5")


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(r"[+-]?[0-9]{1,40}(\.[0-9]{1,12})?(万元|亿元|元)?", fullmatch=True),
    st.sampled_from(["元", "件", None]),
)
@example("100000000000000亿元", "元")  # 1E22 元: 29 digits with six decimals, over Python's default 28
def test_every_number_is_exact_or_refused_never_rounded(printed: str, unit: str | None) -> None:
    parsed = parse_value(printed)
    if parsed.value is None:
        assert parsed.semantic in ("invalid", "zero") or parsed.problem
        return
    scaled = to_metric_unit(parsed, unit or "件", None)
    assert scaled is not None
    assert len(scaled.as_tuple().digits) <= VALUE_MAX_DIGITS + 8
    assert -scaled.as_tuple().exponent <= VALUE_MAX_DECIMALS  # type: ignore[operator]
    assert scaled.quantize(MICRO, context=STORED) == scaled  # what loading into DECIMAL(38, 6) does


def test_the_storage_type_is_what_the_value_limits_assume() -> None:
    schema = (ROOT / "warehouse" / "schema.sql").read_text(encoding="utf-8")
    value = re.search(r"\n\s+value\s+DECIMAL\((\d+), (\d+)\)", schema)
    assert value is not None
    precision, scale = int(value.group(1)), int(value.group(2))
    assert scale == VALUE_MAX_DECIMALS
    assert precision - scale >= VALUE_MAX_DIGITS + 8  # 亿元 scaled to 元 still fits


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([".html", ".txt", ".pdf", ".docx", ".xlsx"]))
def test_any_bytes_give_a_document_or_an_xxgk_error(data: bytes, suffix: str) -> None:
    try:
        read_document(f"x{suffix}", data)
    except XxgkError as exc:
        assert exc.reason and "\n" not in exc.reason
