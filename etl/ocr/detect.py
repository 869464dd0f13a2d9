"""Telling when a document's text has to be read from its images."""

from __future__ import annotations

import re
import unicodedata

MIN_SAMPLE = 80
MAX_BAD_SHARE = 0.3
MIN_CJK_SHARE = 0.15
_CID = re.compile(r"\(cid:\d+\)")


def garbage_text_layer(text: str) -> bool:
    """A PDF text layer that is not the report's text: glyph ids ("(cid:123)"), private-use or
    replacement characters, or hardly any Chinese in a long text (a font without a Unicode map)."""
    cids = len(_CID.findall(text))
    chars = [c for c in _CID.sub("", text) if not c.isspace()]
    if len(chars) + cids < MIN_SAMPLE:
        return False
    bad = cids + sum(1 for c in chars if _is_bad(c))
    cjk = sum(1 for c in chars if "\u3400" <= c <= "\u9fff")
    total = len(chars) + cids
    return bad / total > MAX_BAD_SHARE or cjk / total < MIN_CJK_SHARE


def _is_bad(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cc", "Cs", "Cn")
