"""A one-file ingest's fixed costs, eighteenth pass (docs/scale.md §5): the part writer's work tables made
lean and with the run's instance (`staging.create_staging`, `session.open_ahead`), no DuckDB error raised
on the way (the process's first C++ exception costs ≈ 5 ms), the work tables not created again after the
last segment, and rows inserted by one statement."""

from __future__ import annotations

from pathlib import Path

import _duckdb
import pytest

from tests.test_store import _last_batch_pending, snapshot
from warehouse.db import apply_schema, connect
from warehouse.store import session
from warehouse.store.rollups import _series_map
from warehouse.store.staging import PRINTS, STAGING, create_staging
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("onefile_setup_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


Seen = list[tuple[int, str, str]]


def _recorded(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """(id of the connection, statement, the error it raised or "") of every `execute` from now on (the
    connections kept, so that an id names one connection)."""
    seen: Seen = []
    kept: list[_duckdb.DuckDBPyConnection] = []
    real = _duckdb.DuckDBPyConnection.execute

    def execute(con: _duckdb.DuckDBPyConnection, sql: str, *args: object) -> object:
        kept.append(con)
        try:
            result = real(con, sql, *args)
        except _duckdb.Error as exc:
            seen.append((id(con), " ".join(str(sql).split()), type(exc).__name__))
            raise
        seen.append((id(con), " ".join(str(sql).split()), ""))
        return result

    monkeypatch.setattr(_duckdb.DuckDBPyConnection, "execute", execute)
    return seen


def _objects(con: _duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str]]]:
    """The tables' and views' names and statements of `schema`, the schema's name taken out."""
    tables = con.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = ? ORDER BY 1", [schema]
    ).fetchall()
    views = con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE schema_name = ? ORDER BY 1", [schema]
    ).fetchall()
    return {
        kind: [(str(name), str(sql).replace(f"{schema}.", "")) for name, sql in rows]
        for kind, rows in (("tables", tables), ("views", views))
    }


def test_the_staging_schema_has_every_table_of_the_schema_and_only_the_prints_view() -> None:
    con = _duckdb.connect()
    try:
        full = con.cursor()
        full.execute("CREATE SCHEMA whole")
        full.execute("SET search_path = 'whole'")
        apply_schema(full)
        whole = _objects(con, "whole")
        lean = create_staging(con.cursor())
        staged = _objects(con, STAGING)
        assert lean.execute("SELECT current_setting('search_path')").fetchall() == [(STAGING,)]
    finally:
        con.close()
    documents = next(sql for name, sql in staged["tables"] if name == "documents")
    assert "PRIMARY KEY" not in documents and "NOT NULL" in documents  # UNKEYED
    assert [t for t in staged["tables"] if t[0] != "documents"] == [
        t for t in whole["tables"] if t[0] != "documents"
    ]
    assert staged["views"] == [v for v in whole["views"] if v[0] == PRINTS]
    assert len(whole["views"]) > 1


def test_roll_series_map_is_made_once_per_connection() -> None:
    from warehouse.series import COLUMNS, series_map
    from warehouse.store.rollups import RANKED_SERIES

    con = connect(None)
    try:
        _series_map(con)
        _series_map(con)  # a full build's next group of provinces, on the same connection
        rows = con.execute("SELECT * FROM roll_series_map").fetchall()
    finally:
        con.close()
    code = COLUMNS.index("series_code")
    assert sorted(rows) == sorted(row for row in series_map() if row[code] in RANKED_SERIES)


@pytest.mark.slow
def test_a_one_file_ingest_with_its_work_tables_made_ahead_stores_the_same_without_errors(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work tables made with the instance opened ahead, once the run has attached its version, are the
    part writer's (the one CREATE SCHEMA of the run, on the cursor that drops them); no statement of the run raises; the work tables are not made
    again after its only segment; what is stored is what a run without any of it stores."""
    last, wh, other = _last_batch_pending(corpus, tmp_path)
    seen = _recorded(monkeypatch)
    session.open_ahead(create_staging)
    ingest(last, wh)
    monkeypatch.undo()
    assert not session.active() and not session._AHEAD and not session._TAKEN
    assert [sql for _, sql, error in seen if error] == []
    order = [sql for _, sql, _ in seen]
    assert order.index(f"CREATE SCHEMA {STAGING}") > min(
        i for i, sql in enumerate(order) if sql.startswith("USE ")
    )
    created = [con for con, sql, _ in seen if sql == f"CREATE SCHEMA {STAGING}"]
    dropped = [con for con, sql, _ in seen if sql == f"DROP SCHEMA {STAGING} CASCADE"]
    assert len(created) == 1 and created == dropped
    assert not [sql for _, sql, _ in seen if sql.startswith("DROP TABLE facts")]
    assert not [sql for _, sql, _ in seen if sql.startswith("INSERT INTO") and sql.endswith("FROM _incoming")]
    assert snapshot(wh) == snapshot(other)


def test_a_prepared_cursor_not_taken_is_closed_when_the_session_ends() -> None:
    session.open_ahead(create_staging)
    session.begin()
    try:
        cursor = session.cursor()
        assert cursor is not None
        cursor.close()
        assert len(session._TAKEN) == 1
        future = session._TAKEN[0].prepared
        assert future is not None
        assert not future.done()  # waits for the session's first ATTACH (or for the part writer)
    finally:
        session.end()
    assert not session._TAKEN and not session._INSTANCE
    with pytest.raises(_duckdb.ConnectionException):
        future.result().execute("SELECT 1")
