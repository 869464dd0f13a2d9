"""`xxgk parse FILE` without click and rich (xxgk/quick_parse.py): it takes only command lines that click
takes as they are, reads them as click does, and prints what the click command prints."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, ROOT
from xxgk.cli import cli
from xxgk.quick_parse import Arguments, _shown, arguments_of

REPORT = FIXTURES / "reports" / "江山市交通运输局_2021.txt"
FILE = str(REPORT)


def test_a_plain_command_line_is_taken() -> None:
    assert arguments_of(["parse", FILE], {}) == Arguments(FILE)
    found = arguments_of(["parse", "-v", "--timeout", "5", FILE, "--memory-limit=800M", "--all-checks"], {})
    assert found == Arguments(FILE, all_checks=True, verbose=True, timeout=5.0, memory=800 << 20)
    assert arguments_of(["parse", f"{REPORT.parent}//./{REPORT.name}"], {}) == Arguments(FILE)


@pytest.mark.parametrize(
    "argv",
    [
        ["parse"],
        ["parse", FILE, FILE],
        ["parse", "--help", FILE],
        ["parse", FILE, "-h"],
        ["parse", "--", FILE],
        ["parse", "--timeout", "0.5", FILE],
        ["parse", "--timeout", "1e3", FILE],
        ["parse", FILE, "--timeout"],
        ["parse", "--memory-limit", "100M", FILE],
        ["parse", "--memory-limit", "lots", FILE],
        ["parse", "--all-checks", "--all-checks", FILE],
        ["parse", "--timeout", "5", "--timeout", "6", FILE],
        ["parse", "--all", FILE],
        ["parse", "-vv", FILE],
        ["parse", "--verbose=1", FILE],
        ["parse", "missing.txt"],
        ["parse", str(REPORT.parent)],
        ["ingest", FILE],
        ["--version"],
    ],
)
def test_anything_else_is_left_to_click(argv: list[str]) -> None:
    assert arguments_of(argv, {}) is None


def test_shell_completion_is_left_to_click() -> None:
    assert arguments_of(["parse", FILE], {"_XXGK_COMPLETE": "bash_source"}) is None


TOKENS = st.sampled_from(
    [
        FILE,
        "missing.txt",
        str(REPORT.parent),
        "--all-checks",
        "--verbose",
        "-v",
        "-h",
        "--timeout",
        "--timeout=5",
        "--timeout=0",
        "--memory-limit",
        "--memory-limit=2G",
        "--memory-limit=1",
        "5",
        "86400",
        "86401",
        "0.9",
        "1.5G",
        "800m",
        "128M",
        "127M",
        "--",
        "-",
        "x",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(TOKENS, max_size=6))
def test_what_it_takes_click_takes_with_the_same_values(tokens: list[str]) -> None:
    found = arguments_of(["parse", *tokens], {})
    if found is None:
        return
    command = cli.get_command(click.Context(cli), "parse")
    assert command is not None
    params = command.make_context("parse", list(tokens)).params
    assert found == Arguments(
        str(params["path"]),
        all_checks=params["all_checks"],
        verbose=params["verbose"],
        timeout=params["timeout"],
        memory=params["memory"],
    )


def _run(command: list[str], environment: dict[str, str], terminal: bool) -> tuple[int, bytes]:
    """Standard output of `command`, on a pseudo-terminal or a pipe."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env.update(environment)
    if not terminal:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, env=env, timeout=120)
        return done.returncode, done.stdout
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(60), b"".join(chunks)


@pytest.mark.parametrize(
    ("terminal", "environment"),
    [
        (True, {"TERM": "xterm-256color"}),
        (True, {"TERM": "dumb"}),
        (False, {}),
        (False, {"FORCE_COLOR": "1", "TERM": "xterm"}),
    ],
    ids=["terminal", "dumb terminal", "pipe", "pipe with FORCE_COLOR"],
)
def test_the_command_prints_what_the_click_command_prints(
    terminal: bool, environment: dict[str, str]
) -> None:
    quick = _run([sys.executable, "-m", "xxgk", "parse", "--all-checks", FILE], environment, terminal)
    clicked = _run(
        [sys.executable, "-c", "from xxgk.cli import main; main()", "parse", "--all-checks", FILE],
        environment,
        terminal,
    )
    assert quick == clicked
    assert quick[0] == 0 and b"v2021.regulations.issued" in quick[1]
    assert (b"\x1b[1m" in quick[1]) is (
        (terminal and environment.get("TERM") != "dumb") or "FORCE_COLOR" in environment
    )


def test_a_file_that_fails_prints_what_the_click_command_prints(tmp_path: Path) -> None:
    bad = tmp_path / "notes.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    runs = [
        subprocess.run(
            [*start, "parse", "-v", str(bad)], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        for start in (
            [sys.executable, "-m", "xxgk"],
            [sys.executable, "-c", "from xxgk.cli import main; main()"],
        )
    ]
    assert [(r.returncode, r.stdout, r.stderr) for r in runs[:1]] == [
        (r.returncode, r.stdout, r.stderr) for r in runs[1:]
    ]
    assert runs[0].returncode == 1 and runs[0].stderr.startswith(f"{bad}: error: unsupported file type")


def test_a_page_read_by_ocr_is_shown_as_the_click_command_shows_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from xxgk.ocr_progress import page_line

    _shown(("ocr_page", "/x/scan.pdf", 0, 3, 0.0))
    _shown(("ocr_page", "/x/scan.pdf", 1, 3, 2.5))
    _shown(("other", 1))
    lines = [page_line("/x/scan.pdf", 0, 3, 0.0), page_line("/x/scan.pdf", 1, 3, 2.5)]
    assert capsys.readouterr().err == "".join(f"{line}\n" for line in lines)
