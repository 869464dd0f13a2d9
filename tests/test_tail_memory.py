"""The full build's memory (issue 12): DuckDB's limit after the last file takes off what the process
holds, and the run keeps no second copy of every file's path, hash or job while it parses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from warehouse import db
from warehouse.engine import duckdb
from warehouse.store import memory
from warehouse.store.memory import fitted, parse_size, tail_limit
from xxgk import ingest as ingest_module
from xxgk.ingest import Outcome, discover, ingest
from xxgk.parsing import Job

MB = 1000**2
REPORTS = FIXTURES / "reports"
NAMES = ("柯城区卫生健康局_2022_gbk.html", "湖北_江岸区民政局_2019_tabs.txt")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1GB", 10**9),
        ("512MB", 512 * MB),
        (" 2.5 gb ", 2_500_000_000),
        ("1GiB", 2**30),
        ("300 MiB", 300 << 20),
        ("1G", 10**9),
        ("2 gigabytes", 2 * 10**9),
    ],
)
def test_duckdb_sizes_are_read_in_its_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "80%", "1 GBB", "-1GB"])
def test_what_is_not_a_size_is_none(text: str) -> None:
    assert parse_size(text) is None


def test_the_tail_limit_takes_off_what_the_process_holds_outside_duckdb() -> None:
    gb = 1000 * MB
    assert tail_limit(gb, rss=300 * MB, in_duckdb=0) == 700 * MB
    assert tail_limit(gb, rss=300 * MB, in_duckdb=100 * MB) == 800 * MB  # DuckDB's own is not counted twice
    assert tail_limit(gb, rss=900 * MB, in_duckdb=0) == 500 * MB  # never under half
    assert tail_limit(gb, rss=50 * MB, in_duckdb=80 * MB) == gb  # never over the configured limit


@given(
    configured=st.integers(1, 4000).map(lambda n: n * MB),
    rss=st.integers(0, 5000).map(lambda n: n * MB),
    in_duckdb=st.integers(0, 2000).map(lambda n: n * MB),
    beside=st.booleans(),
)
def test_work_beside_caps_the_tail_limit_however_little_the_process_holds(
    configured: int, rss: int, in_duckdb: int, beside: bool
) -> None:
    alone = tail_limit(configured, rss, in_duckdb)
    shared = tail_limit(configured, rss, in_duckdb, beside)
    default = memory.DEFAULT_LIMIT
    beside_cap = memory.BESIDE_LIMIT * max(default, configured) // default
    after_cap = memory.AFTER_BESIDE_LIMIT * max(default, configured) // default
    assert shared == (min(alone, beside_cap) if beside else alone)
    assert memory.after_beside(alone, configured) == min(alone, after_cap)


def test_a_larger_configured_limit_widens_the_limits_beside_and_after_the_merges() -> None:
    """With `XXGK_MEMORY_LIMIT=6GB` (the documented 1M build) a group's rollups get 1.2 GB beside the
    merges, not the default's 200 MB (the 1M synthetic store ran out of memory at 190.7 MiB); at the
    default and below, the limits are the constants."""
    gb = 1000 * MB
    assert tail_limit(6 * gb, rss=1600 * MB, in_duckdb=0, beside=True) == 1200 * MB
    assert memory.after_beside(tail_limit(6 * gb, rss=1600 * MB, in_duckdb=0), 6 * gb) == 1440 * MB
    for configured in (256 * MB, gb):
        assert memory.scaled(memory.BESIDE_LIMIT, configured) == memory.BESIDE_LIMIT
        assert memory.scaled(memory.AFTER_BESIDE_LIMIT, configured) == memory.AFTER_BESIDE_LIMIT


def test_the_tail_beside_the_merges_has_the_same_limit_at_10k_and_100k_reports() -> None:
    """The real 10k build held ≈ 0.29 GB when its tail began, the 100k build ≈ 0.36 GB (docs/scale.md §5,
    issue12rf), 0.43 GB before (issue12tf): the derivation beside the merges gets BESIDE_LIMIT in each, and
    AFTER_BESIDE_LIMIT after them, where it had ≈ 380, ≈ 315 and 320 MB beside them and ≈ 0.7, ≈ 0.64 and
    0.57 GB after."""
    gb = 1000 * MB
    for held in (290 * MB, 355 * MB, 430 * MB):
        assert tail_limit(gb, rss=held, in_duckdb=0, beside=True) == memory.BESIDE_LIMIT
        assert memory.after_beside(tail_limit(gb, rss=held, in_duckdb=0), gb) == memory.AFTER_BESIDE_LIMIT
    assert tail_limit(gb, rss=430 * MB, in_duckdb=0) == 570 * MB
    assert memory.BESIDE_LIMIT == 200 * MB and memory.AFTER_BESIDE_LIMIT == 240 * MB


def _limit(con: duckdb.DuckDBPyConnection) -> int:
    shown = str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
    size = parse_size(shown)
    assert size is not None, shown
    return size


def test_fitted_sets_the_limit_from_the_process_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    con = db.connect(None)
    try:
        configured = _limit(con)
        monkeypatch.setattr(memory, "process_rss", lambda: 250 << 20)
        with fitted(con, db.MEMORY_LIMIT) as fit:
            limit = fit.limit
            assert limit is not None and limit < configured
            assert abs(_limit(con) - limit) <= 1 << 20  # DuckDB shows it rounded to 0.1 MiB
        assert abs(_limit(con) - configured) <= 1 << 20
    finally:
        con.close()


def test_a_fitted_limit_with_work_beside_is_widened_when_it_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    con = db.connect(None)
    try:
        configured = _limit(con)
        monkeypatch.setattr(memory, "process_rss", lambda: 250 << 20)
        with fitted(con, db.MEMORY_LIMIT, beside=True) as fit:
            assert fit.limit is not None and fit.after is not None and fit.limit < fit.after < configured
            assert abs(_limit(con) - fit.limit) <= 1 << 20
            cursor = con.cursor()  # the thread beside's, on the same instance
            fit.widen(cursor)
            cursor.close()
            assert abs(_limit(con) - fit.after) <= 1 << 20
        assert abs(_limit(con) - configured) <= 1 << 20
    finally:
        con.close()


def test_the_derivation_runs_within_the_fitted_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ingest's derivation and compaction run with DuckDB's limit less what the process holds: here
    a process said to hold the whole configured limit gets half of it, and the warehouse is the same."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in NAMES:
        shutil.copy(REPORTS / name, inbox / name)
    configured = parse_size(db.MEMORY_LIMIT)
    assert configured is not None
    monkeypatch.setattr(memory, "process_rss", lambda: 2 * configured)
    seen: list[int] = []
    from warehouse.store import writer

    real = writer.derive

    def derive(inputs: object, con: duckdb.DuckDBPyConnection, **kwargs: object) -> object:
        seen.append(_limit(con))
        return real(inputs, con, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "derive", derive)
    summary = ingest([inbox], tmp_path / "wh")
    assert summary.count("loaded") == 2 and not summary.failed
    assert len(seen) == 1 and abs(seen[0] - configured // 2) <= 1 << 20


def test_a_job_is_not_kept_once_handed_out() -> None:
    from xxgk.ingest import handed_out

    jobs = [Job(f"/in/{n}.html", f"{n:064x}", rows=True) for n in range(5)]
    order = list(jobs)
    handed = handed_out(jobs)
    first = next(handed)
    assert jobs == []  # the plan's list no longer holds them
    assert [first, *handed] == order


def test_an_outcome_holds_no_dictionary() -> None:
    """A run keeps an outcome a file (100,000 at the full build): slots, not a `__dict__` each."""
    outcome = Outcome("/in/a.html", "loaded")
    assert not hasattr(outcome, "__dict__")


def test_discover_keeps_one_path_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(REPORTS / name, folder / name)
    found = discover([folder])
    assert [p.name for p in found.files] == sorted(NAMES)
    assert found.resolved == {}


@pytest.mark.parametrize("planner", ["_first_plan", "_plan"])
def test_the_parse_loop_drops_the_plan_s_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planner: str
) -> None:
    """When the parse loop hands out its files, the plan's list of jobs is already empty: the plan of a
    first build (no file hashed first) and of a run into a warehouse that holds a report."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in NAMES:
        shutil.copy(REPORTS / name, inbox / name)
    monkeypatch.setattr(ingest_module, "CHUNK", 1)  # a bulk run: more files than a chunk
    if planner == "_plan":  # a version to plan against: one of the two files loaded first
        ingest([inbox / NAMES[0]], tmp_path / "wh")
    held: list[int] = []
    real = getattr(ingest_module, planner)

    def plan(*args: object) -> ingest_module._Plan:
        made = real(*args)
        original = ingest_module.parse_isolated

        def parse(jobs: object, **kwargs: object) -> object:
            for parsed in original(jobs, **kwargs):  # type: ignore[arg-type]
                held.append(len(made.to_parse))
                yield parsed

        monkeypatch.setattr(ingest_module, "parse_isolated", parse)
        return made

    monkeypatch.setattr(ingest_module, planner, plan)
    summary = ingest([inbox], tmp_path / "wh")
    assert summary.count("loaded") == (2 if planner == "_first_plan" else 1)
    assert held == ([0, 0] if planner == "_first_plan" else [0])
