"""`xxgk parse FILE` without click and rich: the command line read here when it is one that click would
read without a message, the file parsed and its view built in one forked worker, the view written as
rich would write it.

`xxgk.launch` tries this first; any command line it does not take (help, an unknown or repeated option, a
value out of range, a missing or unreadable file …) goes to click, which prints what it always printed.
The worker keeps every guarantee of the parse workers (xxgk/workers.py: the time and memory limits, its
own process group, death with the command, no standard input or output); it builds the lines to print
(xxgk/parse_view.py), so the command imports neither click, rich nor the parsers' records, and the parsed
report is not pickled and unpickled to print it (docs/scale.md §2, fifth start-up pass).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from xxgk.parse_view import Failed, View, bold_of, plain_enough, write_view
from xxgk.workers import (
    DEFAULT_MEMORY_BYTES,
    DEFAULT_SECONDS,
    MIN_MEMORY,
    Limits,
    Pool,
    WorkersCannotStart,
    parse_size,
)

MIN_SECONDS, MAX_SECONDS = 1.0, 86400.0
"""--timeout's range (xxgk/cli.py `limit_options`)."""
FLAGS = {"--all-checks": "all_checks", "--verbose": "verbose", "-v": "verbose"}
VALUED = {"--timeout": "timeout", "--memory-limit": "memory"}
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
PRELOADED = ("etl.pipeline", "etl.collect.manifest", "xxgk.parsing:warm_up")
"""What the worker loads before it says it is ready (xxgk/parsing.py `PRELOADED`)."""


@dataclass(frozen=True)
class Arguments:
    path: str
    """The file as click's `Path` type gives it (`str(Path(argument))`)."""
    all_checks: bool = False
    verbose: bool = False
    timeout: float = DEFAULT_SECONDS
    memory: int = DEFAULT_MEMORY_BYTES


def arguments_of(argv: list[str], environment: dict[str, str] | os._Environ[str]) -> Arguments | None:
    """`xxgk parse`'s arguments (argv without the program) when click would take them as they are and
    run the command; None for anything else, which click then reads (and reports on)."""
    if argv[:1] != ["parse"] or "_XXGK_COMPLETE" in environment:
        return None
    found: dict[str, Any] = {}
    positional: list[str] = []
    rest = iter(argv[1:])
    for token in rest:
        if token in FLAGS and FLAGS[token] not in found:
            found[FLAGS[token]] = True
            continue
        name, equals, value = token.partition("=")
        if name in VALUED and VALUED[name] not in found:
            value = value if equals else next(rest, "")
            converted = _converted(name, value)
            if converted is None:
                return None
            found[VALUED[name]] = converted
            continue
        if token.startswith("-") or positional:
            return None
        positional.append(token)
    if len(positional) != 1 or not _readable_file(positional[0]):
        return None
    from pathlib import Path

    return Arguments(str(Path(positional[0])), **found)


def _converted(option: str, value: str) -> float | int | None:
    if option == "--timeout":
        seconds = float(value) if PLAIN_NUMBER.fullmatch(value) else None
        return seconds if seconds is not None and MIN_SECONDS <= seconds <= MAX_SECONDS else None
    try:
        size = parse_size(value)
    except ValueError:
        return None
    return size if size >= MIN_MEMORY else None


def _readable_file(path: str) -> bool:
    """What click's `Path(exists=True, dir_okay=False)` accepts without a message."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISDIR(mode) and os.access(path, os.R_OK)


def view_one(job: tuple[str, bool]) -> View | Failed:
    """In the worker: the file parsed (xxgk/parsing.py `parse_one`, its failures included) and its view."""
    from xxgk.parse_view import view_of
    from xxgk.parsing import Failure, Job, parse_one

    path, all_checks = job
    parsed = parse_one(Job(path))
    if isinstance(parsed.result, Failure):
        return Failed(parsed.result.kind, parsed.result.reason, parsed.result.detail)
    return view_of(parsed.result, all_checks=all_checks)  # type: ignore[arg-type]  # not rows


_ocr_console: list[Any] = []


def _shown(note: object) -> None:
    """A page the worker read by OCR, printed as `xxgk parse` prints it (xxgk/cli.py, `pages_shown`)."""
    from xxgk.parsing import OCR_PAGE

    if isinstance(note, tuple) and len(note) == 5 and note[0] == OCR_PAGE:
        from rich.console import Console

        from xxgk.ocr_progress import page_line

        if not _ocr_console:
            _ocr_console.append(Console(stderr=True))
        _ocr_console[0].print(page_line(*note[1:]))


def parse_command(arguments: Arguments) -> None:
    """What xxgk/cli.py `parse_command` does, for arguments that `arguments_of` took."""
    pool: Pool[tuple[str, bool], View | Failed] = Pool(
        view_one,
        1,
        Limits(arguments.timeout, arguments.memory),
        on_note=_shown,
        preload=PRELOADED,
        fork=True,
    )
    try:
        ((_, result),) = pool.run([(arguments.path, arguments.all_checks)])
    except WorkersCannotStart as exc:
        _echo(f"Error: {exc}")
        sys.exit(1)
    shown = result.value if result.value is not None else Failed("error", result.failure)
    if isinstance(shown, Failed):
        _echo(f"{arguments.path}: {shown.kind}: {shown.reason}")
        if arguments.verbose and shown.detail:
            _echo(shown.detail)
        sys.exit(1)
    bold = bold_of(sys.stdout, os.environ)
    if bold is not None and plain_enough(shown) and _utf8(sys.stdout):
        write_view(shown, sys.stdout, bold=bold)
        return
    from rich.console import Console

    from xxgk.parse_view import print_view

    print_view(shown, Console())


def _utf8(stream: TextIO) -> bool:
    """Whether the output encodes every character (another encoding's errors are rich's to report)."""
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "") == "utf8"


def _echo(message: str) -> None:
    """A line on standard error as click writes it (`click.echo`: escape codes dropped off a terminal)."""
    import click

    click.echo(message, err=True)


def main(argv: list[str]) -> bool:
    """Run `xxgk parse` and end the process, if `arguments_of` takes `argv`; False otherwise."""
    arguments = arguments_of(argv, os.environ)
    if arguments is None:
        return False
    from xxgk.launch import run_and_exit

    run_and_exit(lambda: _run(arguments))
    return True  # pragma: no cover  # run_and_exit does not return


def _run(arguments: Arguments) -> None:
    """click's handling around a command: ^C prints "Aborted!", a closed output pipe is status 1."""
    try:
        parse_command(arguments)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
