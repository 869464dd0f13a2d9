"""HTML article pages -> Document.

Tables pasted from Word are expanded into a full grid (rowspan/colspan), cell text keeps `<br>` and
paragraph breaks as newlines, `&nbsp;` cells are blank. The report body is found among site chrome by
the content containers CMSs use; paragraphs outside it are ignored, page metadata is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import TypeVar, cast

from lxml import etree

from etl import limits
from etl.decode import decode_bytes
from etl.errors import UnreadableDocument
from etl.limits import MAX_NESTING_DEPTH, MAX_TEXT_BYTES, GridBudget
from etl.normalise import clean_text, one_line
from etl.page_meta import (
    KEYS,
    Field,
    field_key,
    fields_in_cells,
    fields_in_text,
    published_of,
    publisher_of,
    publisher_value,
    url_of,
)
from etl.records import Block, Document, Table, TableCell, new_paragraph, new_table_cell

Element = TypeVar("Element", bound=etree._Element)
"""An element of either tree: plain lxml (the reader's) or lxml.html's (the collector's pages)."""
CONTENT_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    ".trs_editor_view",
    ".article-content",
    ".article_content",
    ".xxgk-content",
    ".pages_content",
    "#UCAP-CONTENT",
    ".article",
    "#content",
    ".content",
    "article",
    "main",
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
    }
    | {"blockquote", "pre", "dl", "dt", "dd", "center", "form"}
)
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "head",
        "iframe",
        "object",
        "svg",
        "button",
        "select",
        "option",
        "textarea",
    }
)
TITLE_SELECTORS = (".article_title", ".article-title", "h1", ".title", "#title", "h2")
MAX_SPAN = 200
_META_TAGS = {
    "ArticleTitle": "title",
    "PubDate": "published",
    "ContentSource": "publisher",
    "url": "url",
}


def read_html(path: str, data: bytes) -> Document:
    MAX_TEXT_BYTES.check(path, len(data))
    text, encoding = decode_bytes(data, html=True)
    root = _parse(text)
    page = _drop_and_index(root)
    marked = _marked(root)
    content = find_content(root, marked)
    blocks = tuple(_blocks(content, GridBudget(path)))
    title = page_title(root, marked, page.metas, page)
    meta = _page_meta(root, title, page.metas, page)
    cut_off = not _closed(text)
    return Document(
        source=path, format="html", encoding=encoding, title=title, blocks=blocks, meta=meta, cut_off=cut_off
    )


_DROPPED = (etree.Comment, "script", "style", "noscript")
"""What the reader drops from a page before reading it: `//script|//style|//noscript|//comment()`."""
_INDEXED = ("meta", "link", "title", "tr")


@dataclass
class _Page:
    """The elements of a page (after its scripts, styles and comments are dropped) that the page's
    title and metadata read, by tag and in document order: one pass over the tree where each was a pass
    of its own (`//meta`, `//link[…]`, `.//title` twice, every `tr`: ≈ 60–100 µs a pass here)."""

    metas: list[etree._Element]
    links: list[etree._Element]
    titles: list[etree._Element]
    rows: list[etree._Element]

    def title(self, root: etree._Element) -> etree._Element | None:
        """What `root.find(".//title")` finds: the first title element below the root."""
        return next((t for t in self.titles if t is not root), None)

    def canonical(self) -> list[str]:
        """What `//link[@rel='canonical']/@href` selects."""
        return [
            href
            for link in self.links
            if link.get("rel") == "canonical" and (href := link.get("href")) is not None
        ]


