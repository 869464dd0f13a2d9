"""The tail of a first build after its last file: the full derivation, the logs and the compaction of a
run's segments, timed on a synthetic warehouse whose segments are written but not yet derived.

    python benchmarks/tail_bench.py prepare --reports 100000 --out /tmp/seg100k [--segment 2000]
    python benchmarks/tail_bench.py tail --prepared /tmp/seg100k --work /tmp/run1 [--ballast 550]

`prepare` clones parsed national reports (benchmarks/synthetic_store.py) into segments of `--segment`
reports, as a bulk run's part writer flushes them (2,000: `warehouse/store/parts.py`), and keeps their
list and the run's sources beside them; nothing is published. `tail` copies that into `--work` and runs
what `xxgk ingest` runs after its last file — `StoreRun.finish` of a first build (write logs, derive,
fold logs, compact) and the version's publication — with XXGK_STAGES's breakdown, CPU, wall and peak RSS.
`--ballast` holds that many MiB in the process first, as the driver of a real build holds its run's
paths, hashes and outcomes (≈ 0.5–0.6 GB at 100k): the tail's DuckDB limit is the configured one less
what the process holds (warehouse/store/memory.py), so without it the tail gets twice the memory.
`--rss FILE` samples the process's resident size every 0.1 s into FILE (`time.monotonic()` seconds and
MiB a line) and prints when the peak was, on the clock of the breakdown's "stages began" line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_store import _clone_rows, _sources, write_segment

from warehouse.db import connect
from warehouse.load import Batch
from warehouse.publish import current_version, publish
from warehouse.store import stages
from warehouse.store.catalog import Part
from warehouse.store.memory import process_rss
from warehouse.store.writer import StoreRun, open_catalog

MANIFEST = "tail-manifest.json"
SOURCES = "tail-sources.parquet"
PREPARED = "prepared"


def prepare(out: Path, reports: int, segment: int, sources: int) -> None:
    started = time.perf_counter()
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        source_wh, by_template = _sources(Path(tmp), sources)
        catalog, _ = open_catalog(current_version(source_wh))  # type: ignore[arg-type]
        clones = pa.Table.from_pylist(_clone_rows(reports, by_template))
        parts: list[Part] = []
        con = connect(None)
        try:
            for start in range(0, clones.num_rows, segment):
                name = f"{PREPARED}/s{start // segment:05d}"
                parts += write_segment(con, out, name, source_wh, catalog, clones.slice(start, segment))
        finally:
            con.close()
    pq.write_table(clones.select(["path", "new_id"]), out / SOURCES)
    (out / MANIFEST).write_text(json.dumps([[p.relation, p.file, p.rows, p.segment] for p in parts]))
    seconds = time.perf_counter() - started
    print(f"prepared {clones.num_rows} reports in {len(parts)} parts in {seconds:.0f} s")


class _Sampler:
    """The process's resident size every `every` seconds on a thread, as (`time.monotonic()`, MiB)."""

    def __init__(self, every: float = 0.1) -> None:
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self.thread.start()

    def _run(self, every: float) -> None:
        while not self.done.wait(every):
            self.samples.append((time.monotonic(), (process_rss() or 0) / 2**20))

    def stop(self, out: Path) -> None:
        self.done.set()
        self.thread.join()
        out.write_text("".join(f"{t:.3f} {mib:.0f}\n" for t, mib in self.samples))
        if self.samples:
            at, peak = max(self.samples, key=lambda s: s[1])
            print(f"sampled peak RSS {peak:.0f} MiB at {at:.3f} (time.monotonic), samples in {out}")


def tail(prepared: Path, work: Path, ballast_mib: int, rss: Path | None = None) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    parts = [Part(r, f, int(n), s) for r, f, n, s in json.loads((prepared / MANIFEST).read_text())]
    sources = pq.read_table(prepared / SOURCES).to_pydict()
    batch = Batch(at=datetime(2026, 1, 1), sources=dict(zip(sources["path"], sources["new_id"], strict=True)))
    held = bytearray(ballast_mib << 20)
    for index in range(0, len(held), 4096):  # resident, not just reserved
        held[index] = 1
    os.environ[stages.ENV] = "1"

    def change(run: StoreRun) -> None:  # the parts moved under the run's id (others are swept as orphans)
        (work / "parts" / run.run_id).mkdir(parents=True, exist_ok=True)
        for part in parts:
            moved = part.file.replace(f"/{PREPARED}/", f"/{run.run_id}/", 1)
            shutil.copyfile(prepared / part.file, work / moved)
            segment = part.segment.replace(PREPARED, run.run_id, 1)
            run.parts.parts.append(Part(part.relation, moved, part.rows, segment))
        began.extend([time.process_time(), time.perf_counter()])
        run.finish(batch, None, full=True)

    began: list[float] = []  # from the tail's start (the parts in place) to the version published
    sampler = _Sampler() if rss is not None else None
    publish(work, change)
    if sampler is not None and rss is not None:
        sampler.stop(rss)
    cpu, wall = time.process_time() - began[0], time.perf_counter() - began[1]
    stages.report()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(
        f"tail: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {peak:.0f} MiB "
        f"(ballast {ballast_mib} MiB), load {' '.join(load)}"
    )
    del held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("prepare")
    made.add_argument("--reports", type=int, default=100_000)
    made.add_argument("--segment", type=int, default=2_000)
    made.add_argument("--sources", type=int, default=300)
    made.add_argument("--out", type=Path, required=True)
    timed = commands.add_parser("tail")
    timed.add_argument("--prepared", type=Path, required=True)
    timed.add_argument("--work", type=Path, required=True)
    timed.add_argument("--ballast", type=int, default=0, help="MiB held by the process first")
    timed.add_argument("--rss", type=Path, help="sample the resident size into this file")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.out, args.reports, args.segment, args.sources)
    else:
        tail(args.prepared, args.work, args.ballast, args.rss)


if __name__ == "__main__":
    main()
