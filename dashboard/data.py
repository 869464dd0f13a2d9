"""Cached access to the current warehouse version: a read-only connection per versioned file, a cursor per
query, and results cached under the version's path so a new ingest shows on the next interaction."""

from __future__ import annotations

from collections.abc import Callable
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
    cursor = _connection(path).cursor()
    try:
        overlay.register(cursor, _relations(path, str(warehouse_dir()), review_revision()))
        return read(cursor, *args)
    finally:
        cursor.close()


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def _relations(path: str, directory: str, revision: int) -> dict[str, Any]:
    """The review relations for one version and revision (the corrected reports' facts are read once)."""
    cursor = _connection(path).cursor()
    try:
        return overlay.prepare(cursor, _snapshot(directory, revision))
    finally:
        cursor.close()


def read(path: str, name: str, *args: object) -> Any:
    """`dashboard_queries.<name>(cursor, *args)` on the version at `path` with the review database's
    corrections and statuses, cached per version and review revision."""
    return _read(path, review_revision(), name, *args)


@st.cache_data(ttl=3600, max_entries=1024, show_spinner=False)
def _read(path: str, revision: int, name: str, *args: object) -> Any:
    return _run(path, getattr(dashboard_queries, name), *args)


def frame(path: str, name: str, *args: object) -> pd.DataFrame:
    """Like `read`, for queries that return a table; `st.cache_data` already hands out a fresh copy."""
    result = read(path, name, *args)
    assert isinstance(result, pd.DataFrame)
    return result
