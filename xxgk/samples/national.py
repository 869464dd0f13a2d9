"""A national sample roster streamed to any size: every county of etl/data/divisions.csv with its
government office, departments and townships, and every city with its own departments.

`national_plans(seed, years, limit)` yields one agency's plans at a time, so nothing grows with the
roster; every decision is drawn from a random generator keyed by the seed and the agency (and year), so
the same seed gives the same reports whatever the limit or the number of worker processes. About 2,850
counties × (1 office + 20 departments + 10 townships) + 340 cities × 8 agencies ≈ 91,000 agencies, over
2014–2025 ≈ 1.09 million agency-years.

Files go to OUT/<province>/<city>/<agency>_<year>.<ext>: the folders are what a collector would write,
and they settle county names that several provinces share (朝阳区); such agencies also carry their city in
their name (长春市朝阳区教育局) so that two agencies never share a name.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from itertools import islice
from pathlib import Path

from xxgk.samples.agencies import CITY_DEPARTMENTS, DEPARTMENTS, short_name
from xxgk.samples.model import Agency, Plan
from xxgk.samples.plan import FAULTS, doc_plan, eligible, template_by_year

TOWNS = (
    "城关镇人民政府",
    "东城街道办事处",
    "西城街道办事处",
    "新华街道办事处",
    "城南镇人民政府",
    "城北镇人民政府",
    "河口镇人民政府",
    "新街镇人民政府",
    "石门乡人民政府",
    "白沙乡人民政府",
)
GAP_SHARE = 0.01
FAULT_SHARE = 0.02
LAGGARD_SHARE = 0.05


@dataclass(frozen=True)
class County:
    province: str
    city: str
    county: str
    prefix: str
    """How agencies of the county start their name: the county, or city + county when the county's name
    is shared with another one."""


@cache
def counties() -> tuple[County, ...]:
    text = resources.files("etl").joinpath("data", "divisions.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(text.splitlines()) if r["level"] == "county" and r["city"]]
    rows.sort(key=lambda r: r["code"])
    shared = Counter(r["name"] for r in rows)
    found = []
    for r in rows:
        prefix = r["name"] if shared[r["name"]] == 1 else f"{r['city']}{r['name']}"
        found.append(County(r["province"], r["city"], r["name"], prefix))
    return tuple(found)


def _city_agencies(province: str, city: str) -> list[Agency]:
    site = f"{city}人民政府"
    office = Agency(f"{city}人民政府办公室", "gov_office", province, city, None, site)
    return [
        office,
        *(Agency(f"{city}{name}", "department", province, city, None, site) for name in CITY_DEPARTMENTS),
    ]


def _county_agencies(county: County, index: int) -> list[Agency]:
    site = f"{county.county}人民政府"
    made = [
        Agency(
            f"{county.prefix}人民政府办公室", "gov_office", county.province, county.city, county.county, site
        )
    ]
    for i in range(20):
        name = DEPARTMENTS[(index * 3 + i) % len(DEPARTMENTS)]
        kind = "department"
        full = f"{county.prefix}{name}"
        if name == "生态环境分局":
            full = f"{county.city}生态环境局{short_name(county.county)}分局"
        made.append(Agency(full, kind, county.province, county.city, county.county, site))
    made += [
        Agency(f"{county.prefix}{town}", "town", county.province, county.city, county.county, site)
        for town in TOWNS
    ]
    return made


def national_agencies() -> Iterator[Agency]:
    """Every city's own agencies, then its counties' agencies, in division-code order."""
    seen_cities: set[tuple[str, str]] = set()
    for index, county in enumerate(counties()):
        key = (county.province, county.city)
        if key not in seen_cities:
            seen_cities.add(key)
            yield from _city_agencies(*key)
        yield from _county_agencies(county, index)


def _agency_plans(agency: Agency, years: range, seed: int) -> list[Plan]:
    rng = random.Random(f"{seed}|{agency.name}|national")
    lag_until = rng.choice((2019, 2020, 2021)) if rng.random() < LAGGARD_SHARE else 0
    plans = []
    for year in years:
        if years[0] < year < years[-1] and rng.random() < GAP_SHARE:
            continue
        template = "old" if year <= lag_until else template_by_year(year)
        plan = doc_plan(agency, year, template, seed)
        if rng.random() < FAULT_SHARE:
            fault = rng.choice([f for f in FAULTS if eligible(f, template)])
            plan = replace(plan, faults=(fault,))
        plans.append(plan)
    return plans


def national_plans(seed: int, years: range, limit: int | None = None) -> Iterator[tuple[Agency, list[Plan]]]:
    """(agency, its plans) in roster order, until `limit` reports."""
    left = limit
    for agency in national_agencies():
        plans = _agency_plans(agency, years, seed)
        if left is not None:
            plans = plans[:left]
            left -= len(plans)
        if plans:
            yield agency, plans
        if left is not None and left <= 0:
            return


def _write_chunk(out_dir: Path, groups: list[tuple[Agency, list[Plan]]]) -> int:
    from xxgk.samples.corpus import write_agencies, write_pdfs

    written = 0
    printing = []
    for agency, plans in groups:
        folder = Path(agency.province) / agency.city
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
        docs, _, pending = write_agencies(out_dir / folder, [(agency, plans)])
        printing += [((folder / name).as_posix(), data, truth) for name, data, truth in pending]
        written += len(docs)
    return written + len(write_pdfs(out_dir, printing))  # one LibreOffice run per chunk


def write_national(
    out_dir: Path,
    *,
    seed: int = 42,
    years: range = range(2014, 2026),
    limit: int | None = None,
    workers: int = 1,
) -> int:
    """Write the national corpus (or its first `limit` reports); returns the number of documents."""
    out_dir.mkdir(parents=True, exist_ok=True)
    groups = national_plans(seed, years, limit)
    chunks = iter(lambda: list(islice(groups, 25)), [])
    if workers <= 1:
        return sum(_write_chunk(out_dir, chunk) for chunk in chunks)
    written = 0
    with ProcessPoolExecutor(workers) as pool:
        pending: deque[Future[int]] = deque(
            pool.submit(_write_chunk, out_dir, c) for c in islice(chunks, workers * 2)
        )
        while pending:
            written += pending.popleft().result()
            following = next(chunks, None)
            if following is not None:
                pending.append(pool.submit(_write_chunk, out_dir, following))
    return written


def count_national(seed: int = 42, years: range = range(2014, 2026)) -> tuple[int, int]:
    """(agencies, agency-years) of the whole national roster, without writing anything."""
    agencies = reports = 0
    for _, plans in national_plans(seed, years):
        agencies += 1
        reports += len(plans)
    return agencies, reports
