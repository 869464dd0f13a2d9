"""大汉 Hanweb JCMS lists: the first page inside `<script type="text/xml">` as a datastore of CDATA
records; later pages through `dataproxy.jsp` (GET `page=N` or POST `startrecord/endrecord/perpage` with
the column's form fields), each call answering a group of pages that may overlap what was already read;
or `?uid=…&pageNum=N` on the column URL. An empty reply ends the list."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from etl.collect.families.common import Listing, NextPage, as_int, with_query
from etl.collect.page import Link, date_of, parse_html
from etl.normalise import one_line

RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S | re.I)
TOTAL = re.compile(r"<totalrecord>\s*(\d+)|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
PERPAGE = re.compile(r"<perpage>\s*(\d+)|perPage\s*[:=]\s*['\"]?(\d+)", re.I)
GROUP = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d+)", re.I)
PROXY = re.compile(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", re.I)
PARAMS = re.compile(r"(?:ajaxParam|param)\s*[:=]\s*\{([^}]*)\}", re.I | re.S)
PAIR = re.compile(r"['\"]?(\w+)['\"]?\s*:\s*['\"]?([^,'\"}]*)['\"]?")
PAGE_NUM = re.compile(r"[?&](?:amp;)?uid=(\w+)&(?:amp;)?pageNum=\d+", re.I)
DEFAULT_PER_PAGE = 15
DEFAULT_GROUP = 3


def records(text: str, base: str) -> list[Link]:
    found: dict[str, Link] = {}
    for record in RECORD.findall(text):
        root = parse_html(f"<div>{record}</div>")
        if root is None:
            continue
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("javascript:", "#")):
                continue
            title = one_line(anchor.get("title") or anchor.text_content())
            url = urljoin(base, href)
            found.setdefault(url, Link(url, title, date_of(one_line(root.text_content()))))
            break
    return list(found.values())


def _number(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def _form(text: str) -> tuple[tuple[str, str], ...]:
    match = PARAMS.search(text)
    if not match:
        return ()
    return tuple((k, v.strip()) for k, v in PAIR.findall(match.group(1)))


def first_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    links = records(text, url)
    total = _number(TOTAL, text)
    per_page = _number(PERPAGE, text) or max(len(links), 1)
    group = _number(GROUP, text) or DEFAULT_GROUP
    if not links:
        return Listing([], None, "the column's datastore holds no records", total)
    if total is not None and len(links) >= total:
        return Listing(links, None, f"all {total} records are on the first page", total)
    state = {"per_page": per_page, "group": group, "total": total, "seen": len(links), "column": url}
    following = _first_following(url, text, state)
    return Listing(links, following, "" if following else "no further pages announced", total)


def _first_following(url: str, text: str, state: dict[str, Any]) -> NextPage | None:
    nextgroup = NEXTGROUP.search(text)
    href = re.search(r"href\s*=\s*['\"]([^'\"]+)['\"]", nextgroup.group(1)) if nextgroup else None
    if href and "page=" in href.group(1):
        template = urljoin(url, html.unescape(href.group(1)))
        page = state["seen"] // state["per_page"] + 1
        return NextPage(
            with_query(template, page=str(page)), {**state, "mode": "get", "template": template, "page": page}
        )
    proxy = PROXY.search(text)
    if proxy:
        start = state["seen"] + 1
        end = start + state["per_page"] * state["group"] - 1
        proxy_url = urljoin(url, proxy.group(1))
        new = {**state, "mode": "post", "proxy": proxy_url, "start": start}
        return NextPage(_post_url(proxy_url, start, end, state["per_page"]), new, "POST", _form(text))
    uid = PAGE_NUM.search(text)
    if uid:
        column = urlunsplit((*urlsplit(url)[:3], "", ""))
        return NextPage(
            f"{column}?uid={uid.group(1)}&pageNum=2",
            {**state, "mode": "pagenum", "uid": uid.group(1), "page": 2},
        )
    return None


def _post_url(proxy: str, start: int, end: int, per_page: int) -> str:
    return f"{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}"


def next_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    """A dataproxy group or a pageNum page. The next request starts after the distinct records read so
    far (`context["unique"]` counts them), since a group may repeat records already read."""
    state = dict(context.get("state", {}))
    links = records(text, state.get("column", url))
    if not links or len(text.strip()) < 60:
        return Listing([], None, "empty reply: end of the list")
    unique = context["unique"](links) if "unique" in context else as_int(state.get("seen"), 0) + len(links)
    total = state.get("total")
    if total is not None and unique >= int(total):
        return Listing(links, None, f"all {total} records read", total)
    per_page = as_int(state.get("per_page"), DEFAULT_PER_PAGE)
    group = as_int(state.get("group"), DEFAULT_GROUP)
    state["seen"] = unique
    mode = state.get("mode")
    if mode == "get":
        page = unique // per_page + 1
        following = NextPage(with_query(str(state["template"]), page=str(page)), {**state, "page": page})
        return Listing(links, following, "", total)
    if mode == "post":
        start = unique + 1
        form = tuple((str(k), str(v)) for k, v in context.get("form", ()))
        end = start + per_page * group - 1
        following = NextPage(_post_url(str(state["proxy"]), start, end, per_page), state, "POST", form)
        return Listing(links, following, "", total)
    page = as_int(state.get("page"), 2) + 1
    column = str(state.get("column", url)).split("?")[0]
    params = dict(parse_qsl(urlsplit(url).query))
    following_url = f"{column}?uid={params.get('uid', state.get('uid', ''))}&pageNum={page}"
    return Listing(links, NextPage(following_url, {**state, "page": page}), "", total)
