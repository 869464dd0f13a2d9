"""A one-file ingest's fixed costs, fourteenth pass (docs/scale.md §5): the run's DuckDB instance opened
ahead in a thread (`session.open_ahead`), and the version file written in one transaction."""

from __future__ import annotations

from pathlib import Path

import _duckdb
import pytest

from tests.test_store import _batches, snapshot
from warehouse.store import session
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ahead_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


def _statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """(id of the connection, statement) of every `execute` from now on."""
    seen: list[tuple[int, str]] = []
    real = _duckdb.DuckDBPyConnection.execute

    def execute(con: _duckdb.DuckDBPyConnection, sql: str, *args: object) -> object:
        seen.append((id(con), " ".join(str(sql).split())))
        return real(con, sql, *args)

    monkeypatch.setattr(_duckdb.DuckDBPyConnection, "execute", execute)
    return seen


@pytest.mark.slow
def test_the_instance_opened_ahead_is_the_runs_only_one_and_the_run_stores_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, wh, other = tmp_path / "inbox", tmp_path / "wh", tmp_path / "other"
    batches = _batches(corpus, inbox, 3)
    for batch in batches:
        ingest(batch, other)
    for batch in batches[:2]:
        ingest(batch, wh)
    opened: list[str] = []
    real = _duckdb.connect

    def counted(database: str = ":memory:", *args: object, **kwargs: object) -> object:
        opened.append(str(database))
        return real(database, *args, **kwargs)

    monkeypatch.setattr(_duckdb, "connect", counted)
    session.open_ahead()
    ingest(batches[2], wh)
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


@pytest.mark.slow
def test_a_version_is_patched_and_written_whole_in_one_transaction(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each statement committed on its own synced the version file's write-ahead log (36 syncs a one-file
    ingest): the copy's views, catalogue rows and runs are written between one BEGIN and one COMMIT, before
    its checkpoint; so is a version written from scratch."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    for batch, patched in ((first, False), (second, True)):
        seen = _statements(monkeypatch)
        ingest(batch, wh)
        monkeypatch.undo()
        checkpoints = [i for i, (_, sql) in enumerate(seen) if sql.startswith("CHECKPOINT")]
        assert len(checkpoints) == 1
        copy = seen[checkpoints[0]][0]
        on_copy = [sql for con, sql in seen[: checkpoints[0]] if con == copy]
        begun = on_copy.index("BEGIN TRANSACTION")
        assert (
            on_copy[-1] == "COMMIT"
            and on_copy.count("COMMIT") == 1
            and on_copy.count("BEGIN TRANSACTION") == 1
        )
        written = [s for s in on_copy[begun + 1 : -1] if s.startswith(("CREATE", "INSERT", "DELETE", "DROP"))]
        assert len(written) >= 5
        before = [s for s in on_copy[:begun] if s.startswith(("CREATE", "INSERT", "DELETE", "DROP"))]
        assert not before, before
        assert ("SELECT name, sql FROM _views" in on_copy) == patched
