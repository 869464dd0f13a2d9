"""Reviewers' statuses and comments from a CSV (`xxgk review import FILE`): each line is recorded in the
review store as a status event, as if made on the report page, so the review findings (审核意见), the
数据质量 filter and the report page all show it.

Columns: `report_id` or `source_file` (the path or a file name one report has), `comment`, and optionally
`reviewer` (default: the importing user), `date` (when it was said; default: now) and `status`
(pending / approved / returned or 待审核 / 已审核 / 退回修改; default: the report's status as it is).
A line already recorded (same report, status, comment and reviewer) changes nothing, so a file can be
imported again; each bad line gets a one-line error naming it and the reason.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from warehouse.db import open_version
from warehouse.publish import require_current
from warehouse.review import store
from warehouse.review.csvio import BadFile, ImportSummary, Reports, csv_text
from warehouse.review.ledger import ReviewError, set_status
from warehouse.review.model import STATUSES, Status

COLUMNS = ("report_id", "source_file", "comment", "reviewer", "date", "status")
STATUS_WORDS: dict[str, Status] = {"待审核": "pending", "已审核": "approved", "退回修改": "returned"}


def read_comments(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a comments CSV; a file without the columns is a `BadFile`."""
    reader = csv.DictReader(io.StringIO(csv_text(path)))
    header = [h.strip() for h in reader.fieldnames or []]
    if "comment" not in header or not {"report_id", "source_file"} & set(header):
        raise BadFile(f"{path}: needs the columns comment and report_id or source_file")
    reader.fieldnames = header
    return [(reader.line_num, {k: (row.get(k) or "").strip() for k in COLUMNS}) for row in reader]


def status_of(text: str, current: Status) -> Status:
    if not text:
        return current
    found = STATUS_WORDS.get(text) or next((s for s in STATUSES if s == text), None)
    if found is None:
        raise ReviewError(f"status {text!r} is not one of 待审核, 已审核, 退回修改 ({', '.join(STATUSES)})")
    return found


def stamp_of(text: str) -> str | None:
    """A date or date-and-time as stored (UTC, ISO 8601); None for a blank one (now)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ReviewError(f"date {text!r} is not a date like 2026-02-20 or 2026-02-20 15:30") from None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # a time without a zone is local


def _recorded(directory: Path) -> tuple[set[tuple[str, str, str, str]], dict[str, Status]]:
    """The (report, status, comment, user) already recorded and each report's latest status."""
    seen: set[tuple[str, str, str, str]] = set()
    latest: dict[str, Status] = {}
    with store.reading(directory) as db:
        if db is not None:
            for report_id, status, comment, user in db.execute(
                "SELECT report_id, status, comment, user FROM review_events ORDER BY id"
            ).fetchall():
                seen.add((report_id, status, comment, user))
                latest[report_id] = status
    return seen, latest


def import_comments(directory: Path, path: Path, user: str) -> ImportSummary:
    """Record every good line of a comments CSV (`added`; `unchanged` when already recorded)."""
    rows = read_comments(path)
    summary = ImportSummary()
    seen, latest = _recorded(directory)
    con = open_version(require_current(directory))
    try:
        reports = Reports(con)
    finally:
        con.close()
    for line, row in rows:
        try:
            report_id = reports.find(row)
            status = status_of(row["status"], latest.get(report_id, "pending"))
            who = " ".join((row["reviewer"] or user).split())[:80]
            if (report_id, status, row["comment"], who) in seen:
                summary.unchanged += 1
                continue
            set_status(directory, report_id, status, row["comment"], who, at=stamp_of(row["date"]))
        except ReviewError as exc:
            summary.errors.append(f"{path.name} line {line}: {exc}")
            continue
        seen.add((report_id, status, row["comment"], who))
        latest[report_id] = status
        summary.added += 1
    return summary
