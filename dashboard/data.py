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
from warehouse.publish import current_version, default_dir


def warehouse_dir() -> Path:
    return default_dir()


def version() -> Path | None:
    """The published file to read now; resolved on every rerun."""
    return current_version(warehouse_dir())


@st.cache_resource(max_entries=2, ttl=3600, show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return open_version(path)


def _run(path: str, read: Callable[..., Any], *args: object) -> Any:
    cursor = _connection(path).cursor()
    try:
        return read(cursor, *args)
    finally:
        cursor.close()


@st.cache_data(ttl=3600, max_entries=1024, show_spinner=False)
def read(path: str, name: str, *args: object) -> Any:
    """`dashboard_queries.<name>(cursor, *args)` on the version at `path`, cached per version."""
    return _run(path, getattr(dashboard_queries, name), *args)


def frame(path: str, name: str, *args: object) -> pd.DataFrame:
    """Like `read`, for queries that return a table; `st.cache_data` already hands out a fresh copy."""
    result = read(path, name, *args)
    assert isinstance(result, pd.DataFrame)
    return result
