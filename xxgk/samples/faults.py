"""Planting arithmetic faults into a report's figures, and finding the error-level identities that fail."""

from __future__ import annotations

from decimal import Decimal

from xxgk.samples.labels import BREAKDOWNS, BREAKDOWNS_8, LEGAL_BREAKDOWNS, T3_OUTCOMES, T4_PREFIXES
from xxgk.samples.model import Fact, Figures

ONE = Decimal(1)
SIMPLE_FAULTS = {
    "N1": (("req.carried_out", "natural_person"), ("req.carried_out", "total")),
    "N2": (("req.granted", "natural_person"), ("req.granted", "total")),
    "N4": (("review.total", ""),),
    "O1": (("old.requests.received.online", ""),),
    "O2": (("old.requests.closed.on_time", ""),),
    "O6": (("old.reconsideration.upheld", ""),),
    "O7": (("old.litigation.other", ""),),
    "O8": (("old.staff.part_time", ""),),
}
OLD_SUMS = {
    "O1": ("old.requests.received", ("in_person", "fax", "online", "letter")),
    "O2": ("old.requests.closed", ("on_time", "extended")),
    "O6": ("old.reconsideration", ("upheld", "corrected", "other")),
    "O7": ("old.litigation", ("upheld", "corrected", "other")),
    "O8": ("old.staff", ("full_time", "part_time")),
}
TOTALS = {
    "O1": "old.requests.received",
    "O2": "old.requests.closed",
    "O6": "old.reconsideration.total",
    "O7": "old.litigation.total",
    "O8": "old.staff.total",
}


def plant(figures: Figures, fault: str) -> Figures:
    """The figures with `fault` planted; narrative faults (T1, T2) leave them unchanged."""
    found = dict(figures)
    keys = SIMPLE_FAULTS.get(fault, ())
    if fault == "N3":
        keys = ()
        if found[("req.granted", "total")] >= 1:
            found[("req.granted", "total")] -= ONE
            found[("req.partial", "total")] += ONE
        else:
            found[("req.received", "total")] += ONE
    for key in keys:
        found[key] += ONE
    return found


def counted(facts: list[Fact]) -> dict[tuple[str, str], Decimal]:
    """Facts as numbers; blank and not-applicable cells count as 0 inside an identity."""
    return {
        (f.metric_code, f.breakdown): Decimal(f.value) if f.value is not None else Decimal(0) for f in facts
    }


def old_failures(values: dict[tuple[str, str], Decimal]) -> set[str]:
    failed = set()
    for check, (prefix, parts) in OLD_SUMS.items():
        keys = [(f"{prefix}.{part}", "") for part in parts]
        total = (TOTALS[check], "")
        if (
            total in values
            and all(k in values for k in keys)
            and values[total] != sum(values[k] for k in keys)
        ):
            failed.add(check)
    return failed


def new_failures(values: dict[tuple[str, str], Decimal], template: str) -> set[str]:
    failed = set()
    eight = any(bd == "legal_subtotal" for _, bd in values)
    columns = BREAKDOWNS_8 if eight else BREAKDOWNS
    for column in columns:
        v = {code: amount for (code, bd), amount in values.items() if bd == column}
        if v["req.received"] + v["req.carried_in"] != v["req.total"] + v["req.carried_out"]:
            failed.add("N1")
        if v["req.total"] != sum(v[code] for code in T3_OUTCOMES[template]):
            failed.add("N2")
    rows = {code for code, bd in values if bd == "total"}
    for code in rows:
        if values[(code, "total")] != sum(values[(code, c)] for c in (BREAKDOWNS[0], *LEGAL_BREAKDOWNS)):
            failed.add("N3")
        if eight and values[(code, "legal_subtotal")] != sum(values[(code, c)] for c in LEGAL_BREAKDOWNS):
            failed.add("N3")
    for prefix in T4_PREFIXES:
        parts = sum(values[(f"{prefix}.{s}", "")] for s in ("upheld", "corrected", "other", "pending"))
        if values[(f"{prefix}.total", "")] != parts:
            failed.add("N4")
    return failed


def failures(facts: list[Fact], template: str) -> list[str]:
    values = counted([f for f in facts if not f.metric_code.startswith("text.")])
    found = old_failures(values) if template == "old" else new_failures(values, template)
    return sorted(found)
