"""Every export is in one order: its ORDER BY names a key no two rows share, so two exports of the same
warehouse are the same bytes (the sample corpus holds replaced versions: one file, two reports)."""

from __future__ import annotations

import re

import duckdb
import pytest

from warehouse import queries

SORTED_EXPORTS = ("facts", "checks", "warnings", "reports", "series", "coverage", "agencies", "errors")


def _ties(con: duckdb.DuckDBPyConnection, what: str) -> tuple[int, int]:
    """(rows, rows whose sort key another row has too) of the export over `con`."""
    sql = queries.sql(f"export_{what}").strip().rstrip(";")
    body, order = re.split(r"\bORDER BY\b", sql)
    keys = re.sub(r"\s+NULLS (LAST|FIRST)", "", order).strip()
    source = re.split(r"\bFROM\b", body, maxsplit=1)[1]
    rows, keyed = con.execute(f"SELECT count(*), count(DISTINCT ({keys}, NULL)) FROM {source}").fetchall()[0]
    return int(rows), int(rows) - int(keyed)


@pytest.mark.parametrize("what", SORTED_EXPORTS)
def test_no_two_rows_of_an_export_share_their_sort_key(con: duckdb.DuckDBPyConnection, what: str) -> None:
    rows, tied = _ties(con, what)
    assert rows > 0 or what == "errors"
    assert tied == 0, f"export {what}: {tied} of {rows} rows tie on the ORDER BY key"
