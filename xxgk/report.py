"""Terminal output for the CLI: the one-screen ingest summary and the view of one parsed file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from etl.check_catalogue import meaning
from etl.records import ParsedReport
from xxgk.summary_rows import IGNORED, short_path, summary_rows, summary_title, version_line

if TYPE_CHECKING:
    from xxgk.ingest import IngestSummary

MAX_FAILED_LISTED = 40


def print_summary(
    summary: IngestSummary, directory: Path, console: Console, *, verbose: bool = False
) -> None:
    table = Table(title=summary_title(summary), show_header=False)
    for label, value in summary_rows(summary):
        table.add_row(label, Text(value) if label == IGNORED else value)
    console.print(table)
    _print_failed(summary, console)
    _print_skipped(summary, console)
    _print_tracebacks(summary, console, verbose)
    _print_version(summary, directory, console)


def _print_failed(summary: IngestSummary, console: Console) -> None:
    failed = summary.failed
    if not failed:
        return
    console.print(f"[bold red]{len(failed)} inputs did not load:[/]")
    for outcome in failed[:MAX_FAILED_LISTED]:
        console.print(
            f"  {short_path(outcome.path)}: {outcome.status}: {outcome.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if len(failed) > MAX_FAILED_LISTED:
        console.print(f"  … and {len(failed) - MAX_FAILED_LISTED} more (xxgk export errors)")


def _print_skipped(summary: IngestSummary, console: Console) -> None:
    if not summary.skipped:
        return
    console.print(f"{len(summary.skipped)} entries of the folders were skipped:")
    for path, reason in summary.skipped[:MAX_FAILED_LISTED]:
        console.print(f"  {short_path(path)}: {reason}", markup=False, highlight=False, soft_wrap=True)
    if len(summary.skipped) > MAX_FAILED_LISTED:
        console.print(f"  … and {len(summary.skipped) - MAX_FAILED_LISTED} more")


def _print_tracebacks(summary: IngestSummary, console: Console, verbose: bool) -> None:
    internal = [o for o in summary.outcomes if o.detail]
    if not internal:
        return
    if verbose:
        for outcome in internal:
            console.print(f"traceback of {short_path(outcome.path)}:", markup=False, highlight=False)
            console.print(outcome.detail.rstrip(), markup=False, highlight=False, soft_wrap=True)
        return
    where = f" are in {short_path(str(summary.log))}" if summary.log else " are not kept"
    console.print(
        f"the tracebacks of {len(internal)} internal errors{where}; --verbose prints them",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _print_version(summary: IngestSummary, directory: Path, console: Console) -> None:
    line = version_line(summary, directory)
    console.print(line, soft_wrap=summary.version is not None, highlight=False, markup=False)


def print_parse(report: ParsedReport, console: Console, *, all_checks: bool = False) -> None:
    from xxgk.parse_view import print_view, view_of  # not for ingest's summary

    print_view(view_of(report, all_checks=all_checks), console)


def print_checks(directory: Path, console: Console, *, top: int = 30, lang: str = "zh") -> None:
    """Two tables: results per check id (with what it checks), and the agencies whose current reports
    fail most."""
    from warehouse import queries
    from warehouse.db import open_version
    from warehouse.publish import require_current

    con = open_version(require_current(directory))
    try:
        by_check = queries.run(con, "checks_by_check")
        by_agency = queries.run(con, "checks_by_agency")
    finally:
        con.close()
    table = Table(title="checks of current reports 检查结果（按检查项）")
    for column in ("check", "meaning 含义", "severity", "fail", "pass", "not assessable", "reports failing"):
        table.add_column(column, justify="left" if column[0] in "cms" else "right")
    for row in by_check.itertuples(index=False):
        style = "red" if row.failed and row.severity == "error" else "yellow" if row.failed else ""
        table.add_row(
            row.check_id,
            meaning(str(row.check_id), lang),
            row.severity,
            str(row.failed),
            str(row.passed),
            str(row.not_assessable),
            str(row.reports_failing),
            style=style,
        )
    console.print(table)
    agencies = Table(title=f"agencies with failed checks 未通过检查的机关 ({len(by_agency)})")
    for column in ("agency", "county / city", "errors", "warnings", "checks", "years"):
        agencies.add_column(column, justify="right" if column in ("errors", "warnings") else "left")
    for row in by_agency.head(top).itertuples(index=False):
        agencies.add_row(
            Text(str(row.agency_id)),
            Text(_text(row.county) or _text(row.city) or "-"),
            str(row.errors),
            str(row.warnings),
            Text(str(row.check_ids)),
            Text(str(row.years)),
        )
    console.print(agencies)
    if len(by_agency) > top:
        console.print(f"… and {len(by_agency) - top} more (xxgk export checks)")


def _text(value: object) -> str:
    """A cell as text; missing values (None, pandas NA/NaN) as ''."""
    return value if isinstance(value, str) else ""
