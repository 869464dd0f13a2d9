"""The project's DuckDB connection settings (warehouse/db.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from warehouse.db import connect, quoted

ROOT = Path(__file__).resolve().parents[1]


def test_a_connection_made_from_a_terminal_prints_no_progress_bar() -> None:
    # DuckDB turns its progress bar on when its output is a terminal; a rebuild run from one printed bars.
    primary, secondary = os.openpty()
    script = (
        "from warehouse.db import connect\n"
        "print(connect(None).execute(\"SELECT current_setting('enable_progress_bar')\").fetchone()[0])"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            stdin=secondary,
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=60,
            check=True,
        )
        printed = os.read(primary, 1024).decode()
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0
    assert printed.strip() == "False"


def test_a_quoted_path_with_a_quote_reads_back_as_the_same_path(tmp_path: Path) -> None:
    path = tmp_path / "O'Brien 县.parquet"
    con = connect(None)
    try:
        con.execute(f"COPY (SELECT 1 AS one) TO {quoted(path)} (FORMAT parquet)")
        assert con.execute(f"SELECT one FROM read_parquet({quoted(path)})").fetchall() == [(1,)]
    finally:
        con.close()
