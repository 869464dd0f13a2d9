"""Reviewers' statuses and comments for the review findings (审核意见) sent back to the units."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse import queries
from warehouse.db import connect
from warehouse.publish import require_current
from warehouse.review import store
from warehouse.review.model import ReviewEvent, Status, from_row

CHUNK = 500


@dataclass(frozen=True)
class ReportReview:
    """One current report of the place and year: its review status and every comment made on it."""

    report_id: str
    agency: str | None
    year: int | None
    source_file: str
    status: Status
    comments: tuple[ReviewEvent, ...]
    """Events with a comment, oldest first (who, when, which status, what was said)."""


def comments_for(directory: Path, place: str, year: int) -> list[ReportReview]:
    """The review status and the reviewers' comments of every current report of `place` (a province,
    city or county code) and `year`, in agency order; reports never reviewed are `pending`."""
    con = connect(require_current(directory), read_only=True)
    try:
        reports = con.execute(queries.sql("review_comments"), {"place": place, "year": year}).fetchall()
    finally:
        con.close()
    events = _events(directory, [r[0] for r in reports])
    found: list[ReportReview] = []
    for report_id, agency, _agency_id, report_year, source_file in reports:
        own = events.get(report_id, [])
        status: Status = own[-1].status if own else "pending"
        commented = tuple(e for e in own if e.comment)
        found.append(ReportReview(report_id, agency, report_year, source_file, status, commented))
    return found


def _events(directory: Path, report_ids: list[str]) -> dict[str, list[ReviewEvent]]:
    by_report: dict[str, list[ReviewEvent]] = {}
    with store.reading(directory) as db:
        if db is None or not report_ids:
            return by_report
        for start in range(0, len(report_ids), CHUNK):
            chunk = report_ids[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = db.execute(f"SELECT * FROM review_events WHERE report_id IN ({marks}) ORDER BY id", chunk)
            for row in rows.fetchall():
                event = from_row(ReviewEvent, row)
                by_report.setdefault(event.report_id, []).append(event)
    return by_report
