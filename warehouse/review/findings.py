"""The review store's part of the review findings (审核意见): each report's status, every comment made on
it and the corrections in force, as the `ReviewNotes` the findings documents print
(warehouse/documents/findings*.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from warehouse.documents.findings import CorrectionNote, ReviewerComment, ReviewNotes
from warehouse.documents.findings_reads import shown_cell
from warehouse.review import store
from warehouse.review.ledger import load_snapshot
from warehouse.review.model import Correction, ReviewEvent, from_row, value_text

CHUNK = 500


def review_notes(directory: Path, report_ids: Sequence[str]) -> dict[str, ReviewNotes]:
    """The review status, the comments (oldest first) and the active corrections of each of `report_ids`
    that has any; a report never reviewed is left out (the findings call it 待审核)."""
    events = _events(directory, list(report_ids))
    wanted = set(report_ids)
    corrections: dict[str, list[Correction]] = {}
    for correction in load_snapshot(directory).active():
        if correction.report_id in wanted:
            corrections.setdefault(correction.report_id, []).append(correction)
    return {
        report_id: ReviewNotes(
            report_id,
            events[report_id][-1].status if events.get(report_id) else "pending",
            tuple(_comment(e) for e in events.get(report_id, []) if e.comment),
            tuple(_correction(c) for c in corrections.get(report_id, [])),
        )
        for report_id in sorted(set(events) | set(corrections))
    }


def _comment(event: ReviewEvent) -> ReviewerComment:
    return ReviewerComment(event.user, _when(event.at), event.status, event.comment)


def _correction(correction: Correction) -> CorrectionNote:
    printed = correction.original_raw or value_text_of(correction.original_value)
    return CorrectionNote(
        cell=replace(shown_cell(correction.metric_code, correction.breakdown, None), printed=printed),
        value=value_text_of(correction.value),
        kind=correction.kind,
        reason=correction.reason,
        who=correction.created_by,
        when=_when(correction.created_at),
    )


def value_text_of(stored: str | None) -> str:
    """A stored decimal as a person writes it (no trailing zeros)."""
    if not stored:
        return ""
    try:
        return value_text(Decimal(stored)) or ""
    except InvalidOperation:
        return stored


def _when(stamp: str) -> str:
    """A stored UTC time ('2026-03-01T08:15:02Z') in this machine's time zone, to the minute, as the
    dashboard shows it."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


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
