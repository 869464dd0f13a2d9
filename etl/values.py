"""Cell values: printed text -> (value, semantic, unit).

A blank cell is never a zero and a mark such as '-', '/', '无' or '不适用' is "not applicable"; both
keep `value = None`. Money is converted to yuan by `to_metric_unit` when the printed unit says 万元.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, InvalidOperation

from etl.normalise import cache_short, nfkc
from etl.records import Semantic

NA_MARKS = frozenset(
    {
        "-",
        "--",
        "---",
        "—",
        "——",
        "–",
        "/",
        "//",
        "\\",
        "无",
        "不适用",
        "n/a",
        "na",
        "none",
        "暂无",
        "空",
        "×",
        "x",
        "…",
    }
)
_NA_FOLDED = frozenset(unicodedata.normalize("NFKC", m).lower() for m in NA_MARKS)
UNITS = ("人次", "万元", "亿元", "元", "件", "条", "次", "篇", "个", "人", "项", "家", "%")
_UNIT_ALT = "|".join(map(re.escape, UNITS))
_NUMBER = re.compile(
    rf"^(?P<sign>[+-])?(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?(?P<unit>{_UNIT_ALT})?$"
)
_SCALE = {"万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_DASHES = dict.fromkeys(map(ord, "－﹣−‐‑"), "-")


VALUE_MAX_DIGITS = 18
"""Significant digits a printed value may have (a budget in yuan has at most 15). Together with
VALUE_MAX_DECIMALS it keeps every value exact: as a Python Decimal after scaling 亿元 to 元 (28 digits),
and in the warehouse's DECIMAL(38, 6). A longer number is not a value: `invalid`, with the reason."""
VALUE_MAX_DECIMALS = 6
"""Decimal places a printed value may have: the warehouse stores six (DECIMAL(38, 6)); a seventh would
be rounded, so such a cell is `invalid` with the reason instead."""
EXACT = Context(prec=60, traps=[InvalidOperation, Inexact])
"""Arithmetic on values that must not round: scaling and normalising raise rather than round."""


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None
    semantic: Semantic
    unit: str | None = None
    problem: str = field(default="", repr=False)
    """Why a cell that looks like a number is `invalid` (too many digits); empty otherwise."""


def _compact(raw: str) -> str:
    text = nfkc(raw).translate(_DASHES)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", text).strip()
    text = re.sub(r"^([+-])\s+", r"\1", text)
    return re.sub(rf"(\d)\s+({_UNIT_ALT})$", r"\1\2", text)


@cache_short
def parse_value(raw: str) -> ParsedValue:
    """Read one printed cell.

    >>> parse_value("１，２３４")
    ParsedValue(value=Decimal('1234'), semantic='number', unit=None)
    >>> parse_value("　").semantic
    'blank'
    """
    text = _compact(raw)
    if not text:
        return ParsedValue(None, "blank")
    if text.lower() in _NA_FOLDED:
        return ParsedValue(None, "na")
    match = _NUMBER.match(text)
    if not match:
        return ParsedValue(None, "invalid")
    unit = match.group("unit")
    whole, fraction = match.group("int").replace(",", ""), (match.group("frac") or ".")[1:].rstrip("0")
    problem = _too_long(whole, fraction)
    if problem:
        return ParsedValue(None, "invalid", unit, problem)
    number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    if match.group("sign") == "-":
        number = -number
    if number == 0:
        return ParsedValue(Decimal(0), "zero", unit)
    return ParsedValue(number, "number", unit)


def _too_long(whole: str, fraction: str) -> str:
    if len(fraction) > VALUE_MAX_DECIMALS:
        return f"{len(fraction)} decimal places, more than the {VALUE_MAX_DECIMALS} a value is stored with"
    digits = len((whole + fraction).lstrip("0"))
    if digits > VALUE_MAX_DIGITS:
        return f"{digits} significant digits, more than the {VALUE_MAX_DIGITS} a value may have"
    return ""


def is_value_text(raw: str) -> bool:
    """True when the text reads as a cell value (number, zero or a not-applicable mark)."""
    return parse_value(raw).semantic in ("number", "zero", "na")


def is_number_text(raw: str) -> bool:
    return parse_value(raw).semantic in ("number", "zero")


def to_metric_unit(parsed: ParsedValue, metric_unit: str, printed_unit: str | None) -> Decimal | None:
    """The value in the catalogue's unit: money printed in 万元 (in the cell or its label) becomes 元."""
    if parsed.value is None:
        return None
    unit = parsed.unit or printed_unit
    if metric_unit == "元" and unit in _SCALE:
        return normalise_decimal(EXACT.multiply(parsed.value, _SCALE[unit]))
    return normalise_decimal(parsed.value)


def normalise_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 242523110.8200 -> 242523110.82."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=EXACT)
    return value.normalize(EXACT)
