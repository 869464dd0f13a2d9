"""Delete the part and bucket files no kept version names (run under the writer lock, after pruning), and
make a run's files durable before its version is published."""

from __future__ import annotations

import os
from pathlib import Path

from warehouse.db import SCHEMA_VERSION, stored_version
from warehouse.engine import duckdb
from warehouse.store import session
from warehouse.store.catalog import is_store_version, read_catalog, recall, remember

FOLDERS = ("parts", "derived")


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
    for folder in FOLDERS:
        root = directory / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.parquet")):
            if path.relative_to(directory).as_posix() not in referenced:
                path.unlink(missing_ok=True)
                removed.append(path)
        for sub in sorted(root.iterdir()):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
    _mark_swept(directory)
    return removed


def fsync_tree(directory: Path, run_id: str) -> None:
    for folder in FOLDERS:
        root = directory / folder / run_id
        if not root.is_dir():
            continue
        for path in root.iterdir():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
