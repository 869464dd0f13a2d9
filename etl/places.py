"""Where an agency sits: province / city / county with 6-digit codes, offline, never by a guess.

The division table (`etl/data/divisions.csv`) and the rename lists come from the jionlp package (see
`etl/data/README.md`). An agency name is read from the left as a chain of division names
(浙江省 → 衢州市 → 龙游县 …); a name with several possible divisions (朝阳区, 铁东区) is settled by a
parent place earlier in the name or named in the context (title, publisher, URL, file path, the page),
and stays unresolved otherwise. Former names (即墨市, 长乐市) resolve to the division that replaced them, so
an agency keeps one code across a rename; the report year decides between a former and a current name.
Overrides (agency name → code) come first and win; short forms (市统计局) take the site's place.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from etl import package_data
from etl.normalise import fold

Level = str  # province | city | county
VERTICAL_PREFIXES = (
    "国家税务总局",
    "国家统计局",
    "中国人民银行",
    "国家金融监督管理总局",
    "中国银保监会",
    "中国银行保险监督管理委员会",
    "中国证券监督管理委员会",
)
BRANCH_WORDS = ("分局", "支队", "大队", "中队", "调查队", "税务局", "派出所", "海关", "气象局")
GENERIC_NAMES = frozenset({"城区", "郊区", "矿区", "新区", "市辖区"})
"""Division names that are also common words: matched only right after their parent's name."""
MAX_NAME = 24
MIN_FREE_NAME = 3
"""A division name found away from the chain (not at the start, not right after another place) must
have at least this many characters: 龙游县 yes, 城区 no."""


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    short: str
    level: Level
    parent_code: str
    former: bool = False
    """Matched under a name it had before a rename (valid until `until`)."""
    until: int | None = None


@dataclass(frozen=True)
class Place:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    status: str = "unresolved"  # resolved | override | unresolved
    level: Level | None = None
    note: str = ""

    @property
    def place_code(self) -> str | None:
        return self.county_code or self.city_code or self.province_code


UNRESOLVED = Place()


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    candidates: tuple[Division, ...]


def _data(name: str) -> list[list[str]]:
    """The rows of a CSV file of etl/data, its header first (`csv.reader`: several times faster than
    `csv.DictReader` on the 3,400 divisions every parsing process loads)."""
    return [row for row in csv.reader(package_data.read_text("data", name).splitlines()) if row]


def _columns(rows: list[list[str]], *names: str) -> Iterator[tuple[str, ...]]:
    """The `names` columns of every row after the header."""
    header = rows[0]
    wanted = [header.index(name) for name in names]
    for row in rows[1:]:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} fields under a header of {len(header)}: {row}")
        yield tuple(row[i] for i in wanted)


@dataclass(frozen=True)
class Divisions:
    by_code: Mapping[tuple[str, Level], Division]
    by_name: Mapping[str, tuple[Division, ...]]
    by_short: Mapping[str, tuple[Division, ...]]
    rules: Mapping[str, str]

    def get(self, code: str) -> Division | None:
        for level in ("county", "city", "province"):
            found = self.by_code.get((code, level))
            if found:
                return found
        return None

    def parent(self, division: Division) -> Division | None:
        if not division.parent_code:
            return None
        wanted = "province" if division.level == "city" else "city"
        return self.by_code.get((division.parent_code, wanted)) or self.by_code.get(
            (division.parent_code, "province")
        )


def _index(items: Iterable[tuple[str, Division]]) -> dict[str, tuple[Division, ...]]:
    found: dict[str, list[Division]] = {}
    for key, division in items:
        if key:
            found.setdefault(key, []).append(division)
    return {k: tuple(v) for k, v in found.items()}