def _drop_and_index(root: etree._Element) -> _Page:
    """Drop the page's scripts, styles, noscripts and comments (in document order, as the XPath union
    selects them: one of them outside the root element has no parent and stays, as before) and index
    the elements `_Page` holds, from one walk of the tree. Only a noscript can hold elements (a script's
    or style's content is text to the HTML parser), so when the page has one the index is taken again
    after the drop, without what went with it."""
    dropped: list[etree._Element] = []
    found: dict[object, list[etree._Element]] = {tag: [] for tag in _INDEXED}
    noscript = False
    for element in root.iter(*_DROPPED, *_INDEXED):
        kept = found.get(element.tag)
        if kept is not None:
            kept.append(element)
        else:
            dropped.append(element)
            noscript = noscript or element.tag == "noscript"
    for bad in dropped:
        _drop(bad)
    if noscript:
        found = {tag: [] for tag in _INDEXED}
        for element in root.iter(*_INDEXED):
            found[element.tag].append(element)
    return _Page(found["meta"], found["link"], found["title"], found["tr"])


_CLOSING_TAG = re.compile(r"</(?:html|body)\s*>", re.I)


def _closed(text: str) -> bool:
    """Whether the page closes its body or html element anywhere: looked for in its last 4 kB first,
    where a page that has the tag has it, before the whole page."""
    return bool(_CLOSING_TAG.search(text, max(0, len(text) - 4096)) or _CLOSING_TAG.search(text))


@cache
def _html_parser() -> etree.HTMLParser:
    """lxml's HTML parser with its default options, as lxml.html uses it, but with plain elements:
    lxml.html's element classes are looked up in Python for every element the reader touches."""
    return etree.HTMLParser()


@cache
def _utf8_html_parser() -> etree.HTMLParser:
    """`_html_parser` for a page handed over as UTF-8 (`_parse`)."""
    return etree.HTMLParser(encoding="utf-8")


def _as_parsed(text: str) -> str | bytes:
    """What `_parse` hands lxml: the page as UTF-8, which libxml2 reads as it is, where a str is handed
    over as UTF-16 (as UCS-4 with a character beyond the BMP) and converted to UTF-8 character by
    character first. The text itself for what lxml treats otherwise as a str: one that starts with an XML
    declaration (a `ValueError` when it names an encoding), or lone surrogates (no UTF-8)."""
    if text.startswith("<?xml"):
        return text
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text


def _parse(text: str) -> etree._Element:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parsed = _as_parsed(text)
    try:
        root = etree.fromstring(parsed, _utf8_html_parser() if isinstance(parsed, bytes) else _html_parser())
        if root is None:
            raise etree.ParserError("Document is empty")
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"not parseable as HTML ({exc})") from None
    return root


_STRING = etree.XPath("string()", smart_strings=False)


@cache
def _xpath(path: str) -> etree.XPath:
    """A path compiled once: `root.xpath(path)` compiles it again on every call."""
    return etree.XPath(path)


def _elements(root: etree._Element, path: str) -> list[etree._Element]:
    return cast(list[etree._Element], _xpath(path)(root))


def _strings(root: etree._Element, path: str) -> list[str]:
    """Attribute values an XPath selects (always text in an HTML tree)."""
    return cast(list[str], _xpath(path)(root))


_METAS = etree.XPath("//meta")


def _meta_contents(root: etree._Element, name: str, metas: list[etree._Element] | None) -> list[str]:
    """What `//meta[@name='NAME']/@content` selects, from the page's meta elements when the caller has
    them (one pass over the tree for every name instead of one a name)."""
    if metas is None:
        return _strings(root, f"//meta[@name='{name}']/@content")
    return [content for m in metas if m.get("name") == name and (content := m.get("content")) is not None]


_TEXT_NODES = etree.XPath("descendant-or-self::text()", smart_strings=False)


def _texts(element: etree._Element) -> list[str]:
    """What `itertext()` yields (the text nodes inside the element in document order, its own tail left
    out; always text in a tree parsed from text), from one XPath call: itertext is about 7× slower
    (0.49 against 0.07 ms for a whole page here; tests/test_parse_fast_paths.py compares the two)."""
    return cast(list[str], _TEXT_NODES(element))


