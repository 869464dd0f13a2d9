"""The metric catalogue: `metrics.csv` (identical to shared/spec/metrics.csv) plus project extensions.

Every stored number has one of these codes. Codes are never renamed; new ones go in
`metrics_extra.csv`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from etl import package_data

APPLICANT_BREAKDOWNS = (
    "natural_person",
    "commercial",
    "research",
    "social_org",
    "legal_service",
    "other_org",
    "legal_subtotal",
    "total",
)
CATALOGUE_FILES = ("metrics.csv", "metrics_extra.csv")


@dataclass(frozen=True)
class Metric:
    code: str
    templates: tuple[str, ...]
    section: str
    label_zh: str
    label_en: str
    unit: str
    parent: str
    breakdown: str

    @property
    def is_money(self) -> bool:
        return self.unit == "元"


def _read(name: str) -> list[Metric]:
    text = package_data.read_text(name)
    return [
        Metric(
            code=row["code"],
            templates=tuple(t.strip() for t in row["template"].split(",")),
            section=row["section"],
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            unit=row["unit"],
            parent=row["parent"],
            breakdown=row["breakdown"],
        )
        for row in csv.DictReader(text.splitlines())
    ]


@cache
def metrics() -> dict[str, Metric]:
    """All metrics by code, in catalogue order."""
    found: dict[str, Metric] = {}
    for name in CATALOGUE_FILES:
        for metric in _read(name):
            if metric.code in found:
                raise ValueError(f"{name}: metric code {metric.code!r} is defined twice")
            found[metric.code] = metric
    return found


def metric(code: str) -> Metric:
    try:
        return metrics()[code]
    except KeyError:
        raise KeyError(f"unknown metric code {code!r}") from None
