"""The review findings as files, from a published warehouse version: what `xxgk findings` writes and the
data quality page hands to its download buttons. Each call opens its own read-only connection.

Word: one document per unit. Several units go in a ZIP (`findings.zip`) or, from the command line, into a
folder; a single .docx is written when exactly one unit is asked for. Excel: one workbook for all units.

Reviewers' comments come as `ReviewNotes` by report id (the review store when it is there, or a CSV the
user gives: `read_comments`); without them every report is 待审核 and its comment lines are left to fill in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from warehouse.db import connect
from warehouse.documents.findings import (
    Findings,
    FindingsError,
    FindingsRequest,
    ReviewerComment,
    ReviewNotes,
    UnitFindings,
)
from warehouse.documents.findings_docx import findings_files, findings_zip, unit_docx
from warehouse.documents.findings_reads import build_findings
from warehouse.documents.findings_xlsx import findings_xlsx
from warehouse.documents.make import safe_name

FindingsFormat = Literal["docx", "xlsx"]
FINDINGS_FORMATS: tuple[FindingsFormat, ...] = ("docx", "xlsx")
COMMENT_COLUMNS = ("report_id", "source_file", "comment", "reviewer", "date", "status")


def make_findings(
    version: Path,
    request: FindingsRequest,
    reviews: Mapping[str, ReviewNotes] | None = None,
    office: str = "",
    now: datetime | None = None,
) -> Findings:
    con = connect(version, read_only=True)
    try:
        return build_findings(con, request, version.name, reviews, office, now)
    finally:
        con.close()


def download_name(findings: Findings, fmt: str) -> str:
    """柯城区2023年年报审核意见.xlsx / .zip"""
    return safe_name(f"{findings.place_name}{findings.request.year}年年报审核意见") + (
        ".xlsx" if fmt == "xlsx" else ".zip"
    )


def download_bytes(findings: Findings, fmt: str) -> bytes:
    """A download: the workbook, or the units' documents in one ZIP."""
    return findings_xlsx(findings) if fmt == "xlsx" else findings_zip(findings)


def write_findings(findings: Findings, fmt: str, out: Path) -> list[Path]:
    """Write to `out`: a workbook (.xlsx), a ZIP of documents (.zip), one document (.docx, one unit
    only) or a folder of documents (any other path). Returns the files written."""
    suffix = out.suffix.lower()
    if fmt == "xlsx":
        return [_write(out, findings_xlsx(findings))]
    if suffix == ".zip":
        return [_write(out, findings_zip(findings))]
    if suffix == ".docx":
        return [_write(out, unit_docx(findings, _only_unit(findings, out)))]
    out.mkdir(parents=True, exist_ok=True)
    return [_write(out / name, data) for name, data in findings_files(findings)]


def _only_unit(findings: Findings, out: Path) -> UnitFindings:
    if len(findings.units) != 1:
        raise FindingsError(
            f"{out.name}: {len(findings.units)} units have a {findings.request.year} report under "
            f"{findings.place_name}; one .docx holds one unit — give --agency, or write a .zip or a folder"
        )
    return findings.units[0]


def _write(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise FindingsError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path


def read_comments(path: Path) -> list[dict[str, str]]:
    """A reviewers' comments CSV: `report_id` or `source_file` (the path or the file name), `comment`,
    and optionally `reviewer`, `date` and `status` (pending / approved / returned, or 待审核 / 已审核 /
    退回修改). UTF-8, with or without BOM."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FindingsError(f"{path}: cannot read the comments ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    if "comment" not in columns or not columns & {"report_id", "source_file"}:
        raise FindingsError(f"{path}: needs the columns comment and report_id or source_file")
    return [{k: (row.get(k) or "").strip() for k in COMMENT_COLUMNS} for row in reader]


STATUS_WORDS = {"待审核": "pending", "已审核": "approved", "退回修改": "returned"}


def notes_from_rows(
    rows: Sequence[Mapping[str, str]], units: Sequence[UnitFindings]
) -> dict[str, ReviewNotes]:
    """Comments rows matched to the units' reports (by report id, path or file name); a row that matches
    none is an error naming it, so no comment is lost silently."""
    by_key: dict[str, str] = {}
    for unit in units:
        for key in (unit.report_id, unit.source_file, Path(unit.source_file).name):
            by_key.setdefault(key, unit.report_id)
    gathered: dict[str, list[ReviewerComment]] = {}
    statuses: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        key = row.get("report_id") or row.get("source_file") or ""
        report_id = by_key.get(key) or by_key.get(Path(key).name)
        if report_id is None:
            raise FindingsError(f"comments row {number}: {key!r} is none of the reports the findings cover")
        status = STATUS_WORDS.get(row.get("status", ""), row.get("status", ""))
        if status:
            statuses[report_id] = status
        comment = ReviewerComment(row.get("reviewer", ""), row.get("date", ""), status, row["comment"])
        gathered.setdefault(report_id, []).append(comment)
    return {
        report_id: ReviewNotes(report_id, statuses.get(report_id, "pending"), tuple(comments))
        for report_id, comments in gathered.items()
    }
