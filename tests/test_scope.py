"""Own or aggregate reports, with the sentence that says so."""

from __future__ import annotations

import pytest

from etl.scope import detect_scope


@pytest.mark.parametrize(
    "text",
    [
        "本报告由宿州市人民政府办公室综合各县、区人民政府和市政府各部门政府信息公开年度报告统计数据而成。",
        "本年度报告根据各乡镇、县直各部门年度报告汇总编制。",
        "本报告由县政府办公室汇总全县各部门和各乡镇（街道）的信息公开情况编制而成。",
    ],
)
def test_aggregate_reports_are_found_with_their_evidence(text: str) -> None:
    scope, evidence = detect_scope(["一、总体情况", text, "二、主动公开政府信息情况"])
    assert scope == "aggregate"
    assert "报告" in evidence and len(evidence) < len(text) + 1


@pytest.mark.parametrize(
    "text",
    [
        "根据《中华人民共和国政府信息公开条例》规定，现编制并公布本单位2021年政府信息公开工作年度报告。",
        "本报告由龙游县教育局编制，各部分数据统计期限自2020年1月1日起至2020年12月31日止。",
        "",
    ],
)
def test_own_reports(text: str) -> None:
    assert detect_scope([text]) == ("own", "")
