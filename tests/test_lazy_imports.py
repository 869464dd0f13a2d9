"""`xxgk parse FILE` imports only what parsing needs (docs/scale.md: start-up time and memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, ROOT

PROBE = """
import sys
from click.testing import CliRunner
from xxgk.cli import cli
result = CliRunner().invoke(cli, ["parse", sys.argv[1]])
assert result.exit_code == 0, result.output
heavy = sorted(m for m in ("pandas", "duckdb", "streamlit", "pdfplumber", "docx", "pyarrow", "plotly",
                           "httpx", "etl.collect", "rapidfuzz", "charset_normalizer")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_parse_of_a_text_report_imports_no_heavy_module() -> None:
    report = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


WORKER_PROBE = """
import sys
from xxgk.parsing import PRELOADED, Job, parse_one
from xxgk.workers import _preload
_preload(PRELOADED)
parsed = parse_one(Job(sys.argv[1]))
assert parsed.result.__class__.__name__ == "ParsedReport", parsed.result
heavy = sorted(m for m in ("pandas", "duckdb", "streamlit", "pyarrow", "plotly", "rich", "pdfplumber",
                           "docx", "httpx", "warehouse", "dashboard") if m in sys.modules)
print(",".join(heavy))
"""


def test_the_parse_worker_of_a_text_report_imports_no_heavy_module() -> None:
    """What `xxgk parse`'s worker loads (its preloads and one parse) on top of what the command had."""
    report = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
    done = subprocess.run(
        [sys.executable, "-c", WORKER_PROBE, str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


INGEST_PROBE = """
import sys
from pathlib import Path
from xxgk.ingest import ingest
for report in sys.argv[2:]:  # a warehouse of one report, then one more file into it
    summary = ingest([Path(report)], Path(sys.argv[1]))
    assert summary.count("loaded") == 1, summary.outcomes
heavy = sorted(m for m in ("duckdb", "pandas", "pyarrow", "streamlit", "plotly") if m in sys.modules)
print(",".join(heavy))
"""


def test_a_one_file_ingest_imports_the_engine_but_not_the_duckdb_package(tmp_path: Path) -> None:
    """An ingest runs SQL only: `_duckdb` without the `duckdb` package's Python API (warehouse/engine.py)."""
    reports = [
        FIXTURES / "reports" / "江山市交通运输局_2021.txt",
        FIXTURES / "reports" / "江山市农业农村局_2024.htm",
    ]
    done = subprocess.run(
        [sys.executable, "-c", INGEST_PROBE, str(tmp_path), *map(str, reports)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


QUICK_PROBE = """
import contextlib, io, sys
from xxgk.quick_parse import arguments_of, parse_command
shown = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # as a pipe: not a terminal, UTF-8
with contextlib.redirect_stdout(shown):
    parse_command(arguments_of(["parse", sys.argv[1]], {}))
shown.flush()
assert "v2021.regulations.issued" in shown.buffer.getvalue().decode(), shown.buffer.getvalue()
heavy = sorted(m for m in ("click", "rich", "xxgk.cli", "xxgk.parsing", "etl.records", "etl.pipeline",
                           "multiprocessing", "socket", "subprocess", "ctypes", "pandas", "duckdb")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_the_parse_command_itself_imports_neither_click_rich_nor_the_parsers() -> None:
    """`xxgk parse FILE`'s own process (xxgk/quick_parse.py): its worker, a fork, parses and builds the
    lines to print; the command reads its arguments, waits and writes."""
    report = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
    done = subprocess.run(
        [sys.executable, "-c", QUICK_PROBE, str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
