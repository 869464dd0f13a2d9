"""`xxgk ingest --cluster local` builds the same warehouse as a plain ingest (Dask distributed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_store import snapshot
from xxgk.cli import cli
from xxgk.samples import generate_corpus

pytest.importorskip("distributed", reason="Dask distributed is the optional extra xxgk[cluster]")
XXGK = str(Path(sys.executable).with_name("xxgk"))
pytestmark = pytest.mark.slow


def test_cluster_local_builds_the_same_warehouse(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=4, years=range(2018, 2024), include_bad=True)
    runner = CliRunner()
    plain = runner.invoke(cli, ["ingest", str(corpus), "--warehouse", str(tmp_path / "plain"), "--jobs", "2"])
    # The command as users run it: Dask spawns its workers, which must not re-run a test runner's __main__.
    command = [XXGK, "ingest", str(corpus), "--warehouse", str(tmp_path / "cluster"), "--jobs", "2"]
    clustered = subprocess.run([*command, "--cluster", "local"], capture_output=True, text=True, timeout=600)
    assert plain.exit_code == clustered.returncode == 1, clustered.stderr  # the bad inputs are listed
    assert "warehouse published" in clustered.stdout
    exports = []
    for name in ("plain", "cluster"):
        out = tmp_path / f"{name}.csv"
        done = runner.invoke(cli, ["export", "facts", "--warehouse", str(tmp_path / name), "--out", str(out)])
        assert done.exit_code == 0, done.output
        exports.append(out.read_bytes())
    assert exports[0] == exports[1] and len(exports[0]) > 10_000
    ours, theirs = snapshot(tmp_path / "plain"), snapshot(tmp_path / "cluster")
    for name in ("checks", "report_series", "coverage", "agencies", "sources", "errors"):
        assert ours[name] == theirs[name], name


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, n_agencies=1, years=range(2021, 2022))
    done = CliRunner().invoke(
        cli, ["ingest", str(corpus), "--warehouse", str(tmp_path / "wh"), "--cluster", "tcp://127.0.0.1:9"]
    )
    assert done.exit_code == 1 and "cannot reach the Dask scheduler" in done.output
    assert not (tmp_path / "wh" / "CURRENT").exists()
