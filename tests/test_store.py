"""The Parquet-parts store: incremental ingests equal a full rebuild, a failed or killed ingest publishes
nothing, compaction keeps the answers, readers keep their version (docs/scale.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.db import connect
from warehouse.publish import current_version
from warehouse.store import derive as derive_module
from warehouse.store import full as full_module
from warehouse.store import rollups as rollups_module
from warehouse.store.rollups import RELATIONS
from xxgk.ingest import ingest, rebuild
from xxgk.samples import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
DERIVED_QUERIES = {
    "reports": "SELECT * EXCLUDE (ingested_at) FROM reports",
    "checks": "SELECT * FROM checks",
    "report_series": "SELECT * FROM report_series",
    "series": "SELECT * FROM series",
    "coverage": "SELECT * FROM coverage",
    "agencies": "SELECT * FROM agencies",
    "facts": "SELECT * FROM facts",
    "sources": "SELECT path, report_id FROM sources",
    "errors": "SELECT source_file, kind, reason FROM ingest_errors",
    **{name: f"SELECT * FROM {name}" for name in RELATIONS},
}


def snapshot(directory: Path) -> dict[str, list[tuple[object, ...]]]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in DERIVED_QUERIES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("store_corpus")
    generate_corpus(base, n_agencies=6, years=range(2017, 2024), include_bad=True)
    return base


def _files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(".json"))


def _batches(corpus: Path, inbox: Path, n: int) -> list[list[Path]]:
    files = _files(corpus)
    batches: list[list[Path]] = [[] for _ in range(n)]
    for i, file in enumerate(files):
        target = inbox / file.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, target)
        batches[(i * 7) % n].append(target)
    return batches


def _last_batch_pending(corpus: Path, tmp_path: Path) -> tuple[list[Path], Path, Path]:
    """Three batches of `corpus`, all ingested into one warehouse and the first two into another: the third
    batch, the warehouse that lacks it and the one that has it."""
    inbox, wh, other = tmp_path / "inbox", tmp_path / "wh", tmp_path / "other"
    batches = _batches(corpus, inbox, 3)
    for batch in batches:
        ingest(batch, other)
    for batch in batches[:2]:
        ingest(batch, wh)
    return batches[2], wh, other


def test_incremental_ingests_equal_a_full_rebuild(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for batch in _batches(corpus, inbox, 5):
        ingest(batch, wh)
        step = snapshot(wh)  # the coverage rollup is kept by difference: equal to the view after every run
        assert step["agg_coverage"] == step["coverage"]
    _change_a_cell(_editable(inbox))
    shutil.copy(sorted(inbox.rglob("*.html"))[0], inbox / "copy_of_a_report.html")
    ingest([inbox], wh)
    incremental = snapshot(wh)
    rebuild(wh)
    assert snapshot(wh) == incremental
    assert incremental["reports"] and incremental["checks"] and incremental["coverage"]
    assert all(incremental[name] for name in RELATIONS), "the pre-aggregated tables must be compared"
    assert {row[1] for row in incremental["checks"]} >= {"X1", "X3", "X4", "X5"}
    _upgraded_equals(wh, incremental)


def _upgraded_equals(wh: Path, expected: dict[str, list[tuple[object, ...]]]) -> None:
    """A version of an earlier rollups format (a kept store) is read as having none; `add_rollups` (the
    upgrade) publishes it again with every table built: the same as the incremental ingests and the
    rebuild (`agg_agencies` of ROLLUPS_FORMAT 6 and `agg_listing` of 7 included)."""
    from warehouse import dashboard_queries as dq
    from warehouse.store.catalog import ROLLUPS_FORMAT
    from warehouse.store.writer import add_rollups

    version = current_version(wh)
    assert version is not None
    con = duckdb.connect(str(version))
    try:
        con.execute(
            "UPDATE warehouse_info SET value = ? WHERE key = 'rollups'", [str(int(ROLLUPS_FORMAT) - 1)]
        )
        assert not dq.has_rollups(con)
    finally:
        con.close()
    upgraded = add_rollups(wh)
    assert upgraded != version
    assert snapshot(wh) == expected


def _rollup_files(directory: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Province → its pre-aggregated files, and province → its delta files, of the current version."""
    version = current_version(directory)
    assert version is not None
    con = duckdb.connect(str(version), read_only=True)
    try:
        rows = con.execute("SELECT province, relation, file FROM _rollups ORDER BY province, seq").fetchall()
    finally:
        con.close()
    files: dict[str, list[str]] = {}
    deltas: dict[str, list[str]] = {}
    for province, relation, file in rows:
        (deltas if relation.startswith("delta:") else files).setdefault(province, []).append(file)
    return files, deltas


