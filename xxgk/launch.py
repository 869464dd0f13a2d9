"""The `xxgk` command's entry point: `xxgk parse FILE` and `xxgk ingest PATH…` fork a parse worker
before the CLI is imported.

`xxgk parse FILE` with a plain command line does not import the CLI at all (xxgk/quick_parse.py: no
click, no rich); any other `xxgk parse` command line comes here as before.

The worker imports the parsers while the command imports click, the CLI and rich (and, for ingest, DuckDB,
hashes the inputs and reads the warehouse), so the two start-ups overlap on a machine with two cores; every
other command goes straight to `xxgk.cli`. The worker is forked before ingest opens the warehouse's
writer lock, so it never holds the lock's descriptor.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

HELP_OPTIONS = frozenset({"--help", "-h"})


def forks_early(arguments: list[str]) -> bool:
    """`xxgk parse …`, and `xxgk ingest …` that parses here (not on a cluster), other than their help."""
    if HELP_OPTIONS.intersection(arguments):
        return False
    if arguments[:1] == ["parse"]:
        return True
    return arguments[:1] == ["ingest"] and not any(a.split("=")[0] == "--cluster" for a in arguments)


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
    (about 10 ms of `xxgk parse`): it has written everything, and its worker is stopped."""
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
    from xxgk.parsing import fork_worker_early

    fork_worker_early()
    from xxgk.cli import cli

    if sys.argv[1] == "parse":
        run_and_exit(cli)
    else:
        cli()
