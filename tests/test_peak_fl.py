"""What a bulk run's driver keeps once its files are loaded (docs/scale.md §5, issue12fl)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from warehouse.load import Batch, WarehouseState
from xxgk.ingest import IngestSummary, _Loader
from xxgk.parsing import Parsed


class _Run:
    """What `_Loader.load` asks of a StoreRun: the rows handed to it."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, new: list[Any], at: datetime) -> None:
        self.added += new


def test_the_loader_keeps_no_hash_once_its_files_are_loaded() -> None:
    """The hashes seen (a file of the same bytes as one loaded is not inserted twice) are needed while
    the files come, not through the derivation after them."""
    batch = Batch(at=datetime(2026, 1, 1))
    loader = _Loader(IngestSummary(), batch, WarehouseState({}, frozenset(), {}))
    rows = SimpleNamespace(template="v2021", has_warnings=False, failing=0)
    parsed = [Parsed(f"/in/{n}.html", f"d{n % 3}", 10, rows) for n in range(7)]  # type: ignore[arg-type]
    run = _Run()
    loader.load(run, parsed, lambda _: None)  # type: ignore[arg-type]
    assert len(run.added) == 3  # the same bytes inserted once
    assert batch.sources == {f"/in/{n}.html": f"d{n % 3}" for n in range(7)}
    assert loader.seen == set()
