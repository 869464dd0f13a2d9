"""Each narrative wording the parser reads, and sentences about something else that it must not read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.extract.rows import FactCollector
from etl.narrative import extract_narrative, no_fees_statement
from etl.records import Paragraph


def read(sentence: str) -> dict[str, tuple[Decimal | None, str]]:
    collector = FactCollector()
    extract_narrative([Paragraph(0, sentence)], collector)
    return {code: (fact.value, fact.semantic) for (code, _), fact in collector.facts.items()}


@pytest.mark.parametrize(
    ("sentence", "code", "value"),
    [
        (
            "今年，我区政府信息公开单位共公布政府信息2599条，其中机构职能类信息25条。",
            "text.proactive.total",
            2599,
        ),
        ("2024年，我区在政府网站平台主动发布各类政府信息2428条。", "text.proactive.total", 2428),
        ("全年主动公开政府信息132条。", "text.proactive.total", 132),
        ("2024年，全年共收到依申请信息公开26件。", "text.requests.received", 26),
        ("2024年共受理依申请公开17件。", "text.requests.received", 17),
        (
            "区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。",
            "text.requests.received",
            17,
        ),
        (
            "全年受理自然人、法人或者其他组织通过网络、信函等方式提交的政府信息公开申请17件。",
            "text.requests.received",
            17,
        ),
        ("我局配备政府信息公开工作人员3名，其中专职1名、兼职2名。", "text.staff.total", 3),
        ("现有从事政府信息公开工作人员4人。", "text.staff.total", 4),
        ("本单位共收取信息处理费3940元。", "text.fees.amount", 3940),
    ],
)
def test_explicit_figure_is_read(sentence: str, code: str, value: int) -> None:
    assert read(sentence)[code] == (Decimal(value), "number")


@pytest.mark.parametrize(
    "sentence", ["本机关未发生收费情况。", "本年度未收取任何费用。", "我局没有收取信息处理费。"]
)
def test_no_fees_sentence_is_fees_zero(sentence: str) -> None:
    assert read(sentence)["text.fees.amount"] == (Decimal(0), "zero")
    assert no_fees_statement([sentence]) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "2024年，收到行政复议申请2件。",
        "收到举报投诉类申请3件。",
        "市政府网站主动公开各类政府信息5500余条。",
        "配备专职工作人员1名。",
        "我局配备兼职政府信息公开工作人员2名。",
        "本年度未发生行政事业性收费情况。",
        "全年召开专题会议4次。",
    ],
)
def test_sentence_about_something_else_is_not_read(sentence: str) -> None:
    assert read(sentence) == {}
