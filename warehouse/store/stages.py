"""Where an ingest's time goes, stage by stage: set XXGK_STAGES=1 and `xxgk ingest` prints, on stderr,
the process CPU seconds (all threads, DuckDB's included) and wall seconds of each stage it passed.

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
"""stage → [CPU seconds, wall seconds, times entered], in the order first entered."""


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time spent inside under `name` (nested stages are counted in both)."""
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        spent = _SPENT.setdefault(name, [0.0, 0.0, 0])
        spent[0] += time.process_time() - cpu
        spent[1] += time.perf_counter() - wall
        spent[2] += 1


def breakdown() -> list[tuple[str, float, float, int]]:
    """(stage, CPU s, wall s, times) of every stage passed so far."""
    return [(name, cpu, wall, int(n)) for name, (cpu, wall, n) in _SPENT.items()]


def report() -> None:
    """Print the breakdown on stderr when XXGK_STAGES is set; then start counting afresh."""
    if enabled() and _SPENT:
        lines = [f"{'stage':<28} {'CPU s':>7} {'wall s':>7}"]
        lines += [
            f"{name:<28} {cpu:7.3f} {wall:7.3f}" + (f"  ×{n}" if n > 1 else "")
            for name, cpu, wall, n in breakdown()
        ]
        times = os.times()
        lines.append(
            f"{'process so far (self)':<28} {times.user + times.system:7.3f}\n"
            f"{'workers reaped':<28} {times.children_user + times.children_system:7.3f}"
        )
        print("\n".join(lines), file=sys.stderr)
    _SPENT.clear()
