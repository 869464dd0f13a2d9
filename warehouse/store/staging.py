"""The part writer's work tables: schema.sql's tables, in a schema of their own of the run's in-memory
database, created when a one-file ingest starts (`session.open_ahead`) or by the part writer.

Only what a part is written from is created: every table of schema.sql (its ALTERs included: a table is a
fraction of a millisecond, and the process learns the schema's columns from them, `learn_columns`) and the
one view a part reads (`report_prints`); the schema's other views cost ≈ 5 ms of CPU to bind, and DuckDB's
parser over the whole script ≈ 3 ms more (docs/scale.md §5, one file, eighteenth pass). The statements are
split without DuckDB's parser (`split_statements`) and run as one script.

Imports nothing but warehouse.db: `xxgk ingest` imports this module before its DuckDB instance is opened
beside the command's imports, and the opener's thread then sets the schema up.
"""

from __future__ import annotations

import re
from functools import cache

from warehouse.db import schema_sql
from warehouse.engine import duckdb

STAGING = "staging"
"""The part writer's schema: the schema's tables, filled with the reports of a segment at a time."""
PRINTS = "report_prints"
"""The schema's view of each report's fingerprint, over `facts`: the one view a part is written from."""
UNKEYED = ("documents",)
"""Work tables staged without the primary key schema.sql gives them: a report's document shares its
report id with the report's row, whose key (`reports`) already refuses a report twice in a segment, and
keeping the index of `documents` as well cost 0.15 ms of the driver's CPU a report (0.66 of the 3.8 s
that 4,000 national reports' inserts took; docs/scale.md §5, the full build, driver and tail)."""

VIEW_NAME = re.compile(r"CREATE OR REPLACE VIEW (\w+)")


def split_statements(script: str) -> list[str]:
    """The statements of an SQL script as `duckdb.extract_statements` gives their text (from after one
    semicolon through the next, outside comments, quotes and dollar quotes), without parsing them:
    DuckDB's parser takes ~35 ms of CPU over schema.sql, this ~2 ms (a one-file ingest needs the coverage
    view's text). `tests/test_store_fixed_cost.py` checks that both agree on schema.sql."""
    found: list[str] = []
    start = i = 0
    n = len(script)
    while i < n:
        c = script[i]
        if c == "-" and script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end < 0 else end + 1
        elif c == "/" and script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "'\"":
            end = script.find(c, i + 1)
            i = n if end < 0 else end + 1  # a doubled quote ('') is two quoted runs back to back
        elif c == "$" and script.startswith("$$", i):
            end = script.find("$$", i + 2)
            i = n if end < 0 else end + 2
        elif c == ";":
            i += 1
            found.append(script[start:i])
            start = i
        else:
            i += 1
    tail = script[start:]
    if tail.strip() or not found:
        found.append(tail)
    else:
        found[-1] += tail  # DuckDB keeps the white space after the last statement with it
    return [text for text in found if text.strip()]


@cache
def staging_sql() -> str:
    """schema.sql without the views no part is written from."""
    kept = []
    for text in split_statements(schema_sql()):
        view = VIEW_NAME.search(text)
        if view is None or view.group(1) == PRINTS:
            kept.append(text)
    return "".join(kept)


def create_staging(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The STAGING schema created in `con`'s database, and `con` searching it: returned so."""
    con.execute(f"CREATE SCHEMA {STAGING}")
    con.execute(f"SET search_path = '{STAGING}'")
    con.execute(staging_sql())
    for table in UNKEYED:
        _unkeyed(con, table)
    return con


def _unkeyed(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`table` (of the STAGING schema, empty) again without its key, its columns' NOT NULL kept."""
    required = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? AND NOT is_nullable ORDER BY column_index",
        [STAGING, table],
    ).fetchall()
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table} LIMIT 0")
    for (column,) in required:
        con.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET NOT NULL')
