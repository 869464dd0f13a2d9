"""What an ingest's worker does around the parser (docs/scale.md §2, "The worker's CPU around the parser"):
each faster form against the plain one it replaces, copied here — reading a file, the manifest lookup,
a check's cells as text, and the mojibake test's count of control characters."""

from __future__ import annotations

import csv
import os
import re
from decimal import Decimal, DecimalException
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import etl.collect.manifest as manifest
import etl.decode as decode
import etl.limits as limits
import warehouse.rows as rows
from etl.errors import LimitExceeded, UnreadableDocument
from etl.limits import open_input, read_input

# ---- reading a file ---------------------------------------------------------------------------------


def _old_read_input(path: str | Path) -> bytes:
    with open_input(path) as handle:
        data = handle.read(limits.MAX_FILE_BYTES.value + 1)
    limits.MAX_FILE_BYTES.check(str(path), len(data))
    return data


def _outcome(read, path):  # type: ignore[no-untyped-def]
    try:
        return read(path)
    except (LimitExceeded, UnreadableDocument) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_read_input_reads_what_one_read_of_the_limit_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", limits.Limit("MAX_FILE_BYTES", 100, "bytes in the file"))
    path = tmp_path / "report.html"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    assert _outcome(read_input, path) == _outcome(_old_read_input, path)


class _Spy:
    """A file object that records the sizes asked of `read`."""

    def __init__(self, handle, asked: list[int]) -> None:  # type: ignore[no-untyped-def]
        self.handle, self.asked = handle, asked

    def read(self, size: int) -> bytes:
        self.asked.append(size)
        return bytes(self.handle.read(size))

    def fileno(self) -> int:
        return int(self.handle.fileno())


