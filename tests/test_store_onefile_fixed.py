"""A one-file ingest's fixed costs, nineteenth pass (docs/scale.md §5): a small run derives under the
configured memory limit (no heap trimmed, no limit set and set back), and copies the previous version
without shutil."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.test_store import _last_batch_pending, snapshot
from tests.test_store_onefile_setup import _recorded
from warehouse.store.version import copy_file
from xxgk.ingest import ingest
from xxgk.samples import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("onefile_fixed_corpus")
    generate_corpus(base, n_agencies=3, years=range(2020, 2023))
    return base


def _fitted_limits(seen: list[tuple[int, str, str]]) -> list[str]:
    """The limits set in bytes: `memory.fitted`'s (the configured one, set when an instance is opened, is
    in GB)."""
    return [sql for _, sql, _ in seen if re.fullmatch(r"SET memory_limit = '[0-9]+B'", sql)]


@pytest.mark.slow
def test_a_small_run_derives_under_the_configured_limit_and_stores_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build fits DuckDB's limit to the process; a later run of a few reports leaves it as
    configured, and stores what a run that fitted it stores."""
    seen = _recorded(monkeypatch)
    last, wh, other = _last_batch_pending(corpus, tmp_path)
    assert _fitted_limits(seen)  # the first builds fitted it
    del seen[:]
    ingest(last, wh)
    monkeypatch.undo()
    assert _fitted_limits(seen) == []
    assert snapshot(wh) == snapshot(other)


@pytest.mark.parametrize("size", [0, 1, 65_537, 3 * 1024 * 1024 + 5])
def test_copy_file_copies_the_bytes(tmp_path: Path, size: int) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    data = os.urandom(size)
    source.write_bytes(data)
    target.write_bytes(b"something longer than nothing")
    copy_file(source, target)
    assert target.read_bytes() == data


def test_copy_file_without_sendfile_copies_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system whose files sendfile cannot copy (EINVAL) gets the bytes copied as shutil would."""
    import errno

    def refused(*_: object) -> int:
        raise OSError(errno.EINVAL, "sendfile not supported")

    source, target = tmp_path / "a", tmp_path / "b"
    data = os.urandom(200_003)
    source.write_bytes(data)
    monkeypatch.setattr(os, "sendfile", refused)
    copy_file(source, target)
    assert target.read_bytes() == data
