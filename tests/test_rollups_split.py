"""A full build's province larger than a group (`rollups.GROUP_REPORTS`) has its cube sums computed in
chunks of report ids (`rollups.CHUNK_REPORTS`) and summed again: the same files, byte for byte, as the
province built whole."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.test_rollups_built import _build, ingested
from warehouse.db import connect
from warehouse.store import rollups
from warehouse.store.catalog import Catalog
from warehouse.store.version import scan_sql
from xxgk.samples import generate_corpus

TWINS = ("财政局", "教育局")
"""Departments of the same county: their reports of a year share every dimension of the cubes, so the
chunks' sums of one group of facts are summed again."""


def _warehouse(tmp_path: Path) -> tuple[Path, Catalog]:
    """The sample corpus of a province, with two departments' copies of each county's reports of two years,
    and a report of another province."""
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=6, years=range(2019, 2024), include_bad=True)
    for original in sorted(corpus.glob("*人民政府办公室_202[12].*")):
        if original.suffix != ".html":
            continue
        agency = original.name.split("_")[0]
        county = agency.removesuffix("人民政府办公室")
        text = original.read_text(encoding="utf-8")
        for twin in TWINS:
            (corpus / original.name.replace(agency, county + twin)).write_text(
                text.replace(agency, county + twin), encoding="utf-8"
            )
        if county.startswith("开化"):
            (corpus / original.name.replace(agency, "南京市财政局")).write_text(
                text.replace(agency, "南京市财政局"), encoding="utf-8"
            )
    return ingested(corpus, tmp_path / "wh")


def _shared_across_chunks(warehouse: Path, catalog: Catalog, ranges: list[str]) -> int:
    """How many groups of cube dimensions hold current reports of more than one chunk."""
    con = connect(None)
    try:
        reports = scan_sql(warehouse, "reports", catalog.files("reports"))
        chunk = " ".join(f"WHEN {r} THEN {n}" for n, r in enumerate(ranges))
        found = con.execute(f"""
            SELECT count(*) FROM (
                SELECT {rollups.DIMS_SQL} FROM ({reports}) WHERE is_current AND province_code = '330000'
                GROUP BY ALL HAVING count(DISTINCT CASE {chunk} END) > 1)""").fetchall()
        return int(found[0][0])
    finally:
        con.close()


def _hashes(warehouse: Path, files: dict[str, tuple[str, ...]]) -> dict[tuple[str, str], str]:
    return {
        (province, relation): hashlib.sha256((warehouse / name).read_bytes()).hexdigest()
        for province, names in files.items()
        for relation, name in zip(rollups.RELATIONS, names, strict=True)
    }


def test_a_province_built_in_chunks_of_reports_writes_the_files_of_it_built_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, catalog = _warehouse(tmp_path)
    chunks: list[int] = []
    id_ranges = rollups._id_ranges
    largest: list[str] = []

    def counted(con: rollups.Connection) -> list[str]:
        ranges = id_ranges(con)
        chunks.append(len(ranges))
        if len(ranges) > len(largest):
            largest[:] = ranges
        return ranges

    monkeypatch.setattr(rollups, "_id_ranges", counted)
    monkeypatch.setattr(rollups, "GROUP_REPORTS", 4)  # a group per province
    monkeypatch.setattr(rollups, "CHUNK_REPORTS", 10**9)
    whole = _build(warehouse, catalog, "whole")
    assert chunks == [1, 1]
    monkeypatch.setattr(rollups, "CHUNK_REPORTS", 4)  # the larger province in chunks
    chunks.clear()
    split = _build(warehouse, catalog, "split")
    assert len(chunks) >= 2 and max(chunks) >= 3, chunks
    assert _shared_across_chunks(warehouse, catalog, largest) >= 3
    assert sorted(split) == sorted(whole) and len(whole) >= 2
    assert _hashes(warehouse, split) == _hashes(warehouse, whole)


def test_the_ranges_of_report_ids_hold_each_report_once_and_about_a_chunk_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from warehouse.db import connect

    con = connect(None)
    try:
        con.execute(
            "CREATE TABLE new_current AS SELECT 'r' || lpad(i::VARCHAR, 3, '0') AS report_id FROM range(11) AS t(i)"
        )
        con.execute("INSERT INTO new_current VALUES ('o''brien')")
        assert rollups._id_ranges(con) == [""]
        monkeypatch.setattr(rollups, "CHUNK_REPORTS", 5)  # 12 reports: 3 chunks of 4
        ranges = rollups._id_ranges(con)
        assert len(ranges) == 3 and ranges[0] == "report_id < 'r003'" and ranges[-1] == "report_id >= 'r007'"
        counts = [con.execute(f"SELECT count(*) FROM new_current WHERE {r}").fetchall()[0][0] for r in ranges]
        assert counts == [4, 4, 4]
    finally:
        con.close()
