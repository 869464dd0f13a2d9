"""`xxgk ingest` into a pipe or a file: the summary written without rich (xxgk/summary_text.py) is the
one rich writes there, and a one-file ingest so imports no rich (docs/scale.md §5, seventh pass)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from tests.conftest import FIXTURES, ROOT
from xxgk.ingest import IngestSummary, Outcome
from xxgk.report import print_summary
from xxgk.summary_text import print_plain_summary, table_lines


def _summary(tmp_path: Path, **kwargs: object) -> IngestSummary:
    summary = IngestSummary(seconds=1.234, **kwargs)  # type: ignore[arg-type]
    summary.outcomes = [
        Outcome(str(tmp_path / "a.html"), "loaded"),
        Outcome(str(tmp_path / "b.txt"), "unchanged"),
    ]
    return summary


def _both(summary: IngestSummary, directory: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, bool]:
    monkeypatch.setattr("warehouse.store.state.stored_counts", lambda version: (12, 3456))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    by_rich = io.StringIO()
    print_summary(summary, directory, Console(file=by_rich))
    plain = io.StringIO()
    written = print_plain_summary(summary, directory, plain)
    return by_rich.getvalue(), plain.getvalue(), written


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"templates": Counter({"2021": 1})},
        {"templates": Counter({"2021": 3, "old": 12}), "with_warnings": 2, "failing_checks": 1},
        {"ignored": Counter({".json": 4, ".pdf": 1})},
        {"templates": Counter({"2021": 10000}), "ignored": Counter({".truth.json": 12345, ".csv": 3})},
    ],
)
def test_the_plain_summary_is_what_rich_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: dict[str, object]
) -> None:
    summary = _summary(tmp_path, **extra)
    summary.version = tmp_path / "warehouse-20261203T000000-1.duckdb"
    summary.published = True
    by_rich, plain, written = _both(summary, tmp_path, monkeypatch)
    assert written
    assert plain == by_rich


def test_a_table_wider_than_columns_goes_to_rich(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = _summary(tmp_path, ignored=Counter({f".x{i}": i for i in range(1, 9)}))
    summary.version = tmp_path / "warehouse-20261203T000000-1.duckdb"
    monkeypatch.setenv("COLUMNS", "60")
    by_rich, _, written = _both(summary, tmp_path, monkeypatch)
    assert not written
    monkeypatch.setenv("COLUMNS", "200")
    by_rich, plain, written = _both(summary, tmp_path, monkeypatch)
    assert written and plain == by_rich


def test_what_the_plain_summary_cannot_measure_goes_to_rich(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = _summary(tmp_path, ignored=Counter({".文档": 1}))
    assert table_lines(wide) is None
    failed = _summary(tmp_path)
    failed.outcomes.append(Outcome(str(tmp_path / "c.html"), "error", "no table"))
    assert table_lines(failed) is None
    unpublished = _summary(tmp_path)
    assert not _both(unpublished, tmp_path, monkeypatch)[2]


PROBE = """
import sys
from click.testing import CliRunner
from xxgk.cli import cli
for report in sys.argv[2:]:
    result = CliRunner().invoke(cli, ["ingest", report, "--warehouse", sys.argv[1], "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "│ loaded (new)" in result.output and "warehouse published" in result.output, result.output
print(",".join(m for m in ("rich",) if m in sys.modules))
"""


def test_a_one_file_ingest_into_a_pipe_imports_no_rich(tmp_path: Path) -> None:
    reports = [
        FIXTURES / "reports" / "江山市交通运输局_2021.txt",
        FIXTURES / "reports" / "江山市农业农村局_2024.htm",
    ]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "wh"), *map(str, reports)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