def test_rollup_deltas_and_their_folding_equal_a_full_rebuild(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest leaves a delta per touched province that the agg_* views apply to the province's files;
    past FOLD_REPORTS replaced reports the delta is folded into them. With a changed report and one whose
    file no longer holds a report, both give what a full rebuild gives."""
    monkeypatch.setattr(rollups_module, "FOLD_REPORTS", 30)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    seen_delta = seen_fold = False
    before: dict[str, list[str]] = {}
    for batch in _batches(corpus, inbox, 6):
        ingest(batch, wh)
        files, deltas = _rollup_files(wh)
        seen_delta |= bool(deltas)
        seen_fold |= any(before.get(p) not in (None, f) for p, f in files.items())
        before = files
        step = snapshot(wh)
        assert step["agg_coverage"] == step["coverage"]
    assert seen_delta and seen_fold
    changed = _editable(inbox)
    _change_a_cell(changed)
    # A value that becomes blank: its groups keep their rows, with no value left (NULL, not 0).
    blanked = _editable(inbox, other_than=changed)
    text = blanked.read_text(encoding="utf-8")
    blanked.write_text(NUMBER_CELL.sub("\n\t\n", text), encoding="utf-8")
    # A report whose file now holds another agency's report: its groups are left without rows.
    html = [p for p in sorted(inbox.rglob("*.html")) if "bad" not in p.parts]
    gone = html[0]
    other = next(p for p in html if p.name.split("_")[0] != gone.name.split("_")[0])
    gone_id = _rows(wh, f"SELECT report_id FROM sources WHERE path = '{gone.resolve()}'")
    assert gone_id, "the report to replace by nothing must be stored"
    gone.write_bytes(other.read_bytes())
    ingest([inbox], wh)
    assert _rollup_files(wh)[1], "the last ingest must leave a delta"
    incremental = snapshot(wh)
    for relation in ("reports", "agg_reports"):
        assert not _rows(wh, f"SELECT 1 FROM {relation} WHERE report_id = '{gone_id[0][0]}'"), relation
    rebuild(wh)
    assert not _rollup_files(wh)[1], "a full derivation folds every delta"
    assert snapshot(wh) == incremental
    assert all(incremental[name] for name in RELATIONS)


def test_one_run_and_many_runs_store_the_same_reports(corpus: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    batches = _batches(corpus, inbox, 4)
    for batch in batches:
        ingest(batch, tmp_path / "many")
    ingest([inbox], tmp_path / "one")
    many, one = snapshot(tmp_path / "many"), snapshot(tmp_path / "one")
    for name in ("facts", "report_series", "sources", "errors"):
        assert many[name] == one[name], name
    own = "SELECT * FROM checks WHERE check_id NOT LIKE 'X%'"
    assert _rows(tmp_path / "many", own) == _rows(tmp_path / "one", own)


NUMBER_CELL = re.compile(r"\n\t(\d+)\n")


def _editable(inbox: Path, other_than: Path | None = None) -> Path:
    """A UTF-8 text report with a cell holding a number on its own line."""
    for path in sorted(inbox.rglob("*.txt")):
        if "bad" in path.parts or path == other_than:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if NUMBER_CELL.search(text):
            return path
    raise AssertionError("no editable report in the corpus")


def _change_a_cell(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(NUMBER_CELL.sub(lambda m: f"\n\t{int(m[1]) + 1}\n", text, count=1), encoding="utf-8")


def _rows(directory: Path, sql: str) -> list[tuple[object, ...]]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


def test_reverting_a_file_revives_its_earlier_report(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    _batches(corpus, inbox, 1)
    ingest([inbox], wh)
    path = _editable(inbox)
    original = path.read_bytes()
    before = snapshot(wh)
    _change_a_cell(path)
    ingest([inbox], wh)
    path.write_bytes(original)
    summary = ingest([inbox], wh)
    assert summary.published
    after = snapshot(wh)
    for name in ("facts", "checks", "report_series", "sources", "coverage"):
        assert after[name] == before[name], name


def test_a_failed_ingest_publishes_nothing_and_leaves_no_files(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    version, before = current_version(wh), snapshot(wh)
    files = sorted(p.relative_to(wh) for p in wh.rglob("*.parquet"))

    def broken(*_: object) -> None:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(derive_module, "_write_buckets", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        ingest(second, wh)
    assert current_version(wh) == version and snapshot(wh) == before
    assert sorted(p.relative_to(wh) for p in wh.rglob("*.parquet")) == files
    assert not list(wh.glob("*.tmp"))


KILLER = """
import os, signal, sys
from pathlib import Path
from warehouse.store import writer
from xxgk.ingest import ingest

def die(self, path):
    os.kill(os.getpid(), signal.SIGKILL)

writer.StoreRun.write = die
ingest([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]))
"""


def test_a_killed_ingest_publishes_nothing(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    version, before = current_version(wh), snapshot(wh)
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(wh), *map(str, second)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr.decode()
    assert current_version(wh) == version and snapshot(wh) == before
    ingest(second, wh)
    con = connect(current_version(wh), read_only=True)
    try:
        listed = {r[0] for r in con.execute("SELECT file FROM _parts").fetchall()}
        listed |= {
            f
            for row in con.execute("SELECT reports_file, xchecks_file FROM _buckets").fetchall()
            for f in row
        }
        listed |= {r[0] for r in con.execute("SELECT file FROM _rollups").fetchall()}
    finally:
        con.close()
    on_disk = {p.relative_to(wh).as_posix() for p in wh.rglob("*.parquet")}
    assert on_disk - listed <= _older_versions_files(wh), "the killed run's files were collected"


def _older_versions_files(wh: Path) -> set[str]:
    found: set[str] = set()
    for version in wh.glob("warehouse-*.duckdb"):
        con = duckdb.connect(str(version), read_only=True)
        try:
            found |= {r[0] for r in con.execute("SELECT file FROM _parts").fetchall()}
            found |= {
                f
                for row in con.execute("SELECT reports_file, xchecks_file FROM _buckets").fetchall()
                for f in row
            }
            found |= {r[0] for r in con.execute("SELECT file FROM _rollups").fetchall()}
        finally:
            con.close()
    return found


def test_many_small_runs_are_compacted_and_keep_their_answers(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    batches = _batches(corpus, inbox, 1)
    files = [f for f in batches[0] if f.suffix in (".html", ".txt")][:24]
    for file in files:
        ingest([file], wh)
    con = connect(current_version(wh), read_only=True)
    try:
        segments = con.execute("SELECT count(DISTINCT segment) FROM _parts WHERE segment <> ''").fetchall()[
            0
        ][0]
    finally:
        con.close()
    assert segments < len(files) / 2
    ingest(files, tmp_path / "one")
    assert snapshot(wh)["facts"] == snapshot(tmp_path / "one")["facts"]


def _version_contents(version: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every view's SQL and every table's rows (as text, sorted) of a version file."""
    con = duckdb.connect(str(version), read_only=True)
    try:
        views = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal").fetchall())
        tables = {
            name: sorted(repr(row) for row in con.execute(f"SELECT * FROM {name}").fetchall())
            for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
    finally:
        con.close()
    return views, tables


def test_a_version_patched_from_the_previous_one_equals_one_written_whole(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version is written as a copy of the previous one with its catalogue, runs and changed views
    replaced; across runs that add parts, derive buckets, leave deltas, fold logs and compact, it holds
    exactly what a version written from scratch holds. Another code's version is never patched."""
    from warehouse.store import version as version_module
    from warehouse.store.writer import open_catalog

    patched: list[bool] = []
    real_patched = version_module._patched

    def spy(*args: object) -> bool:
        patched.append(real_patched(*args))  # type: ignore[arg-type]
        return patched[-1]

    monkeypatch.setattr(version_module, "_patched", spy)
    monkeypatch.setattr(version_module, "FRESH_EVERY", 4)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    files = [f for f in _batches(corpus, inbox, 1)[0] if f.suffix in (".html", ".txt")][:9]

    def same_as_written_whole() -> None:
        version = current_version(wh)
        assert version is not None
        catalog, runs = open_catalog(version)
        whole = tmp_path / "whole.duckdb"
        whole.unlink(missing_ok=True)
        version_module.write_version(whole, wh, catalog, runs)
        assert _version_contents(version) == _version_contents(whole)

    for file in files[:-1]:
        ingest([file], wh)
        same_as_written_whole()
    assert patched.count(True) >= 5 and patched.count(False) >= 2  # FRESH_EVERY runs are written whole
    monkeypatch.setattr(version_module, "static_fingerprint", lambda: "written by other code")
    patched.clear()
    ingest(files[-1:], wh)
    assert patched == [False]
    same_as_written_whole()


def test_parquet_dataset_holds_every_fact_partitioned(corpus: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from xxgk.cli import cli

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    _batches(corpus, inbox, 1)
    ingest([inbox], wh)
    out = tmp_path / "dataset"
    result = CliRunner().invoke(cli, ["export", "parquet-dataset", "--warehouse", str(wh), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list((out / "facts").glob("year=*/province=*/*.parquet"))
    con = duckdb.connect()
    try:
        facts = con.execute(
            f"SELECT report_id, metric_code, breakdown, value FROM read_parquet('{out}/facts/**/*.parquet', "
            "hive_partitioning = true) ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert facts == _rows(wh, "SELECT report_id, metric_code, breakdown, value FROM facts ORDER BY ALL")
    again = CliRunner().invoke(cli, ["export", "parquet-dataset", "--warehouse", str(wh), "--out", str(out)])
    assert again.exit_code == 1 and "not empty" in again.output


def test_a_moved_warehouse_reads_and_ingests_where_it_is(corpus: Path, tmp_path: Path) -> None:
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    first, second = _batches(corpus, inbox, 2)
    ingest(first, wh)
    before = snapshot(wh)
    moved = tmp_path / "moved"
    shutil.copytree(wh, moved)
    shutil.rmtree(wh)
    assert snapshot(moved) == before
    ingest(second, moved)
    assert len(snapshot(moved)["reports"]) > len(before["reports"])


def test_a_copied_table_in_another_agency_reaches_the_first_agencys_x4(corpus: Path, tmp_path: Path) -> None:
    """X4 across agencies: loading agency B's copy of A's tables changes A's finding too, incrementally
    exactly as a rebuild would."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    _batches(corpus, inbox, 1)
    original = next(p for p in sorted(inbox.glob("*_2022.html")) if "人民政府办公室" in p.name)
    agency = original.name.split("_")[0]
    twin_agency = agency.replace("人民政府办公室", "财政局")
    ingest([inbox], wh)
    copy = tmp_path / "copy" / f"{twin_agency}_2022.html"
    copy.parent.mkdir()
    text = original.read_bytes().decode("utf-8")
    copy.write_text(text.replace(agency, twin_agency), encoding="utf-8")
    ingest([copy], wh)
    x4 = _rows(
        wh,
        "SELECT r.agency, c.status FROM checks c JOIN reports r USING (report_id) "
        "WHERE c.check_id = 'X4' AND r.year = 2022 AND c.status = 'fail'",
    )
    assert {a for a, _ in x4} >= {agency, twin_agency}
    incremental = snapshot(wh)
    rebuild(wh)
    assert snapshot(wh) == incremental


def test_a_full_derivation_in_small_groups_equals_one_done_at_once(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full derivation (first build, rebuild) derives a few buckets and provinces at a time: done in
    many groups it gives what one group gives — X4 across agencies in different groups included."""
    from warehouse.store import catalog

    monkeypatch.setattr(catalog, "BUCKET_REPORTS", 3)  # many buckets, so the twins fall apart
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    _batches(corpus, inbox, 1)
    original = next(p for p in sorted(inbox.glob("*_2022.html")) if "人民政府办公室" in p.name)
    agency = original.name.split("_")[0]
    twin_agency = "南京市财政局"  # in another province: the rollups are built in two groups of provinces
    text = original.read_bytes().decode("utf-8")
    (inbox / f"{twin_agency}_2022.html").write_text(text.replace(agency, twin_agency), encoding="utf-8")
    ingest([inbox], wh)
    at_once = snapshot(wh)
    x4 = {row[0] for row in at_once["checks"] if row[1] == "X4" and row[3] == "fail"}
    assert len(x4) >= 2
    assert len({row[8] for row in at_once["agg_reports"]}) >= 2  # province_code
    calls = {"groups": 0, "provinces": 0}
    checks, build_group = full_module._checks, rollups_module._build_group

    def counted_checks(*args: object) -> int:
        calls["groups"] += 1
        return checks(*args)  # type: ignore[arg-type]

    def counted_build_group(*args: object) -> dict[str, tuple[str, ...]]:
        calls["provinces"] += 1
        return build_group(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(full_module, "GROUP_REPORTS", 4)
    monkeypatch.setattr(rollups_module, "GROUP_REPORTS", 4)
    monkeypatch.setattr(full_module, "_checks", counted_checks)
    monkeypatch.setattr(rollups_module, "_build_group", counted_build_group)
    ingest([inbox], tmp_path / "grouped")
    assert snapshot(tmp_path / "grouped") == at_once
    rebuild(wh)
    assert snapshot(wh) == at_once
    assert calls["groups"] > 4 and calls["provinces"] >= 4, calls


def test_buckets_double_as_the_warehouse_grows_and_keep_the_answers(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.store import catalog

    monkeypatch.setattr(catalog, "BUCKET_REPORTS", 5)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    counts = []
    for batch in _batches(corpus, inbox, 3):
        ingest(batch, wh)
        counts.append(_rows(wh, "SELECT count(*) FROM _buckets")[0][0])
    assert counts[-1] > catalog.N_BUCKETS and counts == sorted(counts)
    grown = snapshot(wh)
    monkeypatch.setattr(catalog, "BUCKET_REPORTS", 4000)
    ingest([inbox], tmp_path / "one")
    one = snapshot(tmp_path / "one")
    for name in ("facts", "report_series", "sources"):
        assert grown[name] == one[name], name
    rebuild(wh)
    assert snapshot(wh) == grown


def test_a_peers_new_years_reach_an_untouched_agencys_coverage(tmp_path: Path) -> None:
    """Coverage is kept by difference: an agency nothing touched still gains the years a peer at its
    place published outside its span (and its rows equal the view's after every run and a rebuild)."""
    generate_corpus(tmp_path / "corpus", n_agencies=14, years=range(2017, 2024))
    files = _files(tmp_path / "corpus")

    def of(agency: str, years: tuple[str, ...]) -> list[Path]:
        return [f for f in files if f.name.split("_")[0] == agency and f.name.split("_")[1][:4] in years]

    archive = of("常山县档案馆", ("2019", "2020"))
    office = of("常山县人民政府办公室", ("2017", "2023"))
    assert archive and office, "the sample corpus must hold two agencies of 常山县"
    wh = tmp_path / "wh"
    outside = "SELECT year, status FROM agg_coverage WHERE agency_id = '常山县档案馆' AND NOT within_span"
    for batch in (archive, office, files):
        ingest(batch, wh)
        step = snapshot(wh)
        assert step["agg_coverage"] == step["coverage"]
        if batch is office:
            assert _rows(wh, outside) == [(2017, "missing"), (2023, "missing")]
    incremental = snapshot(wh)
    rebuild(wh)
    assert snapshot(wh) == incremental
