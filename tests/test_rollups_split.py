"""A full build's province larger than a group (`rollups.GROUP_REPORTS`) has its rows computed in chunks of
its places and its files written once: the same files, byte for byte, as the province built whole."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.test_rollups_built import _build, _warehouse
from warehouse.store import rollups


def _hashes(warehouse: Path, files: dict[str, tuple[str, ...]]) -> dict[tuple[str, str], str]:
    return {
        (province, relation): hashlib.sha256((warehouse / name).read_bytes()).hexdigest()
        for province, names in files.items()
        for relation, name in zip(rollups.RELATIONS, names, strict=True)
    }


def test_a_province_built_in_chunks_of_places_writes_the_files_of_it_built_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, catalog = _warehouse(tmp_path)
    chunks: list[int] = []
    place_chunks = rollups._place_chunks

    def counted(con: rollups.Connection) -> int:
        chunks.append(place_chunks(con))
        return chunks[-1]

    monkeypatch.setattr(rollups, "_place_chunks", counted)
    monkeypatch.setattr(rollups, "GROUP_REPORTS", 4)  # a group per province
    monkeypatch.setattr(rollups, "CHUNK_REPORTS", 10**9)
    whole = _build(warehouse, catalog, "whole")
    assert chunks == [1, 1]
    monkeypatch.setattr(rollups, "CHUNK_REPORTS", 4)  # the larger province in chunks of its places
    chunks.clear()
    split = _build(warehouse, catalog, "split")
    assert len(chunks) >= 2 and max(chunks) >= 3, chunks
    assert sorted(split) == sorted(whole) and len(whole) >= 2
    assert _hashes(warehouse, split) == _hashes(warehouse, whole)


def test_the_chunks_of_places_hold_each_place_once_and_about_a_group_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from warehouse.db import connect

    con = connect(None)
    try:
        con.execute(
            "CREATE TABLE new_current (province_code VARCHAR, city_code VARCHAR, county_code VARCHAR)"
        )
        places = [("13", "1301", "130102")] * 3 + [("13", "1301", None)] * 2 + [("13", None, None)] * 4
        places += [("13", "1302", "130201")] * 6 + [(None, None, None)]
        con.executemany("INSERT INTO new_current VALUES (?, ?, ?)", places)
        assert rollups._place_chunks(con) == 1
        monkeypatch.setattr(rollups, "CHUNK_REPORTS", 5)  # places in order, a larger one alone
        assert rollups._place_chunks(con) == 3
        found = con.execute("""
            SELECT c.chunk, count(*) FROM new_current AS r JOIN roll_chunks AS c
            ON r.province_code IS NOT DISTINCT FROM c.province_code AND r.city_code IS NOT DISTINCT FROM c.city_code
               AND r.county_code IS NOT DISTINCT FROM c.county_code
            GROUP BY ALL ORDER BY ALL""").fetchall()
        assert found == [(0, 5), (1, 6), (2, 5)]
    finally:
        con.close()
