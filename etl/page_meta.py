"""Page metadata: the site's 信息公开 block (索引号, 发布机构, 公开日期 …) and a collector's own header.

Saved pages often start with the collector's block (source URL, capture time) or carry the site's
metadata table. The site's 发布机构 and 公开日期 / 发布日期 are the evidence for publisher and
publication date; a URL is never a publisher (it may be the page's address) and a capture time is never
a publication date. Keys are compared folded, so "索 引 号" and "发布机构：" are found too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from etl.normalise import cache_short, fold

PUBLISHER_KEYS = ("发布机构", "发布单位", "发文机关", "发文单位", "公开主体", "信息来源", "来源", "来源单位")
"""Keys naming the publisher, strongest first."""
DATE_KEYS = ("公开日期", "公开时间", "发布日期", "发布时间", "成文日期", "生成日期", "日期", "时间")
"""Keys dating the publication, strongest first."""
CAPTURE_KEYS = (
    "采集时间",
    "采集日期",
    "抓取时间",
    "抓取日期",
    "爬取时间",
    "保存时间",
    "保存日期",
    "下载时间",
    "获取时间",
    "访问时间",
    "入库时间",
    "收录时间",
)
"""A collector's own times: never a publication date."""
GENERIC_DATE_KEYS = ("日期", "时间")
OTHER_TIMES = frozenset(
    {
        "更新",
        "修改",
        "打印",
        "访问",
        "浏览",
        "采集",
        "抓取",
        "爬取",
        "保存",
        "下载",
        "获取",
        "入库",
        "收录",
        "截止",
        "失效",
    }
)
"""Words before a bare 时间 / 日期 that make it some other time than the publication's."""
URL_KEYS = (
    "原文链接",
    "原文地址",
    "链接",
    "网址",
    "来源网址",
    "来源链接",
    "页面地址",
    "url",
    "URL",
    "source",
)
OTHER_KEYS = (
    "索引号",
    "标题",
    "名称",
    "文号",
    "栏目",
    "主题分类",
    "分类",
    "体裁分类",
    "关键词",
    "有效性",
    "失效日期",
)
KEYS = (*PUBLISHER_KEYS, *DATE_KEYS, *CAPTURE_KEYS, *URL_KEYS, *OTHER_KEYS)
_URL = re.compile(r"^(?:https?://|www\.)|\.(?:gov\.cn|com|cn|net|org)(?:/|$)", re.I)
_DATE = re.compile(r"((?:19|20)\d{2}[-/年.]\d{1,2}[-/月.]\d{1,2})")
_TIME = re.compile(r"日?\s*\d{1,2}:\d{2}(?::\d{2})?")
_NOT_PUBLISHER = frozenset({"原创", "本网", "本站", "转载", "网络", "其他", "无"})
_KEY_AT = re.compile(
    "(" + "|".join(sorted((re.escape(k) for k in KEYS), key=len, reverse=True)) + r")\s*[:：]\s*"
)
_MAX_PUBLISHER = 40

Field = tuple[str, str]


@cache_short
def field_key(text: str) -> str | None:
    """The metadata key a cell or line starts a field with ("索 引 号：" → 索引号), or None."""
    folded = fold(text).rstrip(":：")
    return folded if folded in KEYS else None


def is_url(value: str) -> bool:
    return bool(_URL.search(value.strip()))


def fields_in_cells(cells: Sequence[str]) -> list[Field]:
    """Key/value pairs of a metadata table row: a key cell followed by its value cell, or "key：value"."""
    found: list[Field] = []
    for i, cell in enumerate(cells):
        key = field_key(cell)
        if key is not None:
            value = cells[i + 1] if i + 1 < len(cells) and field_key(cells[i + 1]) is None else ""
            found.append((key, value.strip()))
        else:
            found += fields_in_text(cell)
    return found


