"""`xxgk parse` writes its view without rich only where rich would write the same bytes (xxgk/parse_view.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from etl.pipeline import parse_file
from tests.conftest import FIXTURES
from xxgk.parse_view import View, bold_of, plain_enough, print_view, view_of, write_view

REPORTS = sorted(
    p for p in (FIXTURES / "reports").iterdir() if p.suffix in {".txt", ".htm", ".html", ".shtml", ".docx"}
)


class Stream(io.StringIO):
    """An output that says whether it is a terminal."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def through_rich(view: View, terminal: bool, environment: dict[str, str]) -> str:
    stream = Stream(terminal)
    print_view(view, Console(file=stream, _environ=environment))
    return stream.getvalue()


def written(view: View, terminal: bool, environment: dict[str, str]) -> str | None:
    """What `write_view` writes, or None when the command would leave it to rich."""
    stream = Stream(terminal)
    bold = bold_of(stream, environment)
    if bold is None or not plain_enough(view):
        return None
    write_view(view, stream, bold=bold)
    return stream.getvalue()


ENVIRONMENTS = [
    {},
    {"TERM": "xterm-256color"},
    {"TERM": "xterm", "COLORTERM": "truecolor"},
    {"TERM": "dumb"},
    {"TERM": "UNKNOWN"},
    {"TERM": "linux", "COLUMNS": "20"},
    {"TERM": "xterm", "NO_COLOR": "1"},
    {"FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "0", "TERM": "xterm"},
]


@pytest.mark.parametrize("report", REPORTS, ids=[p.name for p in REPORTS])
def test_every_fixture_is_written_without_rich_as_rich_writes_it(report: Path) -> None:
    parsed = parse_file(report)
    for all_checks in (False, True):
        view = view_of(parsed, all_checks=all_checks)
        assert plain_enough(view)  # the command's fast path is taken for real reports
        for terminal in (False, True):
            for environment in ENVIRONMENTS:
                ours = written(view, terminal, environment)
                assert ours is None or ours == through_rich(view, terminal, environment), environment
            assert written(view, terminal, {"TERM": "xterm"}) is not None


PIECES = [
    *"ab :-_/|",
    " ",
    "\t",
    "\n",
    "\r",
    "\x1b",
    "\x07",
    "\x0c",
    "\x7f",
    "江",
    "ｅ",
    "😀",
    "\u2028",
    "\u0301",
]
TEXT = st.lists(
    st.sampled_from([*PIECES, ":smile:", ":-emoji:", "::", ":x:", "[bold]", "a: b", ":thumbs_up:-text:"]),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    source=TEXT,
    summary=TEXT,
    body=TEXT,
    terminal=st.booleans(),
    environment=st.sampled_from(ENVIRONMENTS),
)
def test_what_is_written_without_rich_is_what_rich_writes(
    source: str, summary: str, body: str, terminal: bool, environment: dict[str, str]
) -> None:
    view = View(source, summary, body)
    ours = written(view, terminal, environment)
    if ours is not None:
        assert ours == through_rich(view, terminal, environment)


def test_rich_decides_when_its_own_variables_are_set() -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        assert bold_of(Stream(False), {name: "1"}) is None
    assert bold_of(Stream(True), {"TERM": "xterm"}) is True
    assert bold_of(Stream(True), {"TERM": "dumb"}) is False
    assert bold_of(Stream(False), {"TERM": "xterm"}) is False


def test_tabs_control_characters_and_emoji_codes_go_to_rich() -> None:
    assert not plain_enough(View("a\tb", "", ""))
    assert not plain_enough(View("a\nb", "", ""))
    assert not plain_enough(View("a", "x :smile: y", ""))
    assert not plain_enough(View("a", "", "x\ry"))
    assert plain_enough(View("a", "x: y", "one\ntwo: three"))
