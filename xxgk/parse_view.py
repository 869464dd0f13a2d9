"""What `xxgk parse FILE` shows of one file, as text: built from the parsed report (in the parse worker),
printed by the command.

The command prints it through rich (`print_view`), or writes the same bytes itself (`write_view`) when it
can tell that rich would write them unchanged (`plain_enough`): no tab, control character or `:name:`
emoji code in the text, and an output that rich would treat as a terminal (the file name in bold) or
not by `isatty` alone. That spares `xxgk parse` importing rich (about 25 ms of CPU) for what is, in the
end, three `print`s (docs/scale.md §2, fifth start-up pass; `tests/test_parse_view.py` compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from etl.records import Fact, ParsedReport, ReportMeta

BOLD, RESET = "\x1b[1m", "\x1b[0m"
EMOJI_CODE = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")
"""rich's pattern for `:name:` emoji codes (rich/_emoji_replace.py): a text it finds one in goes to rich."""
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "JUPYTER_COLUMNS")
"""Variables by which rich decides what a terminal is, or what it may write to it, other than `isatty`
and TERM: with any of them set, rich prints."""


@dataclass(frozen=True)
class View:
    """One parsed report as `xxgk parse` prints it: the file (bold), one line of what it is, then its
    values, warnings and checks, one a line ("" when there are none)."""

    source_file: str
    summary: str
    body: str


@dataclass(frozen=True)
class Failed:
    """A file that did not parse, as the command prints it: `PATH: KIND: REASON` (and with --verbose the
    traceback of an internal error)."""

    kind: str
    reason: str
    detail: str = ""


def view_of(report: ParsedReport, *, all_checks: bool = False) -> View:
    meta = report.meta
    summary = (
        f"template {report.template} · agency {meta.agency} ({meta.agency_source}) · year {meta.year} "
        f"({meta.year_source}) · place {meta.province or '-'} {meta.city or '-'} {meta.county or '-'} "
        f"({_place_code(meta)}) · scope {meta.scope} · cells {report.found_cells}/{report.expected_cells}"
    )
    lines = [*map(_fact_line, report.facts)]
    lines += [f"warning {issue.code}: {issue.message} {issue.locator}" for issue in report.warnings]
    lines += [
        f"check {check.check_id} {check.severity} {check.status}: {check.message}"
        for check in report.checks
        if all_checks or check.status != "pass"
    ]
    return View(report.source_file, summary, "\n".join(lines))


def _place_code(meta: ReportMeta) -> str:
    code = meta.county_code or meta.city_code or meta.province_code
    detail = f", {meta.place_note}" if meta.place_note else ""
    return f"{code or '-'} {meta.place_status}{detail}"


def _fact_line(fact: Fact) -> str:
    value = "" if fact.value is None else str(fact.value)
    where = f"{fact.source.locator}: {fact.source.row_label} / {fact.source.column_label}".strip(" /")
    confidence = "" if fact.confidence == "exact" else f"  [{fact.confidence}]"
    return (
        f"{fact.metric_code:<42} {fact.breakdown:<14} {value:>14}  {fact.semantic:<7} "
        f"printed {fact.value_raw!r:<14} {where}{confidence}"
    )


def print_view(view: View, console: Console) -> None:
    """The view through rich (what `write_view` writes when `plain_enough` allows it)."""
    from rich.text import Text

    console.print(Text(view.source_file, style="bold"), highlight=False, soft_wrap=True)
    console.print(view.summary, highlight=False, soft_wrap=True, markup=False)
    if view.body:  # one print: rich takes about as long for a line as for a page of them
        console.print(view.body, markup=False, highlight=False, soft_wrap=True)


def bold_of(stream: TextIO, environment: Mapping[str, str]) -> bool | None:
    """Whether rich's `Console()` on `stream` would print bold text in bold (True) or plainly (False),
    or None when something other than `isatty` and TERM decides it (a variable of RICH_ENVIRONMENT)."""
    if any(name in environment for name in RICH_ENVIRONMENT):
        return None
    try:
        terminal = stream.isatty()
    except ValueError:  # closed
        return None
    return terminal and environment.get("TERM", "").lower() not in ("dumb", "unknown")


def plain_enough(view: View) -> bool:
    """Whether rich prints the view's text as it is: nothing it expands (tabs), strips (control
    characters) or replaces (emoji codes); newlines in the file name would break its bold per line."""
    if CONTROL.search(view.source_file):
        return False
    texts = (view.summary, view.body)
    return not any(CONTROL.search(text.replace("\n", "")) or EMOJI_CODE.search(text) for text in texts)


def write_view(view: View, stream: TextIO, *, bold: bool) -> None:
    """What `print_view` prints, when `plain_enough(view)` and `bold` is `bold_of(stream)`."""
    name = f"{BOLD}{view.source_file}{RESET}" if bold and view.source_file else view.source_file
    stream.write(f"{name}\n{view.summary}\n")
    if view.body:
        stream.write(f"{view.body}\n")
