"""The parser's CPU, another pass (issue12pw): each fast form against the plain one it replaces."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

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
