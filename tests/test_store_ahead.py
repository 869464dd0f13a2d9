"""A one-file ingest's fixed costs, fourteenth pass (docs/scale.md §5): the run's DuckDB instance opened
ahead in a thread (`session.open_ahead`), and the version file written in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import _duckdb
import pytest

from tests.test_store import _batches, _last_batch_pending, snapshot
from warehouse.store import session
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ahead_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


def _statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """(id of the connection, statement) of every `execute` from now on (the connections kept, so that an
    id names one connection)."""
    seen: list[tuple[int, str]] = []
    kept: list[_duckdb.DuckDBPyConnection] = []
    real = _duckdb.DuckDBPyConnection.execute

    def execute(con: _duckdb.DuckDBPyConnection, sql: str, *args: object) -> object:
        kept.append(con)
        seen.append((id(con), " ".join(str(sql).split())))
        return real(con, sql, *args)

    monkeypatch.setattr(_duckdb.DuckDBPyConnection, "execute", execute)
    return seen


@pytest.mark.slow
def test_the_instance_opened_ahead_is_the_runs_only_one_and_the_run_stores_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last, wh, other = _last_batch_pending(corpus, tmp_path)
    opened: list[str] = []
    real = _duckdb.connect

    def counted(database: str = ":memory:", *args: object, **kwargs: object) -> object:
        opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(_duckdb, "connect", counted)
    session.open_ahead()
    ingest(last, wh)
    monkeypatch.undo()
    assert opened == [":memory:"]  # the one opened ahead: the run opened none of its own
    assert not session.active() and not session._AHEAD
    assert snapshot(wh) == snapshot(other)


def test_an_instance_opened_ahead_and_not_taken_is_closed_by_the_session_that_takes_it() -> None:
    session.open_ahead()
    session.open_ahead()  # one is enough
    assert len(session._AHEAD) == 1
    session.begin()
    try:
        cursor = session.cursor()
        assert cursor is not None and cursor.execute("SELECT 42").fetchall() == [(42,)]
        cursor.close()
        assert not session._AHEAD
    finally:
        session.end()
    assert not session._INSTANCE


WRITES = ("CREATE", "INSERT", "DELETE", "DROP")


def _outside_transactions(seen: list[tuple[int, str]], cursors: set[int]) -> list[str]:
    """The writes of `cursors` that ran outside a BEGIN … COMMIT of their own."""
    open_on: set[int] = set()
    outside = []
    for con, sql in seen:
        if con not in cursors:
            continue
        if sql == "BEGIN TRANSACTION":
            open_on.add(con)
        elif sql == "COMMIT":
            open_on.discard(con)
        elif sql.startswith(WRITES) and con not in open_on:
            outside.append(sql)
    return outside


@pytest.mark.slow
def test_a_version_is_patched_and_written_whole_in_a_few_transactions(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each statement committed on its own synced the version file's write-ahead log (37 syncs a one-file
    ingest): the copy's views, catalogue rows and runs are written in a transaction of each cursor that
    writes them, committed before the checkpoint; so is a version written from scratch."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    for batch, patched in ((first, False), (second, True)):
        seen = _statements(monkeypatch)
        ingest(batch, wh)
        monkeypatch.undo()
        checkpoints = [(con, sql) for con, sql in seen if sql.startswith("CHECKPOINT")]
        assert len(checkpoints) == 1
        copy, checkpoint = checkpoints[0]
        alias = checkpoint.removeprefix("CHECKPOINT").strip()
        assert bool(alias) == patched  # within the run's instance, the copy attached
        cursors = {copy} | {con for con, sql in seen if alias and sql == f"USE {alias}"}
        written = [sql for con, sql in seen if con in cursors and sql.startswith(WRITES)]
        assert len(written) >= 5
        assert not _outside_transactions(seen, cursors)
        commits = [sql for con, sql in seen if con in cursors and sql == "COMMIT"]
        assert 1 <= len(commits) <= 3
        assert ("SELECT name, sql FROM _views" in [sql for con, sql in seen if con == copy]) == patched


def test_shared_finishes_the_second_cursor_after_its_jobs_and_not_after_a_failure() -> None:
    from warehouse.store.aside import shared

    con = _duckdb.connect()
    try:
        con.execute("CREATE TABLE t (n INTEGER)")
        finished: list[int] = []

        def insert(n: int) -> Callable[[_duckdb.DuckDBPyConnection], object]:
            return lambda cursor: cursor.execute(f"INSERT INTO t VALUES ({n})")

        def begin(cursor: _duckdb.DuckDBPyConnection) -> None:
            cursor.execute("BEGIN TRANSACTION")

        def commit(cursor: _duckdb.DuckDBPyConnection) -> None:
            finished.append(1)
            cursor.execute("COMMIT")

        shared(con, [insert(n) for n in range(20)], prepare=begin, finish=commit)
        assert finished == [1]
        assert con.execute("SELECT count(*), sum(n) FROM t").fetchall() == [(20, 190)]

        def broken(cursor: _duckdb.DuckDBPyConnection) -> None:
            raise RuntimeError("simulated")

        with pytest.raises(RuntimeError, match="simulated"):
            shared(con, [broken, broken], prepare=begin, finish=commit)
        assert finished == [1]
    finally:
        con.close()
