"""Reading fetched pages: decoding, the links of a list, and an article's title, metadata and
attachments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from etl.collect.names import DOCUMENT_EXTENSIONS, showname
from etl.decode import decode_bytes
from etl.errors import UnreadableDocument
from etl.normalise import one_line
from etl.readers.html import find_content, read_html
from etl.records import Document

DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
INDEX_NO = re.compile(r"索\s*引\s*号\s*[:：]?\s*([0-9A-Za-z][0-9A-Za-z\-/_.]{5,60})")
PUBLISHER = re.compile(r"(?:发布机构|发布单位|信息来源|发文机关)\s*[:：]\s*([^\s|│:：]{2,40})")
SOFT_404 = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此|您要访问的)?页面|404\s*Not\s*Found|访问的页面不存在|信息不存在|文章不存在"
)
ARTICLE_HREF = re.compile(
    r"art_\d+_\d+\.html|/t\d{8}_\d+\.s?html?|post_\d+\.html|/content/|/art/\d{4}/|/public/\d+/\d+\.html|"
    r"detail|show|view|article",
    re.I,
)
SKIP_TEXT = re.compile(
    r"^(?:首页|上一页|下一页|下页|尾页|末页|更多|more|返回|打印|关闭|\d+|>+|<+|›|»|«)$", re.I
)
NEXT_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|next|›|»|>)\s*$", re.I)


@dataclass(frozen=True)
class Link:
    """An item of a list: an article or a file, with what the list says about it."""

    url: str
    title: str = ""
    published: str = ""
    publisher: str = ""
    index_no: str = ""
    attachments: tuple[tuple[str, str], ...] = ()
    """(url, name) the list already gives (gkmlpt)."""

    @property
    def is_file(self) -> bool:
        return is_document_url(self.url)


@dataclass(frozen=True)
class Article:
    title: str
    published: str
    publisher: str
    index_no: str
    text: str
    attachments: tuple[tuple[str, str], ...]
    """(url, link text) of the document files the page links."""
    images: int
    document: Document | None = field(default=None, repr=False)


def is_document_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    if any(path.endswith(ext) for ext in DOCUMENT_EXTENSIONS):
        return True
    if "downfile" in path or "download" in path:
        name = showname(url) or url
        return any(ext in name.lower() for ext in DOCUMENT_EXTENSIONS)
    return "/attach/" in path or "/attachment/" in path


def date_of(text: str) -> str:
    match = DATE.search(text)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def decode_page(data: bytes, content_type: str = "") -> str:
    """Text of a page: the header's charset when it decodes, else the page's own (meta, then sniffing)."""
    declared = re.search(r"charset\s*=\s*([\w\-]+)", content_type or "", re.I)
    if declared:
        name = declared.group(1).lower()
        name = "gb18030" if name in ("gb2312", "gbk", "gb_2312", "x-gbk", "cp936") else name
        try:
            return data.decode(name).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_bytes(data, html=True)[0]
    except UnreadableDocument:
        return data.decode("utf-8", errors="replace")


def parse_html(text: str) -> lxml.html.HtmlElement | None:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def is_soft_404(text: str) -> bool:
    """A 200 answer that says the page does not exist (short page, 页面不存在)."""
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text))
    return len(visible.strip()) < 3000 and bool(SOFT_404.search(visible))


def _anchor_text(anchor: lxml.html.HtmlElement) -> str:
    return one_line(anchor.get("title") or anchor.text_content() or "")


def _usable(href: str) -> bool:
    lowered = href.strip().lower()
    return bool(lowered) and not lowered.startswith(("javascript:", "mailto:", "#", "tel:"))


def list_links(
    root: lxml.html.HtmlElement, base: str, *, containers: str = "li, tr, dd, p, div"
) -> list[Link]:
    """Items of a plain list page: links in list rows that carry a date or look like article or file URLs."""
    found: dict[str, Link] = {}
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        text = _anchor_text(anchor)
        if not _usable(href) or len(text) < 4 or SKIP_TEXT.match(text):
            continue
        url = urljoin(base, href.strip())
        if urlsplit(url).scheme not in ("http", "https") or url.split("#")[0] == base.split("#")[0]:
            continue
        row = _row_of(anchor, containers)
        row_text = one_line(row.text_content()) if row is not None else ""
        published = date_of(row_text)
        if not (published or ARTICLE_HREF.search(url) or is_document_url(url)):
            continue
        found.setdefault(url, Link(url, text, published))
    return list(found.values())


def _row_of(anchor: lxml.html.HtmlElement, containers: str) -> lxml.html.HtmlElement | None:
    wanted = {c.strip() for c in containers.split(",")}
    parent = anchor.getparent()
    while parent is not None:
        if parent.tag in wanted:
            return parent
        parent = parent.getparent()
    return None


def next_page_link(root: lxml.html.HtmlElement, base: str) -> str:
    for anchor in root.iter("a"):
        if NEXT_TEXT.match(anchor.text_content() or "") and _usable(anchor.get("href") or ""):
            target = urljoin(base, str(anchor.get("href", "")).strip())
            if target.split("#")[0] != base.split("#")[0]:
                return target
    return ""


def attachments(root: lxml.html.HtmlElement, base: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if not _usable(href):
            continue
        url = urljoin(base, href.strip())
        if is_document_url(url):
            found.setdefault(url, one_line(anchor.text_content() or anchor.get("title") or ""))
    return tuple(found.items())


def read_article(url: str, data: bytes, content_type: str = "") -> Article:
    """An article page: title, date, publisher and 索引号 (page metadata first), text, attachments."""
    text = decode_page(data, content_type)
    root = parse_html(text)
    document = _document(url, data)
    if root is None:
        return Article("", "", "", "", "", (), 0, document)
    chrome = one_line(" ".join(root.itertext()))[:30000]
    content = find_content(root)
    title = document.title if document is not None else ""
    meta = dict(document.meta) if document is not None else {}
    return Article(
        title=title,
        published=date_of(meta.get("published", "")) or date_of(_published_text(chrome)),
        publisher=meta.get("publisher", "") or _first(PUBLISHER, chrome),
        index_no=_first(INDEX_NO, chrome),
        text=document.plain_text() if document is not None else one_line(content.text_content()),
        attachments=attachments(root, url),
        images=len(content.xpath(".//img")),
        document=document,
    )


def _document(url: str, data: bytes) -> Document | None:
    try:
        return read_html(url, data)
    except Exception:  # a page the reader cannot read is judged on its raw text
        return None


def _published_text(chrome: str) -> str:
    match = re.search(r"(?:发布日期|发布时间|成文日期|日期|时间)\s*[:：]\s*(\S{8,12})", chrome)
    return match.group(1) if match else ""


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1).strip() if match else ""