def text_content(element: etree._Element) -> str:
    """All text inside the element, as lxml.html's `text_content()` gives it. Read by serialising the
    element as text, without its tail: libxml2's `xmlNodeGetContent`, the function XPath's `string()`
    calls too, without the XPath call's context (≈ 30 % less a call; a page asks ≈ 60 times)."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def _drop(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


@cache
def _simple_selectors(selectors: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """`#id`, `.class` or `tag` selectors as (kind, name)."""
    kinds = {"#": "id", ".": "class"}
    return tuple((kinds[s[0]], s[1:]) if s[0] in kinds else ("tag", s) for s in selectors)


_WITH_ID_OR_CLASS = etree.XPath("(descendant-or-self::*/@id | descendant-or-self::*/@class)/..")
"""The elements with an id or a class, in document order: what `descendant-or-self::*[@id or @class]`
selects, found from the attributes (libxml2 tests a predicate on every element about 3× slower)."""
_XML_SPACE = re.compile("[ \t\n\r]+")


def _marked(root: Element) -> dict[tuple[str, str], list[Element]]:
    """The id and class index of `_selected` for a tree: built once for its content and title selectors
    (the tree is not changed in between)."""
    return _by_id_and_class(cast(list[Element], _WITH_ID_OR_CLASS(root)))


def _selected(
    selectors: tuple[str, ...], root: Element, marked: dict[tuple[str, str], list[Element]] | None = None
) -> Iterator[list[Element]]:
    """The elements each selector matches (in document order), selector by selector: what lxml's
    `CSSSelector(s, translator="html")` selects (`#x`: id equal to x; `.x`: x among the class's
    whitespace-separated names; a tag name), from one pass over the elements with an id or a class
    rather than one pass per selector (`marked`: that index, when the caller has it)."""
    index = marked
    for kind, name in _simple_selectors(selectors):
        if kind == "tag":
            yield cast(list[Element], list(root.iter(name)))
            continue
        if index is None:
            index = _marked(root)
        yield index.get((kind, name), [])


def _by_id_and_class(marked: list[Element]) -> dict[tuple[str, str], list[Element]]:
    """("id", x) and ("class", x) to the elements (in document order) whose id is x or among whose
    whitespace-separated class names x is: each element's class split once, not once per selector."""
    index: dict[tuple[str, str], list[Element]] = {}
    for el in marked:
        ident = el.get("id")
        if ident is not None:
            index.setdefault(("id", ident), []).append(el)
        for name in dict.fromkeys(_XML_SPACE.split(el.get("class") or "")):
            index.setdefault(("class", name), []).append(el)
    return index


def find_content(root: Element, marked: dict[tuple[str, str], list[Element]] | None = None) -> Element:
    """The element holding the report body: a known CMS container with the most text, else <body>."""
    for found in _selected(CONTENT_SELECTORS, root, marked):
        sized = [(el, size) for el in found if (size := _text_size(el)) > 100]
        if sized:
            return max(sized, key=lambda pair: pair[1])[0]
    body = root.find("body")
    return cast(Element, body) if body is not None else root


def _text_size(element: etree._Element) -> int:
    """The length of the element's text: its string value (what `text_content` gives) is the concatenation
    of its text nodes (`_texts`), so this is their summed length, counted in C."""
    return len(text_content(element))


def page_title(
    root: etree._Element,
    marked: dict[tuple[str, str], list[etree._Element]] | None = None,
    metas: list[etree._Element] | None = None,
    page: _Page | None = None,
) -> str:
    """The article title: a title element or meta tag naming a report, else the page <title>."""
    for candidate in _title_candidates(root, marked, metas):
        if "报告" in candidate and 6 <= len(candidate) <= 80:
            return candidate
    found = root.find(".//title") if page is None else page.title(root)
    return one_line(text_content(found)) if found is not None else ""


def _title_candidates(
    root: etree._Element,
    marked: dict[tuple[str, str], list[etree._Element]] | None,
    metas: list[etree._Element] | None,
) -> Iterator[str]:
    """The title candidates in order, each read only when the ones before it were not the title."""
    for value in _meta_contents(root, "ArticleTitle", metas):
        yield one_line(value)
    for found in _selected(TITLE_SELECTORS, root, marked):
        for el in found:
            yield one_line(text_content(el))


