"""Agency, year and place names, each from the strongest evidence."""

from __future__ import annotations

import pytest

from etl.metadata import Evidence, choose_year, clean_title, places, read_meta, title_evidence
from etl.records import Document, Paragraph


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        (
            "平潭综合实验区2016年度政府信息公开工作年度报告_政府信息公开年报_平潭综合实验区党工委管委会",
            "平潭综合实验区",
            "2016",
        ),
        ("龙游县教育局2021年政府信息公开工作年度报告", "龙游县教育局", "2021"),
        ("2022年上海市政府信息公开工作年度报告", "上海市", "2022"),
        ("浙江省2022年政府信息公开工作年度报告", "浙江省", "2022"),
        ("广西壮族自治区2023年政府信息公开工作年度报告", "广西壮族自治区", "2023"),
        ("平潭综合实验区地方税务局2013年信息公开年度报告", "平潭综合实验区地方税务局", "2013"),
        ("宿迁市政府办公室2014年政府信息公开年度报告", "宿迁市政府办公室", "2014"),
        ("上海市黄浦区人民政府2022年政府信息公开工作年度报告（超链版）", "上海市黄浦区人民政府", "2022"),
        ("龙游县 财政局 2020 年政府信息公开工作年度报告 - 龙游县人民政府", "龙游县财政局", "2020"),
    ],
)
def test_titles(title: str, agency: str, year: str) -> None:
    found_agency, found_year = title_evidence(title)
    assert found_agency is not None and found_agency.value == agency
    assert found_year is not None and found_year.value == year


def test_site_suffix_is_stripped() -> None:
    assert (
        clean_title("某局2020年政府信息公开工作年度报告_政务公开_某网")
        == "某局2020年政府信息公开工作年度报告"
    )


def test_weak_year_that_disagrees_is_rejected_with_a_warning() -> None:
    year, source, issues = choose_year([Evidence("2021", "统计期限"), Evidence("2019", "发布时间")])
    assert (year, source) == (2021, "统计期限")
    assert "rejected" in issues[0].message


def test_no_year_is_a_warning_not_a_guess() -> None:
    year, _, issues = choose_year([])
    assert year is None and issues[0].code == "no_year"


def _document(title: str, *lines: str, meta: tuple[tuple[str, str], ...] = ()) -> Document:
    blocks = tuple(Paragraph(i, line) for i, line in enumerate(lines))
    return Document("x.txt", "text", "utf-8", title, blocks, meta)


def test_untitled_report_uses_filler_and_compiled_sentence() -> None:
    lines = (
        "根据条例，现编制并公布本单位2021年政府信息公开工作年度报告。",
        "填报单位（盖章）：龙游县招商投资促进中心",
    )
    meta, issues = read_meta(_document("", *lines), lines)
    assert (meta.agency, meta.agency_source) == ("龙游县招商投资促进中心", "填报单位")
    assert (meta.year, meta.year_source) == (2021, "编制公布")
    assert meta.county == "龙游县" and not issues


def test_publication_date_gives_a_weak_year() -> None:
    meta, _ = read_meta(_document("", "正文。", meta=(("published", "2020-01-20"),)), ["正文。"])
    assert (meta.year, meta.year_source) == (2019, "发布时间")
    assert meta.agency is None


def test_title_year_conflicting_with_period_is_reported() -> None:
    lines = ("本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。",)
    meta, issues = read_meta(_document("某某县民政局2021年政府信息公开工作年度报告", *lines), lines)
    assert meta.year == 2021
    assert any(i.code == "year_conflict" and "2020" in i.message for i in issues)


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("龙游县招商投资促进中心", ("浙江省", "衢州市", "龙游县")),
        ("衢州市财政局", ("浙江省", "衢州市", None)),
        ("浙江省衢州市龙游县教育局", ("浙江省", "衢州市", "龙游县")),
        ("衢州市柯城区教育局", ("浙江省", "衢州市", "柯城区")),
        ("平潭综合实验区", ("福建省", "福州市", "平潭县")),
        ("杭州经济技术开发区管委会", ("浙江省", "杭州市", None)),
        ("朝阳区卫生健康委员会", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_place_names_from_agency(agency: str | None, expected: tuple[str | None, ...]) -> None:
    assert places(agency) == expected
