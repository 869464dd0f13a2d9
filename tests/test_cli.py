"""The `xxgk` command line as users run it: exit codes, one-line errors, documented commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, ROOT
from xxgk.cli import cli

REPORT = FIXTURES / "reports" / "柯城区卫生健康局_2022_gbk.html"
XXGK = [sys.executable, "-m", "xxgk"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*XXGK, *args], cwd=cwd, capture_output=True, text=True, env=env, check=False)


@pytest.mark.slow
def test_ingest_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(REPORT, inbox / "report.html")
    ok = run("ingest", str(inbox), "--warehouse", str(tmp_path / "wh"), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "loaded (new)" in ok.stdout and "warehouse published" in ok.stdout
    (inbox / "empty.txt").write_bytes(b"")
    failed = run("ingest", str(inbox), "--warehouse", str(tmp_path / "wh"), cwd=tmp_path)
    assert failed.returncode == 1
    lines = [line for line in failed.stdout.splitlines() if "empty.txt" in line]
    assert lines == ["  in/empty.txt: error: empty file"]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(cli, ["export", "everything"]).exit_code == 2
    assert runner.invoke(cli, ["ingest"]).exit_code == 2


def test_export_without_warehouse_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "facts", "--warehouse", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "run `xxgk ingest" in result.output


def test_export_to_stdout_and_file(tmp_path: Path) -> None:
    runner = CliRunner()
    wh = str(tmp_path / "wh")
    assert runner.invoke(cli, ["ingest", str(REPORT), "--warehouse", wh]).exit_code == 0
    result = runner.invoke(cli, ["export", "reports", "--warehouse", wh])
    assert result.exit_code == 0 and "柯城区卫生健康局" in result.output
    out = tmp_path / "f.xlsx"
    assert (
        runner.invoke(
            cli, ["export", "facts", "--warehouse", wh, "--format", "xlsx", "--out", str(out)]
        ).exit_code
        == 0
    )
    assert out.stat().st_size > 0


def test_warehouse_defaults_to_environment(tmp_path: Path) -> None:
    result = CliRunner(env={"XXGK_WAREHOUSE": str(tmp_path / "envwh")}).invoke(cli, ["ingest", str(REPORT)])
    assert result.exit_code == 0
    assert (tmp_path / "envwh" / "CURRENT").exists()


def test_parse_shows_values_with_their_source() -> None:
    result = CliRunner().invoke(cli, ["parse", str(REPORT)])
    assert result.exit_code == 0
    assert "template v2021" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("v2021.admin_fees.amount"))
    assert "125000" in line and "'12.5'" in line and "本年收费金额" in line


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"xxgk {name}" in readme, name


def test_an_unchanged_file_ingested_again_leaves_no_worker_traceback(tmp_path: Path) -> None:
    """The parse worker, started early and not needed (nothing changed), exits quietly when the command
    closes its end with the worker's READY unread (a connection reset, printed as a traceback before)."""
    report = str(FIXTURES / "reports" / "江山市交通运输局_2021.txt")
    first = run("ingest", report, "--warehouse", str(tmp_path / "wh"), "--jobs", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = run("ingest", report, "--warehouse", str(tmp_path / "wh"), "--jobs", "1", cwd=tmp_path)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert "Traceback" not in again.stderr and "ConnectionResetError" not in again.stderr, again.stderr