def _page_meta(
    root: etree._Element, title: str, metas: list[etree._Element] | None = None, page: _Page | None = None
) -> tuple[tuple[str, str], ...]:
    meta: dict[str, str] = {}
    for name, key in _META_TAGS.items():
        for value in _meta_contents(root, name, metas):
            if value.strip() and (key != "publisher" or publisher_value(value)):
                meta.setdefault(key, one_line(value))
    title_element = root.find(".//title") if page is None else page.title(root)
    if title_element is not None:
        meta.setdefault("page_title", one_line(text_content(title_element)))
    fields = _site_fields(root, None if page is None else page.rows)
    for key, found in (("publisher", publisher_of(fields)), ("published", published_of(fields))):
        if found is not None:
            meta.setdefault(key, found)
    canonical = _strings(root, "//link[@rel='canonical']/@href") if page is None else page.canonical()
    for href in canonical:
        meta.setdefault("url", href)
    if (address := url_of(fields)) is not None:
        meta.setdefault("url", address)
    meta.setdefault("title", title)
    return tuple(sorted(meta.items()))


def _site_fields(root: etree._Element, rows: list[etree._Element] | None = None) -> list[Field]:
    """The site's metadata table (索引号 | … | 发布机构 | … | 公开日期 | …) and "key：value" text.
    `rows`: the page's rows (`root.iter("tr")`), when the caller has them."""
    fields: list[Field] = []
    for row in root.iter("tr") if rows is None else rows:
        if not _may_hold_field(row):
            continue
        cells = [one_line(text_content(cell)) for cell in row if cell.tag in ("td", "th")]
        if any(field_key(cell) for cell in cells):
            fields += fields_in_cells(cells)
    return fields + fields_in_text(one_line(" ".join(_texts(root)))[:20000])


_KEY_CHARACTERS = tuple(
    chars
    for chars in dict.fromkeys(frozenset(key) for key in KEYS)
    if not any(other < chars for other in map(frozenset, KEYS))
)
"""The character sets of the keys, without those that hold another key's (that one is found first)."""
_ANY_KEY_CHARACTER = frozenset().union(*_KEY_CHARACTERS)
_A_KEY_CHARACTER = re.compile("[" + "".join(map(re.escape, sorted(_ANY_KEY_CHARACTER))) + "]")
"""Any of `_ANY_KEY_CHARACTER`: `set(findall(text))` is `_ANY_KEY_CHARACTER.intersection(text)`, found by
the regex engine's scan (a character class) rather than a set lookup of each character (a new
one-character string and its hash for each hanzi)."""


_SELDOM_IN_TABLES = "链址栏称词号日来间地Llc标效体位分布文"
"""Key characters seldom in a report's table rows, rarest first (counted over nat10k's pages)."""
_A_MARK = re.compile(
    "["
    + "".join(sorted({next(c for c in _SELDOM_IN_TABLES if c in chars) for chars in _KEY_CHARACTERS}))
    + "]"
)
"""One character of each of `_KEY_CHARACTERS`: a row without any of them holds no key, found by one search
(a statistics row holds some key characters — 分, 机, 开, 公 — and seldom all of a key's)."""


def _may_hold_field(row: etree._Element) -> bool:
    """False when no cell of the row can be a metadata key (`field_key`): a cell folds to a key only if
    every character of the key is in the NFKD decomposition of the cell's text, hence of the row's (NFKC
    composes only into characters that have a decomposition, and no key character has one). Saves reading
    every cell of every statistics row."""
    text = unicodedata.normalize("NFKD", text_content(row))
    if not _A_MARK.search(text):
        return False
    found = _A_KEY_CHARACTER.findall(text)
    present = set(found)
    return any(map(present.issuperset, _KEY_CHARACTERS))


