"""Terminal output for the CLI: the one-screen ingest summary and the view of one parsed file."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from etl.records import ParsedReport
from warehouse.db import connect
from xxgk.ingest import IngestSummary

MAX_FAILED_LISTED = 40


def _short(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def print_summary(summary: IngestSummary, directory: Path, console: Console) -> None:
    templates = summary.templates
    table = Table(
        title=f"xxgk ingest: {len(summary.outcomes)} inputs in {summary.seconds:.1f} s", show_header=False
    )
    table.add_row("loaded (new)", str(summary.count("loaded")))
    table.add_row("loaded (replacing an older version)", str(summary.count("replaced")))
    table.add_row("unchanged (same bytes already loaded)", str(summary.count("unchanged")))
    table.add_row("rejected (not an annual report)", str(summary.count("rejected")))
    table.add_row("errors", str(summary.count("error")))
    if templates:
        table.add_row("templates", " · ".join(f"{t} {n}" for t, n in sorted(templates.items())))
        table.add_row("reports with parse warnings", str(summary.with_warnings))
        table.add_row("reports failing a check", str(summary.failing_checks))
    if summary.ignored:
        table.add_row("other files ignored", ", ".join(f"{k} ×{v}" for k, v in summary.ignored.most_common()))
    console.print(table)
    _print_failed(summary, console)
    _print_version(summary, directory, console)


def _print_failed(summary: IngestSummary, console: Console) -> None:
    failed = summary.failed
    if not failed:
        return
    console.print(f"[bold red]{len(failed)} inputs did not load:[/]")
    for outcome in failed[:MAX_FAILED_LISTED]:
        console.print(
            f"  {_short(outcome.path)}: {outcome.status}: {outcome.reason}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if len(failed) > MAX_FAILED_LISTED:
        console.print(f"  … and {len(failed) - MAX_FAILED_LISTED} more (xxgk export errors)")


def _print_version(summary: IngestSummary, directory: Path, console: Console) -> None:
    if summary.version is None:
        console.print(f"warehouse {directory}: nothing published yet")
        return
    con = connect(summary.version, read_only=True)
    try:
        reports, facts = con.execute(
            "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)"
        ).fetchall()[0]
    finally:
        con.close()
    state = "published" if summary.published else "unchanged"
    console.print(
        f"warehouse {state}: {_short(str(summary.version))} ({reports} reports, {facts} values)",
        soft_wrap=True,
        highlight=False,
    )


def print_parse(report: ParsedReport, console: Console, *, all_checks: bool = False) -> None:
    meta = report.meta
    console.print(f"[bold]{report.source_file}[/]", highlight=False)
    console.print(
        f"template {report.template} · agency {meta.agency} ({meta.agency_source}) · year {meta.year} "
        f"({meta.year_source}) · place {meta.province or '-'} {meta.city or '-'} {meta.county or '-'} · "
        f"cells {report.found_cells}/{report.expected_cells}",
        highlight=False,
        soft_wrap=True,
    )
    for fact in report.facts:
        value = "" if fact.value is None else str(fact.value)
        where = f"{fact.source.locator}: {fact.source.row_label} / {fact.source.column_label}".strip(" /")
        console.print(
            f"{fact.metric_code:<42} {fact.breakdown:<14} {value:>14}  {fact.semantic:<7} "
            f"printed {fact.value_raw!r:<14} {where}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for issue in report.warnings:
        console.print(
            f"warning {issue.code}: {issue.message} {issue.locator}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for check in report.checks:
        if all_checks or check.status != "pass":
            console.print(
                f"check {check.check_id} {check.severity} {check.status}: {check.message}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
