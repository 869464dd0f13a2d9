"""A bulk ingest worker's CPU a report, tenth pass (docs/scale.md §2, issue12hp2): each faster form against
the plain one it replaces — a report row's file name, the report's print from a layout kept per codes and
breakdowns, packed columns kept per run of values, and a file's real path from its folder's."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import etl.collect.manifest as manifest
import warehouse.packed as packed
import warehouse.rows as rows
from etl.pipeline import parse_file
from tests.conftest import FIXTURES
from warehouse.packed import pack_column, pack_report

REPORTS = FIXTURES / "reports"
READABLE = sorted(
    p for p in REPORTS.iterdir() if p.suffix in {".txt", ".html", ".htm", ".shtml", ".docx"} and p.is_file()
)

# ---- a report row's file name -----------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["/", ".", "..", "a", "b.html", "文件.txt", "//", " ", "\\"]), max_size=6))
def test_file_name_is_the_path_s_name(parts: list[str]) -> None:
    path = "".join(parts)
    assert rows.file_name(path) == Path(path).name
    assert rows.file_name(PurePosixPath(path)) == Path(path).name  # type: ignore[arg-type]


# ---- the report's print -----------------------------------------------------------------------------


def _sorted_print(codes: Sequence[object], breakdowns: Sequence[object], values: Sequence[object]) -> object:
    """`report_print` as it was: its entries sorted themselves (its own form without a layout, main's)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rows, "_print_layout", lambda codes, breakdowns: None)
        return rows.report_print(codes, breakdowns, values)


def _outcome(function: Callable[..., object], *args: object) -> object:
    try:
        return function(*args)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__


CODES = st.sampled_from(
    [
        "new.t3.a",
        "new.t3.a.b",
        "new.t3",
        "text.x",
        "text",
        "text.",
        "old.section.1",
        "old.sectio",
        "a\0b",
        "\ud800",
        "表三",
    ]
)
BREAKDOWNS = st.sampled_from(["", "total", "自然人", "a\0", "\udfff", "x|y"])
VALUES = st.sampled_from([None, "0.000000", "-0.000000", "12.000000", "-3.500000", "1.5", "x", "1.000000\0"])


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.tuples(CODES, BREAKDOWNS, VALUES), max_size=8),
    st.sampled_from(["none", "code", "breakdown", "value", "unhashable", "short"]),
)
def test_report_print_from_a_layout_is_the_sorted_print(
    facts: list[tuple[str, str, str | None]], odd: str
) -> None:
    codes: list[object] = [c for c, _, _ in facts]
    breakdowns: list[object] = [b for _, b, _ in facts]
    values: list[object] = [v for _, _, v in facts]
    if facts and odd == "code":
        codes[0] = 1
    elif facts and odd == "breakdown":
        breakdowns[-1] = None
    elif facts and odd == "value":
        values[0] = 7
    elif facts and odd == "unhashable":
        codes[0] = ["a"]
    elif facts and odd == "short":
        values = values[1:]
    expected = _outcome(_sorted_print, codes, breakdowns, values)
    assert _outcome(rows.report_print, codes, breakdowns, values) == expected
    assert _outcome(rows.report_print, codes, breakdowns, values) == expected  # the layout kept


def test_report_print_of_the_fixtures_is_the_sorted_print() -> None:
    for path in READABLE:
        facts = rows.fact_columns(parse_file(path))
        if facts:
            assert rows.report_print(*facts[:3]) == _sorted_print(*facts[:3]), path.name


def test_print_layouts_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "_PRINT_LAYOUTS", {})
    for i in range(rows.PRINT_LAYOUTS + 5):
        rows.report_print([f"c{i}"], [""], ["1.000000"])
    assert 0 < len(rows._PRINT_LAYOUTS) <= rows.PRINT_LAYOUTS


# ---- packed columns kept ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(st.none(), st.sampled_from(["a", "", "表", "\0", "\ud800", "b|c"]), st.integers(0, 2)),
            max_size=5,
        ),
        max_size=6,
    )
)
def test_a_kept_column_is_the_packed_column(columns: list[list[object]]) -> None:
    kept: dict[tuple[object, ...], packed.Column] = {}
    for values in columns + columns:
        assert packed._pack_kept(list(values), kept) == pack_column(list(values))


def test_a_kept_column_with_an_unhashable_value_is_packed_as_before() -> None:
    assert packed._pack_kept([["a"], "b"], {}) == pack_column([["a"], "b"]) == [["a"], "b"]


def _no_column_twice(rows_: packed.PackedRows) -> None:
    columns = [c for c in (*rows_.facts, *rows_.checks) if packed.is_packed(c)]
    assert len({id(c) for c in columns}) == len(columns)


def test_packed_reports_pickle_as_without_kept_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each report packed twice in turn (the second from the kept columns) pickles to the same bytes as
    when nothing is kept, and no packed column object appears twice in one report's rows."""
    reports = [(parse_file(p), str(p), p.stat().st_size) for p in READABLE]
    kept = [pickle.dumps(pack_report(*r), pickle.HIGHEST_PROTOCOL) for r in reports + reports]
    for made in (pack_report(*r) for r in reports):
        _no_column_twice(made)
    monkeypatch.setattr(packed, "_pack_kept", lambda values, _kept: pack_column(values))
    plain = [pickle.dumps(pack_report(*r), pickle.HIGHEST_PROTOCOL) for r in reports + reports]
    assert kept == plain


# ---- a file's real path -----------------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """Folders, a link to a folder, a link to a file, a dangling link, a loop."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "r.html").write_text("x")
    (tmp_path / "folder").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "file").symlink_to(tmp_path / "a" / "b" / "r.html")
    (tmp_path / "a" / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return tmp_path


def test_real_path_is_realpath(linked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest, "_REAL_FOLDERS", {})
    root = str(linked)
    asked: list[str | Path] = [
        f"{root}/a/b/r.html",
        f"{root}/folder/r.html",
        f"{root}/a/file",
        f"{root}/a/dangling",
        f"{root}/a/missing.html",
        f"{root}/a/b/../b/r.html",
        f"{root}/a/./b/r.html",
        f"{root}/a//b/r.html",
        f"{root}/a/b/",
        f"{root}/a/b/.",
        f"{root}/a/b/..",
        f"{root}/loop/r.html",
        f"{root}/folder",
        "/",
        "//x",
        "relative/r.html",
        "r.html",
        Path(root) / "folder" / "r.html",
    ]
    for _ in range(2):  # the second time from the folders kept
        for path in asked:
            assert manifest._real_path(path) == os.path.realpath(path), path


def test_real_folders_are_bounded(monkeypatch: pytest.MonkeyPatch, linked: Path) -> None:
    monkeypatch.setattr(manifest, "_REAL_FOLDERS", {})
    monkeypatch.setattr(manifest, "REAL_FOLDERS", 3)
    for i in range(10):
        (linked / f"d{i}").mkdir()
        (linked / f"d{i}" / "r.html").write_text("x")
        assert manifest._real_path(str(linked / f"d{i}" / "r.html")) == str(linked / f"d{i}" / "r.html")
    assert 0 < len(manifest._REAL_FOLDERS) <= 3
