"""Where an ingest's time goes, stage by stage: set XXGK_STAGES=1 and `xxgk ingest` prints, on stderr,
the process CPU seconds (all threads, DuckDB's included) and wall seconds of each stage it passed, and
when it was first entered (wall seconds from the first stage's start).

Off by default: a stage then costs two clock reads. benchmarks/store_bench.py --stages prints the
breakdown of a one-file ingest with it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "XXGK_STAGES"
_SPENT: dict[str, list[float]] = {}
"""stage → [CPU seconds, wall seconds, times entered, when first entered (`time.monotonic()`)], in the
order first entered."""
_SPAN: list[float] = []
"""`time.monotonic()` when the first stage began and when the last one ended (the same clock in every
process: a benchmark that notes it when it starts the command splits the command's wall time into its
start-up, its stages and its end)."""


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time spent inside under `name` (nested stages are counted in both)."""
    cpu, wall, began = time.process_time(), time.perf_counter(), time.monotonic()
    if not _SPAN:
        _SPAN[:] = [began, 0.0]
    try:
        yield
    finally:
        spent = _SPENT.setdefault(name, [0.0, 0.0, 0, began])
        spent[0] += time.process_time() - cpu
        spent[1] += time.perf_counter() - wall
        spent[2] += 1
        _SPAN[1] = time.monotonic()


def breakdown() -> list[tuple[str, float, float, int]]:
    """(stage, CPU s, wall s, times) of every stage passed so far."""
    return [(name, cpu, wall, int(n)) for name, (cpu, wall, n, _) in _SPENT.items()]


def report() -> None:
    """Print the breakdown on stderr when XXGK_STAGES is set; then start counting afresh."""
    if enabled() and _SPENT:
        lines = [f"{'stage':<28} {'CPU s':>7} {'wall s':>7} {'from s':>7}"]
        lines += [
            f"{name:<28} {cpu:7.3f} {wall:7.3f} {began - _SPAN[0]:7.3f}" + (f"  ×{int(n)}" if n > 1 else "")
            for name, (cpu, wall, n, began) in _SPENT.items()
        ]
        times = os.times()
        lines.append(
            f"{'process so far (self)':<28} {times.user + times.system:7.3f}\n"
            f"{'workers reaped':<28} {times.children_user + times.children_system:7.3f}"
        )
        lines.append(f"{'stages began, ended at':<28} {_SPAN[0]:.4f} {_SPAN[1]:.4f}  (time.monotonic)")
        print("\n".join(lines), file=sys.stderr)
    _SPENT.clear()
    _SPAN.clear()
