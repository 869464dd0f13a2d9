"""The value columns of a table printed without ruling lines, recovered from the template's header.

Without lines a blank cell leaves no trace, so a row with fewer values than the table has columns cannot
be read in order. The statistics tables of the templates have known headers: table 三 names its seven
(or eight) applicant columns, table 四 its fifteen outcome columns. Where the header words of a rebuilt
table are those columns (stacked words joined: 商业 over 企业; the group headers above them, 法人或其他组织
or 行政诉讼, left out), each column's x-range is the extent of its header words and of the values the
table's complete rows print under it. A short row's values are then put into the columns they lie in,
and a column no value lies in is blank. A value that lies in no column, or over two, or two values in one
column: the row is not placed (it stays short, and extraction leaves it out), and the reason is noted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import Levenshtein

from etl.normalise import fold

OTHER = ("其他", "其他组织")
TOTAL = ("总计", "合计")
APPLICANT_COLUMNS = (
    ("自然人",),
    ("商业企业",),
    ("科研机构",),
    ("社会公益组织",),
    ("法律服务机构",),
    OTHER,
    TOTAL,
)
APPLICANT_COLUMNS_SUBTOTAL = (*APPLICANT_COLUMNS[:6], ("小计", "法人或其他组织小计"), TOTAL)
OUTCOME_COLUMNS = (("结果维持",), ("结果纠正",), ("其他结果",), ("尚未审结",), TOTAL) * 3
KNOWN_HEADERS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("三", APPLICANT_COLUMNS_SUBTOTAL),
    ("三", APPLICANT_COLUMNS),
    ("四", OUTCOME_COLUMNS),
)
"""The value columns of the templates' statistics tables (v2019 and v2021), left to right, each with
the names it is printed under."""
LONGEST_NAME = max(len(n) for _, names in KNOWN_HEADERS for column in names for n in column) + 2
"""A stack of header words this long spells no column name (with a misread character or two)."""
MISREAD = 1
"""Characters a header column's words may differ from the template's name by (one misread or stray
character; two in a name of six or more)."""
STACK_OVERLAP = 0.5
"""Header words stacked in one column overlap by this share of the narrower one."""
STACK_GAP = 2.2
"""Header words stacked in one column follow each other within this many text heights."""
TOLERANCE = 1.0
"""Points a column's x-range is widened by (the same word is boxed a little differently line to line)."""


@dataclass(frozen=True)
class Span:
    x0: float
    x1: float

    def overlap(self, x0: float, x1: float) -> float:
        return min(self.x1, x1) - max(self.x0, x0)


class Box(Protocol):
    """A word's text and extent (the parts of `pdf_text.Word` this module reads)."""

    @property
    def text(self) -> str: ...
    @property
    def x0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def top(self) -> float: ...
    @property
    def bottom(self) -> float: ...


@dataclass(frozen=True)
class Columns:
    table: str
    """Which template table ("三", "四")."""
    names: tuple[str, ...]
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Stack:
    """Header words printed one under the other in one column, joined top to bottom."""

    text: str
    span: Span
    words: int


def header_columns(words: Sequence[Box], value_left: float) -> Columns | None:
    """The value columns a table's header words name, when they name the columns of a template table, in
    order left to right: each column the leftmost stack of header words (商业 over 企业) that spells its
    name after the column before. Words left of the values (the label column's header) and words without
    a Chinese character (values, marks) are left out; group headers (法人或其他组织) spell no column."""
    over = [w for w in words if w.x1 > value_left + TOLERANCE and any(_is_cjk(c) for c in w.text)]
    stacks = list(_stacks(sorted(over, key=lambda w: w.top)))
    for table, names in KNOWN_HEADERS:
        spans = _in_order(stacks, names)
        if spans is not None:
            return Columns(table, tuple(n[0] for n in names), spans)
    return None


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


