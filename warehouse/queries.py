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
    folder = resources.files("warehouse").joinpath("queries")
    return sorted(p.name.removesuffix(".sql") for p in folder.iterdir() if p.name.endswith(".sql"))


@cache
def sql(name: str) -> str:
    names = available()
    if name not in names:
        raise QueryNotFound(name, names)
    return resources.files("warehouse").joinpath("queries", f"{name}.sql").read_text(encoding="utf-8")


def run(con: duckdb.DuckDBPyConnection, name: str, params: list[object] | None = None) -> pd.DataFrame:
    return con.execute(sql(name), params or []).df()
