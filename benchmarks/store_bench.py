"""One new file into a big warehouse: time and peak memory of `xxgk ingest FILE` (a whole process).

    python benchmarks/store_bench.py --reports 10000 [--reports 100000 ...] [--files 5] [--keep DIR]
    python benchmarks/store_bench.py --warehouse DIR [--new FOLDER] [--files 5] [--stages]

For each size, builds a synthetic warehouse (benchmarks/synthetic_store.py) unless `--warehouse DIR`
names one, then ingests `--files` new national sample reports one at a time, each in its own
`xxgk ingest` process, and prints wall time and peak RSS (ru_maxrss of the child) per file, and the
best and median. Also prints the store's files and bytes; with `--stages`, the CPU and wall seconds of
each stage of the last ingest and when it began (XXGK_STAGES=1, warehouse/store/stages.py), and the
command's wall time before its first stage, of the stages and after its last. Target (issue 12): < 0.5 s
and < 300 MB, independent of the warehouse size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_store import build

from xxgk.samples.national import write_national

XXGK = str(Path(sys.executable).with_name("xxgk"))


def _new_files(folder: Path, count: int, written: bool = False) -> list[Path]:
    """National sample reports of another seed: new content, agencies already in the warehouse
    (`written`: the folder already holds them)."""
    if not written:
        write_national(folder, seed=4242, limit=count * 3)
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".txt", ".htm", ".shtml"))
    return files[:count]


STAGES: list[str] = []
"""The stage table of the last ingest, when --stages asked for it."""


def _one(warehouse: Path, file: Path, stages: bool = False) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one `xxgk ingest FILE` process."""
    env = {**os.environ, "XXGK_STAGES": "1"} if stages else None
    with tempfile.TemporaryFile() as log, tempfile.TemporaryFile() as errors:
        start, launched = time.perf_counter(), time.monotonic()
        proc = subprocess.Popen(
            [XXGK, "ingest", str(file), "--warehouse", str(warehouse), "--jobs", "1"],
            stdout=log,
            stderr=errors,
            env=env,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds, ended = time.perf_counter() - start, time.monotonic()
        errors.seek(0)
        if status != 0:
            log.seek(0)
            raise SystemExit(log.read().decode() + errors.read().decode())
        STAGES[:] = errors.read().decode().splitlines()
        if STAGES and STAGES[-1].startswith("stages began, ended at"):
            first, last = (float(t) for t in STAGES.pop().split()[4:6])
            STAGES.append(
                f"{'(wall) before the 1st stage':<28} {'':>7} {first - launched:7.3f}\n"
                f"{'(wall) the stages':<28} {'':>7} {last - first:7.3f}\n"
                f"{'(wall) after the last stage':<28} {'':>7} {ended - last:7.3f}"
            )
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _store_size(warehouse: Path) -> str:
    files = [p for p in warehouse.rglob("*") if p.is_file()]
    return f"{len(files)} files, {sum(p.stat().st_size for p in files) / 2**20:.0f} MiB"


def bench(warehouse: Path, count: int, label: str, new: Path | None = None, stages: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = _new_files(new or Path(tmp), count, written=new is not None)
        results = [_one(warehouse, f, stages) for f in files]
    times = [t for t, _, _ in results]
    cpu = [c for _, c, _ in results]
    print(
        f"{label:>10}: one file  wall best {min(times):.2f} s, median {statistics.median(times):.2f} s; "
        f"CPU best {min(cpu):.2f} s; peak RSS {max(m for _, _, m in results):.0f} MiB; "
        f"store {_store_size(warehouse)}; load average {os.getloadavg()[0]:.1f}"
    )
    if stages:
        print("\n".join(STAGES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, action="append", default=None)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="build the warehouses here and keep them")
    parser.add_argument(
        "--new", type=Path, default=None, help="take the new files from this folder (xxgk samples --national)"
    )
    parser.add_argument("--stages", action="store_true", help="print the stages of the last ingest")
    args = parser.parse_args()
    if args.warehouse is not None:
        bench(args.warehouse, args.files, args.warehouse.name, args.new, args.stages)
        return
    for size in args.reports or [10_000]:
        with tempfile.TemporaryDirectory() as tmp:
            target = (args.keep or Path(tmp)) / f"wh{size}"
            seconds = build(target, size)
            print(f"{size:>10}: built in {seconds:.0f} s")
            bench(target, args.files, str(size), stages=args.stages)


if __name__ == "__main__":
    main()
