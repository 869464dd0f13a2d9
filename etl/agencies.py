"""Agency identity, level and kind.

`agency_id` is the canonical name: the name folded (NFKC, no spaces or quotes), with the usual short
forms of a government, its office and common departments written out (县政府办 → 县人民政府办公室,
县人社局 → 县人力资源和社会保障局), then mapped through the
aliases table (`etl/data/agency_aliases.csv` plus a user's `DIR/agency_aliases.csv`). The id does not
depend on the place, so resolving a place later never changes it.

Kind follows the name's ending after its place names (domain notes §10.6): government, government_office,
township (镇 / 乡 / 街道), zone (开发区, 高新区, 管委会, 综合实验区 …), vertical (国家税务总局…税务局,
国家统计局…调查队, 海关, 气象局 …), otherwise department. Level is that of the place, township for
towns and streets.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl import package_data
from etl.normalise import fold
from etl.places import Place

_BRACKETS = re.compile(r"[()（）\[\]【】]")
_PUNCT = re.compile(r"[,，。:：;；、·•_|｜-]")
# Short forms written out; order matters (longest first) and every replacement is idempotent.
_SHORT_FORMS = (
    (re.compile(r"(?<!人民)政府办公室$"), "人民政府办公室"),
    (re.compile(r"(?<!人民)政府办公厅$"), "人民政府办公厅"),
    (re.compile(r"(?<!人民)政府办$"), "人民政府办公室"),
    (re.compile(r"人民政府办$"), "人民政府办公室"),
    (re.compile(r"(?<![人民])政府$"), "人民政府"),
    # Department abbreviations that stand for one name only.
    (re.compile(r"人社局$"), "人力资源和社会保障局"),
    (re.compile(r"发改局$"), "发展和改革局"),
    (re.compile(r"住建局$"), "住房和城乡建设局"),
    (re.compile(r"卫健局$"), "卫生健康局"),
    (re.compile(r"卫健委$"), "卫生健康委员会"),
    (re.compile(r"医保局$"), "医疗保障局"),
    (re.compile(r"应急局$"), "应急管理局"),
    (re.compile(r"资规局$"), "自然资源和规划局"),
    (re.compile(r"(?<=[市县区])市监局$"), "市场监督管理局"),
)
VERTICAL = re.compile(
    r"^(?:国家税务总局|国家统计局|中国人民银行|国家金融监督管理总局|中国银保监会)"
    r"|海关$|气象局$|调查队$|烟草专卖局$|邮政管理局$|海事局$|出入境边防检查站$|税务局$|国家税务局$"
)
ZONE = re.compile(r"开发区|高新区|新区|园区|管委会|管理委员会|综合实验区|试验区|示范区|度假区|集聚区|保税区")
TOWNSHIP = re.compile(r"(?:镇|乡|街道)(?:人民政府|办事处|街道办事处)?$|街道办事处$")
GOVERNMENT_OFFICE = re.compile(r"人民政府办公[室厅]$")
GOVERNMENT = re.compile(r"人民政府$")
PLACE_ONLY = re.compile(r"^.{1,12}?(?:省|市|自治区|自治州|县|区|旗|盟)$")


@dataclass(frozen=True)
class AgencyClass:
    level: str | None  # province | city | county | township
    kind: str  # government | government_office | department | township | zone | vertical
    is_vertical: bool


def normalise_agency(name: str) -> str:
    """The comparable form of an agency name; idempotent."""
    folded, previous = name, None
    while folded != previous:  # a mark left by a removed dash ("U-¨") composes on the next fold
        previous = folded
        folded = _PUNCT.sub("", _BRACKETS.sub("", fold(folded)))
    for pattern, replacement in _SHORT_FORMS:
        folded = pattern.sub(replacement, folded)
    return folded


@cache
def builtin_aliases() -> dict[str, str]:
    text = package_data.read_text("data", "agency_aliases.csv")
    return _aliases(csv.DictReader(text.splitlines()))


def _aliases(rows: csv.DictReader[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for row in rows:
        alias, canonical = (row.get("alias") or "").strip(), (row.get("canonical") or "").strip()
        if alias and canonical:
            found[normalise_agency(alias)] = normalise_agency(canonical)
    return found


def read_aliases(path: Path) -> dict[str, str]:
    """A user's aliases CSV with columns `alias` and `canonical` (other columns are comments)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return _aliases(csv.DictReader(handle))


def agency_id(name: str | None, aliases: Mapping[str, str] | None = None) -> str | None:
    """The stable id of an agency: its canonical name, following aliases (at most a few hops)."""
    if not name:
        return None
    table = {**builtin_aliases(), **(aliases or {})}
    current = normalise_agency(name)
    if not current:
        return None
    for _ in range(5):
        following = table.get(current)
        if following is None or following == current:
            break
        current = following
    return current


def classify(name: str | None, place: Place) -> AgencyClass:
    """Level and kind of an agency from its name and its place."""
    if not name:
        return AgencyClass(None, "department", False)
    folded = normalise_agency(name)
    if VERTICAL.search(folded):
        return AgencyClass(place.level, "vertical", True)
    if TOWNSHIP.search(folded) and not GOVERNMENT_OFFICE.search(folded):
        return AgencyClass("township", "township", False)
    if ZONE.search(folded):
        return AgencyClass(place.level, "zone", False)
    if GOVERNMENT_OFFICE.search(folded):
        return AgencyClass(place.level, "government_office", False)
    if GOVERNMENT.search(folded) or PLACE_ONLY.match(folded):
        return AgencyClass(place.level, "government", False)
    return AgencyClass(place.level, "department", False)
