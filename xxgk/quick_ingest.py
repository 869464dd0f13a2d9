"""`xxgk ingest PATH…` without click, and without rich for its usual summary: the command line read here when
it is one that click would read without a message and the progress bar would not be drawn.

`xxgk.launch` tries this after forking the parse worker; any command line it does not take (help, another
option, a repeated one, a value out of range, a missing or unreadable path, standard error on a terminal,
where rich draws the progress bar …) goes to click, which reads it as it always did. What runs is what
`xxgk/cli.py` `ingest_command` runs: the same `ingest` call, the same summary (`print_summary`, rich), the
same messages and exit status. What it saves is the start-up before the run's first stage: click and the
CLI are not imported (≈ 10–30 ms; docs/scale.md §5, one file, twelfth pass); and the summary of a run with
nothing failed or skipped is printed as rich prints it without colour (`plain_summary`), so rich and the
summary's module (≈ 20 ms of CPU, imported in a thread beside the run until issue12o8) are imported only
for the other summaries, after the run.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xxgk.summary_rows import short_path, summary_rows, summary_title, version_line

if TYPE_CHECKING:
    from xxgk.ingest import IngestSummary

FLAGS = {"--verbose": "verbose", "-v": "verbose"}
VALUED = {"--warehouse": "warehouse", "--jobs": "jobs", "-j": "jobs"}
MIN_JOBS, MAX_JOBS = 1, 64
"""--jobs's range (xxgk/cli.py `ingest_command`)."""
PLAIN_INTEGER = re.compile(r"[0-9]+")
TERMINAL_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "_XXGK_COMPLETE")
"""Set, rich may take standard error for a terminal (and draw the progress bar), or click completes a
command line: click's path then."""


@dataclass(frozen=True)
class Arguments:
    paths: tuple[Path, ...]
    """The paths as click's `Path(path_type=Path)` gives them."""
    warehouse: Path | None = None
    jobs: int | None = None
    verbose: bool = False


def arguments_of(
    argv: list[str], environment: dict[str, str] | os._Environ[str], terminal: bool
) -> Arguments | None:
    """`xxgk ingest`'s arguments (argv without the program) when click would take them as they are and
    the command would draw no progress bar (`terminal`: standard error is one); None for anything else."""
    if argv[:1] != ["ingest"] or terminal or any(name in environment for name in TERMINAL_ENVIRONMENT):
        return None
    found: dict[str, object] = {}
    paths: list[str] = []
    rest = iter(argv[1:])
    for token in rest:
        if token in FLAGS and FLAGS[token] not in found:
            found[FLAGS[token]] = True
            continue
        name, equals, value = token.partition("=")
        if name in VALUED and VALUED[name] not in found and (not equals or name.startswith("--")):
            converted = _converted(name, value if equals else next(rest, None))
            if converted is None:
                return None
            found[VALUED[name]] = converted
            continue
        if token.startswith("-"):
            return None
        paths.append(token)
    if not paths or not all(_readable(p) for p in paths):
        return None
    return Arguments(tuple(Path(p) for p in paths), **found)  # type: ignore[arg-type]


def _converted(name: str, value: str | None) -> object:
    if value is None or value == "":
        return None
    if VALUED[name] == "jobs":
        if not PLAIN_INTEGER.fullmatch(value) or not MIN_JOBS <= int(value) <= MAX_JOBS:
            return None
        return int(value)
    warehouse = Path(value)
    return None if warehouse.exists() and not warehouse.is_dir() else warehouse


def _readable(path: str) -> bool:
    """What click's `Path(exists=True)` accepts without a message: a path that exists and can be read."""
    return path != "-" and os.path.exists(path) and os.access(path, os.R_OK)


