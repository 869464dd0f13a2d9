"""Reading and changing review statuses and corrections. Every change is one short transaction in the
review database, records who made it and when, and never touches a warehouse version."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import duckdb

from warehouse import queries
from warehouse.db import open_version
from warehouse.errors import WarehouseError
from warehouse.publish import require_current
from warehouse.review import store
from warehouse.review.model import (
    KINDS,
    STATUSES,
    CarriedReview,
    Correction,
    Kind,
    ReviewEvent,
    Snapshot,
    Status,
    from_row,
    value_text,
)


class ReviewError(WarehouseError):
    """A change that cannot be made, with a one-line reason for the person who asked."""


class ConcurrentChange(ReviewError):
    """Someone else changed the same value since the page was shown."""


UNSET = -1
"""`expected_active` when the caller does not care which correction is active now (the CLI)."""


@dataclass(frozen=True)
class FactKey:
    report_id: str
    metric_code: str
    breakdown: str

    def text(self) -> str:
        return f"{self.metric_code}[{self.breakdown}]" if self.breakdown else self.metric_code


# --- reading ----------------------------------------------------------------------------------------


def load_snapshot(directory: Path) -> Snapshot:
    """The latest status of every report, every correction and every carried-over decision."""
    with store.reading(directory) as con:
        if con is None:
            return Snapshot()
        try:
            return _snapshot(con)
        except sqlite3.OperationalError:  # created by a writer that has not committed its schema yet
            return Snapshot()


def _snapshot(con: sqlite3.Connection) -> Snapshot:
    con.execute("BEGIN")  # one consistent read of the three tables and the revision
    try:
        revision = int(con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
        statuses = con.execute("""
            SELECT * FROM review_events
            WHERE id IN (SELECT max(id) FROM review_events GROUP BY report_id)
            ORDER BY report_id""").fetchall()
        corrections = con.execute("SELECT * FROM corrections ORDER BY id").fetchall()
        carried = con.execute("SELECT * FROM carried_reviews ORDER BY correction_id, report_id").fetchall()
    finally:
        con.execute("COMMIT")
    return Snapshot(
        revision,
        tuple(from_row(ReviewEvent, r) for r in statuses),
        tuple(from_row(Correction, r) for r in corrections),
        tuple(from_row(CarriedReview, r) for r in carried),
    )


def history(directory: Path, report_id: str) -> tuple[ReviewEvent, ...]:
    """Every status change of one report, oldest first."""
    with store.reading(directory) as con:
        if con is None:
            return ()
        rows = con.execute("SELECT * FROM review_events WHERE report_id = ? ORDER BY id", [report_id])
        return tuple(from_row(ReviewEvent, r) for r in rows.fetchall())


# --- the warehouse side: what a change records about the report and the value ---------------------


@dataclass(frozen=True)
class ReportIdentity:
    report_id: str
    agency_id: str | None
    agency: str | None
    year: int | None
    place_code: str | None
    source_file: str | None


@dataclass(frozen=True)
class FactReading:
    report: ReportIdentity
    value: Decimal | None
    value_raw: str
    semantic: str


def _current(directory: Path) -> duckdb.DuckDBPyConnection:
    return open_version(require_current(directory))


def report_identity(con: duckdb.DuckDBPyConnection, report_id: str) -> ReportIdentity:
    rows = con.execute(queries.sql("review_report"), {"report_id": report_id}).fetchall()
    if not rows:
        raise ReviewError(f"report {report_id[:12]}… is not in the warehouse")
    found = rows[0]
    return ReportIdentity(found[0], found[1], found[2], found[3], found[4], found[5])


def fact_reading(con: duckdb.DuckDBPyConnection, key: FactKey) -> FactReading:
    params = {"report_id": key.report_id, "metric_code": key.metric_code, "breakdown": key.breakdown}
    rows = con.execute(queries.sql("review_fact"), params).fetchall()
    if not rows:
        report_identity(con, key.report_id)  # says so when the report itself is unknown
        raise ReviewError(f"report {key.report_id[:12]}… has no value {key.text()}")
    value, raw, semantic, agency_id, agency, year, place_code, source_file, _ = rows[0]
    identity = ReportIdentity(key.report_id, agency_id, agency, year, place_code, source_file)
    return FactReading(identity, value, raw, semantic)


# --- changing ---------------------------------------------------------------------------------------


def _user(user: str) -> str:
    name = " ".join(str(user).split())
    if not name:
        raise ReviewError("every change records who made it: give a user name")
    return name[:80]


def set_status(
    directory: Path, report_id: str, status: Status, comment: str, user: str, at: str | None = None
) -> ReviewEvent:
    """Record a report's review status; 退回修改 needs a comment saying what to change. `at` is when it
    was said, for comments imported from a file (default: now)."""
    if status not in STATUSES:
        raise ReviewError(f"unknown review status {status!r}; one of {', '.join(STATUSES)}")
    comment = comment.strip()
    if status == "returned" and not comment:
        raise ReviewError("退回修改 needs a comment saying what the unit should change")
    con = _current(directory)
    try:
        report = report_identity(con, report_id)
    finally:
        con.close()
    who, at = _user(user), at or store.now()
    with store.writing(directory) as db:
        cursor = db.execute(
            "INSERT INTO review_events (report_id, status, comment, agency_id, agency, year, place_code, "
            "source_file, user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report_id,
                status,
                comment,
                report.agency_id,
                report.agency,
                report.year,
                report.place_code,
                report.source_file,
                who,
                at,
            ],
        )
        row = db.execute("SELECT * FROM review_events WHERE id = ?", [cursor.lastrowid]).fetchone()
    return from_row(ReviewEvent, row)


Outcome = Literal["added", "replaced", "unchanged"]


def add_correction(
    directory: Path,
    key: FactKey,
    value: Decimal,
    *,
    kind: Kind,
    reason: str,
    user: str,
    expected_active: int | None = UNSET,
    carried_from: int | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[Outcome, Correction]:
    """Correct one value. The value as read stays in the warehouse; this records the corrected one with
    the reason. An active correction of the same value is replaced (it stays in the history, withdrawn);
    the same value again changes nothing. With `expected_active`, the change is refused when the active
    correction is no longer the one the caller saw (another reviewer changed it meanwhile)."""
    if kind not in KINDS:
        raise ReviewError(f"unknown kind of correction {kind!r}; one of {', '.join(KINDS)}")
    if not reason.strip():
        raise ReviewError("a correction needs a reason")
    reading = _reading(directory, key, con)
    who, at = _user(user), store.now()
    text = value_text(value)
    with store.writing(directory) as db:
        active = _active(db, key)
        if expected_active != UNSET and (active.id if active else None) != expected_active:
            raise ConcurrentChange(_changed_meanwhile(active))
        if active is not None and active.value == text and active.kind == kind:
            return "unchanged", active
        if active is not None:
            db.execute(
                "UPDATE corrections SET withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ? WHERE id = ?",
                [who, at, "replaced by a new correction", active.id],
            )
        report = reading.report
        cursor = db.execute(
            "INSERT INTO corrections (report_id, metric_code, breakdown, original_value, original_raw, "
            "original_semantic, value, kind, reason, agency_id, agency, year, place_code, source_file, "
            "created_by, created_at, replaces, carried_from) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                key.report_id,
                key.metric_code,
                key.breakdown,
                value_text(reading.value),
                reading.value_raw,
                reading.semantic,
                text,
                kind,
                reason.strip(),
                report.agency_id,
                report.agency,
                report.year,
                report.place_code,
                report.source_file,
                who,
                at,
                active.id if active else None,
                carried_from,
            ],
        )
        created = _correction(db, int(cursor.lastrowid or 0))
    return ("replaced" if active is not None else "added"), created


def _reading(directory: Path, key: FactKey, con: duckdb.DuckDBPyConnection | None) -> FactReading:
    if con is not None:
        return fact_reading(con, key)
    own = _current(directory)
    try:
        return fact_reading(own, key)
    finally:
        own.close()


def _active(db: sqlite3.Connection, key: FactKey) -> Correction | None:
    row = db.execute(
        "SELECT * FROM corrections WHERE report_id = ? AND metric_code = ? AND breakdown = ? "
        "AND withdrawn_at IS NULL",
        [key.report_id, key.metric_code, key.breakdown],
    ).fetchone()
    return None if row is None else from_row(Correction, row)


def _correction(db: sqlite3.Connection, correction_id: int) -> Correction:
    row = db.execute("SELECT * FROM corrections WHERE id = ?", [correction_id]).fetchone()
    if row is None:
        raise ReviewError(f"there is no correction #{correction_id}")
    return from_row(Correction, row)


def _changed_meanwhile(active: Correction | None) -> str:
    if active is None:
        return "this value's correction was withdrawn by someone else meanwhile; look again and retry"
    return (
        f"{active.created_by} corrected this value meanwhile ({active.created_at}, #{active.id}); "
        "look again and retry"
    )


def withdraw(directory: Path, correction_id: int, *, user: str, reason: str) -> Correction:
    """Withdraw a correction: the value as read applies again; the correction stays in the history."""
    who, at = _user(user), store.now()
    with store.writing(directory) as db:
        found = _correction(db, correction_id)
        if not found.active:
            raise ReviewError(
                f"correction #{correction_id} was already withdrawn by {found.withdrawn_by} "
                f"({found.withdrawn_at})"
            )
        db.execute(
            "UPDATE corrections SET withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ? WHERE id = ?",
            [who, at, reason.strip() or "withdrawn", correction_id],
        )
        return _correction(db, correction_id)


def carry_over(directory: Path, correction_id: int, to_report: str, *, user: str) -> Correction:
    """Apply a correction of an earlier version to the version that replaced it (a new correction that
    names the one it came from), and record that decision."""
    with store.reading(directory) as db:
        if db is None:
            raise ReviewError(f"there is no correction #{correction_id}")
        old = _correction(db, correction_id)
    key = FactKey(to_report, old.metric_code, old.breakdown)
    reason = f"{old.reason}（沿用 #{old.id}）"
    _, created = add_correction(
        directory, key, Decimal(old.value), kind=old.kind, reason=reason, user=user, carried_from=old.id
    )
    _decide(directory, correction_id, to_report, "carried", f"#{created.id}", user)
    return created


def dismiss(directory: Path, correction_id: int, report_id: str, *, user: str, note: str) -> None:
    """Decide that a correction of an earlier version is not needed for the version that replaced it."""
    _decide(directory, correction_id, report_id, "dismissed", note.strip(), user)


def _decide(directory: Path, correction_id: int, report_id: str, decision: str, note: str, user: str) -> None:
    with store.writing(directory) as db:
        _correction(db, correction_id)
        db.execute(
            "INSERT OR REPLACE INTO carried_reviews VALUES (?, ?, ?, ?, ?, ?)",
            [correction_id, report_id, decision, note, _user(user), store.now()],
        )
