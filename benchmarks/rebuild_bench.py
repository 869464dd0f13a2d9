"""A full derivation of a store (`xxgk.ingest.rebuild`): CPU, wall time and peak memory of the process.

    python benchmarks/rebuild_bench.py --warehouse COPY_OF_A_STORE [--stages]

Derives every agency of the warehouse again (places, agencies, current versions, X1–X5, the buckets and
every pre-aggregated table) and publishes the result, as `rebuild` after changed overrides or aliases
does; run it on a copy (`cp -a`), it publishes a new version. Prints the CPU seconds (user + system, the
process and its DuckDB threads), the wall seconds and the peak RSS (ru_maxrss); with `--stages`, the CPU
and wall seconds of each stage (XXGK_STAGES=1, warehouse/store/stages.py). Target (issue 12): peak RSS
< 1.5 GB and flat from 10k to 1M reports, with DuckDB's default memory limit (XXGK_MEMORY_LIMIT).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    if args.stages:
        os.environ["XXGK_STAGES"] = "1"
    from warehouse.db import MEMORY_LIMIT
    from xxgk.ingest import rebuild

    started, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    version = rebuild(args.warehouse)
    ended = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ended.ru_utime - started.ru_utime + ended.ru_stime - started.ru_stime
    print(
        f"rebuilt {args.warehouse} ({version.name}) in {time.perf_counter() - wall:.1f} s wall, "
        f"{cpu:.1f} s CPU ({ended.ru_utime - started.ru_utime:.1f} user), "
        f"peak RSS {ended.ru_maxrss / 1024:.0f} MiB, DuckDB memory limit {MEMORY_LIMIT}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if args.stages:
        from warehouse.store.stages import report

        report()


if __name__ == "__main__":
    main()
