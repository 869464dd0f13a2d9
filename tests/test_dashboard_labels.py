"""Codes turned into words and tables written as a person writes them (dashboard/labels.py, the profile's
reasons in dashboard/measures.py)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard import labels, measures


def checks_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "check_id": ["N1", "F6"],
            "severity": ["error", "warning"],
            "status": ["fail", "not_assessable"],
            "breakdown": ["natural_person", ""],
            "expected": [3.0, np.nan],
            "actual": [2.0, np.nan],
            "message": ["Natural persons: new 3", "not assessable: the publication date is not known"],
            "message_zh": ["自然人列：第一项（本年新收）3", "无法判断：发布日期不明"],
            "cells": ["req.received|natural_person", ""],
        }
    )


def test_checks_read_in_chinese_with_their_meaning() -> None:
    shown = labels.localised(checks_frame(), "zh")
    assert list(shown.columns) == [
        "check_id",
        "meaning",
        "severity",
        "status",
        "check_where",
        "expected",
        "actual",
        "message",
    ]
    assert shown.iloc[0].tolist()[:5] == [
        "N1",
        "表三 第一项加第二项之和等于第三项加第四项之和",
        "错误",
        "未通过",
        "自然人",
    ]
    assert shown["message"].tolist() == ["自然人列：第一项（本年新收）3", "无法判断：发布日期不明"]


def test_checks_read_in_english() -> None:
    shown = labels.localised(checks_frame(), "en")
    assert shown.iloc[1]["status"] == "not assessable" and shown.iloc[0]["check_where"] == "Natural persons"
    assert shown["message"].tolist()[1] == "not assessable: the publication date is not known"


def test_a_warehouse_without_chinese_messages_keeps_the_english_one() -> None:
    frame = checks_frame().assign(message_zh=[None, ""])
    assert labels.localised(frame, "zh")["message"].tolist() == checks_frame()["message"].tolist()


def test_values_and_sources_in_words() -> None:
    facts = pd.DataFrame(
        {
            "label_zh": ["（一）予以公开"],
            "breakdown": ["commercial"],
            "semantic": ["blank"],
            "confidence": ["fuzzy_label"],
            "column_label": ["commercial"],
            "template": ["v2021"],
            "is_current": [True],
        }
    )
    shown = labels.localised(facts, "zh")
    assert shown.iloc[0].tolist() == [
        "（一）予以公开",
        "商业企业",
        "空白",
        "行名有错字，按近似行名读取",
        "商业企业",
        "2021版",
        "是",
    ]
    assert next(iter(shown.columns)) == "metric"


def test_missing_values_are_dashes() -> None:
    frame = pd.DataFrame(
        {
            "value": [1.0, np.nan, 2.5],
            "name": ["a", None, "c"],
            "count": [1, 2, 3],
            "exact": [Decimal(1), None, None],
        }
    )
    written, numeric = labels.with_dashes(frame)
    assert written["value"].tolist() == ["1", "—", "2.5"] and written["name"].tolist() == ["a", "—", "c"]
    assert written["exact"].tolist() == ["1", "—", "—"] and written["count"].tolist() == [1, 2, 3]
    assert numeric == ["value", "exact"]
    full = pd.DataFrame({"v": [1, 2]})
    assert labels.with_dashes(full) == (full, [])


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6, allow_nan=False))
def test_cell_text_writes_numbers_exactly(number: Decimal) -> None:
    text = labels.cell_text(number)
    assert Decimal(text) == number
    assert not text.endswith(".") and (text == "0" or "." not in text or not text.endswith("0"))


def test_about_a_report_in_words() -> None:
    about = labels.about_report(
        {"title": "标题", "template": "v2019", "agency_kind": "department", "is_current": False, "url": None},
        "zh",
    )
    assert about.values.tolist() == [
        ["标题", "标题"],
        ["统计表模板", "2019版"],
        ["机关类型", "部门"],
        ["网址", "—"],
        ["当前版本", "否"],
    ]


def test_profile_cells_say_why_they_are_empty() -> None:
    by_report = pd.DataFrame(
        {
            "series_code": ["requests.received", "requests.received", "proactive.items"],
            "year": [2020, 2021, 2018],
            "breakdown": ["total", "total", ""],
            "value": [5.0, np.nan, 40.0],
        }
    )
    gaps = pd.DataFrame(
        {
            "report_id": ["r21"],
            "year": [2021],
            "series_code": ["requests.received"],
            "breakdown": ["total"],
            "semantic": ["na"],
            "value_raw": ["/"],
        }
    )
    order = ("requests.received", "proactive.items")
    values = measures.profile_table(by_report, str, order)
    reasons = measures.profile_reasons(by_report, gaps, lambda kind, raw: f"{kind} {raw}".strip(), order)
    assert values["series"].tolist() == ["requests.received", "proactive.items"]
    assert reasons.values.tolist() == [["not_printed", "", "na /"], ["", "not_printed", "not_printed"]]
    assert np.isnan(values.iloc[0]["2021"])  # a cell printed as "/" is no zero
    html = labels.html_table(values, reasons, {"series": "序列"})
    assert "<th>序列</th>" in html and 'title="na /">—</td>' in html and ">5</td>" in html


def test_the_profile_table_is_the_pivot_it_replaced() -> None:
    """`profile_table` sums with groupby instead of pivot_table's Python aggfunc: the same table for values
    summed over several reports of a year, all-missing cells, years of one series only and no year."""
    by_report = pd.DataFrame(
        {
            "series_code": ["b", "b", "a", "a", "a", "c", "c"],
            "year": [2020, 2020, 2019, 2021, 2021, 2019, None],
            "value": [1.5, 2.0, np.nan, np.nan, np.nan, 7.0, 3.0],
        }
    )
    for frame in (by_report, by_report.dropna(subset=["year"]).astype({"year": int})):
        old = frame.pivot_table(
            index="series_code",
            columns="year",
            values="value",
            aggfunc=lambda v: v.sum(min_count=1),
            dropna=False,
        )
        old = old.loc[["c", "a", "b"]]
        old.columns = [str(c) for c in old.columns]
        old.insert(0, "series", [f"<{code}>" for code in old.index])
        new = measures.profile_table(frame, lambda code: f"<{code}>", ("c", "a"))
        pd.testing.assert_frame_equal(new, old.reset_index(drop=True))


def test_html_tables_escape_document_text() -> None:
    values = pd.DataFrame({"series": ["<b>x</b>"], "2020": [np.nan]})
    reasons = pd.DataFrame({"2020": ['原文填写"><script>']})
    html = labels.html_table(values, reasons, {})
    assert "<b>x" not in html and "<script>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
