"""Cell values: printed text -> (value, semantic, unit).

A blank cell is never a zero and a mark such as '-', '/', '无' or '不适用' is "not applicable"; both
keep `value = None`. Money is converted to yuan by `to_metric_unit` when the printed unit says 万元.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from etl.normalise import cache_short
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


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None
    semantic: Semantic
    unit: str | None = None


def _compact(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES)
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
    digits = match.group("int").replace(",", "") + (match.group("frac") or "")
    try:
        number = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return ParsedValue(None, "invalid")
    if match.group("sign") == "-":
        number = -number
    unit = match.group("unit")
    if number == 0:
        return ParsedValue(Decimal(0), "zero", unit)
    return ParsedValue(number, "number", unit)


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
        return normalise_decimal(parsed.value * _SCALE[unit])
    return normalise_decimal(parsed.value)


def normalise_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation: 242523110.8200 -> 242523110.82."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
