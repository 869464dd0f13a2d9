"""Any other plain list page: dated links in list rows, and a 下一页 link to the next page."""

from __future__ import annotations

from typing import Any

from etl.collect.families.common import Listing, NextPage
from etl.collect.page import list_links, next_page_link, parse_html


def first_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    root = parse_html(text)
    if root is None:
        return Listing([], None, "not an HTML page")
    links = list_links(root, url)
    following = next_page_link(root, url)
    if not following:
        return Listing(links, None, "no 下一页 link")
    return Listing(links, NextPage(following, {}))


def next_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    return first_page(url, text, context)
