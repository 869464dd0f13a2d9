"""The parse path's faster forms (docs/scale.md §2, "Fifth pass") give what the plain forms give."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from etl.compliance import compliance_checks, find_sections, order_check, sections_check
from etl.decode import _common_cjk, decode_bytes, rare_cjk_ratio
from etl.narrative import PATTERNS
from etl.normalise import CACHE_LIMIT, fold, nfkc
from etl.pipeline import parse_file
from etl.readers import read_document
from etl.readers.docx import GRID_SPAN, H_MERGE, TCPR, V_MERGE, W, _table_properties
from etl.readers.html import _html_parser, _text_size, _texts
from etl.templates import spec
from tests.conftest import FIXTURES


def _rare_share(text: str, sample: int = 4000) -> float:
    """The share as it was counted before: the hanzi looked up in the set of 3,755, one by one."""
    cjk = [c for c in text[: sample * 4] if "\u4e00" <= c <= "\u9fff"][:sample]
    if len(cjk) < 20:
        return 0.0
    common = _common_cjk()
    return (len(cjk) - sum(c in common for c in cjk)) / len(cjk)


def test_rare_cjk_ratio_knows_every_hanzi_as_the_set_does() -> None:
    common = _common_cjk()
    assert len(common) == 3755
    for start in range(0x4E00, 0xA000, 20):  # 20 hanzi at a time, every one of U+4E00–U+9FFF
        chunk = "".join(chr(c) for c in range(start, min(start + 20, 0xA000)))
        if len(chunk) == 20:
            assert rare_cjk_ratio(chunk) == sum(c not in common for c in chunk) / 20, hex(start)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
            st.characters(max_codepoint=0x3000),
            st.sampled_from("，。、：的了是在政府信息公开申请"),
        ),
        max_size=300,
    ),
    st.sampled_from([20, 25, 4000]),
)
def test_rare_cjk_ratio_equals_the_set_count(chars: list[str], sample: int) -> None:
    text = "".join(chars)
    assert rare_cjk_ratio(text, sample) == _rare_share(text, sample)


def test_rare_cjk_ratio_of_pages_and_mojibake() -> None:
    for path in sorted((FIXTURES / "reports").iterdir()):
        if path.suffix in (".html", ".htm", ".shtml", ".txt"):
            text = decode_bytes(path.read_bytes(), html=path.suffix != ".txt")[0]
            assert rare_cjk_ratio(text) == _rare_share(text)
            garbled = text.encode("utf-8").decode("gb18030", "replace")
            assert rare_cjk_ratio(garbled) == _rare_share(garbled)


CRAFTED_PAGE = (
    '<html><head><title>t</title><script>var a = "x<y";</script><style>p{}</style></head>'
    "<body>a<!-- c -->tail<?pi x?>pitail<p>b&amp;c&nbsp;<![CDATA[cd]]>d</p>e<br/>f"
    "<table><tr><td>一<b>二</b>三</td><td/></tr></table>尾</body></html>"
)


def _trees() -> list[etree._Element]:
    pages = [CRAFTED_PAGE]
    for path in sorted((FIXTURES / "reports").iterdir()):
        if path.suffix in (".html", ".htm", ".shtml"):
            pages.append(decode_bytes(path.read_bytes(), html=True)[0])
    return [etree.fromstring(page.removeprefix('<?xml version="1.0"?>'), _html_parser()) for page in pages]


def test_texts_are_itertext_and_text_size_their_length() -> None:
    trees = _trees()
    assert len(trees) > 5
    for root in trees:
        for element in root.iter():
            if isinstance(element.tag, str):
                assert _texts(element) == list(element.itertext())
                assert _text_size(element) == sum(map(len, element.itertext()))


def _cell(properties: str) -> etree._Element:
    """A cell with `properties`, the one cell of a one-row table."""
    xml = (
        f'<w:tbl xmlns:w="{W[1:-1]}"><w:tr><w:tc>{properties}<w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
        "</w:tr></w:tbl>"
    )
    return etree.fromstring(xml)[0][0]


@pytest.mark.parametrize(
    "properties",
    [
        "",
        "<w:tcPr/>",
        '<w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr>',
        '<w:tcPr><!-- note --><w:hMerge w:val="restart"/><w:gridSpan w:val="3"/><w:gridSpan w:val="9"/></w:tcPr>',
        '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:tcPr><w:gridSpan w:val="4"/></w:tcPr>',
    ],
)
def test_docx_cell_properties_are_what_find_finds(properties: str) -> None:
    tc = _cell(properties)
    found = _table_properties(tc.getparent().getparent()).get(tc, {})
    props = tc.find(TCPR)
    for tag in (GRID_SPAN, V_MERGE, H_MERGE):
        expected = None if props is None else props.find(tag)
        assert found.get(tag) is expected


def test_narrative_patterns_need_their_text() -> None:
    """Every pattern's prefilter text is in each of its matches, over the fixtures' paragraphs and the
    wordings the narrative reads."""
    texts = [
        "本年度主动公开政府信息132条。",
        "全年共公布政府信息2599条",
        "共收到70件申请",
        "本机关共收到政府信息公开申请12件",
        "受理依申请公开政府信息事项3件",
        "未收到政府信息公开申请",
        "收取信息处理费共计1.5万元",
        "本机关未收取任何费用",
        "未发生收费情况",
        "配备政府信息公开工作人员3名",
        "从事政府信息公开工作的人员共2人",
    ]
    for path in sorted((FIXTURES / "reports").iterdir()):
        if path.suffix in (".html", ".htm", ".shtml", ".txt", ".docx"):
            texts += [p.text for p in read_document(str(path), path.read_bytes()).paragraphs]
    matched = set()
    for pattern in PATTERNS:
        assert pattern.needs
        for text in texts:
            for match in pattern.regex.finditer(text):
                assert pattern.needs in match.group(0), (pattern.code, match.group(0))
                matched.add(id(pattern))
    assert len(matched) == len(PATTERNS)  # each pattern is exercised


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from("政府信息公开，。（）１２３ＡＢ　 \n\t“”「」"),
            st.characters(min_codepoint=0x300, max_codepoint=0x36F),  # combining marks
            st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
        ),
        min_size=1,
        max_size=120,
    ),
    st.integers(1, 400),
)
def test_nfkc_of_long_text(chars: list[str], extra: int) -> None:
    """Texts of CACHE_LIMIT + 1 to + 400 characters, the drawn ones repeated to that length (cut anywhere):
    drawing every one of 200-600 characters made this test take 13 s of CPU, almost all in hypothesis."""
    piece = "".join(chars)
    text = (piece * ((CACHE_LIMIT + extra) // len(piece) + 1))[: CACHE_LIMIT + extra]
    assert len(text) > CACHE_LIMIT
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    folded = fold(text)
    assert nfkc(folded) == unicodedata.normalize("NFKC", folded)


def test_sections_found_once_give_the_same_checks() -> None:
    rng = random.Random(7)
    paths = [p for p in sorted((FIXTURES / "reports").iterdir()) if p.suffix in (".html", ".txt", ".docx")]
    assert paths
    for path in rng.sample(paths, min(6, len(paths))):
        report = parse_file(path)
        document = read_document(str(path), path.read_bytes())
        layout = spec(report.template).layout
        found = find_sections(document, layout)
        assert sections_check(document, layout, found) == sections_check(document, layout)
        assert order_check(document, layout, found) == order_check(document, layout)
        ids = {c.check_id for c in compliance_checks(document, layout, report.meta, {})}
        assert {"F1", "F2"} <= ids
