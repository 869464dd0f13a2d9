"""Exact numbers as printed: Decimals without exponent or trailing zeros, money in 万元 where the official
table prints 万元, and the spreadsheet value that keeps a number exact."""

from __future__ import annotations

from decimal import Decimal

from warehouse.documents.layout import WAN_CODES

WAN = Decimal(10_000)
EXACT_FLOAT_DIGITS = 15


def plain(value: Decimal) -> str:
    """12, 3.5, 0.0001 — never 1.2E+1, 3.500000 or -0."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def shown_value(code: str, value: Decimal | None) -> Decimal | None:
    """The value in the unit the official table prints: 万元 for WAN_CODES, as stored otherwise."""
    if value is None:
        return None
    return value / WAN if code in WAN_CODES else value


def printed(code: str, value: Decimal | None) -> str:
    shown = shown_value(code, value)
    return "" if shown is None else plain(shown)


def cell_value(value: Decimal) -> int | float | str:
    """What a spreadsheet cell holds: an int or a float when it reads back as exactly this Decimal,
    otherwise the digits as text (a float cannot hold every decimal)."""
    if value == value.to_integral_value() and abs(value) < 10**EXACT_FLOAT_DIGITS:
        return int(value)
    as_float = float(value)
    if (
        Decimal(repr(as_float)) == value.normalize()
        and len(value.normalize().as_tuple().digits) <= EXACT_FLOAT_DIGITS
    ):
        return as_float
    return plain(value)
