"""Row groups of the parts (docs/scale.md §5, one file, ninth pass): the check inputs, read for every
report of a touched agency, are written in row groups of 16,384 rows by a run and by compaction; the
parts read for one report at a time (facts, checks, series) keep row groups of 100,000, since DuckDB pays
for every row group of a file whether it reads it or not; a store's parts rewritten in other row groups
(benchmarks/rewrite_parts.py) give the same answers."""

from __future__ import annotations

import sys
from pathlib import Path

import _duckdb
import pytest

from tests.test_store import _batches, _rows, snapshot
from warehouse.publish import current_version
from warehouse.store import compact, parts
from warehouse.store.catalog import absolute
from warehouse.store.writer import open_catalog
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("row_groups_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


def test_check_inputs_are_read_by_report_from_row_groups_of_16384_as_from_one(tmp_path: Path) -> None:
    """A touched agency's check inputs are read by a constant list of its report ids (`rows_of`); in a
    part of many row groups of 16,384 rows the read finds what one row group of 100,000 gave."""
    assert parts.part_row_group("check_inputs") == 16_384
    assert parts.part_row_group("reports_parsed") == 8192
    for relation in ("facts", "checks", "report_series"):
        assert parts.part_row_group(relation) == parts.ROW_GROUP_ROWS == 100_000
    con = _duckdb.connect()
    try:
        rows = (
            "SELECT printf('%064d', i // 10) AS report_id, 'm' || (i % 10) AS metric_code, '' AS breakdown, "
            "i::DECIMAL(38, 6) AS value FROM range(40000) AS t(i) ORDER BY report_id, metric_code"
        )
        for name, size in (("small", parts.part_row_group("check_inputs")), ("whole", parts.ROW_GROUP_ROWS)):
            parts.copy_to(con, rows, tmp_path / f"{name}.parquet", size)
        groups = con.execute(
            f"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{tmp_path / 'small.parquet'}')"
        ).fetchall()
        assert groups == [(3,)]
        wanted = ", ".join(f"'{i:064d}'" for i in (0, 1, 1638, 1639, 2000, 3276, 3277, 3999, 5000))
        found = {
            name: sorted(
                con.execute(
                    f"SELECT * FROM read_parquet('{tmp_path / name}.parquet') WHERE report_id IN ({wanted})"
                ).fetchall()
            )
            for name in ("small", "whole")
        }
        assert found["small"] == found["whole"] and len(found["small"]) == 80
    finally:
        con.close()


@pytest.mark.slow
def test_a_run_and_compaction_write_the_check_inputs_in_row_groups_of_16384(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The part writer and compaction both take a relation's row groups from `part_row_group`: check
    inputs 16,384, facts, checks and series 100,000 (the fourth one-file run merges four segments)."""
    written: dict[tuple[str, str], int] = {}
    copy_to = parts.copy_to

    def recording(con: _duckdb.DuckDBPyConnection, sql: str, target: Path, row_group: int = 0) -> int:
        segment, relation = target.name.removesuffix(".parquet").split("-", 1)
        kind = "compaction" if segment.startswith("c") else "run"
        written[(kind, relation)] = row_group
        return copy_to(con, sql, target, row_group or parts.ROW_GROUP_ROWS)

    monkeypatch.setattr(parts, "copy_to", recording)
    monkeypatch.setattr(compact, "copy_to", recording)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for batch in _batches(corpus, inbox, 4):
        ingest(batch, wh)
    for kind in ("run", "compaction"):
        assert written[(kind, "check_inputs")] == 16_384, kind
        assert written[(kind, "reports_parsed")] == 8192, kind
        for relation in ("facts", "checks", "report_series"):
            assert written[(kind, relation)] == parts.ROW_GROUP_ROWS, (kind, relation)


@pytest.mark.slow
def test_parts_rewritten_in_other_row_groups_give_the_same_answers(corpus: Path, tmp_path: Path) -> None:
    """benchmarks/rewrite_parts.py rewrites a copy's parts with compaction's SQL (`compact.merge_sql`)
    in the row groups asked for (DuckDB's smallest, 2,048, is still one row group here: that a file of
    many gives the same rows is the test above): the same rows, so the same warehouse."""
    from rewrite_parts import rewrite

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for batch in _batches(corpus, inbox, 2):
        ingest(batch, wh)
    before = snapshot(wh)
    facts = _rows(wh, "SELECT * FROM facts")
    version = current_version(wh)
    assert version is not None
    catalog, _ = open_catalog(version)
    files = absolute(wh, catalog.files("facts"))

    inodes = [Path(f).stat().st_ino for f in files]
    done = rewrite(wh, {relation: 2048 for relation in parts.SORT_KEYS})
    assert {file for file, *_ in done} >= set(catalog.files("facts"))
    assert all(rows for file, rows, *_ in done if "-facts" in file or "-reports_parsed" in file)
    assert [Path(f).stat().st_ino for f in files] != inodes  # new files under the old names
    assert snapshot(wh) == before
    assert _rows(wh, "SELECT * FROM facts") == facts


def _fingerprint_encoding(files: list[str]) -> set[tuple[str, bool]]:
    con = _duckdb.connect()
    try:
        listed = ", ".join(f"'{f}'" for f in files)
        found = con.execute(
            f"SELECT encodings, bloom_filter_offset IS NOT NULL FROM parquet_metadata([{listed}]) "
            "WHERE path_in_schema = '_fingerprint'"
        ).fetchall()
    finally:
        con.close()
    return {(str(e), bool(b)) for e, b in found}


@pytest.mark.slow
def test_bucket_report_files_are_dictionary_encoded_with_a_bloom_filter_on_the_fingerprint(
    corpus: Path, tmp_path: Path
) -> None:
    """X4's neighbour search reads four columns of every bucket's report file; written with
    DICTIONARY_SIZE_LIMIT BUCKET_DICTIONARY (by a full derivation and by a run's rewrite of a bucket),
    `_fingerprint` is dictionary-encoded and has a Bloom filter, and the warehouse is the same as a
    rebuild's (which writes every bucket again)."""
    from warehouse.store import derive
    from xxgk.ingest import rebuild

    assert parts.BUCKET_DICTIONARY == 8192
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    batches = _batches(corpus, inbox, 2)
    for i, batch in enumerate(batches):
        ingest(batch, wh)
        version = current_version(wh)
        assert version is not None
        catalog, _ = open_catalog(version)
        files = absolute(wh, [reports for reports, _ in catalog.buckets.values()])
        assert files and _fingerprint_encoding(files) == {("PLAIN_DICTIONARY", True)}, i
    assert derive.BUCKET_DICTIONARY == parts.BUCKET_DICTIONARY
    incremental = snapshot(wh)
    rebuild(wh)
    assert snapshot(wh) == incremental