def fields_in_text(text: str) -> list[Field]:
    """ "key：value" pairs in running text; a value runs to the next key."""
    matches = _keys_at(text)
    if not matches:
        return []
    ends = [start - (2 if _key_is_suffix(text, start) else 0) for _, start, _ in matches[1:]] + [len(text)]
    return [
        (key, text[after:end].strip())
        for (key, start, after), end in zip(matches, ends, strict=True)
        if not _key_is_suffix(text, start)
    ]


_KEY_LENGTHS = sorted({len(key) for key in KEYS}, reverse=True)
_KEY_SET = frozenset(KEYS)


def _keys_at(text: str) -> list[tuple[str, int, int]]:
    """What `_KEY_AT.finditer(text)` finds, as (key, start, end), found from the colons. A match is a key
    followed by whitespace and a colon; no key holds whitespace or a colon, so the key of a colon ends
    where the whitespace before the colon starts, and is the longest key ending there (the leftmost
    start; two keys that both end there and start where the regex looks are one a suffix of the other).
    Each match lies between its colon and the one before, so the matches come in their colons' order.
    The regex tried its ≈ 50 keys at every character that starts one (日, 时, 信, 公, 文 …: about one
    in ten of a report's), where a page's text has a dozen colons."""
    found: list[tuple[str, int, int]] = []
    end = 0
    size = len(text)
    for colon in _colons(text):
        key_end = colon
        while key_end > end and text[key_end - 1].isspace():
            key_end -= 1
        for length in _KEY_LENGTHS:
            start = key_end - length
            if start >= end and text[start:key_end] in _KEY_SET:
                after = colon + 1
                while after < size and text[after].isspace():
                    after += 1
                found.append((text[start:key_end], start, after))
                end = after
                break
    return found


def _colons(text: str) -> list[int]:
    """Where ":" and "：" are in the text, in order."""
    found = []
    for colon in ":：":
        at = text.find(colon)
        while at >= 0:
            found.append(at)
            at = text.find(colon, at + 1)
    found.sort()
    return found


def _key_is_suffix(text: str, start: int) -> bool:
    """A bare "时间：" / "日期：" after 更新, 打印 … (not a key this module knows) dates something else."""
    if text[start : start + 2] not in GENERIC_DATE_KEYS:
        return False
    return text[max(0, start - 2) : start] in OTHER_TIMES


def publisher_of(fields: Iterable[Field]) -> str | None:
    """The strongest publisher field whose value names an agency (never a URL or 原创)."""
    ranked = sorted(
        ((PUBLISHER_KEYS.index(k), i, v) for i, (k, v) in enumerate(fields) if k in PUBLISHER_KEYS),
        key=lambda t: (t[0], t[1]),
    )
    for _, _, value in ranked:
        name = publisher_value(value)
        if name is not None:
            return name
    return None


def publisher_value(value: str) -> str | None:
    name = re.split(r"\s{2,}|[|│\s]", value.strip(), maxsplit=1)[0] if value.strip() else ""
    name = name.strip(" ：:，,。;；")
    if len(name) < 2 or len(name) > _MAX_PUBLISHER or is_url(name) or name in _NOT_PUBLISHER:
        return None
    if _DATE.search(name) or any(ch.isdigit() for ch in name[:4]):
        return None
    return name


def published_of(fields: Iterable[Field], with_time: bool = False) -> str | None:
    """The strongest publication date (公开日期 before 发布日期 …), with the time of day when printed
    and asked for; capture times are never read."""
    ranked = sorted(
        ((DATE_KEYS.index(k), i, v) for i, (k, v) in enumerate(fields) if k in DATE_KEYS),
        key=lambda t: (t[0], t[1]),
    )
    for _, _, value in ranked:
        match = _DATE.match(value.strip())
        if match:
            time = _TIME.match(value.strip(), match.end()) if with_time else None
            return value.strip()[: time.end()] if time else match.group(1)
    return None


def url_of(fields: Iterable[Field]) -> str | None:
    """The page's address: a URL field, or a URL given as the 来源 (source) of a saved page."""
    for key, value in fields:
        if (key in URL_KEYS or key in PUBLISHER_KEYS) and is_url(value) and value.lower().startswith("http"):
            return value.split()[0]
    return None
