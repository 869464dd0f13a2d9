"""Delete the part and bucket files no kept version names (run under the writer lock, after pruning), and
make a run's files durable before its version is published."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from warehouse.db import SCHEMA_VERSION, stored_version
from warehouse.engine import duckdb
from warehouse.store import session
from warehouse.store.catalog import is_store_version, read_catalog, recall, remember

FOLDERS = ("parts", "derived")
THREADS = 8
"""Files fsynced or unlinked side by side: both calls wait on the disk with the GIL released, and on this
machine's ext4 (mounted with `discard`) 25 files take 56–104 ms one after another against 21–58 ms in 8
threads, 25 unlinks 43–160 ms against 9–25 ms (docs/scale.md §5, seventh pass)."""


def in_threads(work: Callable[[Path], object], paths: Iterable[Path]) -> None:
    """`work` on every path, up to THREADS at a time; the first error is raised once all are done."""
    todo = list(paths)
    if len(todo) <= 1:
        for path in todo:
            work(path)
        return
    with ThreadPoolExecutor(max_workers=min(THREADS, len(todo))) as pool:
        for _ in pool.map(work, todo):  # raises the first error; leaving the block waits for the rest
            pass


def _names(version: Path) -> frozenset[str] | None:
    """The files a version names; None for a version we cannot read (then everything is kept)."""
    known = recall(version)
    if known is not None:
        return frozenset(known[0].referenced())
    try:
        found = session.attach(version, read_only=True)  # within an ingest: no instance of its own
        con = found[0] if found is not None else duckdb.connect(str(version), read_only=True)
    except duckdb.Error:
        return None
    try:
        if not is_store_version(con):
            return frozenset()
        catalog = read_catalog(con)
        if stored_version(con) == SCHEMA_VERSION:
            remember(version, catalog, [tuple(r) for r in con.execute("SELECT * FROM runs").fetchall()])
        return frozenset(catalog.referenced())
    finally:
        con.close()


def _referenced(versions: list[Path]) -> set[str] | None:
    found: set[str] = set()
    for version in versions:
        names = _names(version)
        if names is None:
            return None
        found |= names
    return found


KEEP_VERSIONS = 3
"""Published versions kept (warehouse/publish.py prunes the older ones)."""


def read_versions(directory: Path) -> None:
    """Read (and remember) the catalogues of the published versions that will still be kept once the next
    one is published, for its garbage collection; a run does it in a thread while it derives (the oldest
    kept version is not one the run has read: an ATTACH and its catalogue, ~12 ms, off the critical path)."""
    for version in sorted(directory.glob("warehouse-*.duckdb"), key=lambda p: p.name)[1 - KEEP_VERSIONS :]:
        _names(version)


def collect_garbage(directory: Path, versions: list[Path]) -> int:
    """Remove files under parts/ and derived/ that none of `versions` lists; returns how many."""
    return len(remove_garbage(directory, versions))


SWEPT = ".swept"
"""What the warehouse directory held (version files, run folders) right after the last complete sweep.
A writer writes only into run folders of its own, so while the listing is the same nothing was left
behind since, and the sweep under the next lock opens no version file (three of them, ~25 ms each)."""


def _listing(directory: Path) -> str:
    versions = sorted(p.name for p in directory.glob("warehouse-*.duckdb"))
    folders = sorted(
        f"{folder}/{sub.name}"
        for folder in FOLDERS
        if (directory / folder).is_dir()
        for sub in (directory / folder).iterdir()
    )
    return "\n".join(versions + folders) + "\n"


def unchanged_since_sweep(directory: Path) -> bool:
    try:
        swept = (directory / SWEPT).read_text(encoding="utf-8")
    except OSError:
        return False
    return swept == _listing(directory)


def _mark_swept(directory: Path) -> None:
    tmp = directory / f"{SWEPT}.tmp"
    tmp.write_text(_listing(directory), encoding="utf-8")
    os.replace(tmp, directory / SWEPT)


def remove_garbage(directory: Path, versions: list[Path]) -> list[Path]:
    """Remove the files under parts/ and derived/ that none of `versions` lists (those of runs that
    were replaced, or of runs killed before they published), and the folders left empty."""
    referenced = _referenced(versions)
    if referenced is None:
        return []
    removed: list[Path] = []
    roots = [directory / folder for folder in FOLDERS if (directory / folder).is_dir()]
    for root in roots:
        for path in sorted(root.rglob("*.parquet")):
            if path.relative_to(directory).as_posix() not in referenced:
                removed.append(path)
    in_threads(lambda path: path.unlink(missing_ok=True), removed)
    for root in roots:
        for sub in sorted(root.iterdir()):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
    _mark_swept(directory)
    return removed


def fsync_path(path: Path) -> None:
    """Make a file, or a folder's entries, durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(directory: Path, run_id: str) -> None:
    """Make the run's files and their folders durable (the files side by side, then the folders)."""
    roots = [directory / folder / run_id for folder in FOLDERS if (directory / folder / run_id).is_dir()]
    in_threads(fsync_path, [path for root in roots for path in root.iterdir()])
    for root in roots:
        fsync_path(root)


def fsync_started(directory: Path, run_id: str) -> Callable[[], None]:
    """Start `fsync_tree` of the run's files (all written by now) in a thread, so that it overlaps the
    version file's writing; the returned call waits for it and raises what it raised. Call it before the
    version is published, and before the run's files are removed on failure."""
    pool = ThreadPoolExecutor(max_workers=1)
    synced = pool.submit(fsync_tree, directory, run_id)
    pool.shutdown(wait=False)

    def done() -> None:
        synced.result()

    return done
