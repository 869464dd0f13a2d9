"""The `xxgk` command's entry point: `xxgk parse FILE` and `xxgk ingest PATH…` fork a parse worker
before the CLI is imported.

`xxgk parse FILE` with a plain command line does not import the CLI at all (xxgk/quick_parse.py: no
click, no rich); any other `xxgk parse` command line comes here as before.

The worker imports the parsers while the command imports click, the CLI and rich (and, for ingest, DuckDB,
hashes the inputs and reads the warehouse), so the two start-ups overlap on a machine with two cores; every
other command goes straight to `xxgk.cli`. The worker is forked before ingest opens the warehouse's
writer lock, so it never holds the lock's descriptor. `xxgk ingest FILE …` also hands the worker its
first file at once (`parsing.guess_first`): the file is parsed while the command starts up, and the
ingest takes the result when the file is the first it parses. A plain `xxgk ingest PATH…` whose progress
bar would not be drawn then runs without click, and prints its usual summary without rich
(xxgk/quick_ingest.py); any other command line goes to click.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

HELP_OPTIONS = frozenset({"--help", "-h"})
INGEST_VALUED = frozenset(
    {"--warehouse", "--jobs", "-j", "--places-overrides", "--aliases", "--timeout", "--memory-limit"}
)
"""`xxgk ingest`'s options that take the next argument as their value (xxgk/cli.py)."""
INGEST_COLLECT_EVERY = 10_000
"""Container objects `xxgk ingest`'s garbage collector lets pile up before a young collection (CPython's
default is 700), from its first import on: its start-up builds ≈ 22,000 objects it keeps (modules,
classes, patterns), a one-file run ≈ 50,000 more, nearly all freed by reference counts, and the default
cost its main thread ≈ 75 young and 7 older collections, ≈ 8 ms of CPU (docs/scale.md §5, one file,
sixteenth pass). The parse worker it forks sets the same (`xxgk.parsing.collect_less`)."""


def forks_early(arguments: list[str]) -> bool:
    """`xxgk parse …`, and `xxgk ingest …` that parses here (not on a cluster), other than their help."""
    if HELP_OPTIONS.intersection(arguments):
        return False
    if arguments[:1] == ["parse"]:
        return True
    return arguments[:1] == ["ingest"] and not any(a.split("=")[0] == "--cluster" for a in arguments)


def first_path(arguments: list[str]) -> str | None:
    """The first PATH of `xxgk ingest ARGUMENTS` as click takes it (an argument that is neither an option
    nor an option's value), or None when there is none or the command line has `--` (then every later
    argument is a path; not worth telling apart here). A wrong answer costs only a wasted guess."""
    value = False
    for argument in arguments:
        if value:
            value = False
        elif argument == "--":
            return None
        elif argument in INGEST_VALUED:
            value = True
        elif not argument.startswith("-") or argument == "-":
            return argument
    return None


def exit_status(code: object) -> int:
    """The status `sys.exit(code)` ends a process with (a message, as a string, is printed first)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_and_exit(command: Callable[[], object]) -> None:
    """Run `command`, flush its output and end the process without tearing the interpreter down
    (about 10 ms of `xxgk parse`, 30–100 ms of `xxgk ingest` with DuckDB and ~280 modules loaded): it
    has written everything and stopped its worker; an ingest's version is durable before CURRENT names
    it, and its DuckDB instance, left open (`session.leave_to_exit`), has nothing left to write. An
    exception other than SystemExit is raised as it would be."""
    try:
        command()
        status = 0
    except SystemExit as exc:
        status = exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe: what was not written is lost, which the status says
            status = status or 1
    os._exit(status)


def main() -> None:
    if sys.argv[1:2] == ["parse"]:
        from xxgk.quick_parse import main as parse_quickly

        if parse_quickly(sys.argv[1:]):
            return  # pragma: no cover  # it ends the process
    if not forks_early(sys.argv[1:]):
        from xxgk.cli import cli

        cli()
        return
    if sys.argv[1] == "ingest":
        gc.set_threshold(INGEST_COLLECT_EVERY, *gc.get_threshold()[1:])
    from xxgk.parsing import fork_worker_early, guess_first

    fork_worker_early()
    if sys.argv[1] == "ingest":
        if (path := first_path(sys.argv[2:])) is not None:
            guess_first(path)  # parsed by the worker while the command starts up
        from warehouse.store.session import leave_to_exit, open_ahead
        from warehouse.store.staging import create_staging

        leave_to_exit()  # run_and_exit ends the process: its DuckDB instance is not closed before
        # the run's DuckDB instance opened beside the imports (after the fork: no thread in it), then the
        # part writer's work tables created in it
        open_ahead(create_staging)
        from xxgk.quick_ingest import arguments_of, run

        quick = arguments_of(sys.argv[1:], os.environ, terminal=os.isatty(2))
        if quick is not None and (status := run(quick)) is not None:
            run_and_exit(lambda: sys.exit(status))
    from xxgk.cli import cli

    run_and_exit(cli)