@cache
def divisions() -> Divisions:
    """The division table with its indexes, built once a process (every parse resolves a place)."""
    rows = [
        _division(code, name, short, level, parent)
        for code, name, short, level, parent in _columns(
            _data("divisions.csv"), "code", "name", "short", "level", "parent_code"
        )
    ]
    by_code = {(d.code, d.level): d for d in rows}
    former: list[Division] = []
    fields = ("old_name", "new_code", "year")
    changes = [
        *_columns(_data("division_changes.csv"), *fields),
        *_columns(_data("division_changes_extra.csv"), *fields),
    ]
    for old_name, new_code, year in changes:
        target = by_code.get((new_code, "county")) or by_code.get((new_code, "city"))
        if target is not None and old_name != target.name:
            former.append(replace(target, name=old_name, former=True, until=int(year)))
    named = [(d.name, d) for d in [*rows, *former] if not _placeholder(d)]
    shorts = [(d.short, d) for d in rows if len(d.short) >= 2 and d.short != d.name and not _placeholder(d)]
    rules = {name: code for name, code in _columns(_data("place_rules.csv"), "name", "code")}
    return Divisions(by_code, _index(named), _index(shorts), rules)


def _division(code: str, name: str, short: str, level: Level, parent_code: str) -> Division:
    """`Division(code, name, short, level, parent_code)` without its frozen `__init__` (seven
    `object.__setattr__` calls): half the time, for the 3,400 divisions every parsing process builds
    (`tests/test_places.py` checks the fields against the dataclass's)."""
    division = _new(Division)
    fields = {"code": code, "name": name, "short": short, "level": level, "parent_code": parent_code}
    _set(division, "__dict__", {**fields, "former": False, "until": None})
    return division


_new, _set = object.__new__, object.__setattr__


def _placeholder(division: Division) -> bool:
    """省直辖行政区划 / 市直辖行政区划: a parent without a name of its own (济源市 sits under one)."""
    return division.name.endswith("直辖行政区划")


def _longest(
    text: str, start: int, index: Mapping[str, tuple[Division, ...]]
) -> tuple[str, tuple[Division, ...]]:
    for length in range(min(MAX_NAME, len(text) - start), 1, -1):
        key = text[start : start + length]
        if key in index:
            return key, index[key]
    return "", ()


STREET_AFTER = "路街村巷道"


def _short_name(
    name: str, position: int, table: Divisions, *, after_place: bool
) -> tuple[str, tuple[Division, ...]]:
    """衢州经济技术开发区, 国家统计局龙游调查队: a short name on the chain. A county's short name only after a
    place or a vertical prefix; never a street named after a city (南京路街道)."""
    key, candidates = _longest(name, position, table.by_short)
    if not key or name[position + len(key) : position + len(key) + 1] in tuple(STREET_AFTER):
        return "", ()
    allowed = tuple(c for c in candidates if after_place or c.level != "county")
    return (key, allowed) if allowed else ("", ())


def mentions(name: str, table: Divisions) -> list[Mention]:
    """Division names in `name`: a chain from the left (full or short names), then full names of at
    least three characters elsewhere."""
    found: list[Mention] = []
    position = 0
    for prefix in VERTICAL_PREFIXES:
        if name.startswith(prefix):
            position = len(prefix)
    chain_end = position
    while position < len(name):
        key, candidates = _longest(name, position, table.by_name)
        at_chain = position == chain_end
        if key in GENERIC_NAMES and not (at_chain and found):
            key, candidates = "", ()  # 城区, 郊区: only right after their city (晋城市城区)
        if not key and at_chain:
            key, candidates = _short_name(name, position, table, after_place=bool(found) or position > 0)
        if key and (at_chain or len(key) >= MIN_FREE_NAME):
            found.append(Mention(position, position + len(key), candidates))
            position += len(key)
            chain_end = position if at_chain else chain_end
            continue
        position += 1
    return found


def _ancestors(division: Division, table: Divisions) -> list[Division]:
    """Parents of `division`, nearest first (placeholders such as 省直辖行政区划 left out)."""
    found: list[Division] = []
    current = table.parent(division)
    while current is not None:
        if not _placeholder(current):
            found.append(current)
        current = table.parent(current)
    return found


