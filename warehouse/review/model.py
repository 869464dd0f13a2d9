"""What the review database holds, as plain frozen records."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, Literal, TypeVar, get_args

Status = Literal["pending", "approved", "returned"]
Kind = Literal["extraction", "agency_error"]
STATUSES: tuple[Status, ...] = get_args(Status)
KINDS: tuple[Kind, ...] = get_args(Kind)
MAX_DIGITS_BEFORE_POINT = 32
MAX_DECIMALS = 6
"""Facts are DECIMAL(38, 6): a corrected value must fit the same column."""


@dataclass(frozen=True)
class ReviewEvent:
    """One change of a report's review status (待审核 / 已审核 / 退回修改), with who, when and why."""

    id: int
    report_id: str
    status: Status
    comment: str
    agency_id: str | None
    agency: str | None
    year: int | None
    place_code: str | None
    source_file: str | None
    user: str
    at: str


@dataclass(frozen=True)
class Correction:
    """A corrected value for one fact of one report (by content hash); the extracted value stays."""

    id: int
    report_id: str
    metric_code: str
    breakdown: str
    original_value: str | None
    original_raw: str
    original_semantic: str
    value: str
    kind: Kind
    reason: str
    agency_id: str | None
    agency: str | None
    year: int | None
    place_code: str | None
    source_file: str | None
    created_by: str
    created_at: str
    replaces: int | None
    carried_from: int | None
    withdrawn_by: str | None
    withdrawn_at: str | None
    withdraw_reason: str | None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class CarriedReview:
    """A reviewer's decision on a correction of an earlier version, for the version that replaced it."""

    correction_id: int
    report_id: str
    decision: Literal["carried", "dismissed"]
    note: str
    user: str
    at: str


@dataclass(frozen=True)
class Snapshot:
    """Everything the query layer overlays, as of one revision of the review database."""

    revision: int = 0
    statuses: tuple[ReviewEvent, ...] = ()
    """The latest event of every report that has one."""
    corrections: tuple[Correction, ...] = ()
    """Every correction, withdrawn ones included (they are few: people make them one by one)."""
    carried: tuple[CarriedReview, ...] = ()

    @cached_property
    def _status_by_report(self) -> dict[str, ReviewEvent]:
        return {e.report_id: e for e in self.statuses}

    def status_of(self, report_id: str) -> ReviewEvent | None:
        return self._status_by_report.get(report_id)

    def active(self) -> tuple[Correction, ...]:
        return tuple(c for c in self.corrections if c.active)

    def of_report(self, report_id: str) -> tuple[Correction, ...]:
        return tuple(c for c in self.corrections if c.report_id == report_id)


R = TypeVar("R")


def from_row(cls: type[R], row: Any) -> R:
    """A record from a sqlite3.Row with the same column names."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names})


class BadValue(ValueError):
    pass


def parse_value(text: str) -> Decimal:
    """A corrected value as a person types it: full-width digits, thousands separators and spaces are
    accepted; anything that is not one finite number that fits DECIMAL(38, 6) raises BadValue."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    cleaned = cleaned.replace(",", "").replace(" ", "").replace("\u3000", "")
    if not cleaned:
        raise BadValue("no value given")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise BadValue(f"{text!r} is not a number")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise BadValue(f"{text!r} has more than {MAX_DECIMALS} decimals")
    if abs(value) >= Decimal(10) ** MAX_DIGITS_BEFORE_POINT:
        raise BadValue(f"{text!r} is too large")
    return value


def value_text(value: Decimal | None) -> str | None:
    """A decimal as stored: plain digits, no exponent, no trailing zeros (None stays None)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text
