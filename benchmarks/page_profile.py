"""Where a dashboard page's cold time goes: every warehouse query (wall and CPU ms) and a cProfile of the
page's script, one cold run inside Streamlit's AppTest.

    python benchmarks/page_profile.py --warehouse DIR --page P [--county] [--top 25] [--open all] [--warm]
        [--recompile] [--cold version|data] [--in-turn]

The queries are timed at the dashboard's single execution point (`dashboard.data._run`); the profile
covers the router's run (sidebar and page) in the script thread, sorted by cumulative time. Cold is as in
`dashboard_bench.py`: the data and resource caches cleared (as on the first view after a new warehouse
version, so the first read listed, the sidebar's `places`, carries the new connection and the review
relations; `--cold data`: the data caches only), the compiled scripts kept as a server keeps them
(`--recompile`: compiled again, as a new AppTest does). With `--warm` the page runs once before (its
caches cleared after): the profile is then of a cold page in a process that has drawn it before, as in
`dashboard_bench.py`'s best of N, without the first view's compilation, imports and plans; without it, of
the page's first view (the overview's script is compiled by the process's first page, before). Reads a
page starts on its read-ahead thread (`View.ahead`) are marked: their CPU, the process's, then counts what
ran beside them; `--in-turn` turns the read-ahead off, so that each read's CPU is its own.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard_bench import COLD, PAGES, SECTIONS, _county, clear, in_turn, keep_compiled, opened, ran

from dashboard import data, state


@dataclass(frozen=True)
class Timed:
    name: str
    wall_ms: float
    cpu_ms: float
    ahead: bool
    """Read on the page's read-ahead thread (its CPU, the process's, then counts what ran beside it)."""


TIMINGS: list[Timed] = []
PROFILE = cProfile.Profile()


def _timed_run(original: Callable[..., Any]) -> Callable[..., Any]:
    def run(path: str, read: Callable[..., Any], *args: object) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(path, read, *args)
        finally:
            done = Timed(
                read.__name__,
                (time.perf_counter() - wall) * 1e3,
                (time.process_time() - cpu) * 1e3,
                threading.current_thread().name.startswith("xxgk-ahead"),
            )
            TIMINGS.append(done)

    return run


def _profiled(begin: Callable[[], None], end: Callable[[], None]) -> tuple[Callable[[], None], ...]:
    def started() -> None:
        PROFILE.enable()
        begin()

    def ended() -> None:
        end()
        PROFILE.disable()

    return started, ended


def _page(page: str, params: dict[str, str]) -> float:
    return float(ran(page, params).session_state[state.PAGE_CPU_SECONDS])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--page", choices=PAGES, default="overview")
    parser.add_argument("--county", action="store_true", help="filtered to the largest county")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--open", action="append", choices=(*SECTIONS, "all"), default=None, help="open this lazy section"
    )
    parser.add_argument("--warm", action="store_true", help="run the page once before the profiled run")
    parser.add_argument("--recompile", action="store_true", help="compile the scripts on every run")
    parser.add_argument("--cold", choices=COLD, default="version", help="what the cold run clears")
    parser.add_argument("--in-turn", action="store_true", help="every read made in turn (no read-ahead)")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    keep_compiled(not args.recompile)
    if args.in_turn:
        in_turn()
    os.environ["XXGK_WAREHOUSE"] = str(args.warehouse)
    params = {**(_county(args.warehouse) if args.county else {}), **opened(args.open)}
    _page("overview", {})  # imports and the first connection
    if args.warm:
        _page(args.page, params)
    data._run = _timed_run(data._run)  # type: ignore[method-assign]
    state.begin_run, state.write_url = _profiled(state.begin_run, state.write_url)  # type: ignore[method-assign]
    clear(args.cold)
    cpu = _page(args.page, params)
    where = " (county)" if args.county else ""
    print(f"{args.page}{where}: page CPU {cpu * 1e3:.0f} ms (load {os.getloadavg()[0]:.1f})")
    for timed in TIMINGS:
        where = "  (read ahead)" if timed.ahead else ""
        print(f"  {timed.name:<24} wall {timed.wall_ms:7.1f}  cpu {timed.cpu_ms:7.1f}{where}")
    wall, cpu_ms = sum(t.wall_ms for t in TIMINGS), sum(t.cpu_ms for t in TIMINGS)
    print(f"  {'queries':<24} wall {wall:7.1f}  cpu {cpu_ms:7.1f}")
    pstats.Stats(PROFILE).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
