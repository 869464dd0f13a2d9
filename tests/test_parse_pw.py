"""The parser's CPU, another pass (issue12pw): each fast form against the plain one it replaces."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from etl.decode import _NOT_LEVEL_1_LEAD, hanzi_of, rare_cjk_ratio
from etl.extract.glued import SEPARATOR, compact
from etl.normalise import CACHE_LIMIT, fold, nfkc
from etl.values import _DASHES, _UNIT_ALT, _compact

# Characters whose NFKC differs from their NFKD (compositions: accents, kana voicing marks, Hangul jamo),
# characters NFKC changes without composing (full-width forms, the ideographic space, ligatures, squared
# words) and hanzi, mixed: texts whose NFKD composes again as well as texts whose NFKD is final.
MIXED = st.sampled_from(
    list(
        "申请公开数件其他〇一（），。：；ＡＢ１２０　 \u0301\u0308\u0323\u3099\u309a\uff76\uff9e\u1100\u1161"
        "\u11a8㍿ﬁeAかé①…％"
    )
)
SHORT = st.text(alphabet=MIXED, max_size=CACHE_LIMIT) | st.text(max_size=60)
LONG = st.text(alphabet=MIXED, min_size=CACHE_LIMIT + 1, max_size=CACHE_LIMIT + 300)


@given(SHORT | LONG)
def test_nfkc_equals_unicodedata(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_full_width_text_is_its_decomposition() -> None:
    """The fast path: full-width punctuation and digits beside hanzi, nothing that composes."""
    text = "（一）收到申请数：１２件，其中自然人０件；"
    assert nfkc(text) == unicodedata.normalize("NFKC", text) == unicodedata.normalize("NFKD", text)
    assert nfkc("é") == "é" and nfkc("e\u0301") == "é"  # NFKD composes again: NFKC itself


@given(SHORT)
def test_fold_of_short_text_equals_whole_text_nfkc(text: str) -> None:
    folded = text.translate(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad")))
    quotes = dict.fromkeys(map(ord, "\"'“”‘’「」『』〝〞＂＇《》〈〉<>"))
    previous = None
    while folded != previous:
        previous = folded
        folded = unicodedata.normalize("NFKC", folded)
        folded = "".join(folded.split()).translate(quotes).replace("〇", "○")
    assert fold(text) == folded


def _glued_compact_reference(text: str) -> str:
    """`glued.compact` with whole-text NFKC."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[\d.])\s+(?=\d)", SEPARATOR, text)
    text = re.sub(r"\s+", "", text)
    return re.sub("[\"'“”‘’]", "", text)


def _value_compact_reference(raw: str) -> str:
    """`values._compact` with whole-text NFKC."""
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", text).strip()
    text = re.sub(r"^([+-])\s+", r"\1", text)
    return re.sub(rf"(\d)\s+({_UNIT_ALT})$", r"\1\2", text)


VALUES = st.text(
    alphabet=st.sampled_from(list("０１２３4５6.．,，－—-　 件万元亿（）()\u200bé\u0301")), max_size=12
)


@given(SHORT)
def test_glued_compact_equals_its_reference(text: str) -> None:
    assert compact(text) == _glued_compact_reference(text)


@given(VALUES | SHORT)
def test_value_compact_equals_its_reference(raw: str) -> None:
    assert _compact(raw) == _value_compact_reference(raw)


# The page's hanzi by its non-ASCII characters first (decode.hanzi_of) against the regex over the whole
# text: markup, hanzi at both ends of the range and beside it, full-width forms, astral characters and
# lone surrogates (which a decoded page never holds, but a str may).
PAGE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('<p class="x">&nbsp;</p>\n\t 申请公开〇一（），\u4e00\u9fff\u4dff\ua000\u00a0')),
        st.characters(),
    ),
    max_size=300,
)


@given(PAGE_TEXT)
def test_hanzi_of_is_the_regex_removal_of_everything_else(text: str) -> None:
    assert hanzi_of(text) == re.sub("[^\u4e00-\u9fff]+", "", text)


def _rare_cjk_ratio_reference(text: str, sample: int = 4000) -> float:
    """`rare_cjk_ratio` with the hanzi found by the regex over the whole sample."""
    cjk = re.sub("[^\u4e00-\u9fff]+", "", text[: sample * 4])[:sample]
    if len(cjk) < 20:
        return 0.0
    leads = cjk.encode("gb2312", "ignore")[::2]
    return (len(cjk) - len(leads.translate(None, _NOT_LEVEL_1_LEAD))) / len(cjk)


@given(
    st.text(alphabet=st.sampled_from(list("<a>b 政府信息公开年度报告龘靐齉\u9fa6\u4e00（），")), max_size=120)
)
def test_rare_cjk_ratio_as_with_the_regex(text: str) -> None:
    page = text * 40  # past the 20 hanzi a ratio needs, and for some past the sample
    assert rare_cjk_ratio(page) == _rare_cjk_ratio_reference(page)
    assert rare_cjk_ratio(page, 30) == _rare_cjk_ratio_reference(page, 30)
