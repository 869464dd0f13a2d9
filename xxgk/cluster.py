"""`xxgk ingest --cluster local|ADDRESS`: the extract step on a Dask distributed cluster.

Extracting is a pure function of one file's bytes, so a task takes a chunk of files, parses them, writes
the chunk's reports as one segment of Parquet parts into the run's folder of the warehouse (workers must
see the warehouse directory: the same machine, or a shared file system for a remote cluster) and returns
only small outcomes. The driver keeps everything else: planning, the catalogue, deriving the touched
agencies, publishing. Dask was chosen over Ray by measurement (docs/scale.md); it is an optional extra:
`pip install 'xxgk[cluster]'`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from etl.records import ParsedReport
from warehouse.packed import PackedRows
from warehouse.rows import ReportRows, report_rows
from warehouse.store.catalog import Part
from warehouse.store.parts import PartWriter
from xxgk.workers import Limits

CHUNK_FILES = 100
WINDOW = 4
"""Chunks waiting per worker: enough to keep workers busy, few enough to keep the driver's memory flat."""


class ClusterUnavailable(RuntimeError):
    """Dask distributed is not installed or the cluster cannot be reached."""


@dataclass(frozen=True)
class Extracted:
    """What a worker returns for one file: no facts, only what the driver needs to account for it."""

    path: str
    digest: str
    size: int
    failure: tuple[str, str] | None
    """(kind, reason) when the file did not load."""
    template: str | None = None
    warnings: bool = False
    failing: bool = False


@dataclass(frozen=True)
class ChunkResult:
    files: tuple[Extracted, ...]
    parts: tuple[Part, ...]


def extract_chunk(
    directory: str, run_id: str, index: int, paths: list[str], at: datetime, limits: Limits | None = None
) -> ChunkResult:
    """Parse `paths` and write their reports as the segment `<run_id>/w<index>` (runs on a worker). Each
    file is parsed in a parser process of the worker within `limits` (xxgk/workers.py), as without a
    cluster: a file that hangs or swells becomes an error row instead of stalling the cluster."""
    from xxgk.parsing import Failure, Job, parse_isolated

    writer = PartWriter(Path(directory), run_id, segment_prefix=f"w{index:05d}")
    found: list[Extracted] = []
    loaded: list[ReportRows | PackedRows] = []
    try:
        for parsed in parse_isolated([Job(p, rows=True) for p in paths], limits=limits):
            path = parsed.path
            if isinstance(parsed.result, Failure):
                found.append(
                    Extracted(path, parsed.digest, parsed.size, (parsed.result.kind, parsed.result.reason))
                )
                continue
            rows = parsed.result
            if isinstance(rows, ParsedReport):  # a job that did not ask for rows
                rows = report_rows(rows, path, parsed.size)
            found.append(
                Extracted(
                    path, parsed.digest, parsed.size, None, rows.template, rows.has_warnings, rows.failing
                )
            )
            loaded.append(rows)
        writer.add(loaded, at)
        writer.flush()
    finally:
        writer.close()
    return ChunkResult(tuple(found), tuple(writer.parts))


def _client(address: str, workers: int) -> Any:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterUnavailable("--cluster needs Dask distributed: pip install 'xxgk[cluster]'") from exc
    if address == "local":
        # Worker processes are spawned: like any Dask program, a script that calls this must guard its
        # entry point (`if __name__ == "__main__":`); the `xxgk` command does.
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster)  # type: ignore[no-untyped-call]
    try:
        return Client(address, timeout=10)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def run_on_cluster(
    address: str,
    workers: int,
    directory: Path,
    run_id: str,
    paths: list[str],
    at: datetime,
    on_file: Callable[[Extracted], None],
    limits: Limits | None = None,
) -> list[Part]:
    """Extract `paths` on the cluster; calls `on_file` for every file (in input order) and returns the
    parts the workers wrote."""
    client = _client(address, workers)
    try:
        return list(_drive(client, directory, run_id, paths, (at, limits), on_file))
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if address == "local" and cluster is not None:
            cluster.close()


def _drive(
    client: Any,
    directory: Path,
    run_id: str,
    paths: list[str],
    at_limits: tuple[datetime, Limits | None],
    on_file: Callable[[Extracted], None],
) -> Iterator[Part]:
    from collections import deque

    remaining = iter(paths)
    chunks = iter(lambda: list(islice(remaining, CHUNK_FILES)), [])
    width = max(1, len(client.scheduler_info().get("workers", {}))) * WINDOW
    pending: deque[Any] = deque()
    index = 0
    for chunk in islice(chunks, width):
        pending.append(
            client.submit(extract_chunk, str(directory), run_id, index, chunk, *at_limits, pure=False)
        )
        index += 1
    while pending:
        result: ChunkResult = pending.popleft().result()
        following = next(chunks, None)
        if following is not None:
            pending.append(
                client.submit(extract_chunk, str(directory), run_id, index, following, *at_limits, pure=False)
            )
            index += 1
        for item in result.files:
            on_file(item)
        yield from result.parts