def run(arguments: Arguments) -> int | None:
    """`ingest_command` with these arguments: its exit status, its messages (click's "Error: …" for a
    warehouse or workers that fail, "Aborted!" for an interrupt, nothing more for a closed pipe). None,
    before anything is done, when the warehouse's place inputs are not usable: click reports that with
    the command's usage."""
    from warehouse.publish import default_dir
    from xxgk.ingest import default_jobs, place_inputs

    directory = arguments.warehouse or default_dir()
    workers = arguments.jobs or default_jobs()
    try:
        inputs = place_inputs(directory)
    except (ValueError, OSError):
        return None
    from warehouse.errors import WarehouseError
    from xxgk.ingest import ingest
    from xxgk.workers import Limits, WorkersCannotStart

    def waiting() -> None:
        from rich.console import Console

        Console(stderr=True).print(
            f"another ingest is writing to {directory}; waiting for it to finish …", markup=False
        )

    gc.freeze()  # what the start-up built is kept for good: no older collection walks it again
    try:
        try:
            summary = ingest(
                list(arguments.paths),
                directory,
                jobs=workers,
                inputs=inputs,
                limits=Limits(),
                waiting=waiting,
            )
        except (WarehouseError, WorkersCannotStart) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        _print_summary(summary, directory, verbose=arguments.verbose)
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return 1
    return 1 if summary.failed else 0


def _print_summary(summary: IngestSummary, directory: Path, *, verbose: bool) -> None:
    """`xxgk.report.print_summary` to standard output: as plain text (`plain_summary`) when rich would
    print it without colour, with box-drawing characters and without wrapping a line, else by rich."""
    plain = not os.isatty(1) and (sys.stdout.encoding or "").lower().startswith("utf")
    width = console_width(os.environ) if plain else None
    text = None if width is None else plain_summary(summary, directory, width)
    if text is not None:
        sys.stdout.write(text)
        return
    from rich.console import Console

    from xxgk.report import print_summary

    print_summary(summary, directory, Console(), verbose=verbose)


def console_width(environment: dict[str, str] | os._Environ[str]) -> int | None:
    """The width rich's `Console()` takes when standard output is not a terminal (rich 15
    `Console.size`): COLUMNS when it is set (None unless a positive number: left to rich), else the first
    of standard input, output and error that is a terminal, else 80."""
    columns = environment.get("COLUMNS")
    if columns is not None:
        return int(columns) if columns.isdigit() and int(columns) > 0 else None
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


PLAIN_CELL = re.compile(r"[ -9;-Z\\\]-~·×]*")
"""What a cell or the title may hold for `plain_table` to print it as rich does: printable ASCII (but
`[`, which rich may read as markup, and `:`, as an emoji's name) and the summary's separators `·` and
`×`, each one column wide."""


def plain_table(title: str, rows: list[tuple[str, str]], width: int) -> str | None:
    """rich's `Table(title=title, show_header=False)` of two columns printed by a `Console` of `width`
    columns without colour; None when rich would wrap a cell or the title, or a cell holds what rich
    may print otherwise (`PLAIN_CELL`)."""
    if not rows or not all(PLAIN_CELL.fullmatch(text) for row in rows for text in row):
        return None
    if title.count(":") > 1 or not PLAIN_CELL.fullmatch(title.replace(":", "")):
        return None
    widths = [max(len(row[column]) for row in rows) for column in (0, 1)]
    inner = [w + 2 for w in widths]
    table_width = sum(inner) + 3
    if table_width > width or len(title) > table_width:
        return None
    left = (table_width - len(title)) // 2
    lines = [" " * left + title + " " * (table_width - len(title) - left)]
    lines.append("┌" + "─" * inner[0] + "┬" + "─" * inner[1] + "┐")
    lines.extend(f"│ {a.ljust(widths[0])} │ {b.ljust(widths[1])} │" for a, b in rows)
    lines.append("└" + "─" * inner[0] + "┴" + "─" * inner[1] + "┘")
    return "\n".join(lines) + "\n"


def plain_summary(summary: IngestSummary, directory: Path, width: int) -> str | None:
    """What `xxgk.report.print_summary` prints by a `Console` of `width` columns without colour, for a
    run with nothing failed, skipped or kept as a traceback (None otherwise, or when `plain_table` is
    None): without rich, whose import is ≈ 20 ms of CPU beside the run (docs/scale.md §5, one file,
    nineteenth pass)."""
    if summary.failed or summary.skipped or any(o.detail for o in summary.outcomes):
        return None
    table = plain_table(summary_title(summary), summary_rows(summary), width)
    if table is None:
        return None
    if summary.version is None:
        line = version_line(summary, directory)
        fits = len(line) <= width and PLAIN_CELL.fullmatch(str(directory))
        return f"{table}{line}\n" if fits else None
    if ":" in short_path(str(summary.version)):  # rich may read `:name:` in it as an emoji
        return None
    return f"{table}{version_line(summary, directory)}\n"
