"""`xxgk parse FILE` start-up: the whole command (the CLI process and its parse worker), run N times.

    python benchmarks/parse_startup_bench.py [--repeat 20] [--file FILE] [--python PYTHON] [--compile]

Prints best and median wall time and CPU time (user + system of the command and its worker, from
`wait4`), the largest peak RSS of the two, and the same for `python -c pass` (the interpreter's own
start) and the load average, since CPU time on a shared machine drifts with the load. `--compile` writes
the byte-code first (`compileall`): a pip install has it, a checkout run with PYTHONDONTWRITEBYTECODE=1
(this machine) compiles every module on every start otherwise. For instruction counts, which the load
does not distort: `valgrind --tool=callgrind --trace-children=yes --dump-before=_Fork` over the same
command, summing every output file (the worker is a fork: its counts start where the caller's stop).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "tests" / "fixtures" / "reports" / "江山市交通运输局_2021.txt"


def run_once(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the command and the children it waited for) and peak RSS in KiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure(command: list[str], repeat: int) -> str:
    runs = [run_once(command) for _ in range(repeat)]
    walls = sorted(1000 * wall for wall, _, _ in runs)
    cpus = sorted(1000 * cpu for _, cpu, _ in runs)
    rss = max(peak for _, _, peak in runs) / 1024
    return (
        f"wall best {walls[0]:.0f} ms, median {statistics.median(walls):.0f} ms; "
        f"CPU best {cpus[0]:.0f} ms, median {statistics.median(cpus):.0f} ms; peak RSS {rss:.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--python", default=sys.executable, help="the interpreter xxgk is installed in")
    parser.add_argument("--compile", action="store_true", help="write the byte-code of etl/ and xxgk/ first")
    args = parser.parse_args()
    if args.compile:
        for package in ("etl", "xxgk"):
            compileall.compile_dir(ROOT / package, quiet=1)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python -c pass      : {measure([args.python, '-c', 'pass'], args.repeat)}")
    command = [args.python, "-m", "xxgk", "parse", str(args.file)]
    print(f"xxgk parse {args.file.name}: {measure(command, args.repeat)}")
    print(f"load average after : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
