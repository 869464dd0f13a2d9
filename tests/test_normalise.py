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


# NFKC by runs between ideographs (etl.normalise.nfkc) equals the whole-text NFKC: long texts mixing
# ideographs with full-width forms, compatibility characters and combining marks that follow an ideograph.
NFKC_ALPHABET = st.sampled_from(
    list(
        "申请公开数件其他〇一（），。：ＡＢ１２　 \u0301\u0308\u0323\u3099\u309a\uff76\uff9e\u1100\u1161\u11a8㍿ﬁeAか"
    )
)
LONG_TEXTS = st.text(alphabet=NFKC_ALPHABET, min_size=201, max_size=600) | st.text(min_size=201, max_size=400)


def _fold_reference(text: str) -> str:
    """`fold` as it was written first: whole-text NFKC and `str.translate`."""
    import unicodedata

    folded = text.translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")))
    quotes = dict.fromkeys(map(ord, "\"'“”‘’「」『』〝〞＂＇《》〈〉<>"))
    previous = None
    while folded != previous:
        previous = folded
        folded = unicodedata.normalize("NFKC", folded)
        folded = "".join(folded.split()).translate(quotes).replace("〇", "○")
    return folded


@given(LONG_TEXTS)
def test_nfkc_by_runs_equals_unicodedata(text: str) -> None:
    import unicodedata

    from etl.normalise import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@given(LONG_TEXTS | LABELS)
def test_fold_equals_its_reference(text: str) -> None:
    assert fold(text) == _fold_reference(text)


def test_ideographs_are_nfkc_barriers() -> None:
    """What `nfkc` relies on: every code point of U+4E00–U+9FFF is its own NFKC form, has combining class
    0 and is in no canonical decomposition of two characters (so it never composes)."""
    import unicodedata

    ideographs = {chr(cp) for cp in range(0x4E00, 0xA000)}
    assert all(unicodedata.normalize("NFKC", c) == c and unicodedata.combining(c) == 0 for c in ideographs)
    paired: set[str] = set()
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<") and " " in decomposition:
            paired.update(chr(int(part, 16)) for part in decomposition.split())
    assert not ideographs & paired
