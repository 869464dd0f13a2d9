"""What each check id means, in both languages: `check_catalogue.csv`, one row per id of docs/checks.md.

The one-line meaning is shown next to the id wherever an id appears (dashboard, `xxgk checks`, the review
findings); `failed_*` is the sentence a failure reads as ("表三 第一项加第二项之和不等于第三项加第四项之和").
Labels of the breakdowns a check result carries (applicant columns, table 三 rows, table 四 groups) are
here too, so every consumer names them the same way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from etl import package_data
from etl.catalogue import metrics

BREAKDOWN_LABELS: dict[str, tuple[str, str]] = {
    "natural_person": ("自然人", "Natural persons"),
    "commercial": ("商业企业", "Commercial enterprises"),
    "research": ("科研机构", "Research institutions"),
    "social_org": ("社会公益组织", "Social welfare organisations"),
    "legal_service": ("法律服务机构", "Legal service agencies"),
    "other_org": ("其他", "Other organisations"),
    "legal_subtotal": ("法人或其他组织小计", "Organisations, subtotal"),
    "total": ("总计", "Total"),
    "review": ("行政复议", "Administrative reconsideration"),
    "suit_direct": ("未经复议直接起诉", "Lawsuits filed directly"),
    "suit_after_review": ("复议后起诉", "Lawsuits after reconsideration"),
}
"""Applicant columns of table 三 and the case groups of table 四 (N4's breakdown)."""


@dataclass(frozen=True)
class CheckInfo:
    check_id: str
    scope: str
    """report (computed from one document) | across (computed in the warehouse over several reports)"""
    severity: str
    meaning_zh: str
    meaning_en: str
    failed_zh: str
    failed_en: str

    def meaning(self, lang: str) -> str:
        return self.meaning_en if lang == "en" else self.meaning_zh

    def failed(self, lang: str) -> str:
        return self.failed_en if lang == "en" else self.failed_zh


@cache
def check_catalogue() -> dict[str, CheckInfo]:
    text = package_data.read_text("check_catalogue.csv")
    return {row["check_id"]: CheckInfo(**row) for row in csv.DictReader(text.splitlines())}


def check_info(check_id: str) -> CheckInfo | None:
    return check_catalogue().get(check_id)


def meaning(check_id: str, lang: str) -> str:
    """The check's one-line meaning ('' for an id the catalogue does not know)."""
    info = check_info(check_id)
    return info.meaning(lang) if info else ""


def labelled_id(check_id: str, lang: str) -> str:
    """'N1 表三 第一项加第二项之和等于第三项加第四项之和': the id with its meaning, as shown everywhere."""
    found = meaning(check_id, lang)
    return f"{check_id} {found}" if found else check_id


def breakdown_label(breakdown: str, lang: str) -> str:
    """The label of a check's or a value's breakdown: an applicant column, a table 四 group or (N3) the
    metric of a table 三 row; '' stays ''."""
    if not breakdown:
        return ""
    pair = BREAKDOWN_LABELS.get(breakdown)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    found = metrics().get(breakdown)
    if found is not None:
        return found.label_en if lang == "en" else found.label_zh
    return breakdown
