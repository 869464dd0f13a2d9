"""A full build's pre-aggregated tables (`rollups.build_all`, built per group of provinces without the
incremental `update`) are the files `update` writes from an empty previous version: row for row, in the
same order and row groups, with the same Parquet schema."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from warehouse.db import connect
from warehouse.publish import current_version
from warehouse.store import rollups
from warehouse.store.catalog import Catalog
from warehouse.store.writer import open_catalog
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


def _warehouse(tmp_path: Path) -> tuple[Path, Catalog]:
    """A warehouse of two provinces: the sample corpus (one) and an agency of another with a copy of one
    of its reports."""
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=6, years=range(2019, 2024), include_bad=True)
    original = next(p for p in sorted(corpus.rglob("*_2022.html")) if "人民政府办公室" in p.name)
    agency = original.name.split("_")[0]
    text = original.read_bytes().decode("utf-8")
    (original.parent / "南京市财政局_2022.html").write_text(
        text.replace(agency, "南京市财政局"), encoding="utf-8"
    )
    return ingested(corpus, tmp_path / "wh")


def ingested(corpus: Path, warehouse: Path) -> tuple[Path, Catalog]:
    """`corpus` ingested into `warehouse`, and the catalogue of its published version."""
    ingest([corpus], warehouse)
    version = current_version(warehouse)
    assert version is not None
    return warehouse, open_catalog(version)[0]


def _build(warehouse: Path, catalog: Catalog, run_id: str) -> dict[str, tuple[str, ...]]:
    con = connect(None)
    try:
        return rollups.build_all(con, warehouse, catalog, run_id)
    finally:
        con.close()


def test_a_full_build_writes_the_files_that_update_writes_from_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, catalog = _warehouse(tmp_path)
    monkeypatch.setattr(rollups, "GROUP_REPORTS", 4)  # a group per province, and more than one
    update = rollups.update

    def refused(*args: object) -> rollups.Rollups:
        raise AssertionError("a full build goes through update()")

    monkeypatch.setattr(rollups, "update", refused)
    built = _build(warehouse, catalog, "built")
    monkeypatch.setattr(rollups, "update", update)

    def from_nothing(
        con: rollups.Connection, sources: rollups.Sources, change: rollups.Change, run_id: str
    ) -> dict[str, tuple[str, ...]]:
        return rollups.update(con, sources, change, rollups.Rollups(), run_id).files

    monkeypatch.setattr(rollups, "_build_group", from_nothing)
    updated = _build(warehouse, catalog, "updated")
    assert sorted(built) == sorted(updated) and len(built) >= 2
    for province, files in built.items():
        for relation, ours, theirs in zip(rollups.RELATIONS, files, updated[province], strict=True):
            ours_file, theirs_file = pq.ParquetFile(warehouse / ours), pq.ParquetFile(warehouse / theirs)
            assert ours_file.schema_arrow == theirs_file.schema_arrow, (province, relation)
            assert ours_file.read().equals(theirs_file.read()), (province, relation)
            assert [ours_file.metadata.row_group(i).num_rows for i in range(ours_file.num_row_groups)] == [
                theirs_file.metadata.row_group(i).num_rows for i in range(theirs_file.num_row_groups)
            ], (province, relation)
