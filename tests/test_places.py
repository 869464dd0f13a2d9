"""Places by division lookup: every level, renamed divisions, ambiguous names with and without context,
vertical units, rules and overrides; unresolved rather than a guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.agencies import classify
from etl.places import divisions, expand_short_form, read_overrides, resolve_place

Expected = tuple[str | None, str | None, str | None, str | None]


@pytest.mark.parametrize(
    ("agency", "year", "expected", "level"),
    [
        ("浙江省人民政府办公厅", 2020, ("浙江省", None, None, "330000"), "province"),
        ("北京市人民政府", 2020, ("北京市", "北京市", None, "110000"), "province"),
        ("衢州市财政局", 2020, ("浙江省", "衢州市", None, "330800"), "city"),
        ("宿迁市政府办公室", 2014, ("江苏省", "宿迁市", None, "321300"), "city"),
        ("龙游县招商投资促进中心", 2021, ("浙江省", "衢州市", "龙游县", "330825"), "county"),
        ("江山市档案馆", 2020, ("浙江省", "衢州市", "江山市", "330881"), "county"),
        ("上海市黄浦区人民政府", 2022, ("上海市", "上海市", "黄浦区", "310101"), "county"),
        ("龙游县湖镇镇人民政府", 2018, ("浙江省", "衢州市", "龙游县", "330825"), "township"),
        ("柯城区府山街道办事处", 2025, ("浙江省", "衢州市", "柯城区", "330802"), "township"),
        ("衢州市生态环境局龙游分局", 2020, ("浙江省", "衢州市", "龙游县", "330825"), "county"),
        ("杭州经济技术开发区管委会", 2020, ("浙江省", "杭州市", None, "330100"), "city"),
        ("平潭综合实验区", 2016, ("福建省", "福州市", "平潭县", "350128"), "county"),
        ("平潭综合实验区地方税务局", 2013, ("福建省", "福州市", "平潭县", "350128"), "county"),
        ("济源市人民政府", 2020, ("河南省", None, "济源市", "419001"), "county"),
    ],
)
def test_places_at_every_level(agency: str, year: int, expected: Expected, level: str) -> None:
    place = resolve_place(agency, year)
    assert (place.province, place.city, place.county, place.place_code) == expected
    assert place.status == "resolved"
    assert classify(agency, place).level == level


@pytest.mark.parametrize(
    ("agency", "year", "county", "code"),
    [
        ("即墨市人民政府", 2016, "即墨区", "370215"),
        ("即墨区人民政府", 2019, "即墨区", "370215"),
        ("长乐市人民政府", 2015, "长乐区", "350112"),
        ("长乐区卫生健康局", 2020, "长乐区", "350112"),
        ("富阳市财政局", 2013, "富阳区", "330111"),
        ("杭州市下城区人民政府", 2020, "拱墅区", "330105"),
    ],
)
def test_renamed_divisions_keep_one_code(agency: str, year: int, county: str, code: str) -> None:
    place = resolve_place(agency, year)
    assert (place.county, place.county_code) == (county, code)


def test_former_name_is_noted() -> None:
    assert "即墨市 is now 即墨区" in resolve_place("即墨市人民政府", 2016).note


@pytest.mark.parametrize("agency", ["朝阳区卫生健康委员会", "铁东区人民政府"])
def test_ambiguous_name_without_context_is_unresolved(agency: str) -> None:
    place = resolve_place(agency, 2020)
    assert place.status == "unresolved" and place.place_code is None
    assert "ambiguous" in place.note


@pytest.mark.parametrize(
    ("agency", "context", "code"),
    [
        ("北京市朝阳区卫生健康委员会", (), "110105"),
        ("朝阳区卫生健康委员会", ("北京市朝阳区人民政府网站",), "110105"),
        ("朝阳区卫生健康委员会", ("", "", "", "/data/吉林省/长春市/朝阳区卫健委_2020.html"), "220104"),
        ("鞍山市铁东区人民政府", (), "210302"),
        ("铁东区人民政府", ("四平市铁东区2020年政府信息公开工作年度报告",), "220303"),
    ],
)
def test_ambiguous_name_settled_by_context(agency: str, context: tuple[str, ...], code: str) -> None:
    place = resolve_place(agency, 2020, context)
    assert place.place_code == code and place.status == "resolved"


@pytest.mark.parametrize(
    ("agency", "code"),
    [
        ("国家税务总局龙游县税务局", "330825"),
        ("国家统计局龙游调查队", "330825"),
        ("杭州海关", "330100"),
    ],
)
def test_vertical_units_are_placed_and_flagged(agency: str, code: str) -> None:
    place = resolve_place(agency, 2020)
    kind = classify(agency, place)
    assert place.place_code == code
    assert kind.is_vertical and kind.kind == "vertical"


@pytest.mark.parametrize("agency", ["某局", "南京路街道办事处", None, ""])
def test_no_place_is_never_guessed(agency: str | None) -> None:
    place = resolve_place(agency, 2020)
    assert place.status == "unresolved" and place.province is None and place.place_code is None


def test_override_wins_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(
        "agency,code,note\n朝阳区卫生健康委员会,110105,北京\n城东管委会,330825,\n", encoding="utf-8"
    )
    overrides = read_overrides(path)
    place = resolve_place("朝阳区卫生健康委员会", 2020, (), overrides)
    assert (place.province, place.county, place.status) == ("北京市", "朝阳区", "override")
    assert resolve_place("城东管委会", 2020, (), overrides).county == "龙游县"


def test_override_with_unknown_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("agency,code\n某局,999999\n", encoding="utf-8")
    with pytest.raises(ValueError, match="999999"):
        read_overrides(path)


@pytest.mark.parametrize(
    ("agency", "year", "code", "note"),
    [
        ("大同市城区人民政府", 2016, "140213", "城区 is now 平城区 (2018)"),
        ("大同市城区人民政府", 2022, "140213", "城区 is now 平城区 (2018)"),
        ("晋城市城区人民政府", 2016, "140502", ""),
        ("长治市郊区人民政府", 2017, "140403", "郊区 is now 潞州区 (2018)"),
    ],
)
def test_generic_names_by_parent_and_year(agency: str, year: int, code: str, note: str) -> None:
    place = resolve_place(agency, year)
    assert (place.county_code, place.note) == (code, note)


def test_generic_name_alone_is_not_a_place() -> None:
    assert resolve_place("城区教育局", 2020).status == "unresolved"
    assert resolve_place("衢州市城区管理局", 2020).place_code == "330800"


def _counties() -> list[tuple[str, str]]:
    table = divisions()
    found = []
    for (code, level), division in table.by_code.items():
        if level == "county" and not division.name.endswith("直辖行政区划"):
            chain = [division.name]
            parent = table.parent(division)
            while parent is not None:
                if not parent.name.endswith("直辖行政区划"):
                    chain.append(parent.name)
                parent = table.parent(parent)
            found.append(("".join(dict.fromkeys(reversed(chain))), code))
    return found


@given(st.sampled_from(_counties()), st.sampled_from(["教育局", "人民政府", "人民政府办公室", "统计局"]))
def test_every_full_division_chain_resolves_to_its_county(county: tuple[str, str], suffix: str) -> None:
    name, code = county
    assert resolve_place(name + suffix, 2022).county_code == code


@pytest.mark.parametrize(
    ("agency", "site", "expected"),
    [
        ("市统计局", ["衢州市人民政府"], "衢州市统计局"),
        ("县财政局", ["政府信息公开年报", "龙游县人民政府"], "龙游县财政局"),
        ("市统计局", ["江山市人民政府"], "江山市统计局"),
        ("县财政局", ["衢州市人民政府"], None),
        ("市场监督管理局", ["衢州市人民政府"], None),
        ("衢州市统计局", ["衢州市人民政府"], None),
    ],
)
def test_short_forms_take_the_site_place(agency: str, site: list[str], expected: str | None) -> None:
    assert expand_short_form(agency, site) == expected


def test_short_form_agency_in_a_page_is_prefixed() -> None:
    from etl.metadata import read_meta
    from etl.records import Document, Paragraph

    lines = ("2021年，市统计局认真贯彻《条例》。", "填报单位（盖章）：市统计局")
    document = Document(
        "x.html",
        "html",
        "utf-8",
        "2021年政府信息公开工作年度报告_政府信息公开年报_衢州市人民政府",
        tuple(Paragraph(i, line) for i, line in enumerate(lines)),
    )
    meta, _ = read_meta(document, lines)
    assert (meta.agency, meta.city_code) == ("衢州市统计局", "330800")


def test_divisions_built_without_their_init_equal_those_built_with_it() -> None:
    """etl/places.py `_division` fills the frozen dataclass's fields directly (its `__init__` is slow)."""
    import dataclasses

    from etl.places import Division, _division

    made = _division("330881", "江山市", "江山", "county", "330800")
    assert made == Division("330881", "江山市", "江山", "county", "330800")
    assert vars(made) == vars(Division("330881", "江山市", "江山", "county", "330800"))
    assert [f.name for f in dataclasses.fields(Division)] == list(vars(made))
    assert all(
        type(d) is Division and vars(d).keys() == vars(made).keys() for d in divisions().by_code.values()
    )
