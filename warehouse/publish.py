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
from warehouse.store.gc import collect_garbage, fsync_tree
from warehouse.store.writer import StoreRun

POINTER = "CURRENT"
LOCK = ".lock"
KEEP_VERSIONS = 3
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
def writer_lock(directory: Path) -> Iterator[None]:
    """One writer at a time per warehouse directory."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _new_name() -> str:
    return f"warehouse-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}.duckdb"


def publish(directory: Path, change: Callable[[StoreRun], T]) -> tuple[Path, T]:
    """Build the next version from the current one with `change` (which ends with `run.finish`), then
    switch the pointer to it. If `change` raises, nothing is published and the files it wrote go."""
    with writer_lock(directory):
        final = directory / _new_name()
        tmp = final.with_name(final.name + ".tmp")
        run = StoreRun(directory, current_version(directory))
        try:
            result = change(run)
            run.write(tmp)
            fsync_tree(directory, run.run_id)
        except BaseException:
            run.abort()
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
            raise
        if Path(f"{tmp}.wal").exists():
            run.abort()
            tmp.unlink(missing_ok=True)
            raise WarehouseError(f"{tmp}.wal left behind after checkpoint; not publishing")
        os.replace(tmp, final)
        _fsync_dir(directory)
        _switch_pointer(directory, final)
        _prune(directory, keep=final)
        return final, result


def _switch_pointer(directory: Path, final: Path) -> None:
    tmp = directory / f"{POINTER}.tmp"
    tmp.write_text(final.name + "\n", encoding="utf-8")
    os.replace(tmp, directory / POINTER)
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(directory: Path, keep: Path) -> None:
    """Delete all but the newest versions; open readers keep unlinked files alive."""
    versions = sorted(directory.glob("warehouse-*.duckdb"), key=lambda p: p.name)
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            old.unlink(missing_ok=True)
    for stale in directory.glob("warehouse-*.duckdb.tmp"):
        if stale.stat().st_mtime < keep.stat().st_mtime - 3600:
            stale.unlink(missing_ok=True)
    collect_garbage(directory, sorted(directory.glob("warehouse-*.duckdb"), key=lambda p: p.name))
