"""The second core in a small run (docs/scale.md §5, one file, tenth pass): the pre-aggregated tables'
reads, their coverage and a province's files written on two cursors of the run's instance, and the next
version's patch begun in a thread while the run derives. The files are the ones the same runs write on one
cursor, and a failure on either side publishes nothing and leaves no file."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from tests.test_store import _batches, _rollup_files, snapshot
from warehouse.publish import current_version
from warehouse.store import parts, rollups, session, version, writer
from xxgk.ingest import ingest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xxgk.samples import generate_corpus

    base = tmp_path_factory.mktemp("beside_corpus")
    generate_corpus(base, n_agencies=4, years=range(2019, 2023))
    return base


def _count_beside(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each piece of work started on a second cursor by the rollups or for the version."""
    started: list[str] = []
    real_side, real_aside, real_begin = rollups.side_by_side, rollups.Aside, writer.begin_patch
    real_shared = parts.shared

    def shared(*args: object) -> object:
        started.append("parts")
        return real_shared(*args)  # type: ignore[arg-type]

    def side_by_side(con: object, beside: object, here: object) -> object:
        started.append("side_by_side")
        return real_side(con, beside, here)  # type: ignore[arg-type]

    class Aside(real_aside):  # type: ignore[valid-type, misc]
        def __init__(self, con: object, work: object) -> None:
            started.append("files")
            super().__init__(con, work)

    def begin_patch(*args: object) -> object:
        begun = real_begin(*args)  # type: ignore[arg-type]
        if begun is not None:
            started.append("version")
        return begun

    monkeypatch.setattr(rollups, "side_by_side", side_by_side)
    monkeypatch.setattr(rollups, "Aside", Aside)
    monkeypatch.setattr(writer, "begin_patch", begin_patch)
    monkeypatch.setattr(parts, "shared", shared)
    return started


def _rollup_rows(directory: Path) -> dict[tuple[str, str], list[tuple[object, ...]]]:
    """(province, relation) → the rows of each pre-aggregated and delta file, in the file's order."""
    files, deltas = _rollup_files(directory)
    con = duckdb.connect()
    try:
        return {
            (province, f"{kind}{Path(file).name.split('-', 1)[1]}"): con.execute(
                f"SELECT * FROM read_parquet('{directory / file}')"
            ).fetchall()
            for kind, found in (("", files), ("delta:", deltas))
            for province, names in found.items()
            for file in names
        }
    finally:
        con.close()


