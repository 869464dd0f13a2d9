"""`xxgk serve` and `xxgk demo` as users start them (the served pages are tested in test_browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xxgk.cli import cli
from xxgk.serve import app_path, streamlit_command


def test_serve_listens_on_localhost_by_default() -> None:
    command = streamlit_command("127.0.0.1", 8501)
    assert "--server.address=127.0.0.1" in command
    assert "--server.port=8501" in command
    assert "--browser.gatherUsageStats=false" in command
    assert app_path().is_file() and app_path().name == "app.py"


def test_serve_without_a_warehouse_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--warehouse", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no warehouse directory" in result.output and "xxgk ingest" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_demo_without_serving_builds_the_warehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "CURRENT").exists()
    assert "dashboard:" not in result.output