def _is_under(child: Division, parent: Division, table: Divisions) -> bool:
    return any(a.code == parent.code for a in _ancestors(child, table))


def _compatible(division: Division, chosen: Sequence[Division], table: Divisions) -> bool:
    """`division` is, lies under or lies above every division already chosen (one line of descent)."""
    line = {division.code} | {a.code for a in _ancestors(division, table)}
    return all(c.code in line or _is_under(c, division, table) for c in chosen)


def _by_year(candidates: Sequence[Division], year: int | None) -> list[Division]:
    """A former name counts only up to shortly after its rename; a current name is preferred."""
    current = [c for c in candidates if not c.former]
    if year is None:
        return list(candidates)
    former = [c for c in candidates if c.former and c.until is not None and year <= c.until + 1]
    return [*current, *former] if former or current else list(candidates)


def _deepest(chosen: Sequence[Division]) -> Division | None:
    order = {"province": 0, "city": 1, "county": 2}
    return max(chosen, key=lambda d: order[d.level], default=None)


def _named_in(division: Division, context: str, table: Divisions) -> bool:
    """A parent of `division` (宁波市, 浙江省) is named in the context text."""
    return any(parent.name in context for parent in _ancestors(division, table))


def _settle(
    candidates: Sequence[Division], chosen: list[Division], context: str, table: Divisions
) -> Division | str:
    """One division for a mention, or the reason it stays open."""
    fitting = list({c.code + c.level: c for c in candidates if _compatible(c, chosen, table)}.values())
    if len(fitting) > 1 and context:
        by_context = [c for c in fitting if _named_in(c, context, table)]
        fitting = by_context or fitting
    levels = {c.level for c in fitting}
    if len(fitting) == 2 and levels == {"province", "city"} and len({c.code for c in fitting}) == 1:
        return next(c for c in fitting if c.level == "city")  # 上海市 is province and city
    if len(fitting) == 1:
        return fitting[0]
    if not fitting:
        return "inconsistent"
    names = ", ".join(sorted(f"{_path(c, table)} {c.code}" for c in fitting)[:4])
    return f"ambiguous: {candidates[0].name} could be {names}"


def _path(division: Division, table: Divisions) -> str:
    parts = [division.name]
    current = table.parent(division)
    while current is not None:
        parts.append(current.name)
        current = table.parent(current)
    return "".join(reversed(list(dict.fromkeys(parts))))


def place_of(division: Division, table: Divisions, *, status: str, note: str = "") -> Place:
    chain: dict[str, Division] = {}
    current: Division | None = division
    while current is not None:
        chain.setdefault(current.level, current)
        current = table.parent(current)
    if division.level == "city" and (province := table.by_code.get((division.code, "province"))):
        chain.setdefault("province", province)
    province, city, county = chain.get("province"), chain.get("city"), chain.get("county")
    if city is not None and _placeholder(city):
        city = None
    level = division.level
    if level == "city" and province is not None and province.code == division.code:
        level = "province"  # 北京市, 上海市, 天津市, 重庆市
    return Place(
        province=province.name if province else None,
        city=city.name if city else None,
        county=county.name if county else None,
        province_code=province.code if province else None,
        city_code=city.code if city else None,
        county_code=county.code if county else None,
        status=status,
        level=level,
        note=note,
    )


def _branch_county(name: str, city: Division, table: Divisions, after: int) -> Division | None:
    """衢州市生态环境局龙游分局: a city department's branch named by the county's short name."""
    for word in BRANCH_WORDS:
        end = name.find(word, after)
        if end < 0:
            continue
        for length in (4, 3, 2):
            short = name[max(after, end - length) : end]
            for candidate in table.by_short.get(short, ()) + table.by_name.get(short, ()):
                if candidate.level == "county" and candidate.parent_code == city.code:
                    return candidate
    return None


