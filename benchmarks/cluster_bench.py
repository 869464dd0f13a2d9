"""Dask distributed against Ray on the extract step of xxgk (the choice behind `--cluster`).

    python benchmarks/cluster_bench.py [--reports 1000] [--workers 2] [--repeat 2]

Writes `--reports` national sample reports, then runs the same work — `xxgk.cluster.extract_chunk` over
chunks of 100 files, each writing its Parquet segment — on a local cluster of each engine, alternating
engines `--repeat` times. Prints for each engine: cluster start-up, extract time, reports/s, and the
peak RSS of the driver and of the workers (from /proc). Both engines need to be installed
(`pip install 'dask[distributed]' ray`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from xxgk.cluster import CHUNK_FILES, extract_chunk
from xxgk.samples.national import write_national


def _chunks(paths: list[str]) -> list[list[str]]:
    return [paths[i : i + CHUNK_FILES] for i in range(0, len(paths), CHUNK_FILES)]


def _children_rss() -> float:
    """Sum of the resident memory of all this process's descendants now (workers, nannies, raylet,
    GCS ...), in MiB."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            parent[int(proc.name)], rss[int(proc.name)] = int(stat[1]), int(stat[21])
        except (OSError, IndexError, ValueError):
            continue
    me, total = os.getpid(), 0
    for pid in rss:
        ancestor = parent.get(pid)
        while ancestor not in (None, 0, 1, me):
            ancestor = parent.get(ancestor)  # type: ignore[arg-type]
        if ancestor == me:
            total += rss[pid] * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


def run_dask(paths: list[str], out: Path, workers: int) -> tuple[float, float, float]:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    ready = time.perf_counter()
    futures = [
        client.submit(extract_chunk, str(out), "dask", i, chunk, datetime(2026, 1, 1), pure=False)
        for i, chunk in enumerate(_chunks(paths))
    ]
    results = client.gather(futures)
    done = time.perf_counter()
    workers_rss = _children_rss()
    client.close()
    cluster.close()
    assert sum(len(r.files) for r in results) == len(paths)
    return ready - start, done - ready, workers_rss


def run_ray(paths: list[str], out: Path, workers: int) -> tuple[float, float, float]:
    import ray

    start = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    remote = ray.remote(num_cpus=1)(extract_chunk)
    ready = time.perf_counter()
    refs = [
        remote.remote(str(out), "ray", i, chunk, datetime(2026, 1, 1))
        for i, chunk in enumerate(_chunks(paths))
    ]
    results = ray.get(refs)
    done = time.perf_counter()
    workers_rss = _children_rss()
    ray.shutdown()
    assert sum(len(r.files) for r in results) == len(paths)
    return ready - start, done - ready, workers_rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        write_national(corpus, limit=args.reports, workers=args.workers)
        paths = sorted(str(p) for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(".json"))
        found: dict[str, list[tuple[float, float, float]]] = {"dask": [], "ray": []}
        for round_no in range(args.repeat):
            for engine, run in (("dask", run_dask), ("ray", run_ray)):
                out = Path(tmp) / f"{engine}{round_no}"
                out.mkdir()
                found[engine].append(run(paths, out, args.workers))
                print(
                    f"round {round_no} {engine}: start {found[engine][-1][0]:.1f} s, "
                    f"extract {found[engine][-1][1]:.1f} s, workers RSS {found[engine][-1][2]:.0f} MiB",
                    flush=True,
                )
    print(f"{len(paths)} files, {args.workers} workers, load average {os.getloadavg()[0]:.1f}")
    for engine, runs in found.items():
        extract = statistics.median(r[1] for r in runs)
        print(
            f"{engine:>5}: start-up {statistics.median(r[0] for r in runs):.1f} s, extract {extract:.1f} s "
            f"({len(paths) / extract:.0f} reports/s), workers RSS {max(r[2] for r in runs):.0f} MiB"
        )
    print(f"driver peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
