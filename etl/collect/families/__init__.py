"""The CMS families of government sites: which one a page belongs to, and each one's list pages.

Every family reads a list page into a `Listing`: its items and the request for the following page (or
why there is none). The collector applies the stop rules every family shares (no new item, --max-pages,
--since) on top.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from etl.collect.families import generic, gkmlpt, hanweb, public, trs
from etl.collect.families.common import Listing
from etl.collect.page import parse_html
from etl.readers.html import find_content

Parser = Callable[[str, str, dict[str, Any]], Listing]
FIRST: dict[str, Parser] = {
    "hanweb": hanweb.first_page,
    "trs": trs.first_page,
    "gkmlpt": gkmlpt.first_page,
    "public": public.first_page,
    "generic": generic.first_page,
}
FOLLOWING: dict[str, Parser] = {
    "hanweb": hanweb.next_page,
    "trs": trs.next_page,
    "gkmlpt": gkmlpt.next_page,
    "public": public.next_page,
    "generic": generic.next_page,
}
_TRS_ARTICLE_PAGER = re.compile(r"createPageHTML\s*\([^)]*['\"]t\d{8}", re.I)


def detect(url: str, text: str) -> str:
    """'article', 'gkmlpt_article' or the family of a list page."""
    lowered = text[:300_000].lower()
    if "/gkmlpt/" in url and "_config" in lowered:
        return "gkmlpt_article" if "detail" in lowered and "content" in lowered else "gkmlpt"
    if "<datastore" in lowered:
        return "hanweb"
    if 'name="articletitle"' in lowered or "contentstart" in lowered or _TRS_ARTICLE_PAGER.search(text):
        return "article"
    if "/public/column/" in url or "doc_list" in lowered:
        return "public"
    if "createpagehtml" in lowered or "countpage" in lowered:
        return "trs"
    return "article" if _article_like(url, text) else "generic"


def _article_like(url: str, text: str) -> bool:
    root = parse_html(text)
    if root is None:
        return False
    content = find_content(root)
    size = len("".join(content.itertext()).strip())
    dated_links = generic.first_page(url, text, {}).links
    return size > 400 and len(dated_links) < 8


__all__ = ["FIRST", "FOLLOWING", "Listing", "detect"]
