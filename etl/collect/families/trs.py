"""拓尔思 TRS WCM lists: static `index.html`, `index_1.html` … whose count is in `createPageHTML(…)`
(4-, 3- or 6-argument forms), `var countPage = N` or `createPage(N, …)`; items as links or written by
script (`var url = …; var title = …; document.writeln(…)`). A stub or a soft 404 ends the list."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from etl.collect.families.common import Listing, NextPage, as_int
from etl.collect.page import Link, date_of, is_soft_404, list_links, parse_html

CREATE_PAGE_HTML = re.compile(r"createPageHTML\s*\(([^)]*)\)", re.I)
COUNT_PAGE = re.compile(r"(?:var\s+)?countPage\s*=\s*['\"]?(\d+)|createPage\s*\(\s*['\"]?(\d+)", re.I)
SCRIPT_ITEM = re.compile(
    r"(?:var\s+)?\w*url\w*\s*=\s*['\"]([^'\"]+\.s?html?)['\"]\s*;(?P<rest>.{0,400}?)document\.write",
    re.I | re.S,
)
SCRIPT_TITLE = re.compile(r"\w*title\w*\s*=\s*['\"]([^'\"]+)['\"]", re.I)
EXTENSIONS = ("html", "shtml", "htm")
STUB_BYTES = 600


def pager(text: str, url: str) -> tuple[int | None, str, str]:
    """(page count, file prefix, extension) of a TRS list."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1] or "index.html"
    stem, _, ext = name.partition(".")
    stem = re.sub(r"_\d+$", "", stem) or "index"
    ext = ext or "html"
    call = CREATE_PAGE_HTML.search(text)
    if call:
        args = [a.strip().strip("'\"") for a in call.group(1).split(",")]
        numbers = [int(a) for a in args if a.isdigit()]
        strings = [a for a in args if a and not a.isdigit()]
        extension = next((s for s in strings if s.lower() in EXTENSIONS), ext)
        names = [
            s for s in strings if s.lower() not in EXTENSIONS and not s.lower().endswith(("div", "page"))
        ]
        return (numbers[0] if numbers else None), (names[-1] if names else stem), extension
    count = COUNT_PAGE.search(text)
    if count:
        return int(next(g for g in count.groups() if g)), stem, ext
    return None, stem, ext


def script_items(text: str, base: str) -> list[Link]:
    found: list[Link] = []
    for match in SCRIPT_ITEM.finditer(text):
        rest = match.group("rest")
        title = SCRIPT_TITLE.search(rest)
        found.append(Link(urljoin(base, match.group(1)), title.group(1) if title else "", date_of(rest)))
    return found


def items(text: str, url: str) -> list[Link]:
    root = parse_html(text)
    links = list_links(root, url) if root is not None else []
    known = {link.url for link in links}
    return links + [link for link in script_items(text, url) if link.url not in known]


def page_url(url: str, prefix: str, ext: str, number: int) -> str:
    name = f"{prefix}.{ext}" if number == 0 else f"{prefix}_{number}.{ext}"
    return urljoin(url, name)


def first_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    count, prefix, ext = pager(text, url)
    links = items(text, url)
    if count is not None and count <= 1:
        return Listing(links, None, "a single page")
    state = {"count": count, "prefix": prefix, "ext": ext, "number": 1, "first": url}
    return Listing(links, NextPage(page_url(url, prefix, ext, 1), state))


def next_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    state = dict(context.get("state", {}))
    if len(text.encode("utf-8")) < STUB_BYTES or is_soft_404(text):
        return Listing([], None, "a stub or soft 404 past the last page")
    links = items(text, url)
    number = as_int(state.get("number"), 1) + 1
    count = state.get("count")
    if count is not None and number >= int(count):
        return Listing(links, None, f"all {count} pages read")
    following = page_url(str(state.get("first", url)), str(state["prefix"]), str(state["ext"]), number)
    return Listing(links, NextPage(following, {**state, "number": number}))
