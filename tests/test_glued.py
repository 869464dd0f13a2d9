"""Digits printed without separators: every cut is listed, the identities choose."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract.glued import SEPARATOR, compact, segmentations


def test_table_four_has_exactly_one_reading() -> None:
    readings = [
        parts
        for parts in segmentations("10203120001200000", 15)
        if all(int(parts[i + 4]) == sum(map(int, parts[i : i + 4])) for i in (0, 5, 10))
    ]
    assert readings == [("1", "0", "2", "0", "3", "12", "0", "0", "0", "12", "0", "0", "0", "0", "0")]


def test_separators_force_a_cut() -> None:
    assert set(segmentations(f"500000{SEPARATOR}5", 7)) == {("5", "0", "0", "0", "0", "0", "5")}
    assert compact("部分公开 500000 5（三）") == f"部分公开500000{SEPARATOR}5(三)"


def test_no_leading_zeros_and_decimals_only_when_asked() -> None:
    assert list(segmentations("000", 3)) == [("0", "0", "0")]
    assert list(segmentations("24252.311082", 1, decimals=True)) == [("24252.311082",)]
    assert list(segmentations("24252.311082", 1)) == []


@settings(deadline=None)  # up to 17 digits give thousands of cuts: slow on a busy machine
@given(st.lists(st.integers(min_value=0, max_value=999), min_size=1, max_size=6))
def test_the_printed_numbers_are_always_among_the_readings(numbers: list[int]) -> None:
    glued = "".join(map(str, numbers))
    assert tuple(map(str, numbers)) in set(segmentations(glued, len(numbers)))
