"""Guangdong's gkmlpt: `/gkmlpt/index` carries `window._CONFIG = {SID, TREE}`; the list is JSON at
`/gkmlpt/api/all/{category}?page=N&sid=SID` (page 0 is page 1; some sites answer 404 past page 1); an
article's body is a JSON string inside script (`_CONFIG.DETAIL.content`), saved as an HTML document."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from etl.collect.families.common import Listing, NextPage, as_int
from etl.collect.page import Link, date_of

SID = re.compile(r"SID\s*[:=]\s*['\"]?([\w\-]+)", re.I)
TREE_NODE = re.compile(
    r"['\"]?id['\"]?\s*:\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?name['\"]?\s*:\s*['\"]([^'\"]+)['\"]"
)
REPORT_COLUMN = re.compile(r"年报|年度报告")
STRING_FIELD = r"['\"]?{name}['\"]?\s*:\s*(\"(?:[^\"\\]|\\.)*\")"


def _category(url: str, text: str) -> str:
    fragment = urlsplit(url).fragment
    if fragment.isdigit():
        return fragment
    for node_id, name in TREE_NODE.findall(text):
        if REPORT_COLUMN.search(name):
            return str(node_id)
    return ""


def first_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    sid = SID.search(text)
    category = _category(str(context.get("seed_url", url)), text)
    if not sid or not category:
        return Listing([], None, "gkmlpt page without SID or a 年报 category (give the URL with #category)")
    api = urljoin(url, f"/gkmlpt/api/all/{category}?page=1&sid={sid.group(1)}")
    state = {"page": 1, "category": category, "sid": sid.group(1), "per_page": 0}
    return Listing([], NextPage(api, state))


def _date(value: object) -> str:
    if isinstance(value, int | float) and value > 10**8:
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")
    return date_of(str(value or ""))


def _link(item: dict[str, Any], base: str) -> Link | None:
    url = item.get("url") or item.get("link") or ""
    if not url:
        return None
    files = tuple(
        (urljoin(base, str(a.get("url") or a.get("link") or "")), str(a.get("name") or a.get("title") or ""))
        for a in item.get("attachment") or item.get("attachments") or []
        if isinstance(a, dict) and (a.get("url") or a.get("link"))
    )
    return Link(
        urljoin(base, str(url)),
        str(item.get("title") or ""),
        _date(item.get("display_publish_time") or item.get("publish_time") or item.get("date") or ""),
        str(item.get("publisher") or ""),
        str(item.get("identifier") or item.get("index") or ""),
        files,
    )


def next_page(url: str, text: str, context: dict[str, Any]) -> Listing:
    state = dict(context.get("state", {}))
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return Listing([], None, "the gkmlpt API did not answer JSON")
    articles = data.get("articles") or data.get("data") or [] if isinstance(data, dict) else []
    links = [link for item in articles if isinstance(item, dict) and (link := _link(item, url))]
    total = as_int(data.get("total"), 0) if isinstance(data, dict) else 0
    page = as_int(state.get("page"), 1)
    per_page = as_int(state.get("per_page"), 0) or len(articles)
    if not articles or page * per_page >= total:
        return Listing(links, None, f"all {total} articles listed" if articles else "empty page", total)
    following = re.sub(r"([?&])page=\d+", rf"\g<1>page={page + 1}", url)
    return Listing(links, NextPage(following, {**state, "page": page + 1, "per_page": per_page}), "", total)


def _string(text: str, name: str) -> str:
    match = re.search(STRING_FIELD.format(name=name), text)
    if not match:
        return ""
    try:
        return str(json.loads(match.group(1)))
    except json.JSONDecodeError:
        return ""


def _number(text: str, name: str) -> int | None:
    match = re.search(rf"['\"]?{name}['\"]?\s*:\s*(\d+)", text)
    return int(match.group(1)) if match else None


def article_document(url: str, text: str) -> tuple[bytes, dict[str, str]] | None:
    """An HTML document holding a gkmlpt article's body (and its metadata as meta tags), or None."""
    detail_at = text.find("DETAIL")
    if detail_at < 0:
        return None
    detail = text[detail_at:]
    content = _string(detail, "content")
    if not content:
        return None
    title = _string(detail, "title")
    stamp = _number(detail, "display_publish_time") or _number(detail, "publish_time")
    published = _date(stamp) if stamp else date_of(_string(detail, "date"))
    fields = {
        "title": title,
        "published": published,
        "publisher": _string(detail, "publisher"),
        "index_no": _string(detail, "identifier"),
    }
    esc = html.escape
    page = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n"
        f'<meta name="ArticleTitle" content="{esc(title)}">\n'
        f'<meta name="PubDate" content="{esc(published)}">\n'
        f'<meta name="ContentSource" content="{esc(fields["publisher"])}">\n'
        f'<meta name="url" content="{esc(url)}">\n'
        '<meta name="xxgk-collected-from" content="gkmlpt _CONFIG.DETAIL.content">\n'
        f'</head>\n<body>\n<h1>{esc(title)}</h1>\n<div id="zoom">\n{content}\n</div>\n</body>\n</html>\n'
    )
    return page.encode("utf-8"), fields
