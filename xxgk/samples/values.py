"""Printing one number into a table cell the way real fillers do, together with its truth fact."""

from __future__ import annotations

import random
from decimal import Decimal

from xxgk.samples.model import Cell, Fact

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
NA_MARKS = {"na_dash": "-", "na_slash": "/", "na_emdash": "—", "na_wu": "无", "na_not_applicable": "不适用"}
WAN = Decimal(10000)
PADDING = "\u3000\u00a0 "


def plain(number: Decimal) -> str:
    """A decimal string without exponent or trailing zeros: 242523110.820000 -> '242523110.82'."""
    if number % 1 == 0:
        return str(int(number))
    return format(number.normalize(), "f")


def grouped(text: str) -> str:
    whole, dot, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}{dot}{fraction}"


def stripped(text: str) -> str:
    return text.strip(PADDING)


class Printer:
    """Decides how each number of one report is printed; one instance per report."""

    def __init__(self, rng: random.Random, flags: frozenset[str]) -> None:
        self.rng = rng
        self.flags = flags
        self.na_mark = next((mark for quirk, mark in NA_MARKS.items() if quirk in flags), None)

    def cell(
        self,
        code: str,
        breakdown: str,
        number: Decimal,
        *,
        blank: bool = False,
        na: bool = False,
        scale: Decimal = Decimal(1),
        unit: str = "",
        colspan: int = 1,
    ) -> Cell:
        if number == 0 and blank:
            return self.blank(code, breakdown, colspan)
        if number == 0 and na and self.na_mark:
            return Cell(self.na_mark, colspan=colspan, fact=Fact(code, breakdown, None, "na", self.na_mark))
        raw = self.digits(number) + unit
        value = plain(number * scale if scale != 1 else number)
        fact = Fact(code, breakdown, value, "zero" if number == 0 else "number", raw)
        return Cell(self.pad(raw), colspan=colspan, fact=fact)

    def blank(self, code: str, breakdown: str, colspan: int = 1) -> Cell:
        text = "\u3000" if "ideographic_space_padding" in self.flags and self.rng.random() < 0.5 else ""
        return Cell(text, colspan=colspan, fact=Fact(code, breakdown, None, "blank", ""))

    def digits(self, number: Decimal) -> str:
        text = plain(number)
        group, widen = self.rng.random(), self.rng.random()
        if "thousands_separator" in self.flags and abs(number) >= 1000 and group < 0.7:
            return grouped(text)
        if "fullwidth_digits" in self.flags and number >= 0 and widen < 0.12:
            return text.translate(FULLWIDTH)
        return text

    def pad(self, text: str) -> str:
        roll = self.rng.random()
        if "ideographic_space_padding" in self.flags and roll < 0.35:
            return f"{text}\u3000" if roll < 0.25 else f"\u3000{text}"
        if "nbsp_padding" in self.flags and roll < 0.3:
            return f"{text}\u00a0" if roll < 0.2 else f"\u00a0{text}"
        return text

    def spare(self, number: int) -> Cell:
        """A printed number that belongs to no metric (a row outside the template)."""
        return Cell(self.pad(str(number)))
