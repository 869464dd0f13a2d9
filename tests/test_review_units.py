"""The review workbench's pure parts: values as people type them, the overlay's SQL composition, who
may edit, password hashes, the snapshot's relations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.editing import is_loopback
from warehouse.review import overlay
from warehouse.review.model import BadValue, Correction, Snapshot, parse_value, value_text
from warehouse.review.users import hash_password, matches


@pytest.mark.parametrize(
    ("text", "value"), [("12", "12"), ("１２", "12"), ("1,234.50", "1234.5"), ("-3", "-3")]
)
def test_values_as_people_type_them(text: str, value: str) -> None:
    assert value_text(parse_value(text)) == value


@pytest.mark.parametrize("text", ["", "abc", "1.0000001", "NaN", "Infinity", "1e40", "12件"])
def test_values_that_are_not_one_number_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse_value(text)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20))
def test_a_value_written_as_stored_reads_back_the_same(value: Decimal) -> None:
    text = value_text(value)
    assert text is not None and parse_value(text) == value


@pytest.mark.parametrize(
    ("address", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("", False), (None, False), ("192.168.1.10", False), ("example.gov.cn", False)],
)  # fmt: skip
def test_who_counts_as_this_machine(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_passwords_are_stored_as_salted_scrypt_hashes() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$32768$8$1$") and "correct horse" not in first
    assert matches("correct horse", first) and not matches("correct horsf", first)
    assert not matches("correct horse", "plain$text") and not matches("x", "scrypt$bad")


def test_the_overlay_joins_a_querys_own_with() -> None:
    plain = overlay.corrected("SELECT * FROM facts", "facts")
    assert plain.startswith("WITH review_base_facts AS (SELECT * FROM main.facts)")
    assert "\nfacts AS (" in plain and plain.endswith("SELECT * FROM facts")
    hidden = overlay.corrected("SELECT * FROM facts", "facts", hide_ocr=True)
    # built on the stand-in without unconfirmed OCR values
    assert "main.ocr_cells" in hidden.split("\nfacts AS (")[0]
    own = overlay.corrected("-- a comment\nWITH chosen AS (SELECT 1) SELECT * FROM facts, chosen", "facts")
    assert own.count("WITH") == 1 and ",\n-- a comment\nchosen AS (SELECT 1)" in own
    series = overlay.ctes("series")
    assert series.index("report_series AS (") < series.index("series AS (\n-- The `series` view")
    assert overlay.corrected("SELECT 1", "review_overlay") == "SELECT 1"  # a registered table needs no CTE


def _correction(
    number: int, report: str, *, withdrawn: bool = False, carried_from: int | None = None
) -> Correction:
    return Correction(
        number, report, "req.received", "total", "1", "1", "number", "2", "extraction", "r", None, None,
        2021, None, None, "u", "t", None, carried_from, "w" if withdrawn else None, "t" if withdrawn else None, None,
    )  # fmt: skip


def test_only_active_corrections_are_overlaid_and_carried_ones_count_once() -> None:
    corrections = (
        _correction(1, "a"),
        _correction(2, "b", withdrawn=True),
        _correction(3, "c", carried_from=1),
    )
    tables = overlay.relations(Snapshot(3, (), corrections))
    assert tables[overlay.CORRECTIONS].column("id").to_pylist() == [1, 3]
    assert tables[overlay.CARRIED].to_pylist() == [
        {"correction_id": 1, "report_id": "c", "decision": "carried"}
    ]


@given(st.text(max_size=80))
def test_typed_text_never_reaches_markdown_as_syntax(text: str) -> None:
    from dashboard.typed_text import md

    shown = md(text)
    assert not any(ch in shown for ch in "[]()*_`$<>:\\|~")
    assert "://" not in shown


def test_a_damaged_review_database_is_one_clear_error(tmp_path: Path) -> None:
    from warehouse.errors import WarehouseError
    from warehouse.review import store
    from warehouse.review.ledger import load_snapshot

    assert load_snapshot(tmp_path) == Snapshot()  # none yet: no reviews, no corrections
    store.database(tmp_path).write_bytes(b"this is not a database" * 100)
    with pytest.raises(WarehouseError, match=r"review\.sqlite3: file is not a database") as caught:
        load_snapshot(tmp_path)
    assert "\n" not in str(caught.value)


def test_corrected_reports_are_written_out_only_as_hex_ids() -> None:
    good, bad = "a" * 64, "x'); DROP TABLE facts; --"
    assert (
        overlay.corrected_reports(Snapshot(1, (), (_correction(1, good), _correction(2, bad)))) == f"'{good}'"
    )
    assert overlay.corrected_reports(Snapshot()) == "NULL"


def test_the_first_change_waits_for_another_process_creating_the_database(tmp_path: Path) -> None:
    """Two reviewers' first changes race to create the database: SQLite refuses a switch to WAL at once
    (without waiting) while another connection is writing, so the first change must wait, not fail."""
    import sqlite3
    import threading

    from warehouse.review import store

    other = sqlite3.connect(store.database(tmp_path), isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE elsewhere (x)")
    other.execute("BEGIN IMMEDIATE")  # another process's first change, creating the schema
    threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
    with store.writing(tmp_path) as con:
        con.execute("INSERT INTO meta VALUES ('first', 'yes')")
    other.close()
    with store.reading(tmp_path) as con:
        assert con is not None
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("SELECT value FROM meta WHERE key = 'first'").fetchone()[0] == "yes"
    assert store.revision(tmp_path) == 1
