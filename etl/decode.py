"""Bytes -> text for web pages and text files: BOMs, declared charsets, UTF-8 vs GB18030, mojibake."""

from __future__ import annotations

import codecs
import re
from functools import cache

from etl.errors import UnreadableDocument

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag, GB variants read as GB18030."""
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


@cache
def _common_cjk() -> frozenset[str]:
    """Level-1 GB2312 characters (lead bytes B0–D7): the 3,755 most frequent hanzi."""
    common = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                common.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(common)


_CJK_RUN = re.compile("[\u4e00-\u9fff]+")
_NOT_LEVEL_1_LEAD = bytes(b for b in range(256) if not 0xB0 <= b <= 0xD7)
_ASCII = bytes(range(0x80))


def hanzi_of(text: str) -> str:
    """The CJK unified ideographs (U+4E00–U+9FFF) of a text, in order: what
    `re.sub("[^\\u4e00-\\u9fff]+", "", text)` gives. The text's non-ASCII characters are taken first,
    in C: its UTF-8 without the ASCII bytes (a character of two to four bytes holds none) read back. A
    page's markup is mostly ASCII, and the ideographs are then found as runs among the few characters
    left (≈ 36 against 64 µs a page here)."""
    wide = text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")
    return "".join(_CJK_RUN.findall(wide))


def rare_cjk_ratio(text: str, sample: int = 4000) -> float:
    """Share of CJK characters outside the most frequent 3,755; high for UTF-8 read as GBK.

    Counted in C: a hanzi is one of the 3,755 (`_common_cjk`) exactly when it encodes in GB2312 with a
    lead byte B0–D7 (every GB2312 hanzi is two bytes, so the lead bytes are the even ones; hanzi GB2312
    lacks are dropped by the encoder). tests/test_parse_fast_paths.py compares it with the set, hanzi by
    hanzi."""
    cjk = hanzi_of(text[: sample * 4])[:sample]
    if len(cjk) < 20:
        return 0.0
    leads = cjk.encode("gb2312", "ignore")[::2]
    return (len(cjk) - len(leads.translate(None, _NOT_LEVEL_1_LEAD))) / len(cjk)


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head


def _candidates(data: bytes, declared: str | None) -> list[str]:
    order = [declared] if declared else []
    order += ["utf-8", "gb18030"]
    return list(dict.fromkeys(e for e in order if e))


def decode_bytes(data: bytes, *, html: bool = False) -> tuple[str, str]:
    """Decode a document; returns (text, encoding). Raises UnreadableDocument with the reason."""
    if not data or data.isspace():  # `not data.strip()` without copying the bytes
        raise UnreadableDocument("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            if text is not None:
                return text.lstrip("\ufeff"), encoding.replace("-sig", "")
    if _looks_binary(data):
        raise UnreadableDocument("binary data, not a text or HTML document")
    declared = declared_charset(data) if html else None
    candidates = _candidates(data, declared)
    first = next(((i, t) for i, enc in enumerate(candidates) if (t := _try(data, enc)) is not None), None)
    if first is None:
        return _guess(data)
    text, encoding = _unscrambled(data, candidates, *first)
    if _control_ratio(text) > 0.05:
        raise UnreadableDocument(f"binary data, not a text or HTML document (decoded as {encoding})")
    return text, encoding


def _unscrambled(data: bytes, candidates: list[str], tried: int, text: str) -> tuple[str, str]:
    """The first decoding (`candidates[tried]`, `text`), or when it reads as mojibake the first later
    candidate that does not. The later ones are decoded only then: a page reads in its first encoding
    almost always, and decoding it again as GB18030 (or failing to) cost as much as the first decoding."""
    if rare_cjk_ratio(text) > 0.35:
        for other in candidates[tried + 1 :]:
            decoded = _try(data, other)
            if decoded is not None and rare_cjk_ratio(decoded) < 0.2:
                return decoded, other
    return text, candidates[tried]


_NOT_CONTROL = bytes(b for b in range(128) if not _CONTROL.match(chr(b)))
"""The ASCII bytes `_CONTROL` does not match: deleted, what is left of a sample's ASCII is its controls."""


def _control_ratio(text: str) -> float:
    """Share of control characters (`_CONTROL`) in the first 20,000 characters. Counted in C: every one
    is ASCII, so they are what is left of the sample's ASCII bytes without `_NOT_CONTROL` (a third of
    `findall`'s time, which tried the character class at every position; tests/test_worker_outside.py
    compares the two)."""
    sample = text[:20000]
    controls = sample.encode("ascii", "ignore").translate(None, _NOT_CONTROL)
    return len(controls) / max(len(sample), 1)


def _guess(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UnreadableDocument("cannot decode: the bytes are neither UTF-8 nor GB18030")
    text = str(best)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text[:20000])
    if cjk < 20 or rare_cjk_ratio(text) > 0.35 or _control_ratio(text) > 0.05:
        raise UnreadableDocument("cannot decode: the bytes are neither UTF-8 nor GB18030")
    return text, best.encoding