def test_read_input_asks_for_the_file_s_size_not_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking for the whole limit made CPython allocate 200 MiB and shrink it, for every file."""
    path = tmp_path / "report.txt"
    path.write_bytes("年度报告".encode() * 100)
    asked: list[int] = []
    opened = limits.open_input

    from contextlib import contextmanager

    @contextmanager
    def spied(name):  # type: ignore[no-untyped-def]
        with opened(name) as handle:
            yield _Spy(handle, asked)

    monkeypatch.setattr(limits, "open_input", spied)
    assert read_input(path) == path.read_bytes()
    assert asked == [path.stat().st_size + 1]


def test_a_file_larger_than_its_fstat_is_read_on_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grew after its `fstat` (or says size 0, as /proc files do) is read on, as one read of
    the limit would have, and is refused past the limit."""
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_bytes(b"a" * 70)
    large.write_bytes(b"b" * 130)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", limits.Limit("MAX_FILE_BYTES", 100, "bytes in the file"))
    real_fstat = os.fstat

    def says_empty(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        values = list(info)
        values[6] = 0  # st_size
        return os.stat_result(values)

    monkeypatch.setattr(limits.os, "fstat", says_empty)
    for path in (small, large):
        assert _outcome(read_input, path) == _outcome(_old_read_input, path)
    assert read_input(small) == b"a" * 70
    with pytest.raises(LimitExceeded, match="MAX_FILE_BYTES"):
        read_input(large)


# ---- the manifest lookup ------------------------------------------------------------------------------


def _old_evidence_for(path: str | Path) -> dict[str, str]:
    file = Path(path).resolve()
    for folder in list(file.parents)[: manifest.SEARCH_UP]:
        found_manifest = folder / manifest.MANIFEST
        if not found_manifest.is_file():
            continue
        try:
            table = manifest._evidence_table(str(found_manifest), found_manifest.stat().st_mtime_ns)
        except (OSError, UnicodeDecodeError, csv.Error):
            return {}
        found = table.get(file.relative_to(folder).as_posix())
        if found is not None:
            return {k: v for k, v in found.items() if v}
    return {}


def _manifest(folder: Path, rows: list[tuple[str, str, str, str]]) -> None:
    lines = ["url,path,status,published,publisher"] + [f"{u},{p},{s},{d}," for u, p, s, d in rows]
    (folder / manifest.MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def collected(tmp_path: Path) -> Path:
    """Manifests at three levels, files at four, links to a file and a folder, a manifest that is a
    folder, a file listed in two manifests, one listed nowhere, one listed but not saved."""
    root = tmp_path / "c"
    deep = root / "省" / "市" / "县" / "乡"
    deep.mkdir(parents=True)
    for folder in (root, root / "省", root / "省" / "市", root / "省" / "市" / "县", deep):
        (folder / "r.html").write_bytes(b"<html></html>")
    (deep / "s.html").write_bytes(b"<html></html>")
    _manifest(root / "省" / "市", [("http://a/1", "县/r.html", "saved", "2021-01-01"),
                                   ("http://a/2", "县/乡/r.html", "saved", "")])  # fmt: skip
    _manifest(root, [("http://b/1", "省/r.html", "saved", "2020-02-02"),
                     ("http://b/2", "省/市/县/r.html", "saved", "2019-03-03"),
                     ("http://b/3", "r.html", "failed", "")])  # fmt: skip
    (root / "省" / "市" / "县" / "乡" / manifest.MANIFEST).mkdir()
    links = tmp_path / "links"
    links.mkdir()
    (links / "file.html").symlink_to(root / "省" / "市" / "县" / "r.html")
    (links / "folder").symlink_to(root / "省" / "市")
    (links / "loop").symlink_to(links / "loop")
    return tmp_path


def _paths(base: Path) -> list[str]:
    found = sorted(str(p) for p in base.rglob("*.html"))
    relative = [os.path.relpath(p) for p in found[:3]]
    return [*found, *relative, str(base / "links" / "file.html"), str(base / "links" / "folder" / "r.html"),
            str(base / "links" / "folder" / "县" / "乡" / "r.html"), str(base / "c" / "missing.html"),
            str(base / "c" / "省" / "." / ".." / "省" / "r.html"), "/", "/r.html", "r.html"]  # fmt: skip


def test_evidence_for_finds_what_the_path_form_found(collected: Path) -> None:
    paths = _paths(collected)
    for path in paths:
        assert manifest.evidence_for(path) == _old_evidence_for(path), path
    assert (
        manifest.evidence_for(collected / "links" / "folder" / "县" / "r.html")["published"] == "2021-01-01"
    )
    assert (
        manifest.evidence_for(collected / "c" / "省" / "市" / "县" / "r.html")["source_url"] == "http://a/1"
    )
    assert manifest.evidence_for(collected / "c" / "r.html") == {}  # listed, but not saved


def test_evidence_for_the_root_looks_at_no_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Path("/").parents` is empty: the root's own manifest is never read for the root itself."""
    looked: list[str] = []
    monkeypatch.setattr(manifest, "_regular", lambda path: looked.append(path))
    assert manifest.evidence_for("/") == {} and manifest.evidence_for("//") == {}
    assert looked == []
    assert manifest.evidence_for("/r.html") == {} and looked == ["/manifest.csv"]


def test_evidence_for_raises_what_the_path_form_raised(collected: Path) -> None:
    loop = collected / "links" / "loop"
    with pytest.raises(RuntimeError) as old:
        _old_evidence_for(loop)
    with pytest.raises(RuntimeError) as new:
        manifest.evidence_for(loop)
    assert str(new.value) == str(old.value)


def test_evidence_for_reads_no_path_objects(collected: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every worker asks it for every file: `Path.resolve` and `is_file` cost twice the `os` calls."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Path method was called")

    monkeypatch.setattr(Path, "resolve", refused)
    monkeypatch.setattr(Path, "is_file", refused)
    assert manifest.evidence_for(str(collected / "c" / "省" / "r.html"))["url"] == "http://b/1"


# ---- a check's cells as text -------------------------------------------------------------------------


def _old_cells_text(cells: tuple[tuple[str, str], ...]) -> str:
    try:
        return ";".join(map("|".join, cells))
    except TypeError:
        return ";".join(f"{code}|{breakdown}" for code, breakdown in cells)


_cell = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.floats(allow_nan=False, width=16), st.none())


@settings(max_examples=300)
@given(st.lists(st.lists(st.tuples(_cell, _cell), max_size=4).map(tuple), min_size=1, max_size=6))
def test_cells_text_kept_equals_the_join(batches: list[tuple[tuple[object, object], ...]]) -> None:
    """Asked again and in any order, with ints and floats that equal each other (1 and 1.0): the text is
    the join's, never another tuple's kept text."""
    for cells in [*batches, *reversed(batches), *batches]:
        assert rows.cells_text(cells) == _old_cells_text(cells)  # type: ignore[arg-type]


def test_cells_text_is_kept_per_cells_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows, "_CELLS_TEXTS", {})
    monkeypatch.setattr(rows, "CELLS_ENTRIES", 3)
    cells = (("req.received", "total"), ("req.carried", "total"))
    assert rows.cells_text(cells) == "req.received|total;req.carried|total"
    assert {cells: "req.received|total;req.carried|total"} == rows._CELLS_TEXTS
    assert rows.cells_text(((1, "a"),)) == "1|a" and ((1, "a"),) not in rows._CELLS_TEXTS
    unhashable = ((["x"], "a"),)
    assert rows.cells_text(unhashable) == _old_cells_text(unhashable)  # type: ignore[arg-type]
    for i in range(5):
        rows.cells_text(((f"c{i}", ""),))
    assert len(rows._CELLS_TEXTS) <= 3


# ---- control characters ------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _old_control_ratio(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / max(len(sample), 1)


@settings(max_examples=200)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x10FFFF), max_size=300),
    st.sampled_from([0, 7, 19_990, 25_000]),
)
def test_control_ratio_equals_the_regex_count(text: str, pad: int) -> None:
    """Any text (controls, surrogates, hanzi), and texts past the 20,000-character sample."""
    for candidate in (text, "年" * pad + text, text + "\x01" * pad):
        assert decode._control_ratio(candidate) == _old_control_ratio(candidate)


def test_control_characters_counted_from_the_ascii_bytes() -> None:
    assert bytes(b for b in range(128) if not _CONTROL.match(chr(b))) == decode._NOT_CONTROL
    assert decode._control_ratio("\x00\x1f\x7f\t\n\r 报告") == 3 / 9


# ---- a value's stored text -----------------------------------------------------------------------------


def _old_micro_text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = str(value)
    digits = text[1:] if text[:1] == "-" else text
    if digits.isdigit() and digits.isascii() and len(digits) <= rows.INTEGER_DIGITS:
        return text + ".000000"
    return str(value.quantize(rows.MICRO, context=rows.STORED))


def _micro_outcome(read, value):  # type: ignore[no-untyped-def]
    try:
        return read(value)
    except DecimalException as exc:
        return type(exc).__name__


_EQUAL_BUT_PRINTED_APART = [Decimal(t) for t in ("0", "-0", "0.0", "-0.000", "1", "1.0", "1E+2", "100", "1.000000",
                                                 "-5", "-5.00", "0.1234567", "1E+40", "NaN", "-NaN", "sNaN")]  # fmt: skip


@settings(max_examples=300)
@given(st.lists(st.one_of(st.none(), st.decimals(allow_nan=True, allow_infinity=True, places=None),
                          st.sampled_from(_EQUAL_BUT_PRINTED_APART)), max_size=12))  # fmt: skip
def test_micro_text_kept_equals_the_plain_one(values: list[Decimal | None]) -> None:
    """Values equal to each other but printed apart (-0 and 0, 1 and 1.0) keep their own text."""
    for value in [*values, *_EQUAL_BUT_PRINTED_APART, *values]:
        assert _micro_outcome(rows.micro_text, value) == _micro_outcome(_old_micro_text, value)


def test_equal_values_share_one_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """One string a distinct value, so a report's rows pickle (and the driver unpickles) it once."""
    monkeypatch.setattr(rows, "_MICRO_TEXTS", {})
    monkeypatch.setattr(rows, "MICRO_ENTRIES", 4)
    first, second = rows.micro_text(Decimal(3)), rows.micro_text(Decimal("3"))
    assert first == "3.000000" and first is second
    assert rows.micro_text(Decimal("-0")) == "-0.000000" and rows.micro_text(Decimal("0")) == "0.000000"
    for i in range(10):
        rows.micro_text(Decimal(i))
    assert len(rows._MICRO_TEXTS) <= 4