@dataclass
class _Walker:
    budget: GridBudget
    blocks: list[Block] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    tables: int = 0

    def flush(self) -> None:
        text = clean_text("".join(self.buffer))
        self.buffer.clear()
        for line in text.split("\n"):
            if line:
                self.blocks.append(new_paragraph(len(self.blocks), line))

    def add_table(self, element: etree._Element) -> None:
        """A table holding no other table (the walk looked)."""
        self.flush()
        if is_metadata_table(element):
            return
        table = expand_table(element, self.tables, self.budget, nests=False)
        if table.cells:
            self.blocks.append(table)
            self.tables += 1


_METADATA_LABELS = re.compile(r"索\s*引\s*号|发布机构|成文日期|发文机关|主题分类|文\s*号")


def is_metadata_table(element: etree._Element) -> bool:
    """The small table of 索引号 / 发布机构 / 成文日期 a CMS puts above the body (Hanweb's #zoom,
    /public/column's table_suoyin): page metadata, not a table of the report (its text still reaches
    the page metadata)."""
    rows = sum(1 for _ in islice(element.iter("tr"), 7))
    if not rows or rows > 6:
        return False
    text = one_line(text_content(element))
    return len(_METADATA_LABELS.findall(text)) >= 2 and not re.search(r"\d+\s*件|收到|申请", text)


def _blocks(content: etree._Element, budget: GridBudget) -> Iterator[Block]:
    walker = _Walker(budget)
    _walk(content, walker)
    walker.flush()
    yield from walker.blocks


def _walk(element: etree._Element, walker: _Walker, depth: int = 0) -> None:
    MAX_NESTING_DEPTH.check(walker.budget.path, depth, "elements inside each other")
    tag = element.tag  # read once: lxml builds the tag's string on every read
    if not isinstance(tag, str):
        tag = ""
    if tag in SKIP_TAGS:
        walker.buffer.append(element.tail or "")
        return
    if tag == "table" and not _has_table(element):
        walker.add_table(element)
        walker.buffer.append(element.tail or "")
        return
    if tag == "br" or tag in BLOCK_TAGS or tag in ("table", "tr", "td", "th"):
        walker.buffer.append("\n")
    walker.buffer.append(element.text or "")
    for child in element:
        _walk(child, walker, depth + 1)
    if tag in BLOCK_TAGS or tag in ("table", "tr", "td", "th"):
        walker.buffer.append("\n")
    walker.buffer.append(element.tail or "")


def cell_text(element: etree._Element) -> str:
    """Text of a table cell with <br> and paragraph breaks kept as newlines."""
    if not len(element):
        return clean_text(element.text or "")
    if len(element) == 1:
        wrapped = _one_block_text(element)
        if wrapped is not None:
            return clean_text(wrapped)
    parts: list[str] = [element.text or ""]
    for child in element:
        _cell_parts(child, parts)
    return clean_text("".join(parts))


_NOT_INLINE = BLOCK_TAGS | SKIP_TAGS | {"br"}


def _one_block_text(cell: etree._Element) -> str | None:
    """The text of a cell of one child, a block holding one childless inline element, with only
    whitespace around the block (`<td><p><span>12</span></p></td>`, Word's cell), which `cell_text` reads
    the same without the block's line breaks: they fall between the whitespace and the text, and
    `clean_text` drops blank lines and strips lines. None for any other cell."""
    head = cell.text
    if head and not head.isspace():
        return None
    block = cell[0]
    tail = block.tail
    if (tail and not tail.isspace()) or len(block) != 1 or block.tag not in BLOCK_TAGS:
        return None
    leaf = block[0]
    tag = leaf.tag
    if len(leaf) or not isinstance(tag, str) or tag in _NOT_INLINE:
        return None
    return (block.text or "") + (leaf.text or "") + (leaf.tail or "")


def _cell_parts(node: etree._Element, parts: list[str]) -> None:
    tag = node.tag  # read once: lxml builds the tag's string on every read
    if not isinstance(tag, str):
        tag = ""
    if tag in SKIP_TAGS:
        parts.append(node.tail or "")
        return
    block = tag in BLOCK_TAGS
    if block or tag == "br":
        parts.append("\n")
    parts.append(node.text or "")
    for child in node:
        _cell_parts(child, parts)
    if block:
        parts.append("\n")
    parts.append(node.tail or "")


