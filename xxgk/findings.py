"""`xxgk findings`: the review findings (审核意见) of a place and year, from the current warehouse version
(logic in warehouse/documents/findings*.py)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from warehouse.documents.findings import Findings, FindingsRequest
from warehouse.documents.findings_make import FINDINGS_FORMATS, make_findings, write_findings
from warehouse.errors import WarehouseError
from warehouse.filters import KINDS
from warehouse.publish import default_dir, require_current
from xxgk.documents import PLACE_CODE
from xxgk.options import warehouse_option


def _format(fmt: str | None, out: Path) -> str:
    """xlsx for a .xlsx file, docx for a .docx, a .zip or a folder; a --format that contradicts the
    file name is a usage error."""
    suffix = out.suffix.lower()
    implied = "xlsx" if suffix == ".xlsx" else "docx" if suffix in (".docx", ".zip", "") else None
    if fmt is None and implied is None:
        raise click.UsageError(f"cannot tell the format of {out}: give --format {'|'.join(FINDINGS_FORMATS)}")
    if fmt is not None and implied is not None and fmt != implied:
        raise click.UsageError(f"--format {fmt} does not match {out.name} (.xlsx; .docx, .zip or a folder)")
    return fmt or str(implied)


def _kinds(values: tuple[str, ...]) -> tuple[str, ...]:
    kinds = tuple(k.strip() for value in values for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise click.UsageError(f"unknown agency kind {', '.join(unknown)}; one of {', '.join(KINDS)}")
    return kinds


def _said(findings: Findings, written: list[Path], out: Path) -> str:
    errors = sum(u.count("error") for u in findings.units)
    warnings = sum(u.count("warning") for u in findings.units)
    what = f"{len(written)} files" if len(written) > 1 else written[0].name if written else "nothing"
    units = f"{len(findings.units)} units of {findings.place_name} {findings.request.year}"
    return (
        f"wrote {what} to {out}: {units}, {errors} errors and {warnings} warnings to send back, "
        f"{len(findings.missing)} units without a report"
    )


@click.command("findings")
@click.option("--place", required=True, help="6-digit division code of the province, city or county")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="report year")
@click.option(
    "--format", "fmt", type=click.Choice(FINDINGS_FORMATS), default=None, help="default: from --out"
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="a .xlsx workbook; a .zip of one .docx per unit, a folder of them, or one .docx (one unit only)",
)
@click.option("--agency", default=None, help="only the units whose name contains this text")
@click.option(
    "--kinds", multiple=True, help=f"agency kinds, comma-separated ({', '.join(KINDS)}); default all"
)
@click.option("--include-vertical", is_flag=True, help="also vertically managed units (税务, 调查队 …)")
@click.option("--office", default="", help="who signs the findings, e.g. 某某县人民政府办公室（政务公开办）")
@warehouse_option
def findings_command(
    place: str,
    year: int,
    fmt: str | None,
    out: Path,
    agency: str | None,
    kinds: tuple[str, ...],
    include_vertical: bool,
    office: str,
    warehouse: Path | None,
) -> None:
    """Write the review findings (审核意见) of a place and year, what the office sends back to the units:
    for each unit's current report every failed check in plain Chinese with the rule and the cells
    involved (table, row, column, printed value), missing sections, late publication, the cells not
    read, the review status and reviewers' comments, and the corrections in force (the review store:
    the report page, or `xxgk review import FILE`). Word: one document per unit (a .zip or a folder of them);
    Excel: one workbook for all units, with the units that published no report."""
    if not PLACE_CODE.match(place):
        raise click.UsageError(f"--place {place!r} is not a 6-digit division code (e.g. 330822)")
    chosen = _format(fmt, out)
    try:
        request = FindingsRequest(place, year, _kinds(kinds), include_vertical, agency)
        findings = make_findings(require_current(warehouse or default_dir()), request, office=office)
        written = write_findings(findings, chosen, out)
    except WarehouseError as exc:
        raise click.ClickException(str(exc)) from None
    Console(stderr=True).print(_said(findings, written, out), markup=False, soft_wrap=True)
