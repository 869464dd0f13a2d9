"""The `xxgk` command's entry point: `xxgk parse FILE` forks its parse worker before the CLI is imported.

The worker imports the parsers while the command imports click, the CLI and rich, so the two start-ups
overlap on a machine with two cores; every other command goes straight to `xxgk.cli`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

HELP_OPTIONS = frozenset({"--help", "-h"})


def forks_early(arguments: list[str]) -> bool:
    """`xxgk parse …` other than its help: the only command that parses without holding a lock."""
    return arguments[:1] == ["parse"] and not HELP_OPTIONS.intersection(arguments)


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
    if not forks_early(sys.argv[1:]):
        from xxgk.cli import cli

        cli()
        return
    from xxgk.parsing import fork_worker_early

    fork_worker_early()
    from xxgk.cli import cli

    run_and_exit(cli)
