"""`xxgk ingest PATH…` without click, and without rich for a usual summary (xxgk/quick_ingest.py): it takes
only command lines that click takes as they are and for which no progress bar is drawn, reads them as
click does, and prints and exits as the click command does."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import click
import pytest
import rich.console
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, ROOT
from xxgk.cli import cli
from xxgk.ingest import IngestSummary, Outcome
from xxgk.quick_ingest import Arguments, arguments_of, console_width, plain_summary
from xxgk.report import print_summary

REPORT = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
FILE = str(REPORT)
FOLDER = str(REPORT.parent)


def test_a_plain_command_line_is_taken() -> None:
    assert arguments_of(["ingest", FILE], {}, terminal=False) == Arguments((REPORT,))
    found = arguments_of(["ingest", "-v", FILE, "--warehouse", "w", "-j", "2", FOLDER], {}, terminal=False)
    assert found == Arguments((REPORT, Path(FOLDER)), warehouse=Path("w"), jobs=2, verbose=True)
    assert arguments_of(["ingest", "--jobs=64", "--warehouse=w", FILE], {}, terminal=False) == Arguments(
        (REPORT,), warehouse=Path("w"), jobs=64
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest"],
        ["ingest", "--help", FILE],
        ["ingest", FILE, "-h"],
        ["ingest", "--", FILE],
        ["ingest", "-", FILE],
        ["ingest", "missing.txt"],
        ["ingest", FILE, "missing.txt"],
        ["ingest", "--jobs", "0", FILE],
        ["ingest", "--jobs", "65", FILE],
        ["ingest", "-j", "two", FILE],
        ["ingest", "-j2", FILE],
        ["ingest", "-j=2", FILE],
        ["ingest", FILE, "--jobs"],
        ["ingest", "--jobs", "1", "--jobs", "2", FILE],
        ["ingest", "--warehouse", FILE, FILE],
        ["ingest", "--warehouse", "", FILE],
        ["ingest", "--cluster", "local", FILE],
        ["ingest", "--timeout", "5", FILE],
        ["ingest", "--memory-limit", "2G", FILE],
        ["ingest", "--places-overrides", FILE, FILE],
        ["ingest", "-vv", FILE],
        ["ingest", "--verbose=1", FILE],
        ["parse", FILE],
        ["--version"],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert arguments_of(argv, {}, terminal=False) is None


@pytest.mark.parametrize(
    "environment",
    [{"_XXGK_COMPLETE": "bash_source"}, {"FORCE_COLOR": "1"}, {"FORCE_COLOR": ""}, {"TTY_COMPATIBLE": "1"}],
)
def test_a_terminal_or_what_may_draw_a_progress_bar_is_left_to_click(environment: dict[str, str]) -> None:
    assert arguments_of(["ingest", FILE], {}, terminal=True) is None
    assert arguments_of(["ingest", FILE], environment, terminal=False) is None


TOKENS = st.sampled_from(
    [
        FILE,
        FOLDER,
        "missing.txt",
        "--warehouse",
        "--warehouse=w",
        "w",
        "--jobs",
        "-j",
        "--jobs=3",
        "1",
        "64",
        "65",
        "0",
        "-v",
        "--verbose",
        "-h",
        "--",
        "-",
        "--timeout",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, max_size=6))
def test_what_it_takes_click_takes_with_the_same_values(tokens: list[str]) -> None:
    found = arguments_of(["ingest", *tokens], {}, terminal=False)
    if found is None:
        return
    command = cli.get_command(click.Context(cli), "ingest")
    assert command is not None
    params = command.make_context("ingest", list(tokens)).params
    assert found == Arguments(
        tuple(params["paths"]), warehouse=params["warehouse"], jobs=params["jobs"], verbose=params["verbose"]
    )
    assert params["cluster"] is None and params["overrides"] is None and params["aliases"] is None


def _ingest(command: list[str], warehouse: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    done = subprocess.run(
        [*command, "ingest", FILE, "--warehouse", str(warehouse), "-j", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    # the run's seconds and the version's name differ from one run to the next
    out = re.sub(r"in [0-9.]+ s", "in S s", done.stdout)
    out = re.sub(rf"{re.escape(warehouse.name)}/warehouse-[0-9T]+-[0-9]+", "VERSION", out)
    return done.returncode, out, done.stderr.replace(str(warehouse), "WAREHOUSE")


def test_the_command_prints_what_the_click_command_prints(tmp_path: Path) -> None:
    quick = _ingest([sys.executable, "-m", "xxgk"], tmp_path / "quick")
    clicked = _ingest([sys.executable, "-c", "from xxgk.cli import main; main()"], tmp_path / "click")
    assert quick == clicked
    assert quick[0] == 0 and "loaded (new)" in quick[1] and "VERSION" in quick[1]


def test_a_warehouse_that_cannot_be_written_fails_as_the_click_command_fails(tmp_path: Path) -> None:
    """A warehouse whose CURRENT names no version is refused: click's "Error: …" and status 1 from both."""
    results = []
    for name, command in (
        ("quick", [sys.executable, "-m", "xxgk"]),
        ("click", [sys.executable, "-c", "from xxgk.cli import main; main()"]),
    ):
        warehouse = tmp_path / name
        warehouse.mkdir()
        (warehouse / "CURRENT").write_text("missing.duckdb\n")
        results.append(_ingest(command, warehouse))
    assert results[0] == results[1]
    assert results[0][0] == 1 and results[0][2].startswith("Error: ")


