"""Label normalisation: the keys rows and columns are matched by."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.normalise import clean_text, fold, label_key, leading_number, note_unit, one_line, split_numbering

LABEL_ALPHABET = st.sampled_from(
    list(
        "（）()【】“”\"'‘’《》：:，,。、．.　 \t\n0123456789０１２３一二三四五六七八九十其中申请公开数件条其他"
    )
)
LABELS = st.text(alphabet=LABEL_ALPHABET, max_size=30) | st.text(max_size=30)


@given(LABELS)
def test_label_key_is_idempotent(text: str) -> None:
    assert label_key(label_key(text)) == label_key(text)


@given(LABELS)
def test_label_key_has_no_whitespace_or_quotes(text: str) -> None:
    key = label_key(text)
    assert not any(ch.isspace() for ch in key)
    assert not set(key) & set("“”‘’\"'")


@given(LABELS)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40))
def test_clean_text_never_has_double_spaces_or_edges(text: str) -> None:
    cleaned = clean_text(text)
    assert "  " not in cleaned
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("（一）主动公开政府信息数\n     (不同渠道和方式公开相同信息计1条）", "主动公开政府信息数"),
        ("        其中：主动公开规范性文件数", "主动公开规范性文件数"),
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        ('3、危及"三安全一稳定"', "危及三安全一稳定"),
        ("3．危及“三安全一稳定”", "危及三安全一稳定"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
        ("(二)部分公开（区分处理的,只计这一情形,不计其他情形)", "部分公开"),
        ("本年收费金额（单位：万元）", "本年收费金额"),
        ("1．专职人员数（不包括政府公报及政府网站工作\n        人员数）", "专职人员数"),
        (
            "危及国家安全、公共安全、经济安全和\n               社会稳定",
            "危及国家安全、公共安全、经济安全和社会稳定",
        ),
        ("不是《条例》所指政府信息", "不是条例所指政府信息"),
        ("其中：1、政府网站公开数", "政府网站公开数"),
        ("本年新\n制作数量", "本年新制作数量"),
        ("上一年项目数量(指2019年事项数)", "上一年项目数量"),
        ("规范性文件(行政机关制定发布的决定、公告…一般情况下属于规范性文件)", "规范性文件"),
        ("2016年度", "2016年度"),
        ("本年增/减", "本年增/减"),
        (
            "（一） 回应公众关注热点或重大舆情数\n（不同方式回应同一热点或舆情计1次）",
            "回应公众关注热点或重大舆情数",
        ),
        ("<!--[if !supportLists]-->7、<!--[endif]-->告知通过其他途径办理数", "告知通过其他途径办理数"),
    ],
)
def test_label_key_examples(printed: str, key: str) -> None:
    assert label_key(clean_text(printed)) == key


def test_numbering_is_split_off_and_kept() -> None:
    assert split_numbering("（三）不予公开") == ("(三)", "不予公开")
    assert split_numbering("其中：1．当面申请数") == ("其中:1.", "当面申请数")
    assert leading_number("2、重复申请") == "2、"
    assert split_numbering("2016年度") == ("", "2016年度")


def test_units_stated_in_labels() -> None:
    assert note_unit("本年收费金额（单位：万元）") == "万元"
    assert note_unit("采购总金额(元)") == "元"
    assert note_unit("采购总金额") is None


def test_one_line_joins_wrapped_hanzi_without_space() -> None:
    assert one_line("商业\n企业") == "商业企业"
    assert one_line("  a \u3000 b\n c ") == "a b c"
