"""The store's shortcuts for small runs keep the answers (docs/scale.md, one new file): the report count
kept in `warehouse_info`, the sweep under the lock skipped while the directory is as the last sweep left
it, the lookups of a run's paths and hashes by constant list, the catalogue read once per process."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.test_store import _batches, _change_a_cell, _editable, _rows, snapshot
from warehouse.publish import current_version
from warehouse.store import catalog, derive, state
from warehouse.store.gc import unchanged_since_sweep
from xxgk.ingest import ingest, rebuild
from xxgk.samples import generate_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("small_runs_corpus")
    generate_corpus(base, n_agencies=4, years=range(2019, 2023), include_bad=True)
    return base


def _kept_count(wh: Path) -> int:
    return int(str(_rows(wh, "SELECT value FROM warehouse_info WHERE key = 'reports'")[0][0]))


def test_the_kept_report_count_is_the_count_of_reports(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for batch in _batches(corpus, inbox, 3):
        ingest(batch, wh)
        assert _kept_count(wh) == _rows(wh, "SELECT count(*) FROM reports")[0][0]
        version = current_version(wh)
        assert version is not None and catalog.recall(version) is not None  # the ingest wrote it
        counted = _rows(wh, "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)")[0]
        assert state.stored_counts(version) == counted  # from the remembered catalogue's parts
        catalog._READ.clear()
        state.lookup_state(version, [], [])
        assert catalog.recall(version) is not None, "the lookups remember the catalogue they open"
    _change_a_cell(_editable(inbox))  # its old report dies, the new one replaces it
    ingest([inbox], wh)
    assert _kept_count(wh) == _rows(wh, "SELECT count(*) FROM reports")[0][0]
    version = current_version(wh)
    assert version is not None and _rows(wh, "SELECT count(*) FROM _dead")[0][0]
    counted = _rows(wh, "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)")[0]
    assert state.stored_counts(version) == counted  # what `xxgk ingest` prints, the dead left out
    rebuild(wh)
    assert _kept_count(wh) == _rows(wh, "SELECT count(*) FROM reports")[0][0]


def test_a_writers_leftovers_are_swept_and_a_clean_directory_is_not_read_again(
    corpus: Path, tmp_path: Path
) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    assert unchanged_since_sweep(wh), "a published run leaves the directory as its sweep left it"
    stray = wh / "parts" / "20000101T000000000000-1" / "s0000-facts.parquet"
    stray.parent.mkdir(parents=True)
    shutil.copy(next(wh.rglob("*-facts.parquet")), stray)
    assert not unchanged_since_sweep(wh)
    ingest(second, wh)
    assert not stray.exists() and not stray.parent.exists()
    assert unchanged_since_sweep(wh)
    version = current_version(wh)
    assert version is not None
    (wh / version.name.replace(".duckdb", ".duckdb.tmp")).write_bytes(b"")  # a version being built
    ingest([], wh)
    assert not list(wh.glob("*.tmp"))


def test_lookups_by_constant_list_equal_lookups_by_join(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    batches = _batches(corpus, inbox, 2)
    for batch in batches:
        ingest(batch, tmp_path / "listed")
    _change_a_cell(_editable(inbox))
    ingest([inbox], tmp_path / "listed")
    version = current_version(tmp_path / "listed")
    paths = [str(p) for p in sorted(inbox.rglob("*"))] + ["/not/there"]
    digests = [str(r[0]) for r in _rows(tmp_path / "listed", "SELECT report_id FROM _reports_parsed")]
    digests += [str(r[0]) for r in _rows(tmp_path / "listed", "SELECT report_id FROM _dead")] + ["0" * 64]
    listed = state.lookup_state(version, paths, digests)
    assert listed.sources and listed.errors and listed.report_ids
    monkeypatch.setattr(state, "LISTED", 0)
    monkeypatch.setattr(derive, "LISTED", 0)
    assert state.lookup_state(version, paths, digests) == listed
    for batch in batches:  # the edited file among them: the same reports in the end
        ingest(batch, tmp_path / "joined")
    ingest([inbox], tmp_path / "joined")
    joined, constants = snapshot(tmp_path / "joined"), snapshot(tmp_path / "listed")
    assert joined["reports"] and len(joined["reports"]) == len(constants["reports"])
    for name in ("facts", "sources", "errors"):
        assert joined[name] == constants[name], name


def test_a_version_without_the_count_is_counted_from_its_footers(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    version = current_version(wh)
    assert version is not None
    read = catalog.recall(version)
    assert read is not None and read[0].n_reports == _kept_count(wh)
    con = duckdb.connect(str(version))  # as a version written before the count was kept
    con.execute("DELETE FROM warehouse_info WHERE key = 'reports'")
    con.close()
    assert not _rows(wh, "SELECT value FROM warehouse_info WHERE key = 'reports'")
    ingest(second, wh)
    assert _kept_count(wh) == _rows(wh, "SELECT count(*) FROM reports")[0][0]


def test_documents_parts_are_written_in_small_row_groups_and_read_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's text is one row of the `documents` part; an ingest writes that part in row groups of
    2,048 rows (PART_ROW_GROUPS; DuckDB's smallest), the other parts in row groups of 100,000 as
    before; a point read of a file of many small row groups gives the rows one row group gave, and the
    report page reads every report's text."""
    from warehouse import dashboard_queries as dq
    from warehouse.db import connect
    from warehouse.store import parts

    written: dict[str, int] = {}
    copy_to = parts.copy_to

    def recording(con: duckdb.DuckDBPyConnection, sql: str, target: Path, row_group: int = 0) -> int:
        written[target.name.split("-", 1)[1].removesuffix(".parquet")] = row_group
        return copy_to(con, sql, target, row_group or parts.ROW_GROUP_ROWS)

    monkeypatch.setattr(parts, "copy_to", recording)
    wh = tmp_path / "wh"
    ingest([corpus], wh)
    assert written["documents"] == 2048
    assert {written[r] for r in ("facts", "checks", "report_series")} == {parts.ROW_GROUP_ROWS}
    version = current_version(wh)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        ids = [r for (r,) in con.execute("SELECT report_id FROM documents ORDER BY report_id").fetchall()]
        assert len(ids) > 6 and all(dq.report_text(con, r) for r in ids)
    finally:
        con.close()
    con = duckdb.connect()
    try:
        rows = "SELECT printf('%064d', i) AS report_id, repeat('文', i % 50) AS text FROM range(6000) AS t(i)"
        for name, size in (("small", parts.PART_ROW_GROUPS["documents"]), ("whole", parts.ROW_GROUP_ROWS)):
            copy_to(con, rows + " ORDER BY report_id", tmp_path / f"{name}.parquet", size)
        (groups,) = con.execute(
            f"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{tmp_path / 'small.parquet'}')"
        ).fetchall()[0]
        assert groups == 3
        for report_id in (f"{i:064d}" for i in (0, 2047, 2048, 4100, 5999)):
            found = [
                con.execute(
                    f"SELECT text FROM '{tmp_path / name}.parquet' WHERE report_id = $r", {"r": report_id}
                ).fetchall()
                for name in ("small", "whole")
            ]
            assert found[0] == found[1] and len(found[0]) == 1
    finally:
        con.close()


