"""`xxgk parse FILE` imports only what parsing needs (docs/scale.md: start-up time and memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, ROOT

TEXT_REPORT = FIXTURES / "reports" / "江山市交通运输局_2021.txt"


def heavy_modules_loaded(probe: str, *arguments: str, timeout: float = 120) -> str:
    """What `probe` (a script that prints the heavy modules it finds loaded) prints, run in a fresh
    interpreter with `arguments`; a failing probe fails the test with its error output."""
    done = subprocess.run(
        [sys.executable, "-c", probe, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


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
    assert heavy_modules_loaded(PROBE, str(TEXT_REPORT)) == ""


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
    assert heavy_modules_loaded(WORKER_PROBE, str(TEXT_REPORT)) == ""


INGEST_PROBE = """
import sys
from pathlib import Path
from xxgk.ingest import ingest
for report in sys.argv[2:]:  # a warehouse of one report, then one more file into it
    summary = ingest([Path(report)], Path(sys.argv[1]))
    assert summary.count("loaded") == 1, summary.outcomes
heavy = sorted(m for m in ("duckdb", "pandas", "pyarrow", "streamlit", "plotly", "importlib.resources")
               if m in sys.modules)
print(",".join(heavy))
"""


def test_a_one_file_ingest_imports_the_engine_but_not_the_duckdb_package(tmp_path: Path) -> None:
    """An ingest runs SQL only: `_duckdb` without the `duckdb` package's Python API (warehouse/engine.py),
    and reads the package's data files by path, without importlib.resources (warehouse/db.py `PACKAGE`)."""
    reports = [
        TEXT_REPORT,
        FIXTURES / "reports" / "江山市农业农村局_2024.htm",
    ]
    assert heavy_modules_loaded(INGEST_PROBE, str(tmp_path), *map(str, reports), timeout=300) == ""


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
    assert heavy_modules_loaded(QUICK_PROBE, str(TEXT_REPORT)) == ""
