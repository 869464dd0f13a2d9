"""Versioned warehouse files and the atomic CURRENT pointer.

The ETL never writes a file a dashboard may have open: each change writes new immutable Parquet parts
and a new, uniquely named version file that lists them (warehouse/store, docs/scale.md), checkpoints and
closes it, then replaces the pointer. Readers resolve the pointer and open that version read-only.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from warehouse.errors import NoWarehouse, WarehouseError
from warehouse.store.gc import (
    KEEP_VERSIONS,
    SWEPT,
    collect_garbage,
    fsync_path,
    fsync_started,
    remove_garbage,
    unchanged_since_sweep,
)
from warehouse.store.stages import stage
from warehouse.store.writer import StoreRun

POINTER = "CURRENT"
LOCK = ".lock"
WAREHOUSE_ENV = "XXGK_WAREHOUSE"
T = TypeVar("T")


def default_dir() -> Path:
    return Path(os.environ.get(WAREHOUSE_ENV, "data"))


def current_version(directory: Path) -> Path | None:
    """The published DuckDB file, or None when nothing was published yet."""
    pointer = directory / POINTER
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = directory / name
    if not name or not path.exists():
        raise WarehouseError(f"{pointer} names {name!r}, which does not exist; re-run xxgk ingest")
    return path


def require_current(directory: Path) -> Path:
    found = current_version(directory)
    if found is None:
        raise NoWarehouse(
            f"no warehouse in {directory}: run `xxgk ingest PATH --warehouse {directory}` first"
        )
    return found


@contextmanager
def writer_lock(directory: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """One writer at a time per warehouse directory; `waiting` is called once if another holds it.

    The lock file is opened close-on-exec and worker processes are never forked from a writer
    (xxgk/workers.py), so no child keeps the lock after the writer dies. Private files that a killed
    writer left behind are removed as soon as the lock is taken.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with stage("remove stale files"):
                remove_stale(directory)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale(directory: Path) -> list[Path]:
    """Files of writers that died, removed under the lock: private versions being built (`*.tmp`, their
    `*.tmp.wal`), a pointer being written, versions finished but never published (newer than the one
    CURRENT names), and the Parquet parts no remaining version lists. Returns what was removed."""
    stale = [*directory.glob("warehouse-*.duckdb.tmp"), *directory.glob("warehouse-*.duckdb.tmp.wal")]
    stale += [*directory.glob(f"{POINTER}.tmp"), *directory.glob(f"{SWEPT}.tmp")]
    published = current_version(directory)
    if published is not None:
        stale += [v for v in directory.glob("warehouse-*.duckdb") if v.name > published.name]
    for path in stale:
        path.unlink(missing_ok=True)
    if not stale and unchanged_since_sweep(directory):
        return []
    return stale + remove_garbage(directory, _versions(directory))


def _new_name() -> str:
    return f"warehouse-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}.duckdb"


def publish(directory: Path, change: Callable[[StoreRun], T]) -> tuple[Path, T]:
    """Build the next version from the current one with `change` (which ends with `run.finish`), then
    switch the pointer to it. If `change` raises, nothing is published and the files it wrote go."""
    with writer_lock(directory):
        return publish_locked(directory, change)


def publish_locked(directory: Path, change: Callable[[StoreRun], T]) -> tuple[Path, T]:
    """`publish` for a caller that already holds `writer_lock` (and read the warehouse under it)."""
    final = directory / _new_name()
    tmp = final.with_name(final.name + ".tmp")
    run = StoreRun(directory, current_version(directory), tmp)
    try:
        result = change(run)
        synced = fsync_started(directory, run.run_id)  # the run's files are written: durable meanwhile
        try:
            run.write(tmp)
        finally:
            with stage("fsync"):
                synced()
    except BaseException:
        run.abort()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    if Path(f"{tmp}.wal").exists():
        run.abort()
        tmp.unlink(missing_ok=True)
        raise WarehouseError(f"{tmp}.wal left behind after checkpoint; not publishing")
    with stage("publish, prune, collect"):
        os.replace(tmp, final)
        run.published(final)
        fsync_path(directory)
        _switch_pointer(directory, final)
        _prune(directory, keep=final)
    return final, result


def _switch_pointer(directory: Path, final: Path) -> None:
    tmp = directory / f"{POINTER}.tmp"
    tmp.write_text(final.name + "\n", encoding="utf-8")
    os.replace(tmp, directory / POINTER)
    fsync_path(directory)


def _prune(directory: Path, keep: Path) -> None:
    """Delete all but the newest versions; open readers keep unlinked files alive."""
    versions = _versions(directory)
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            old.unlink(missing_ok=True)
    collect_garbage(directory, _versions(directory))


def _versions(directory: Path) -> list[Path]:
    return sorted(directory.glob("warehouse-*.duckdb"), key=lambda p: p.name)
