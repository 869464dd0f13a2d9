"""Agency ids, name variants, level and kind; the normaliser is idempotent (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.agencies import agency_id, classify, normalise_agency, read_aliases
from etl.places import resolve_place


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("龙游县政府办", "龙游县人民政府办公室"),
        ("龙游县政府办公室", "龙游县人民政府办公室"),
        ("龙游县人民政府办公室", "龙游县人民政府办公室"),
        ("龙游县 人民政府 办公室", "龙游县人民政府办公室"),
        ("龙游县政府", "龙游县人民政府"),
        ("浙江省政府办公厅", "浙江省人民政府办公厅"),
        ("龙游县（招商投资促进中心）", "龙游县招商投资促进中心"),
        ("龙游县人社局", "龙游县人力资源和社会保障局"),
        ("衢州市卫健委", "衢州市卫生健康委员会"),
        ("龙游县市监局", "龙游县市场监督管理局"),
        ("衢州市监局", "衢州市监局"),
    ],
)
def test_name_variants_share_one_id(variant: str, canonical: str) -> None:
    assert agency_id(variant) == canonical


def test_aliases_file_reconciles_what_rules_cannot(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical\n龙游县招商局,龙游县招商投资促进中心\n", encoding="utf-8")
    aliases = read_aliases(path)
    assert agency_id("龙游县招商局", aliases) == "龙游县招商投资促进中心"
    assert agency_id("龙游县招商局") == "龙游县招商局"


@given(
    st.text(alphabet="龙游县人民政府办公室局委镇乡街道 （）()·、-_区市省", max_size=30) | st.text(max_size=30)
)
def test_normalise_agency_is_idempotent(name: str) -> None:
    once = normalise_agency(name)
    assert normalise_agency(once) == once


def test_a_mark_left_by_a_removed_dash_is_composed_at_once() -> None:
    name = "U-\u00a8"  # NFKC: U, -, combining diaeresis; without the dash the mark composes with U
    assert normalise_agency(name) == normalise_agency(normalise_agency(name)) == "\u00dc"
    assert agency_id(name) == agency_id(normalise_agency(name))


@given(st.text(max_size=40))
def test_agency_id_is_stable_under_normalising(name: str) -> None:
    assert agency_id(name) == agency_id(normalise_agency(name))


@pytest.mark.parametrize(
    ("agency", "kind", "level"),
    [
        ("龙游县人民政府", "government", "county"),
        ("衢州市人民政府办公室", "government_office", "city"),
        ("龙游县政府办", "government_office", "county"),
        ("龙游县教育局", "department", "county"),
        ("龙游县招商投资促进中心", "department", "county"),
        ("龙游县湖镇镇人民政府", "township", "township"),
        ("常山县天马街道办事处", "township", "township"),
        ("衢州经济技术开发区管理委员会", "zone", "city"),
        ("平潭综合实验区", "zone", "county"),
        ("国家税务总局江山市税务局", "vertical", "county"),
        ("上海市", "government", "province"),
    ],
)
def test_level_and_kind(agency: str, kind: str, level: str) -> None:
    found = classify(agency, resolve_place(agency, 2020))
    assert (found.kind, found.level) == (kind, level)
    assert found.is_vertical == (kind == "vertical")
