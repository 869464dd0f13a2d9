"""The request-outcome groups of table 三 (（一）予以公开 … （六）其他处理), defined once.

`outcome_groups.csv` lists the groups (their printed number and name, the harmonised series they feed,
the code of the group when it is printed as one row); the rows inside each group (（三）不予公开 /
1.属于国家秘密 …) are the catalogue's `req.<group>.*` codes, whose labels carry their position. Table
三 extraction, the checks, the harmonised series, the dashboard and the sample generator all read this.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from etl import package_data
from etl.catalogue import metrics
from etl.normalise import label_key

NEW_TEMPLATES = ("v2019", "v2021")
_ITEM_NUMBER = re.compile(r"^(\d{1,2})[.．、]")
_ITEMS_IN: dict[tuple[str, str], tuple[OutcomeGroup, tuple[OutcomeItem, ...]]] = {}
"""`OutcomeGroup.items_in` per (group name, template), kept with the group it was read from (a group is
hashed by all its fields, so it is not the key; a different group of the same name reads afresh)."""


@dataclass(frozen=True)
class OutcomeItem:
    """One printed row inside a group: （三）不予公开 / 2.其他法律行政法规禁止公开."""

    code: str
    position: int
    printed: str
    """The row label as the template prints it, with its item number ("2.其他法律行政法规禁止公开")."""
    key: str
    """The label's matching key (etl.normalise.label_key, 其它 read as 其他)."""
    templates: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeGroup:
    name: str
    number: str
    label_zh: str
    label_en: str
    series_code: str
    whole_code: str | None
    """The code of the group printed as a single data row (req.other for （六）其他处理), if it has one."""
    whole_templates: tuple[str, ...]
    """Templates whose tables may print the group as that single row (v2019 always does for （六）)."""
    items: tuple[OutcomeItem, ...]
    reasons_in_series: bool = False
    """Whether the harmonised series keeps each row as a breakdown (refusal reasons …)."""

    @property
    def key(self) -> str:
        return label_key(self.label_zh)

    def items_in(self, template: str) -> tuple[OutcomeItem, ...]:
        found = _ITEMS_IN.get((self.name, template))
        if found is None or found[0] is not self:
            found = _ITEMS_IN[(self.name, template)] = (
                self,
                tuple(item for item in self.items if template in item.templates),
            )
        return found[1]

    def parts(self, template: str, present: Collection[str] = ()) -> tuple[str, ...]:
        """The codes that make up this group in a table of `template`, as printed.

        The template's rows, unless the table printed the group as one row (its whole code is present and
        none of its rows is), or the template has no rows for it (v2019 （六）其他处理).
        """
        items = tuple(item.code for item in self.items_in(template))
        whole = self.whole_code if template in self.whole_templates else None
        if whole is None:
            return items
        if not items or (whole in present and not any(code in present for code in items)):
            return (whole,)
        return items

    def all_codes(self) -> tuple[str, ...]:
        """Every code that may hold this group's figures, in any template or layout."""
        return (*((self.whole_code,) if self.whole_code else ()), *(item.code for item in self.items))


def _item(code: str) -> OutcomeItem:
    metric = metrics()[code]
    printed = metric.label_zh.split(" / ")[-1]
    number = _ITEM_NUMBER.match(printed)
    if number is None:
        raise ValueError(f"metrics.csv: {code} label {metric.label_zh!r} has no item number")
    key = label_key(printed).replace("其它", "其他")
    return OutcomeItem(code, int(number.group(1)), printed, key, metric.templates)


@cache
def outcome_groups() -> tuple[OutcomeGroup, ...]:
    """The groups in the template's order, each with its rows from the metric catalogue."""
    text = package_data.read_text("outcome_groups.csv")
    groups = []
    for row in csv.DictReader(text.splitlines()):
        prefix = f"req.{row['group']}."
        items = sorted(
            (_item(code) for code in metrics() if code.startswith(prefix)), key=lambda i: i.position
        )
        whole = row["whole_code"] or None
        if whole is not None and whole not in metrics():
            raise ValueError(f"outcome_groups.csv: unknown metric code {whole!r}")
        groups.append(
            OutcomeGroup(
                name=row["group"],
                number=row["number"],
                label_zh=row["label_zh"],
                label_en=row["label_en"],
                series_code=row["series_code"],
                whole_code=whole,
                whole_templates=tuple(t for t in row["whole_templates"].split(",") if t),
                items=tuple(items),
                reasons_in_series=row["reasons_in_series"] == "yes",
            )
        )
    return tuple(groups)


@cache
def _groups_by_name() -> dict[str, OutcomeGroup]:
    return {group.name: group for group in outcome_groups()}


def outcome_group(name: str) -> OutcomeGroup:
    return _groups_by_name()[name]


def handled_codes(template: str, present: Collection[str] = ()) -> tuple[str, ...]:
    """Every outcome row of table 三 in `template` whose sum is （七）总计, as the table printed them."""
    return tuple(code for group in outcome_groups() for code in group.parts(template, present))


def outcome_codes() -> tuple[str, ...]:
    """Every code that holds an outcome figure in any template or layout, in the template's order."""
    return tuple(code for group in outcome_groups() for code in group.all_codes())