_SPAN = re.compile(r"\s*(\d{1,9})")


def _span(element: etree._Element, name: str) -> int:
    value = element.get(name)
    return 1 if value is None else _span_value(value)


def _span_value(value: str) -> int:
    """A printed rowspan or colspan: its leading digits, between 1 and `MAX_SPAN`, else 1."""
    match = _SPAN.match(value)
    return max(1, min(int(match.group(1)), MAX_SPAN)) if match else 1


def _has_table(element: etree._Element) -> bool:
    """Whether a table is inside the element: what `boolean(descendant::table)` says, from lxml's own
    tag-filtered walk (≈ 30 % cheaper than the XPath, which builds the whole node set first)."""
    return next(element.iterdescendants("table"), None) is not None


def _table_rows(table: etree._Element, nests: bool | None = None) -> list[list[etree._Element]]:
    """The td/th children of each tr of the table, not of a table inside it (every tr is the table's own
    when it holds no other table, the case of every table the reader expands: no parent chain walked).
    `nests`: whether a table is inside it, when the caller knows (the walk looked already)."""
    if table.tag == "table" and not (_has_table(table) if nests is None else nests):
        return [list(tr.iterchildren("td", "th")) for tr in table.iter("tr")]
    rows = []
    for tr in table.iter("tr"):
        if _owning_table(tr) is not table:
            continue
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        rows.append(cells)
    return rows


def _owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def expand_table(
    element: etree._Element, index: int, budget: GridBudget | None = None, nests: bool | None = None
) -> Table:
    """Place every cell on the grid, skipping positions taken by rowspans from rows above; each cell's
    grid positions are counted against the limits before they are taken. `nests`: whether a table is
    inside the element, when the caller knows."""
    budget = budget or GridBudget("table")
    rows = [r for r in _table_rows(element, nests) if r]
    budget.start_table(len(rows))
    taken: set[tuple[int, int]] = set()
    """Grid positions in rows below the current one that a rowspan holds (the current row's own positions
    are passed by `c` and never looked up again)."""
    cells: list[TableCell] = []
    n_rows = len(rows)
    n_cols = 0
    # `budget.place(c, 1, 1)` inline for a 1×1 cell that crosses no limit (most cells): its counts kept
    # here and handed back to the budget before any other cell is placed by `place` (which raises the
    # limit's error as before) and when the table is done.
    most_columns = limits.MAX_TABLE_COLUMNS.value  # read at the call, as `place` reads them
    most_table, most_document = limits.MAX_TABLE_CELLS.value, limits.MAX_DOCUMENT_CELLS.value
    table_used, used = budget.table_used, budget.used
    inline = True
    try:
        for r, row in enumerate(rows):
            c = 0
            for td in row:
                if taken:
                    while (r, c) in taken:
                        c += 1
                value = td.get("rowspan")
                rowspan = 1 if value is None else min(_span_value(value), n_rows - r)
                value = td.get("colspan")
                colspan = 1 if value is None else _span_value(value)
                if (
                    rowspan == colspan == 1
                    and c < most_columns
                    and table_used < most_table
                    and used < most_document
                ):
                    table_used += 1
                    used += 1
                else:
                    budget.table_used, budget.used = table_used, used
                    inline = False  # `place` counts in the budget, and may raise with its counts
                    budget.place(c, rowspan, colspan)
                    table_used, used, inline = budget.table_used, budget.used, True
                text = clean_text(td.text or "") if not len(td) else cell_text(td)
                cells.append(new_table_cell(text, r, c, rowspan, colspan))
                if rowspan > 1:
                    taken.update((r + i, c + j) for i in range(1, rowspan) for j in range(colspan))
                c += colspan
            if c > n_cols:
                n_cols = c
    finally:
        if inline:
            budget.table_used, budget.used = table_used, used
    return Table(index=index, cells=tuple(cells), n_rows=len(rows), n_cols=n_cols, aligned=True)
