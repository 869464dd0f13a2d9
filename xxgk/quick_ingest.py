"""`xxgk ingest PATH…` without click, and with rich loaded beside the run: the command line read here when
it is one that click would read without a message and the progress bar would not be drawn.

`xxgk.launch` tries this after forking the parse worker; any command line it does not take (help, another
option, a repeated one, a value out of range, a missing or unreadable path, standard error on a terminal,
where rich draws the progress bar …) goes to click, which reads it as it always did. What runs is what
`xxgk/cli.py` `ingest_command` runs: the same `ingest` call, the same summary (`print_summary`, rich), the
same messages and exit status. What it saves is the start-up before the run's first stage: click and the
CLI are not imported (≈ 10–30 ms), and rich and the summary's module are imported in a thread while the
run is in DuckDB, which releases the GIL (≈ 15–50 ms; docs/scale.md §5, one file, twelfth pass).
"""

from __future__ import annotations

import errno
import gc
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

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
    loaded = _Imported()
    from warehouse.errors import WarehouseError
    from xxgk.ingest import ingest
    from xxgk.workers import Limits, WorkersCannotStart

    def waiting() -> None:
        loaded.join()
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
                progress=loaded.start,
                inputs=inputs,
                limits=Limits(),
                waiting=waiting,
            )
        except (WarehouseError, WorkersCannotStart) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        loaded.join()
        from rich.console import Console

        from xxgk.report import print_summary

        print_summary(summary, directory, Console(), verbose=arguments.verbose)
    except KeyboardInterrupt:
        print("\nAborted!", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return 1
    return 1 if summary.failed else 0


class _Imported:
    """rich and the summary's module, imported in a thread started when the first file is inserted
    (`start`, as the ingest's `progress`): the run then writes its parts and derives, mostly in DuckDB,
    which releases the GIL. Started before the run instead, the import held the GIL while the run opened
    its DuckDB instance and read the warehouse, whose Python waited for it (≈ 30–60 ms at load 5)."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None

    def start(self, _: str = "") -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=_import_summary, name="xxgk-summary", daemon=True)
            self.thread.start()

    def join(self) -> None:
        self.start()
        assert self.thread is not None
        self.thread.join()


def _import_summary() -> None:
    import rich.console  # noqa: F401

    import xxgk.report  # noqa: F401
