"""Real agency names of 浙江省, 衢州市 first, in an order that mixes kinds for any roster size."""

from __future__ import annotations

from functools import cache
from itertools import zip_longest

from xxgk.samples.model import Agency

PROVINCE = "浙江省"

CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("衢州市", ("柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县")),
    (
        "丽水市",
        ("莲都区", "青田县", "缙云县", "遂昌县", "松阳县", "云和县", "庆元县", "景宁畲族自治县", "龙泉市"),
    ),
    ("金华市", ("婺城区", "金东区", "武义县", "浦江县", "磐安县", "兰溪市", "义乌市", "东阳市", "永康市")),
    ("台州市", ("椒江区", "黄岩区", "路桥区", "三门县", "天台县", "仙居县", "温岭市", "临海市")),
    ("绍兴市", ("越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市")),
    ("湖州市", ("吴兴区", "南浔区", "德清县", "长兴县", "安吉县")),
    ("嘉兴市", ("南湖区", "秀洲区", "嘉善县", "海盐县", "海宁市", "平湖市", "桐乡市")),
    (
        "温州市",
        ("鹿城区", "龙湾区", "瓯海区", "洞头区", "永嘉县", "平阳县", "苍南县", "文成县", "泰顺县", "瑞安市"),
    ),
    (
        "宁波市",
        ("海曙区", "江北区", "北仑区", "镇海区", "鄞州区", "奉化区", "象山县", "宁海县", "余姚市", "慈溪市"),
    ),
    ("杭州市", ("西湖区", "滨江区", "萧山区", "余杭区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市")),
    ("舟山市", ("定海区", "普陀区", "岱山县", "嵊泗县")),
)

TOWNS: dict[str, tuple[str, ...]] = {
    "柯城区": ("府山街道办事处", "荷花街道办事处", "石梁镇人民政府", "航埠镇人民政府", "万田乡人民政府"),
    "衢江区": ("樟潭街道办事处", "高家镇人民政府", "杜泽镇人民政府", "莲花镇人民政府", "全旺镇人民政府"),
    "龙游县": ("湖镇镇人民政府", "溪口镇人民政府", "詹家镇人民政府", "东华街道办事处", "模环乡人民政府"),
    "江山市": ("贺村镇人民政府", "峡口镇人民政府", "双塔街道办事处", "虎山街道办事处", "上余镇人民政府"),
    "常山县": ("天马街道办事处", "球川镇人民政府", "辉埠镇人民政府", "芳村镇人民政府", "何家乡人民政府"),
    "开化县": ("华埠镇人民政府", "马金镇人民政府", "池淮镇人民政府", "音坑乡人民政府", "村头镇人民政府"),
}

BIG_DEPARTMENTS = ("公安局", "自然资源和规划局", "住房和城乡建设局", "市场监督管理局", "人力资源和社会保障局")
DEPARTMENTS = (
    "教育局",
    "公安局",
    "财政局",
    "自然资源和规划局",
    "生态环境分局",
    "卫生健康局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "民政局",
    "司法局",
    "水利局",
    "应急管理局",
    "发展和改革局",
    "文化和广电旅游体育局",
    "统计局",
    "审计局",
    "医疗保障局",
)
CITY_DEPARTMENTS = (
    "财政局",
    "教育局",
    "生态环境局",
    "公安局",
    "卫生健康委员会",
    "市场监督管理局",
    "交通运输局",
)
UNITS = {"龙游县": "招商投资促进中心", "江山市": "档案馆", "常山县": "档案馆"}
TAX_COUNTIES = ("龙游县", "江山市")


def short_name(county: str) -> str:
    for suffix in ("畲族自治县", "区", "县", "市"):
        if county.endswith(suffix) and len(county) > len(suffix) + 1:
            return county[: -len(suffix)]
    return county


def department(city: str, county: str, name: str) -> Agency:
    kind = "department_big" if name in BIG_DEPARTMENTS else "department"
    full = f"{city}生态环境局{short_name(county)}分局" if name == "生态环境分局" else f"{county}{name}"
    return Agency(full, kind, PROVINCE, city, county, f"{county}人民政府")


def county_agencies(city: str, county: str, index: int) -> list[Agency]:
    site = f"{county}人民政府"
    office = Agency(f"{county}人民政府办公室", "gov_office", PROVINCE, city, county, site)
    depts = [department(city, county, DEPARTMENTS[(index * 3 + i) % len(DEPARTMENTS)]) for i in range(20)]
    towns = [
        Agency(f"{county}{town}", "town", PROVINCE, city, county, site) for town in TOWNS.get(county, ())
    ]
    specials: list[Agency] = []
    if county in TAX_COUNTIES:
        specials.append(Agency(f"国家税务总局{county}税务局", "vertical", PROVINCE, city, county, site, 2018))
    if county in UNITS:
        specials.append(Agency(f"{county}{UNITS[county]}", "unit", PROVINCE, city, county, site))
    ordered = [office]
    for dept, town, special in zip_longest(depts, towns, specials):
        ordered.extend(agency for agency in (special, dept, town) if agency is not None)
    return ordered


def city_agencies(city: str) -> list[Agency]:
    site = f"{city}人民政府"
    office = Agency(f"{city}人民政府办公室", "gov_office", PROVINCE, city, None, site)
    depts = [Agency(f"{city}{name}", "department", PROVINCE, city, None, site) for name in CITY_DEPARTMENTS]
    return [office, *depts]


def city_roster(city: str, counties: tuple[str, ...]) -> list[Agency]:
    columns = [county_agencies(city, county, i) for i, county in enumerate(counties)]
    city_level = city_agencies(city)
    ordered: list[Agency] = []
    for round_no, row in enumerate(zip_longest(*columns)):
        ordered.extend(agency for agency in row if agency is not None)
        if round_no % 2 == 1 and city_level:
            ordered.append(city_level.pop(0))
    return ordered + city_level


@cache
def max_agencies() -> int:
    """How many distinct agencies the generator knows (the upper bound of `xxgk samples --agencies`)."""
    return sum(len(city_roster(city, counties)) for city, counties in CITIES)


def roster(n: int) -> list[Agency]:
    """The first `n` agencies: 衢州市 and its counties first, then further cities of 浙江省."""
    found: list[Agency] = []
    for city, counties in CITIES:
        found.extend(city_roster(city, counties))
        if len(found) >= n:
            return found[:n]
    raise ValueError(f"n_agencies={n} is more than the {len(found)} agencies the generator knows")
