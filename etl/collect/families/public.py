"""The `/public/column/{site}?type=4&catId=…&action=list&pageIndex=N` platform (Anhui, Jiangxi,
Qinghai): rows `ul.doc_list li`, the page count in `pageCount:N`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from etl.collect.families.common import Listing, NextPage, as_int, with_query
from etl.collect.page import Link, date_of, list_links, parse_html
from etl.normalise import one_line

PAGE_COUNT = re.compile(r"pageCount\s*[:=]\s*['\"]?(\d+)", re.I)


def rows(text: str, url: str) -> list[Link]:
    root = parse_html(text)
    if root is None:
        return []
    found: dict[str, Link] = {}
    for item in root.cssselect("ul.doc_list li"):
        for anchor in item.iter("a"):
            href = (anchor.get("href") or "").strip()
            if href and not href.startswith(("javascript:", "#")):
                target = urljoin(url, href)
                title = one_line(anchor.get("title") or anchor.text_content())
                found.setdefault(target, Link(target, title, date_of(one_line(item.text_content()))))
                break
    return list(found.values()) or list_links(root, url)


def _listing(url: str, text: str, page: int, count: int | None) -> Listing:
    links = rows(text, url)
    if not links:
        return Listing([], None, "empty page")
    if count is not None and page >= count:
        return Listing(links, None, f"all {count} pages read")
    state = {"page": page + 1, "count": count}
    return Listing(links, NextPage(with_query(url, pageIndex=str(page + 1)), state))


def first_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    found = PAGE_COUNT.search(text)
    page = as_int(dict(parse_qsl(urlsplit(url).query)).get("pageIndex"), 1)
    return _listing(url, text, page, int(found.group(1)) if found else None)


def next_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    state = context.get("state", {})
    count = state.get("count")
    return _listing(url, text, as_int(state.get("page"), 2), None if count is None else int(count))
