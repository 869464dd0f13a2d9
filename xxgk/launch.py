"""The `xxgk` command's entry point: `xxgk parse FILE` forks its parse worker before anything else.

The worker imports the parsers while the command imports click and the rest of the CLI, so the two
start-ups overlap on a machine with two cores; every other command goes straight to `xxgk.cli`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

PARSE_TASK = "xxgk.parsing:parse_one"
PARSE_PRELOAD = ("etl.pipeline", "etl.collect.manifest")
"""Imported by each parse worker before it says it is ready, so that no file's time limit pays for them."""
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
    (about 10 ms of a 0.2 s `xxgk parse`): it has written everything, and its worker is stopped."""
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
    from xxgk.workers import Limits, fork_early

    fork_early(PARSE_TASK, Limits(), PARSE_PRELOAD)
    from xxgk.cli import cli

    run_and_exit(cli)
