"""What a bulk run keeps for each file through its derivation: its path, hash and outcome, packed
(docs/scale.md §5, issue12fl3)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from warehouse.load import Batch, Sources, WarehouseState
from warehouse.store import strings
from warehouse.store.strings import StringRows
from xxgk.ingest import IngestSummary, Outcome, Outcomes, _Loader
from xxgk.parsing import Failure, Parsed


class _Run:
    def add(self, new: list[Any], at: datetime) -> None:
        pass


def _path(n: int) -> str:
    return f"/data/reports/浙江省/杭州市/杭州市第{n}局_政府信息公开工作年度报告_{2014 + n % 10}.html"


def test_rows_come_back_as_appended_across_blocks() -> None:
    rows = [(_path(n), f"{n:064x}") for n in range(2 * strings.BLOCK_ROWS + 5)]
    rows += [("", ""), ("/in/\udcff-undecodable.txt", "x")]  # an empty string, os.fsdecode's surrogate
    packed = StringRows(2, rows)
    assert len(packed) == len(rows)
    assert list(packed) == rows
    assert list(packed) == rows  # read again


def test_a_string_with_nul_is_refused() -> None:
    with pytest.raises(ValueError):
        StringRows(2).append(("a\0b", "c"))
    with pytest.raises(ValueError):
        StringRows(2).append(("a",))


def test_sources_read_as_the_dict_they_replace() -> None:
    sources = Sources({"/b": "1"})
    assert not Sources() and sources
    sources["/a"] = "2"
    sources["/b"] = "3"  # set again: the latest hash, in its first place
    assert sources == {"/b": "3", "/a": "2"}
    assert list(sources.items()) == [("/b", "3"), ("/a", "2")]
    assert sorted(sources) == ["/a", "/b"] and len(sources) == 2 and sources["/a"] == "2"
    assert Batch(at=datetime(2026, 1, 1), sources={"/c": "4"}).sources == {"/c": "4"}  # type: ignore[arg-type]


def test_outcomes_come_back_in_order_with_their_reasons() -> None:
    given = [
        Outcome("/a", "loaded"),
        Outcome("/b", "rejected", "not a report"),
        Outcome("/c", "error", "internal", detail="Traceback …"),
        Outcome("/d", "unchanged", "same content as an already loaded file"),
    ] * (strings.BLOCK_ROWS // 2)
    summary = IngestSummary()
    for outcome in given:
        summary.add(outcome)
    assert isinstance(summary.outcomes, Outcomes)
    assert list(summary.outcomes) == given and len(summary.outcomes) == len(given)
    assert summary.outcomes[1] == given[1] and summary.outcomes[-2:] == given[-2:]
    assert summary.count("loaded") == summary.count("error") == strings.BLOCK_ROWS // 2
    assert summary.failed == [o for o in given if o.status in ("rejected", "error")]


def _held_per_file(files: int) -> float:
    """Bytes a loader's run keeps for each of `files` files loaded (or failed, one in ten), once the
    parsed files themselves are gone."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        summary = IngestSummary()
        batch = Batch(at=datetime(2026, 1, 1))
        loader = _Loader(summary, batch, WarehouseState({}, frozenset(), {}))
        rows = SimpleNamespace(template="v2021", has_warnings=False, failing=0, report_id="")
        parsed = (
            Parsed(
                _path(n),
                f"{n:064x}",
                10,
                Failure("rejected", "not a report") if n % 10 == 0 else rows,  # type: ignore[arg-type]
            )
            for n in range(files)
        )
        loader.load(_Run(), parsed, lambda _: None)  # type: ignore[arg-type]
        del loader, parsed
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        assert summary.count("loaded") == files - files // 10 and len(batch.sources) == files - files // 10
    finally:
        tracemalloc.stop()
    return held / files


def test_a_run_keeps_under_100_bytes_a_file_of_its_paths_hashes_and_outcomes() -> None:
    """As Python strings, outcomes and a dict they were ≈ 0.4 KB a file (≈ 41 MiB at 100k reports)."""
    assert _held_per_file(20_000) < 100
