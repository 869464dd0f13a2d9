"""Ingest benchmark: prints parse time per report by format and whole-batch ingest throughput.

    python benchmarks/ingest_bench.py [--agencies 100] [--jobs 2]

Generates the sample corpus (示例数据) into a temporary folder, parses every report once in this
process, then ingests the folder into a fresh warehouse and re-ingests it unchanged.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from etl.errors import XxgkError
from etl.pipeline import parse_file
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


def _parse_times(folder: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".json",) or not path.is_file():
            continue
        start = time.perf_counter()
        try:
            parse_file(path)
        except XxgkError:
            continue
        times[path.suffix].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, warehouse = Path(tmp) / "corpus", Path(tmp) / "wh"
        start = time.perf_counter()
        docs = generate_corpus(corpus, n_agencies=args.agencies)
        print(f"generated {len(docs)} reports in {time.perf_counter() - start:.1f} s")
        for suffix, times in sorted(_parse_times(corpus).items()):
            ms = sorted(t * 1000 for t in times)
            p95 = ms[int(len(ms) * 0.95) - 1] if len(ms) > 1 else ms[0]
            median = statistics.median(ms)
            print(f"parse {suffix:<7} n={len(ms):<6} median {median:6.1f} ms  p95 {p95:6.1f} ms")
        start = time.perf_counter()
        summary = ingest([corpus], warehouse, jobs=args.jobs)
        seconds = time.perf_counter() - start
        loaded = summary.count("loaded")
        rate = loaded / seconds
        print(f"ingest --jobs {args.jobs}: {loaded} reports in {seconds:.1f} s ({rate:.0f} reports/s)")
        start = time.perf_counter()
        again = ingest([corpus], warehouse, jobs=args.jobs)
        seconds = time.perf_counter() - start
        print(f"re-ingest unchanged: {again.count('unchanged')} reports in {seconds:.1f} s")
        size = sum(p.stat().st_size for p in warehouse.glob("*.duckdb")) / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"warehouse files {size:.1f} MiB; peak RSS of this process {peak:.0f} MiB")


if __name__ == "__main__":
    main()
