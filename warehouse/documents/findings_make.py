"""The review findings as files, from a published warehouse version: what `xxgk findings` writes and the
data quality page hands to its download buttons. Each call opens its own read-only connection.

Word: one document per unit. Several units go in a ZIP (`findings.zip`) or, from the command line, into a
folder; a single .docx is written when exactly one unit is asked for. Excel: one workbook for all units.

Each report's review status, its reviewers' comments and the corrections in force come from the review
store (DIR/review.sqlite3; a comments CSV is recorded there by `xxgk review import`); a report never
reviewed is 待审核 and its comment lines are left to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

from warehouse.db import open_version
from warehouse.documents.findings import (
    Findings,
    FindingsError,
    FindingsRequest,
    ReviewNotes,
    UnitFindings,
    with_reviews,
)
from warehouse.documents.findings_docx import findings_files, findings_zip, unit_docx
from warehouse.documents.findings_reads import build_findings
from warehouse.documents.findings_xlsx import findings_xlsx
from warehouse.documents.make import safe_name
from warehouse.review.findings import review_notes

FindingsFormat = Literal["docx", "xlsx"]
FINDINGS_FORMATS: tuple[FindingsFormat, ...] = ("docx", "xlsx")


def make_findings(
    version: Path,
    request: FindingsRequest,
    reviews: Mapping[str, ReviewNotes] | None = None,
    office: str = "",
    now: datetime | None = None,
) -> Findings:
    """The findings of `request` over `version`, with the review statuses, comments and corrections of
    its warehouse directory's review store (or the `reviews` given instead)."""
    con = open_version(version)
    try:
        findings = build_findings(con, request, version.name, None, office, now)
    finally:
        con.close()
    if reviews is None:
        reviews = review_notes(version.parent, [u.report_id for u in findings.units])
    return with_reviews(findings, reviews)


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