def _replaced_reports(wh: Path) -> set[str]:
    """The report ids the current version's province deltas replace."""
    version = current_version(wh)
    assert version is not None
    con = duckdb.connect(str(version), read_only=True)
    try:
        files = [
            f
            for (f,) in con.execute(
                "SELECT file FROM _rollups WHERE relation = 'delta:agg_replaced'"
            ).fetchall()
        ]
        listed = ", ".join("'" + str(wh / f) + "'" for f in files)
        found = con.execute(f"SELECT id FROM read_parquet([{listed}]) WHERE kind = 'report'").fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in found}


def _rows_by_report(wh: Path) -> dict[str, tuple[object, ...]]:
    """Every stored report row with its cross-report check rows."""
    reports = {str(r[0]): r for r in _rows(wh, "SELECT * FROM _reports_all")}
    checks: dict[str, list[tuple[object, ...]]] = {}
    for row in _rows(wh, "SELECT * FROM _xchecks"):
        checks.setdefault(str(row[0]), []).append(row)
    return {r: (row, sorted(checks.get(r, []), key=repr)) for r, row in reports.items()}


def test_a_new_file_reads_and_replaces_only_the_reports_that_changed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One new file of an agency that has three other reports: they are derived again, but those that come
    out as they were are neither read again for the pre-aggregated tables nor replaced in the province's
    delta; a run of a new file looks nothing up in the sources log; the views equal a rebuild's."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    files = [f for batch in _batches(corpus, inbox, 1) for f in batch]
    new = next(f for f in files if f.name == "江山市人民政府办公室_2022.html")
    ingest([f for f in files if f != new], wh)
    before = _rows_by_report(wh)

    def unread(self: derive._Deriver, where: str) -> str:
        return "SELECT error('the sources log was read') AS path, NULL::VARCHAR AS report_id"

    monkeypatch.setattr(derive._Deriver, "latest_sources", unread)
    ingest([new], wh)
    monkeypatch.undo()
    after = _rows_by_report(wh)
    changed = {r for r, row in after.items() if before.get(r) != row} | (before.keys() - after.keys())
    agency = {r for r, (row, _) in after.items() if "江山市人民政府办公室" in str(row)}
    assert len(agency) >= 4 and len(changed) < len(agency), "the agency's other reports came out the same"
    assert _replaced_reports(wh) == changed
    incremental = snapshot(wh)
    rebuild(wh)
    assert snapshot(wh) == incremental


def test_unchanged_reports_are_those_with_the_same_row_and_the_same_checks() -> None:
    before = [("a", 1, None), ("b", 2, "x"), ("c", 3, "y"), ("d", 4, "z")]
    after = [("a", 1, None), ("b", 2, "x"), ("c", 3, "Y"), ("e", 5, "w")]
    checks_before = [("a", "X1", "fail"), ("b", "X1", "pass"), ("b", "X3", "pass")]
    checks_after = [("a", "X1", "fail"), ("b", "X1", "pass"), ("b", "X1", "pass")]
    assert derive.unchanged_reports(before, after, checks_before, checks_after) == {"a"}
    assert derive.unchanged_reports(before, after, [], []) == {"a", "b"}


def test_reports_parsed_in_the_run_are_read_in_its_parts_only() -> None:
    from warehouse.store.rollups import Sources

    earlier = Sources(Path("wh"), "EARLIER_FACTS", "EARLIER_SERIES", "EARLIER_CHECKS")
    written = Sources(Path("wh"), "RUN_FACTS", "RUN_SERIES", "RUN_CHECKS")
    every = Sources(
        Path("wh"), "ALL_FACTS", "ALL_SERIES", "ALL_CHECKS", split=(earlier, written, frozenset({"n"}))
    )
    both = every.only(["o", "n"])
    assert both.facts == (
        "SELECT * FROM (EARLIER_FACTS) WHERE report_id IN ('o') UNION ALL "
        "SELECT * FROM (RUN_FACTS) WHERE report_id IN ('n')"
    )
    fresh = every.only(["n"])
    assert "EARLIER" not in fresh.facts + fresh.series + fresh.own_checks
    assert "RUN" not in every.only(["o"]).series