def _stacks(words: Sequence[Box]) -> list[Stack]:
    """Every stack of header words: each word alone and with the words printed under it in its column."""
    stacks = []
    for index, word in enumerate(words):
        chain = [word]
        while True:
            last = chain[-1]
            height = max(1.0, last.bottom - last.top)
            below = [
                w
                for w in words[index + 1 :]
                if 0 < w.top - last.top <= STACK_GAP * height and _overlap_share(last, w) >= STACK_OVERLAP
            ]
            text = "".join(w.text for w in chain)
            stacks.append(Stack(text, Span(min(w.x0 for w in chain), max(w.x1 for w in chain)), len(chain)))
            if not below or len(text) >= LONGEST_NAME:
                break
            chain.append(min(below, key=lambda w: w.top))
    return stacks


def _overlap_share(a: Box, b: Box) -> float:
    narrower = min(a.x1 - a.x0, b.x1 - b.x0)
    return Span(a.x0, a.x1).overlap(b.x0, b.x1) / narrower if narrower > 0 else 0.0


def _in_order(stacks: Sequence[Stack], names: Sequence[tuple[str, ...]]) -> tuple[Span, ...] | None:
    spans: list[Span] = []
    for name in names:
        after = spans[-1].x1 + TOLERANCE if spans else float("-inf")
        fits = [s for s in stacks if s.span.x0 > after and _distance(s.text, name) is not None]
        if not fits:
            return None
        first = min(fits, key=lambda s: s.span.x0)
        same = [s for s in fits if s.span.overlap(first.span.x0, first.span.x1) > 0]
        spans.append(min(same, key=lambda s: (_distance(s.text, name), -s.words)).span)
    return tuple(spans)


def _distance(text: str, names: tuple[str, ...]) -> int | None:
    """How many characters the text differs from the nearest of a column's names by, if few enough."""
    folded = fold(text).replace("其它", "其他")
    found = [d for name in names if (d := Levenshtein.distance(folded, name)) <= MISREAD + (len(name) >= 6)]
    return min(found) if found else None


def widened(columns: Columns, rows: Sequence[Sequence[Box]]) -> Columns:
    """The columns widened by the values of the complete rows (one value per column) printed under them,
    where each such value overlaps its own column and no other (else the header's extents are kept)."""
    spans = list(columns.spans)
    for values in rows:
        if len(values) != len(spans) or place(values, columns.spans) is None:
            continue
        spans = [Span(min(s.x0, v.x0), max(s.x1, v.x1)) for s, v in zip(spans, values, strict=True)]
    if any(a.x1 + TOLERANCE >= b.x0 for a, b in itertools.pairwise(spans)):
        return columns
    return Columns(columns.table, columns.names, tuple(spans))


def place(values: Sequence[Box], spans: Sequence[Span]) -> list[int] | None:
    """The column of each value: the one column its extent overlaps. None when a value overlaps no
    column or two, or two values fall in one column."""
    found: list[int] = []
    for value in values:
        hits = [i for i, s in enumerate(spans) if s.overlap(value.x0, value.x1) > -TOLERANCE]
        if len(hits) != 1 or hits[0] in found:
            return None
        found.append(hits[0])
    return found if found == sorted(found) else None


def unplaced_reason(values: Sequence[Box], columns: Columns) -> str:
    """Why a row's values cannot be put into the columns, naming the first value that cannot."""
    taken: dict[int, str] = {}
    for value in values:
        hits = [i for i, s in enumerate(columns.spans) if s.overlap(value.x0, value.x1) > -TOLERANCE]
        if not hits:
            return f"value {value.text!r} lies under no column of table {columns.table}"
        if len(hits) > 1:
            names = "、".join(columns.names[i] for i in hits)
            return f"value {value.text!r} lies under more than one column of table {columns.table} ({names})"
        if hits[0] in taken:
            return (
                f"values {taken[hits[0]]!r} and {value.text!r} lie under one column of table "
                f"{columns.table} ({columns.names[hits[0]]})"
            )
        taken[hits[0]] = value.text
    return f"the values of the row are out of column order in table {columns.table}"