def resolve_place(
    agency: str | None,
    year: int | None = None,
    context: Sequence[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> Place:
    """Province, city and county of an agency; `unresolved` (with a note) rather than a guess."""
    if not agency:
        return replace(UNRESOLVED, note="no agency name")
    table = divisions()
    name = fold(agency)
    override = (overrides or {}).get(name) or (overrides or {}).get(agency)
    if override:
        target = table.get(override)
        if target is not None:
            return place_of(target, table, status="override", note=f"override {override}")
    for rule_name, code in table.rules.items():
        target = table.get(code)
        if name.startswith(rule_name) and target is not None:
            return place_of(target, table, status="resolved", note=f"rule {rule_name}")
    return _from_name(name, year, context, table)


def _from_name(name: str, year: int | None, context: Sequence[str], table: Divisions) -> Place:
    found = mentions(name, table)
    if not found:
        return replace(UNRESOLVED, note="no division name in the agency name")
    ambiguous = any(len(m.candidates) > 1 for m in found)
    hints = "|".join(fold(text or "") for text in context) if ambiguous else ""
    chosen: list[Division] = []
    notes: list[str] = []
    for mention in found:
        settled = _settle(_by_year(mention.candidates, year), chosen, hints, table)
        if settled == "inconsistent":  # a stale name used after its rename (大同市城区 in 2022)
            settled = _settle(mention.candidates, chosen, hints, table)
        if isinstance(settled, str):
            if settled != "inconsistent":
                return replace(UNRESOLVED, note=settled)
            continue
        chosen.append(settled)
        if settled.former:
            now = table.get(settled.code)
            notes.append(f"{settled.name} is now {now.name if now else settled.code} ({settled.until})")
    deepest = _deepest(chosen)
    if deepest is None:
        return replace(UNRESOLVED, note="division names in the name do not fit together")
    if deepest.level == "city":
        branch = _branch_county(name, deepest, table, found[-1].end)
        deepest = branch or deepest
    current = table.get(deepest.code) if deepest.former else deepest
    return place_of(current or deepest, table, status="resolved", note="; ".join(notes))


def read_overrides(path: Path) -> dict[str, str]:
    """A user's overrides CSV: columns `agency` and `code` (6 digits); other columns are comments."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        agency, code = (row.get("agency") or "").strip(), (row.get("code") or "").strip()
        if not agency or not code:
            continue
        if not (len(code) == 6 and code.isdigit()) or divisions().get(code) is None:
            raise ValueError(f"{path}:{number}: {code!r} is not a known 6-digit division code")
        found[fold(agency)] = code
    return found


def place_after_overrides(
    agency: str | None, year: int | None, parsed_code: str | None, overrides: Mapping[str, str]
) -> Place:
    """The place of a loaded report: its override if one names it, else the place its document gave."""
    table = divisions()
    code = (overrides.get(fold(agency)) or overrides.get(agency)) if agency else None
    target = table.get(code) if code else None
    if target is not None:
        return place_of(target, table, status="override", note=f"override {code}")
    division = table.get(parsed_code) if parsed_code else None
    if division is None:
        return replace(UNRESOLVED, note="no division name in the agency name" if agency else "no agency name")
    return place_of(division, table, status="resolved")


SHORT_FORM = re.compile(r"^(?P<level>[省市县区])(?!场|政|容|域|属|直)(?P<rest>[^省市县区].{1,30})$")
"""市统计局, 县财政局 — but not 市场监督管理局 or 市政园林局, whose 市 is part of a word."""


def expand_short_form(agency: str, site: Sequence[str]) -> str | None:
    """市统计局 on the site of 衢州市人民政府 → 衢州市统计局: a short form prefixed with the site's place
    whose name ends like the short form (市 / 县 / 区 / 省). None when the name is not a short form or
    no site text names one place."""
    match = SHORT_FORM.match(fold(agency))
    if match is None:
        return None
    for text in site:
        place = resolve_place(text)
        names = [n for n in (place.county, place.city, place.province) if n and n.endswith(match["level"])]
        if place.status == "resolved" and names:
            return names[0] + match["rest"]
    return None
