"""Text and label normalisation.

Labels are matched on a normalised copy (`label_key`) while the original text is kept for provenance:
NFKC turns `（` into `(`, which is right for matching and wrong for display.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from itertools import chain, islice, repeat
from operator import itemgetter
from typing import TypeVar

K = TypeVar("K")
T = TypeVar("T")
CACHE_LIMIT = 200


CACHE_ENTRIES = 1 << 14
LONG_ENTRIES = 8
"""Long texts (over `CACHE_LIMIT` characters) a memoised function keeps: the last few, since a report's
long paragraphs are asked about by several steps in turn (its metadata, scope, sections and period
each fold the same long line: five folds of 0.16 ms each where one is needed)."""
LONG_LIMIT = 1 << 16
"""Texts longer than this are never kept (a memoised function keeps at most a few MiB of long texts)."""


def remember(memo: dict[K, T], key: K, value: T, entries: int = CACHE_ENTRIES) -> T:
    """`value`, kept in `memo` under `key`; a memo holding `entries` is emptied first. The memos of pure
    functions on the parse path (`cache_short` and the keyed ones beside it): a plain dict, since a hit
    must cost one lookup."""
    if len(memo) >= entries:
        memo.clear()
    memo[key] = value
    return value


def cache_short(function: Callable[[str], T]) -> Callable[[str], T]:
    """Memoise a pure function of strings: short ones (labels, cells) by the thousand, long ones
    (paragraphs) the last `LONG_ENTRIES` of them.

    A plain dict, emptied when full: a hit costs a dict lookup (about 90 ns here) where `lru_cache`
    behind a length test cost about 190 ns, and these functions are called ~3,000 times a report."""
    kept: dict[str, T] = {}
    kept_long: dict[str, T] = {}

    @wraps(function)
    def call(text: str) -> T:
        try:
            return kept[text]
        except KeyError:
            pass
        if len(text) <= CACHE_LIMIT:
            return remember(kept, text, function(text))
        try:
            return kept_long[text]
        except KeyError:
            pass
        result = function(text)
        return remember(kept_long, text, result, LONG_ENTRIES) if len(text) <= LONG_LIMIT else result

    return call


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_CHARS = re.compile(f"[{_INVISIBLE}]")
"""Zero-width and soft-hyphen characters (`re.sub` beats `str.translate` on long non-ASCII text)."""
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009\u202f]+")
_QUOTES = "\"'“”‘’「」『』〝〞＂＇《》〈〉<>"
_QUOTE_TABLE = dict.fromkeys(map(ord, _QUOTES), None)
_CN_NUM = "一二三四五六七八九十"
_NUMBERING = re.compile(
    rf"^(?:其中[:：]?|[{_CN_NUM}]+[、.．,，]|[(（][{_CN_NUM}]+[)）][、.．]?|\d{{1,2}}(?:[.．、,，)）]|\s)|"
    rf"[(（]\d{{1,2}}[)）]|[\u2460-\u2473])"
)
_NOTE = re.compile(r"\([^()]*\)")
_UNCLOSED_NOTE = re.compile(r"\([^)]*$")
_TRAILING_PUNCT = re.compile(r"[:：,，。;；、.]+$")
_CONDITIONAL_COMMENT = re.compile(r"<!--\[(?:if|endif)[^\]]*\]-->|<!\[(?:if|endif)[^\]]*\]>")


_ODD_SPACES = "\x1f\u1680\u2000\u2001\u2004\u2005\u2006\u2007\u2008\u200a\u205f"
"""The whitespace of `str.split` and `str.strip` (`str.isspace`) that is neither a line break to
`str.splitlines` nor in `_SPACES` (tests/test_parse_bp.py checks this over every code point)."""


def _clean_lines(text: str) -> list[str]:
    """The non-empty lines of `clean_text`. A line's runs of `_SPACES` are collapsed to one space and its
    ends stripped by `" ".join(line.split())`, in C, when the text holds none of `_ODD_SPACES` (which
    `split` would collapse too and the regex keeps): the regex costs ≈ 20 ns a character, being a class
    beyond Latin-1, and a page's text is thousands of characters. The lines are mapped and filtered by
    C iterators (a page's text has hundreds of lines, most of them blank), and the invisible characters'
    regex runs only on a text that holds one (a search for each is ≈ 1 ns a character)."""
    if "<!" in text:
        text = _CONDITIONAL_COMMENT.sub("", text)
    if any(map(text.__contains__, _INVISIBLE)):
        text = _INVISIBLE_CHARS.sub("", text)
    if any(map(text.__contains__, _ODD_SPACES)):
        return list(filter(None, map(str.strip, map(_collapse_spaces, text.splitlines()))))
    return list(filter(None, map(" ".join, map(str.split, text.splitlines()))))


def _collapse_spaces(line: str) -> str:
    return _SPACES.sub(" ", line)


@cache_short
def clean_text(text: str) -> str:
    """Printed text with invisible characters removed and whitespace runs collapsed to one space.

    Line breaks are kept as single newlines; leading and trailing whitespace is dropped. Memoised: a
    report's cells repeat the same few texts (≈ 260 calls a report, ≈ 11 distinct texts of them new).
    """
    return "\n".join(_clean_lines(text))


_NOT_CJK = re.compile("[^\u3400-\u9fff\uf900-\ufaff]")
"""Anything but a CJK ideograph (U+3400–U+9FFF, U+F900–U+FAFF)."""
_SPACE_AFTER = {" ": " "}


@cache_short
def one_line(text: str) -> str:
    """`clean_text` joined onto one line; a break between two hanzi ("商业\n企业") joins without a space.

    What `re.sub("(?<=CJK)\n(?=CJK)", "", clean_text(text)).replace("\n", " ")` gives, from the lines
    themselves: a break of `clean_text` is always between two non-empty lines, so whether it joins without
    a space is the test of the last character of one and the first of the next (the regex tried its
    lookbehind at every character of the text). Tested for all breaks at once, by C iterators: the lines'
    last and first characters with every one that is no ideograph made a space; the smaller of the two
    either side of a break is a space exactly when one of them is no ideograph (every ideograph is above
    the space)."""
    lines = _clean_lines(text)
    if len(lines) < 2:
        return lines[0] if lines else ""
    lasts = _NOT_CJK.sub(" ", "".join(map(itemgetter(-1), lines)))
    firsts = _NOT_CJK.sub(" ", "".join(map(itemgetter(0), lines)))
    breaks = map(_SPACE_AFTER.get, map(min, lasts, islice(firsts, 1, None)), repeat(""))
    return "".join(chain.from_iterable(zip(lines, breaks, strict=False))) + lines[-1]  # one break fewer


_QUOTE_CHARS = re.compile(f"[{re.escape(_QUOTES)}]")
_NOT_HANZI = re.compile(r"[^\u4e00-\u9fff]+")
"""Runs between CJK unified ideographs. An ideograph of U+4E00–U+9FFF is its own NFKC form, has combining
class 0 and takes part in no composition, so NFKC never looks across it: the NFKC of a text is the NFKC
of each run with the ideographs left as they are (tests/test_normalise.py checks this)."""


def _nfkc_run(match: re.Match[str]) -> str:
    run = match.group()
    return run if run.isascii() else unicodedata.normalize("NFKC", run)


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, several times faster on Chinese text. CPython's NFKC of a
    text that needs it (one full-width comma is enough) composes character by character, each looked up
    by a linear scan of the composition table (≈ 200 ns a hanzi); its NFKD is ≈ 20× cheaper. NFKC is the
    canonical composition of NFKD, and NFKD is idempotent, so NFKC(text) = NFKC(NFKD(text)); when NFKD(text)
    is already in NFKC (nothing in it composes: what a full-width comma, colon, bracket or digit leaves),
    that is NFKD(text) itself. `is_normalized` is exact (a quick check, then the full comparison when the
    quick check cannot tell)."""
    if unicodedata.is_normalized("NFKC", text):  # a C loop
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    if unicodedata.is_normalized("NFKC", decomposed):
        return decomposed
    if len(text) <= CACHE_LIMIT:
        return unicodedata.normalize("NFKC", text)
    return _NOT_HANZI.sub(_nfkc_run, text)


@cache_short
def fold(text: str) -> str:
    """NFKC, no whitespace, no quotes: the form every comparison of labels uses.

    The rounds repeat until one changes nothing. A round's result holds no whitespace, quote or 〇, so
    when it is in NFKC too the next round would give it back unchanged: it is returned without that
    round (`is_normalized` is the C loop the next round's `nfkc` would start with)."""
    folded = _INVISIBLE_CHARS.sub("", text)
    previous = None
    while folded != previous:
        previous = folded
        folded = nfkc(folded)
        folded = _QUOTE_CHARS.sub("", "".join(folded.split())).replace("〇", "○")
        if unicodedata.is_normalized("NFKC", folded):
            return folded
    return folded


def split_numbering(text: str) -> tuple[str, str]:
    """Split leading item numbers (`一、`, `（三）`, `1．`, `2、`, `其中：`) off a folded label.

    Returns (numbering, rest). Several prefixes in a row ("其中：1．") are all taken.
    """
    rest = fold(text)
    taken = ""
    while True:
        match = _NUMBERING.match(rest)
        if not match or match.end() == 0:
            return taken, rest
        taken += match.group(0)
        rest = rest[match.end() :]


def strip_notes(text: str) -> str:
    """Remove parenthesised explanations, including an unclosed one cut off by a line wrap."""
    previous = None
    while previous != text:
        previous = text
        text = _NOTE.sub("", text)
    return _UNCLOSED_NOTE.sub("", text)


@cache_short
def label_key(text: str) -> str:
    """The key a printed row or column label is matched by.

    NFKC, no whitespace or quotes, no item numbering, no parenthesised notes, no trailing
    punctuation. Idempotent: `label_key(label_key(x)) == label_key(x)`.
    """
    key = fold(text)
    while True:
        _, key = split_numbering(key)
        stripped = _TRAILING_PUNCT.sub("", strip_notes(key))
        if stripped == key:
            return key
        key = stripped


def leading_number(text: str) -> str:
    """The item number a label starts with, folded: '（三）' -> '(三)', '1．' -> '1.' ('' if none)."""
    numbering, _ = split_numbering(text)
    return numbering.replace("其中:", "").replace("其中", "")


@cache_short
def note_unit(text: str) -> str | None:
    """A unit stated inside a label, e.g. '本年收费金额（单位：万元）' -> '万元'."""
    folded = fold(text)
    match = re.search(r"\((?:单位[:：]?)?(万元|元|亿元)\)|单位[:：](万元|元|亿元)", folded)
    if not match:
        return None
    return match.group(1) or match.group(2)
