"""Work aside in a small run (docs/scale.md §5, one file, eighth pass): X4's neighbour search and the
touched buckets' writes run on a second cursor of the run's instance while the derivation goes on, and
X1, X2, X3 and X5 are one statement. The warehouse is the one the same runs give with everything done in
turn, and a failure on either side publishes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_store import _batches, snapshot
from warehouse.crosschecks import COLUMNS, check_sql
from warehouse.db import connect
from warehouse.publish import current_version
from warehouse.store import derive, rollups, session
from xxgk.ingest import ingest, rebuild
from xxgk.samples import generate_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("aside_corpus")
    generate_corpus(base, n_agencies=4, years=range(2019, 2023))
    return base


def _count_asides(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    started: list[str] = []
    real = derive.Aside

    class Counted(real):  # type: ignore[valid-type, misc]
        def __init__(self, con: object, work: object) -> None:
            started.append(getattr(work, "__qualname__", ""))
            super().__init__(con, work)

    monkeypatch.setattr(derive, "Aside", Counted)
    return started


def test_work_aside_stores_what_the_same_work_in_turn_stores(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, aside, in_turn = tmp_path / "inbox", tmp_path / "aside", tmp_path / "in_turn"
    batches = _batches(corpus, inbox, 4)
    started = _count_asides(monkeypatch)
    for batch in batches:
        ingest(batch, aside)
    # the first run is a full derivation; each later one ran X4 (its neighbour search, then its statements)
    # and wrote its buckets aside
    assert len(started) == 2 * (len(batches) - 1), started
    assert any("_x4_aside" in s for s in started) and any("_buckets_aside" in s for s in started)
    started.clear()
    monkeypatch.setattr(derive, "ASIDE_REPORTS", -1)  # never aside: everything in turn, as before
    for batch in batches:
        ingest(batch, in_turn)
    assert started == []
    monkeypatch.undo()
    incremental = snapshot(aside)
    assert snapshot(in_turn) == incremental
    rebuild(aside)
    assert snapshot(aside) == incremental


def test_the_per_agency_checks_as_one_statement_equal_each_check_alone(corpus: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest(sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(".json")), wh)
    version = current_version(wh)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        together = sorted(con.execute(derive.per_agency_checks_sql()).fetchall(), key=repr)
        alone = sorted(
            (
                row
                for check_id in derive.X_PER_AGENCY
                for row in con.execute(f"SELECT {COLUMNS} FROM ({check_sql(check_id)})").fetchall()
            ),
            key=repr,
        )
    finally:
        con.close()
    assert together == alone
    assert {row[1] for row in together} == set(derive.X_PER_AGENCY)


@pytest.mark.parametrize("broken", ["search", "x4", "rollups"])
def test_a_failure_beside_work_aside_publishes_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """`search`, `x4`: the work aside fails (X4's search, X4's statements); `rollups`: the derivation fails while the buckets are written aside
    (the run waits for them, then removes every file it wrote)."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    version, before = current_version(wh), snapshot(wh)
    files = sorted(p.relative_to(wh) for p in wh.rglob("*.parquet"))

    def fails(*_: object) -> None:
        raise RuntimeError("disk full (simulated)")

    if broken in ("search", "x4"):
        monkeypatch.setattr(derive, f"_{broken}", fails)
    else:
        monkeypatch.setattr(rollups, "update", fails)
    started = _count_asides(monkeypatch)
    with pytest.raises(RuntimeError, match="simulated"):
        ingest(second, wh)
    assert started
    assert not session.active()
    monkeypatch.undo()
    assert current_version(wh) == version and snapshot(wh) == before
    assert sorted(p.relative_to(wh) for p in wh.rglob("*.parquet")) == files
    ingest(second, wh)
    assert current_version(wh) != version
