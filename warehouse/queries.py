"""Named SQL queries stored as `.sql` files under warehouse/queries/."""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb
import pandas as pd


class QueryNotFound(KeyError):
    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(f"no query named {name!r}; available: {', '.join(available)}")
        self.name = name
        self.available = available


def available() -> list[str]:
    return list(_listed())


@cache
def _listed() -> tuple[str, ...]:
    """The query files' names, listed once per process (≈ 1 ms a listing: a page's first reads in a new
    process named 16 queries)."""
    folder = resources.files("warehouse").joinpath("queries")
    return tuple(sorted(p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql")))


@cache
def sql(name: str) -> str:
    if name not in _listed():
        raise QueryNotFound(name, available())
    return resources.files("warehouse").joinpath("queries", f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, params: list[object] | None = None) -> pd.DataFrame:
    return con.execute(sql(name), params or []).df()
