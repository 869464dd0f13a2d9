"""The HTML reader's one-pass selector matching selects what lxml's CSS selectors select."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from etl.decode import decode_bytes
from etl.readers.html import CONTENT_SELECTORS, TITLE_SELECTORS, _html_parser, _selected
from tests.conftest import FIXTURES

CRAFTED = (
    '<html><body><div class="a\u3000content" id="zoom "><p class="content\tb">x</p>'
    '<div class=" CONTENT content ">y</div><div id="content">z</div><div id="zoom" class="">w</div>'
    '<H1 class="title">t</H1><main class="article_title x">m</main><article>a</article>'
    '<section class="article-content"><h2 id="title">h</h2></section></div></body></html>'
)


def _pages() -> list[str]:
    files = [p for p in sorted((FIXTURES / "reports").iterdir()) if p.suffix in (".html", ".htm", ".shtml")]
    return [CRAFTED, *(decode_bytes(p.read_bytes(), html=True)[0] for p in files)]


@pytest.mark.parametrize("selectors", [CONTENT_SELECTORS, TITLE_SELECTORS])
def test_selected_equals_lxml_cssselect(selectors: tuple[str, ...]) -> None:
    pages = _pages()
    assert len(pages) > 5
    for text in pages:
        root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text), _html_parser())
        expected = [CSSSelector(s, translator="html")(root) for s in selectors]
        assert list(_selected(selectors, root)) == expected
    crafted = etree.fromstring(CRAFTED, _html_parser())
    assert any(list(_selected(selectors, crafted)))  # the crafted page does match something
