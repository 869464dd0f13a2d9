"""`xxgk parse` and `xxgk ingest` fork a parse worker before importing the CLI (xxgk/launch.py), and a
pool takes that worker only when it was forked with the pool's own task, memory limit and preloads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TypedDict

import click
import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, ROOT
from xxgk.cli import cli, parse_size
from xxgk.launch import exit_status, forks_early
from xxgk.workers import Limits

REPORT = FIXTURES / "reports" / "江山市交通运输局_2021.txt"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["parse", "a.txt"], True),
        (["parse", "--all-checks", "a.txt"], True),
        (["parse", "--help"], False),
        (["parse", "a.txt", "-h"], False),
        (["ingest", "a.txt"], True),
        (["ingest", "a.txt", "--jobs", "2", "--warehouse", "w"], True),
        (["ingest", "a.txt", "--cluster", "local"], False),
        (["ingest", "--cluster=tcp://h:8786", "a.txt"], False),
        (["ingest", "--help"], False),
        (["serve"], False),
        (["--version"], False),
        ([], False),
        (["a.txt", "parse"], False),
    ],
)
def test_only_a_parse_or_a_local_ingest_forks_its_worker_early(arguments: list[str], expected: bool) -> None:
    assert forks_early(arguments) is expected


def test_exit_status_is_what_sys_exit_would_give(capsys: pytest.CaptureFixture[str]) -> None:
    assert [exit_status(None), exit_status(0), exit_status(3)] == [0, 0, 3]
    assert exit_status("no such file") == 1
    assert capsys.readouterr().err == "no such file\n"


def test_the_early_worker_fits_the_pool_of_xxgk_parse_with_its_defaults() -> None:
    assert parse_size("1.5G") == Limits().memory_bytes  # --memory-limit's default


PROBE = """
import json, os, sys, time
from tests.test_workers import behave
from xxgk import workers
workers.fork_early(behave, workers.Limits(), ())
early = workers._early[0][3].process.pid
fork = sys.argv[2] == "fork"
pool = workers.Pool(behave, 1, workers.Limits(memory_bytes=int(sys.argv[1])), fork=fork)
found = [(r.value, r.failure) for _, r in pool.run([("pid", 0), ("allocate", 1000)])]
time.sleep(0.2)
try:
    os.kill(early, 0)
    alive = True
except ProcessLookupError:
    alive = False
print(json.dumps({"early": early, "found": found, "early_alive": alive, "left": len(workers._early)}))
"""


class Probe(TypedDict):
    early: int
    found: list[tuple[str | None, str]]
    early_alive: bool
    left: int


def _probe(memory_bytes: int, fork: bool = True) -> Probe:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(memory_bytes), "fork" if fork else "fresh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: Probe = json.loads(done.stdout)
    return found


@pytest.mark.parametrize("fork", [True, False], ids=["forking pool", "pool of fresh interpreters"])
def test_a_pool_takes_the_early_worker_that_fits(fork: bool) -> None:
    found = _probe(Limits().memory_bytes, fork)
    (pid, failure), (allocated, _) = found["found"]
    assert pid is not None and not failure and int(pid.split()[0]) == found["early"]
    assert allocated == "allocated 1000 MiB"
    assert found["left"] == 0


def test_an_early_worker_with_other_limits_is_killed_and_the_pool_keeps_its_own() -> None:
    found = _probe(600 << 20)
    (pid, _), (allocated, failure) = found["found"]
    assert pid is not None and int(pid.split()[0]) != found["early"]
    assert found["early_alive"] is False and found["left"] == 0
    assert allocated is None and failure == "over the memory limit of 600 MB (--memory-limit)"


@pytest.mark.parametrize("options", [[], ["--memory-limit", "800M"], ["--all-checks"]])
def test_python_m_xxgk_parse_prints_what_the_cli_prints(options: list[str]) -> None:
    expected = CliRunner().invoke(cli, ["parse", *options, str(REPORT)], terminal_width=80)
    assert expected.exit_code == 0, expected.output
    done = subprocess.run(
        [sys.executable, "-m", "xxgk", "parse", *options, str(REPORT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == expected.output


def test_python_m_xxgk_parse_of_a_bad_file_fails_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "xxgk", "parse", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == "" and done.stderr.startswith(f"{bad}: error: unsupported file type")
    assert len(done.stderr.strip().splitlines()) == 1


def test_python_m_xxgk_ingest_loads_what_an_ingest_in_process_loads(tmp_path: Path) -> None:
    """`xxgk ingest` parses in its early worker; what it stores is what `ingest()` stores."""
    from warehouse.db import connect
    from warehouse.publish import current_version
    from xxgk.ingest import ingest

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "xxgk",
            "ingest",
            str(REPORT),
            "--warehouse",
            str(tmp_path / "cli"),
            "-j",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ingest([REPORT], tmp_path / "in_process")
    facts = []
    for name in ("cli", "in_process"):
        version = current_version(tmp_path / name)
        assert version is not None
        con = connect(version, read_only=True)
        try:
            facts.append(con.execute("SELECT * FROM facts ORDER BY ALL").fetchall())
        finally:
            con.close()
    assert facts[0] and facts[0] == facts[1]


@pytest.mark.parametrize("name", sorted(cli.LAZY))
def test_a_lazy_command_is_listed_as_its_own_help_would_list_it(name: str) -> None:
    context = click.Context(cli)
    real = cli.get_command(context, name)
    listed = cli.listed_command(context, name)
    assert real is not None and listed is not None
    for limit in range(4, 400, 3):
        assert listed.get_short_help_str(limit) == real.get_short_help_str(limit), limit


def test_the_help_listing_imports_no_command_module() -> None:
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from xxgk.cli import cli\n"
        "out = CliRunner().invoke(cli, ['--help']).output\n"
        "lazy = {m for m, _ in cli.LAZY.values()}\n"
        "print(sorted(lazy & set(sys.modules)), 'pandas' in sys.modules, 'summary' in out)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "False", "True"]


def test_the_help_listing_is_what_the_commands_themselves_give(monkeypatch: pytest.MonkeyPatch) -> None:
    widths = (60, 80, 120)
    listings = [CliRunner().invoke(cli, ["--help"], terminal_width=w).output for w in widths]
    monkeypatch.setattr(type(cli), "listed_command", type(cli).get_command)
    assert listings == [CliRunner().invoke(cli, ["--help"], terminal_width=w).output for w in widths]
    assert all("findings" in listing and "summary" in listing for listing in listings)
