"""Cached access to the current warehouse version: a read-only connection per versioned file, a cursor per
query, and results cached under the version's path so a new ingest shows on the next interaction."""

from __future__ import annotations

import copy
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from warehouse import dashboard_queries
from warehouse.db import open_version
from warehouse.documents.findings import ReviewNotes
from warehouse.publish import current_version, default_dir
from warehouse.review import overlay, store
from warehouse.review.findings import review_notes as findings_notes
from warehouse.review.ledger import load_snapshot
from warehouse.review.model import Snapshot


def warehouse_dir() -> Path:
    return default_dir()


def version() -> Path | None:
    """The published file to read now; resolved on every rerun."""
    return current_version(warehouse_dir())


@st.cache_resource(max_entries=2, ttl=3600, show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return open_version(path)


def review_revision() -> int:
    """The review database's revision: results are cached per warehouse version and per revision, so a
    reviewer's change shows on the next interaction without a new warehouse version."""
    return store.revision(warehouse_dir())


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _snapshot(directory: str, revision: int) -> Snapshot:
    return load_snapshot(Path(directory))


def review() -> Snapshot:
    """Review statuses and corrections as of now (cached per revision)."""
    return _snapshot(str(warehouse_dir()), review_revision())


def review_notes(report_ids: tuple[str, ...]) -> dict[str, ReviewNotes]:
    """The review statuses, comments and corrections of some reports, for the review findings (cached
    per review revision)."""
    return _review_notes(str(warehouse_dir()), review_revision(), report_ids)


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _review_notes(directory: str, revision: int, report_ids: tuple[str, ...]) -> dict[str, ReviewNotes]:
    return findings_notes(Path(directory), report_ids)


def _run(path: str, read: Callable[..., Any], *args: object) -> Any:
    """`read(cursor, *args)` on an idle cursor of the version that has the review relations registered
    (registering the five relations costs ~2 ms, a page makes 5–12 reads); a cursor is used by one read
    at a time and goes back to the pool after it, or is closed if the read failed."""
    directory, revision = str(warehouse_dir()), review_revision()
    idle = _idle_cursors(path, directory, revision)
    connection = _connection(path)
    answers = _idle_cursor(idle, connection)
    if answers is None:
        cursor = connection.cursor()
        try:
            relations = _relations(path, directory, revision)
            overlay.register(cursor, relations)
        except BaseException:
            cursor.close()
            raise
        # What the reads would ask DuckDB on every read (overlay.Known): the relations just registered.
        answers = overlay.Known(cursor, {name: table.num_rows > 0 for name, table in relations.items()})
    try:
        with overlay.known(answers):
            result = read(answers.cursor, *args)
    except BaseException:
        answers.cursor.close()
        raise
    idle.put((connection, answers))
    return result


Pool = queue.SimpleQueue[tuple[duckdb.DuckDBPyConnection, overlay.Known]]


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _idle_cursors(path: str, directory: str, revision: int) -> Pool:
    """The idle cursors of one version and review revision, each with that revision's relations
    registered, beside the connection it came from: a new revision starts an empty pool."""
    return queue.SimpleQueue()


def _idle_cursor(idle: Pool, connection: duckdb.DuckDBPyConnection) -> overlay.Known | None:
    """An idle cursor of `connection` with what its reads learnt; those of a connection the cache has
    since let go are closed."""
    while True:
        try:
            owner, answers = idle.get_nowait()
        except queue.Empty:
            return None
        if owner is connection:
            return answers
        answers.cursor.close()


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _relations(path: str, directory: str, revision: int) -> dict[str, Any]:
    """The review relations for one version and revision (the corrected reports' facts are read once)."""
    cursor = _connection(path).cursor()
    try:
        return overlay.prepare(cursor, _snapshot(directory, revision))
    finally:
        cursor.close()


VERSION_READS = frozenset({"places", "domain"})
"""Reads that take no argument and no review state (the sidebar's places and filter ranges, read by every
page): one published version always gives the same rows, so they are kept per version for as long as the
connection (`st.cache_resource`, which clearing the data cache leaves), and a new publish reads again."""


def read(path: str, name: str, *args: object) -> Any:
    """`dashboard_queries.<name>(cursor, *args)` on the version at `path` with the review database's
    corrections and statuses, cached per version and review revision (VERSION_READS per version)."""
    if name in VERSION_READS and not args:
        return copy.deepcopy(_version_read(path, name))
    return _read(path, review_revision(), name, *args)


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def _version_read(path: str, name: str) -> Any:
    return _run(path, getattr(dashboard_queries, name))


@st.cache_data(ttl=3600, max_entries=1024, show_spinner=False)
def _read(path: str, revision: int, name: str, *args: object) -> Any:
    return _run(path, getattr(dashboard_queries, name), *args)


def frame(path: str, name: str, *args: object) -> pd.DataFrame:
    """Like `read`, for queries that return a table; `st.cache_data` already hands out a fresh copy."""
    result = read(path, name, *args)
    assert isinstance(result, pd.DataFrame)
    return result


Ahead = tuple[object, ...] | Callable[[], object]
"""A read a page will make, `(name, *args)` as `read` takes them, or a callable that makes reads (one whose
arguments depend on another read's answer)."""

_AHEAD = ThreadPoolExecutor(max_workers=4, thread_name_prefix="xxgk-ahead")


def ahead(path: str, reads: Sequence[Ahead]) -> Future[None]:
    """Start `reads`, one after the other, on a read-ahead thread, while the page goes on reading and
    drawing: its own call of each then finds the answer cached, or waits for it (`st.cache_data` computes a
    key once, the other callers wait on its lock). A DuckDB read runs without the GIL, so on a second core
    the page's reads and drawing overlap. A read that fails here is left for the page's own call, which
    fails as it would have; the router waits for the page's read-ahead before the run ends (`settle`)."""

    def run() -> None:
        for item in reads:
            try:
                if callable(item):
                    item()
                else:
                    name, *args = item
                    read(path, str(name), *args)
            except Exception:  # the page's own call reads it again and shows the error
                return

    return _AHEAD.submit(run)


def settle(started: Sequence[Future[None]]) -> None:
    """Wait for the read-ahead a run started (its answers are the run's; none is left running after it).
    One that has not begun (the threads busy with other sessions' reads) is dropped: the page has read
    what it needed itself by now."""
    for future in started:
        future.cancel()
    for future in started:
        if not future.cancelled():
            future.result()
