"""Which statistics table a report uses, from label fingerprints (never from the year)."""

from __future__ import annotations

from etl.extract.fujian import ROWS as FUJIAN_ROWS
from etl.extract.old import DATA_ROWS as OLD_ROWS
from etl.normalise import fold
from etl.records import Document, Template

V2021_MARKERS = ("本年制发件数", "本年废止件数", "现行有效件数", "申请人无正当理由逾期不补正")
V2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量")
NEW_MARKERS = ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "结转下年度继续办理")
V2021_WEAK = ("本年收费金额",)
V2019_WEAK = ("政府集中采购", "采购总金额")
OLD_MIN_LABELS = 6


def _count(text: str, markers: tuple[str, ...]) -> int:
    return sum(marker in text for marker in markers)


def template_of_text(text: str) -> Template | None:
    """The template whose labels a folded text carries, or None."""
    v2021, v2019 = _count(text, V2021_MARKERS), _count(text, V2019_MARKERS)
    if v2021 or v2019 or _count(text, NEW_MARKERS):
        v2021 += _count(text, V2021_WEAK)
        v2019 += _count(text, V2019_WEAK)
        return "v2021" if v2021 > v2019 else "v2019"
    if "历年累计" in text and _count(text, tuple(FUJIAN_ROWS)) >= 3:
        return "old_fujian"
    if _count(text, tuple(OLD_ROWS)) >= OLD_MIN_LABELS:
        return "old"
    return None


def detect_template(document: Document) -> Template | None:
    """Fingerprint the tables first; the paragraphs only when no table carries template labels."""
    cells = "|".join(fold(cell.text) for table in document.tables for cell in table.cells)
    found = template_of_text(cells)
    if found is not None:
        return found
    return template_of_text("|".join(fold(p.text) for p in document.paragraphs))