def test_two_cursors_write_the_files_one_cursor_writes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run by run (deltas, and their folding past FOLD_REPORTS), the province files, the deltas and the
    version hold exactly what the same runs give with everything on one cursor, as before."""
    monkeypatch.setattr(rollups, "FOLD_REPORTS", 6)
    inbox, beside, in_turn = tmp_path / "inbox", tmp_path / "beside", tmp_path / "in_turn"
    batches = _batches(corpus, inbox, 6)
    started = _count_beside(monkeypatch)
    for batch in batches:
        ingest(batch, beside)
    # the first run is a full derivation; each later one read, computed and wrote beside, and began its version
    assert {"side_by_side", "files", "version", "parts"} <= set(started), started
    assert started.count("version") == len(batches) - 1
    started.clear()
    monkeypatch.setattr(rollups, "BESIDE_REPORTS", -1)  # one cursor: everything in turn, as before
    monkeypatch.setattr(parts, "BESIDE_REPORTS", -1)
    monkeypatch.setattr(parts, "LAST_BESIDE", False)  # the run's last segment too
    monkeypatch.setattr(rollups, "BUILD_BESIDE", False)  # the first run's full build in turn too
    monkeypatch.setattr(writer, "begin_patch", lambda *_: None)  # the version patched at the end
    states = []
    for batch in batches:
        ingest(batch, in_turn)
        states.append(_rollup_rows(in_turn))
    assert started == []
    assert states[-1] == _rollup_rows(beside)
    deltas = [any(relation.startswith("delta:") for _, relation in state) for state in states]
    assert any(deltas), "the runs must leave deltas"
    assert snapshot(in_turn) == snapshot(beside)


@pytest.mark.parametrize("broken", ["coverage", "delta file", "version", "derivation", "part writer"])
def test_a_failure_beside_publishes_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """`coverage`, `delta file`, `version`: the work on the second cursor fails (the coverage computed
    beside the differences, a delta file written by the second cursor, the version begun beside the
    derivation); `derivation`: the derivation fails while the version is begun; `part writer`: its setup,
    in a thread while the file is parsed, fails. The run waits for the other side, publishes nothing, and
    removes every file it wrote, the version's copy included."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    published, before = current_version(wh), snapshot(wh)
    files = sorted(str(p.relative_to(wh)) for p in wh.rglob("*") if p.is_file())

    def fails(*_: object, **__: object) -> None:
        raise RuntimeError("disk full (simulated)")

    real_copy = rollups.copy_to

    def copy_fails_aside(con: object, sql: str, target: Path, *args: object) -> int:
        if threading.current_thread() is not threading.main_thread() and "-delta-" in target.name:
            raise RuntimeError("disk full (simulated)")
        return real_copy(con, sql, target, *args)  # type: ignore[arg-type]

    started = _count_beside(monkeypatch)
    if broken == "coverage":
        monkeypatch.setattr(rollups, "_coverage", fails)
    elif broken == "delta file":
        monkeypatch.setattr(rollups, "copy_to", copy_fails_aside)
    elif broken == "version":
        monkeypatch.setattr(version, "_open_patch", fails)
    elif broken == "derivation":
        monkeypatch.setattr(rollups, "update", fails)
    else:
        monkeypatch.setattr(parts, "refresh_series_map", fails)
    with pytest.raises(RuntimeError, match="simulated"):
        ingest(second, wh)
    if broken == "part writer":
        assert started == []
    else:
        assert "version" in started and (broken in ("version", "derivation") or "side_by_side" in started)
    assert not session.active()
    monkeypatch.undo()
    assert current_version(wh) == published and snapshot(wh) == before
    assert sorted(str(p.relative_to(wh)) for p in wh.rglob("*") if p.is_file()) == files
    ingest(second, wh)
    assert current_version(wh) != published


def test_the_province_replaced_rows_made_beside_the_differences(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run's one touched province: what its delta replaces and its previous delta's rows of the changed
    reports (`_replacing`, `_changed_in_delta`) are made on the coverage cursor when the coverage is done
    while the differences still run (forced here), and the files are those the same runs write in turn."""
    inbox, beside, in_turn = tmp_path / "inbox", tmp_path / "beside", tmp_path / "in_turn"
    batches = _batches(corpus, inbox, 3)
    ingest(batches[0], beside)  # a full build: no province work beside
    covered = threading.Event()
    threads: dict[str, list[bool]] = {"_replacing": [], "_changed_in_delta": []}
    real_agency_rows, real_new_rows = rollups._agency_rows, rollups._new_rows

    def agency_rows(con: duckdb.DuckDBPyConnection) -> None:
        real_agency_rows(con)
        covered.set()

    def new_rows(*args: object) -> None:
        assert covered.wait(60)
        real_new_rows(*args)  # type: ignore[arg-type]

    def recorded(name: str) -> object:
        real = getattr(rollups, name)

        def call(*args: object) -> object:
            threads[name].append(threading.current_thread() is threading.main_thread())
            return real(*args)

        return call

    monkeypatch.setattr(rollups, "_agency_rows", agency_rows)
    monkeypatch.setattr(rollups, "_new_rows", new_rows)
    for name in threads:
        monkeypatch.setattr(rollups, name, recorded(name))
    for batch in batches[1:]:
        covered.clear()
        ingest(batch, beside)
    assert threads == {"_replacing": [False, False], "_changed_in_delta": [False]}  # the first had no delta
    monkeypatch.undo()
    monkeypatch.setattr(
        rollups, "BESIDE_REPORTS", -1
    )  # one cursor: the province's work after the differences
    monkeypatch.setattr(parts, "BESIDE_REPORTS", -1)
    monkeypatch.setattr(parts, "LAST_BESIDE", False)  # the run's last segment too
    monkeypatch.setattr(writer, "begin_patch", lambda *_: None)
    for batch in batches:
        ingest(batch, in_turn)
    assert _rollup_rows(in_turn) == _rollup_rows(beside)
    assert snapshot(in_turn) == snapshot(beside)