def test_the_quick_path_imports_no_click(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "xxgk",
            "ingest",
            FILE,
            "--warehouse",
            str(tmp_path / "w"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "click" not in imported and "xxgk.cli" not in imported
    assert "rich.console" not in imported  # the summary of a run with nothing failed: plain_summary


GC_PROBE = """
import gc, sys
import xxgk.ingest
real = xxgk.ingest.ingest
def probe(*arguments, **options):
    print("GC", gc.get_threshold()[0], gc.get_freeze_count() > 10000, flush=True)
    return real(*arguments, **options)
xxgk.ingest.ingest = probe
sys.argv = ["xxgk", "ingest", sys.argv[1], "--warehouse", sys.argv[2], "-j", "1"]
from xxgk.launch import main
main()
"""


def test_the_ingest_command_collects_garbage_less_often(tmp_path: Path) -> None:
    """`xxgk ingest` collects the young generation every `INGEST_COLLECT_EVERY` objects from its first
    import on, and its run starts with what the start-up built set aside from the collector."""
    from xxgk.launch import INGEST_COLLECT_EVERY

    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE, FILE, str(tmp_path / "w")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["GC", str(INGEST_COLLECT_EVERY), "True"]


STATUSES = ("loaded", "replaced", "unchanged", "rejected", "error")
NAMES = st.text(st.sampled_from("ab1-_. ·×\\"), min_size=1, max_size=12) | st.text(
    st.sampled_from("a:[]中·"), min_size=1, max_size=4
)


@st.composite
def summaries(draw: st.DrawFn) -> IngestSummary:
    statuses = draw(st.lists(st.sampled_from(STATUSES[:3]), max_size=6) | st.lists(st.sampled_from(STATUSES)))
    detail = "Traceback …" if draw(st.integers(0, 9)) == 0 else ""
    return IngestSummary(
        outcomes=[Outcome(f"f{i}.txt", s, "why", detail=detail) for i, s in enumerate(statuses)],
        ignored=Counter(draw(st.dictionaries(NAMES, st.integers(1, 10**4), max_size=2))),
        templates=Counter(draw(st.dictionaries(NAMES, st.integers(1, 10**6), max_size=3))),
        with_warnings=draw(st.integers(0, 10**6)),
        failing_checks=draw(st.integers(0, 10**6)),
        skipped=[("loop", "a symbolic link loop")] if draw(st.integers(0, 9)) == 0 else [],
        seconds=draw(st.floats(0, 10**5, allow_nan=False)),
    )


@settings(max_examples=500, deadline=None)
@given(summaries(), st.integers(40, 140), st.sampled_from(["w", "some/warehouse", "w" * 70, "仓库", "a:b"]))
def test_the_plain_summary_is_what_rich_prints(summary: IngestSummary, width: int, directory: str) -> None:
    """Whatever `plain_summary` prints, rich's `print_summary` prints the same bytes by a console of that
    width without colour (a summary it does not take goes to rich)."""
    plain = plain_summary(summary, Path(directory), width)
    console = rich.console.Console(file=io.StringIO(), width=width, color_system=None)
    print_summary(summary, Path(directory), console)
    if plain is not None:
        assert plain == console.file.getvalue()  # type: ignore[attr-defined]


def test_the_usual_summaries_are_printed_plainly() -> None:
    summary = IngestSummary(outcomes=[Outcome("a.txt", "loaded", "")], templates=Counter({"old": 1}))
    assert plain_summary(summary, Path("w"), 80) is not None
    summary.ignored = Counter({".pdf": 3, ".doc": 1})
    assert plain_summary(summary, Path("w"), 80) is not None
    assert plain_summary(summary, Path("w"), 30) is None  # wrapped by rich
    summary.outcomes.append(Outcome("b.txt", "rejected", "not a report"))
    assert plain_summary(summary, Path("w"), 80) is None  # its list printed by rich


def test_the_console_width_is_rich_s() -> None:
    for environment in ({}, {"COLUMNS": "57"}):
        expected = rich.console.Console(file=io.StringIO(), _environ=environment).width
        assert console_width(environment) == expected
    assert console_width({"COLUMNS": "0"}) is None and console_width({"COLUMNS": "wide"}) is None
