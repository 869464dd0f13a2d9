"""Cell values: blank is not zero, marks are not numbers, money becomes yuan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.values import NA_MARKS, ParsedValue, normalise_decimal, parse_value, to_metric_unit

FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")
PADDING = st.sampled_from(["", " ", "\u3000", "\u00a0", "\t", "\u200b", "\u3000\u3000"])


@given(st.integers(min_value=-(10**12), max_value=10**12), PADDING, PADDING, st.booleans(), st.booleans())
def test_integers_survive_printing_quirks(
    number: int, left: str, right: str, wide: bool, grouped: bool
) -> None:
    printed = f"{number:,}" if grouped else str(number)
    if wide:
        printed = printed.translate(FULL_WIDTH)
    parsed = parse_value(f"{left}{printed}{right}")
    assert parsed.value == Decimal(number)
    assert parsed.semantic == ("zero" if number == 0 else "number")


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_decimals_are_exact(number: Decimal) -> None:
    parsed = parse_value(str(number))
    assert parsed.value == number


@given(PADDING, PADDING)
def test_whitespace_only_is_blank_never_zero(left: str, right: str) -> None:
    parsed = parse_value(left + right)
    assert parsed == ParsedValue(None, "blank")


@given(st.sampled_from(sorted(NA_MARKS)), PADDING)
def test_not_applicable_marks(mark: str, pad: str) -> None:
    parsed = parse_value(pad + mark + pad)
    assert parsed.value is None
    assert parsed.semantic == "na"


@given(st.text(alphabet=st.characters(categories=["Lo"]), min_size=2, max_size=6))
def test_words_are_invalid_not_numbers(word: str) -> None:
    assert parse_value(word).value is None


@pytest.mark.parametrize(
    ("printed", "value", "semantic", "unit"),
    [
        ("75394432.52元", Decimal("75394432.52"), "number", "元"),
        ("251000 元", Decimal("251000"), "number", "元"),
        ("-8", Decimal("-8"), "number", None),
        ("+3", Decimal("3"), "number", None),
        ("0.00", Decimal("0"), "zero", None),
        ("1 2", None, "invalid", None),
        ("约12", None, "invalid", None),
        ("12件", Decimal("12"), "number", "件"),
    ],
)
def test_examples(printed: str, value: Decimal | None, semantic: str, unit: str | None) -> None:
    assert parse_value(printed) == ParsedValue(value, semantic, unit)  # type: ignore[arg-type]


def test_money_in_wanyuan_becomes_yuan() -> None:
    assert to_metric_unit(parse_value("24252.311082"), "元", "万元") == Decimal("242523110.82")
    assert to_metric_unit(parse_value("1"), "元", "万元") == Decimal("10000")
    assert to_metric_unit(parse_value("3940元"), "元", "万元") == Decimal("3940")
    assert to_metric_unit(parse_value("5"), "件", "万元") == Decimal("5")
    assert to_metric_unit(parse_value(""), "元", "万元") is None


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_normalised_decimals_keep_value_and_avoid_exponents(number: Decimal) -> None:
    normal = normalise_decimal(number)
    assert normal == number
    assert "E" not in str(normal)
