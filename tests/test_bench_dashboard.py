"""`benchmarks/dashboard_bench.py` measures a cold page as a running server draws it (docs/scale.md §5,
issue 12): a cold run reads every query again, on a new connection, and compiles no script; the compiled
scripts are kept across runs as a server's `ScriptCache` keeps them, unless asked to compile again."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.runtime.scriptrunner import magic

from dashboard import data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import dashboard_bench as bench


class Seen:
    def __init__(self) -> None:
        self.reads: Counter[str] = Counter()
        self.compiled: list[str] = []
        self.connections = 0

    def take(self) -> tuple[Counter[str], list[str], int]:
        taken = (self.reads, self.compiled, self.connections)
        self.reads, self.compiled, self.connections = Counter(), [], 0
        return taken


@pytest.fixture
def seen(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seen]:
    """Every warehouse read at the dashboard's one execution point, every script compiled (the magic pass
    runs once per compilation) and every connection opened."""
    monkeypatch.setenv("XXGK_WAREHOUSE", str(sample_warehouse))
    found = Seen()
    run, add_magic, open_version = data._run, magic.add_magic, data.open_version

    def counted_run(path: str, read: Any, *args: object) -> Any:
        found.reads[read.__name__] += 1
        return run(path, read, *args)

    def counted_magic(code: str, path: str) -> Any:
        found.compiled.append(Path(path).name)
        return add_magic(code, path)

    def counted_open(path: str) -> Any:
        found.connections += 1
        return open_version(path)

    monkeypatch.setattr(data, "_run", counted_run)
    monkeypatch.setattr(magic, "add_magic", counted_magic)
    monkeypatch.setattr(data, "open_version", counted_open)
    bench.keep_compiled(True)
    try:
        yield found
    finally:
        bench.keep_compiled(False)
        bench.SCRIPTS.clear()
        bench.clear("version")


def test_a_cold_run_reads_every_query_again_on_a_new_connection_and_compiles_nothing(seen: Seen) -> None:
    bench.clear("version")
    bench.ran("staffing", {})
    first, compiled, connections = seen.take()
    assert {"places", "domain", "metric_by_year"} <= set(first)
    assert set(compiled) == {"app.py", "staffing.py"} and connections == 1

    bench.ran("staffing", {})  # warm: every read cached, nothing compiled
    assert seen.take() == (Counter(), [], 0)

    for _ in range(2):
        bench.clear("version")  # as after a new warehouse version: every read again, a new connection
        bench.ran("staffing", {})
        assert seen.take() == (first, [], 1)

    bench.clear("data")  # the data caches only: the connection and the per-version reads are kept
    bench.ran("staffing", {})
    assert seen.take() == (first - Counter({"places": 1, "domain": 1}), [], 0)


def test_recompiling_compiles_the_router_and_the_page_on_every_run(seen: Seen) -> None:
    bench.clear("version")
    bench.ran("appeals", {})
    seen.take()
    bench.keep_compiled(False)
    for _ in range(2):
        bench.ran("appeals", {})
        assert sorted(seen.take()[1]) == ["app.py", "appeals.py"]
    bench.keep_compiled(True)
    bench.ran("appeals", {})
    assert seen.take()[1] == []


def test_clearing_the_caches_outside_a_run_leaves_the_compiled_scripts() -> None:
    bench.keep_compiled(True)
    try:
        before = bench.SCRIPTS.get_bytecode(str(bench.APP))
        bench.clear("version")
        assert st.cache_data is not None and bench.SCRIPTS.get_bytecode(str(bench.APP)) is before
    finally:
        bench.keep_compiled(False)
        bench.SCRIPTS.clear()
