"""Tables of a PDF printed without ruling lines, rebuilt from word positions.

A row is a line that ends in values; label lines around it (a label wrapped over three lines with the
numbers on the middle one, a rowspan label printed one character per line) belong to the nearest row.
Lines with words over the value columns and no values are header rows; header lines printed one under
the other are one row, and header words stacked in one column ("商业" over "企业") are one cell.
Anything else is a paragraph. Rows are not column-aligned (without lines a blank cell leaves no trace),
so the extractors read them as text rows: a row with fewer values than columns is skipped with a
warning, never shifted. Under a header that names the template's columns (table 三, table 四), a short
row's values are put into the columns they lie in and the others are blank (pdf_columns.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from etl.normalise import fold
from etl.readers.pdf_columns import Columns, Span, header_columns, place, unplaced_reason, widened
from etl.records import Table, TableCell
from etl.values import parse_value

_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．]|其中[:：])"
)
_ITEM = re.compile(r"[（(][一二三四五六七八九十\d]+[)）]")
CONTINUING = frozenset("、，。；：）)")
"""Marks that end a word's text and never start one: a word that starts with one continues the word
before it."""
ITEM_GAP = 1.0
"""An item number and the word after it are one label when the gap between them is under a text height."""
SPLIT_ROW = 1.0
HEADER_LINES = 30
"""A table's header is read from at most this many lines above its first row of values."""
"""Rows of values closer than this many line heights may be one printed row read at two heights."""
SAME_LINE = 3.0
SAME_COLUMN = 3.0
FRAGMENT_REACH = 2.2
"""How far (in line heights) a label line may sit from the values it belongs to."""
RUN_GAP = 1.8
HANGING = 2.5
PROSE_SHARE = 0.7
AMBIGUOUS = 0.3
"""Two rows within this many line heights of the same distance from a label are equally near."""


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    blank: bool = False
    """A value cell printed empty (an empty text): only under a header that names its column."""

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def is_value(self) -> bool:
        return self.blank or parse_value(self.text).semantic in ("number", "zero", "na")


@dataclass(frozen=True)
class WordLine:
    words: tuple[Word, ...]
    page: int
    y: float
    """Top of the line on a document-long axis (page offset added), for distances across a page break."""

    @property
    def top(self) -> float:
        return self.words[0].top

    @property
    def height(self) -> float:
        return max(w.bottom - w.top for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def has_values(self) -> bool:
        return self.words[-1].is_value


def word_lines(words: list[Word], page: int, offset: float) -> list[WordLine]:
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if lines and abs(lines[-1][0].top - word.top) <= SAME_LINE:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [WordLine(tuple(sorted(ws, key=lambda w: w.x0)), page, ws[0].top + offset) for ws in lines]


@dataclass
class Row:
    line: WordLine
    fragments: list[WordLine] = field(default_factory=list)
    header: bool = False


@dataclass(frozen=True)
class TextTable:
    table: Table
    page: int
    top: float


@dataclass(frozen=True)
class Ambiguity:
    """A layout decision the reader could not settle, by a name that does not depend on how many other
    decisions came before it (the page, the position on it and the text)."""

    name: str
    why: str


@dataclass(frozen=True)
class TextReading:
    paragraphs: list[WordLine]
    tables: list[TextTable]
    ambiguous: list[Ambiguity]
    """Label runs that sit as near one row of values as another."""


def label_name(run: list[WordLine], text: str) -> str:
    return f"label p{run[0].page} y{run[0].top:.0f} {text}"


def text_tables(lines: list[WordLine], right: float, flip: str | None = None) -> TextReading:
    """Lines left as paragraph text and tables rebuilt from the other lines.

    A label run about as near two rows goes to the nearer one; `flip` (an ambiguity's name) gives that
    run to the other, so the caller can let the template's identities choose.
    """
    lines = rebuilt_lines(lines)
    left = min((line.x0 for line in lines), default=0.0)
    rows = [Row(line) for line in lines if line.has_values and not _prose(line, left, right)]
    if not rows:
        return TextReading(lines, [], [])
    items: list[tuple[float, Row | WordLine]] = [(row.line.y, row) for row in rows]
    label_lines: list[WordLine] = []
    in_rows = {id(row.line) for row in rows}
    for line in lines:
        if id(line) in in_rows:
            continue
        kind = _kind(line, _value_x(_nearest(rows, line.y)), right)
        if kind == "label":
            label_lines.append(line)
        elif kind == "header":
            items.append((line.y, Row(line, header=True)))
        else:
            items.append((line.y, line))
    ambiguous: list[Ambiguity] = []
    unowned: list[list[WordLine]] = []
    for run in label_runs(label_lines):
        owner, other = _owners(rows, run)
        if owner is not None and other is not None:
            text = "".join(w.text for line in run for w in line.words)
            name = label_name(run, text)
            if flip == name:
                owner = other
            why = f"label {text!r} on page {run[0].page} lies between two rows of values"
            ambiguous.append(Ambiguity(name, why))
        if owner is None:
            unowned.append(run)
        else:
            owner.fragments += run
    items += [(line.y, line) for run in unowned for line in run]
    items = _with_blank_rows(sorted(items, key=lambda item: item[0]), rows, unowned)
    paragraphs, tables = _group(items)
    return TextReading(paragraphs, tables, ambiguous)


def _with_blank_rows(
    items: list[tuple[float, Row | WordLine]], rows: list[Row], unowned: list[list[WordLine]]
) -> list[tuple[float, Row | WordLine]]:
    """The items with the label runs of rows whose values are all blank (`blank_rows`) made rows."""
    made = blank_rows(unowned, rows, value_columns(items))
    if not made:
        return items
    taken = {id(line) for _, runs in made for run in runs for line in run}
    kept = [item for item in items if not (isinstance(item[1], WordLine) and id(item[1]) in taken)]
    return sorted([*kept, *((row.line.y, row) for row, _ in made)], key=lambda item: item[0])


BLANK_ROW_REACH = 0.5
"""Text heights a label run may start above or below the runs of a blank row and still be beside them."""
CONTINUED_LABEL = 1.0
"""Text heights the first word of a label continued on the next page may stand off its column (the two
sheets were scanned a little apart)."""


def blank_rows(
    runs: list[list[WordLine]], rows: list[Row], columns: dict[int, Columns | str]
) -> list[tuple[Row, list[list[WordLine]]]]:
    """Rows whose values are all blank, each with the label runs it is made of. Without lines such a row
    prints only its label (a table that leaves its zeros blank: every row of （三）不予公开 but one), which
    no row of values owns. Between two rows of values under one header that names the template's columns,
    a run that starts with an item number ("3.其他", "（三）") is the label of a row of its own, blank in
    every column (each blank boxed over its column beside the label, so that the trust step looks for a
    mark there). A run that starts beside such a row's runs, in a column none of them stands in, is of the
    same row (a group's label, （三）不予公开, printed beside one of its items); a run without an item
    number is the label of the blank row before it going on (onto the next page). A run that starts
    beside the label of a row of values, and any other run, is left as it is: a paragraph, which ends
    the table (the PDF reader's steps join its parts)."""
    ordered = sorted(rows, key=lambda row: row.line.y)
    between: dict[int, tuple[Columns, list[list[WordLine]]]] = {}
    for run in sorted(runs, key=lambda run: (run[0].y, run[0].x0)):
        if any(_beside_label(run, row) for row in ordered):
            continue
        above = [row for row in ordered if row.line.y < run[0].y]
        below = [row for row in ordered if row.line.y > run[-1].y]
        if not above or not below:
            continue
        named = columns.get(id(above[-1].line))
        if isinstance(named, Columns) and columns.get(id(below[0].line)) is named:
            between.setdefault(id(above[-1].line), (named, []))[1].append(run)
    return [
        (_blank_row(found, named.spans), found)
        for named, group in between.values()
        for found in _blank_row_runs(group)
    ]


def _beside_label(run: list[WordLine], row: Row) -> bool:
    """The run starts beside the label of a row of values (a group's label printed at the top of its
    first item, whose values stand lower, beside the middle of its long label): it is not a row."""
    return _alongside(run, [row.line, *row.fragments])


def _blank_row_runs(runs: list[list[WordLine]]) -> list[list[list[WordLine]]]:
    """The runs between two rows of values (top to bottom) grouped into the blank rows they label."""
    made: list[list[list[WordLine]]] = []
    for run in runs:
        first = run[0].words[0]
        beside = next((found for found in reversed(made) if _beside(run, found)), None)
        if beside is not None:
            beside.append(run)
        elif _NUMBERED.match(first.text):
            made.append([run])
        elif made and _continues(run, made[-1]):
            made[-1].append(run)
    return made


def _beside(run: list[WordLine], found: list[list[WordLine]]) -> bool:
    """The run starts beside the runs of a blank row (within their lines), in a column none of them
    stands in."""
    first = run[0].words[0]
    lines = [line for other in found for line in other]
    return (
        all(line.page == run[0].page for line in lines)
        and _alongside(run, lines)
        and not any(_same_column(first, other[0].words[0]) for other in found)
    )


def _alongside(run: list[WordLine], lines: Sequence[WordLine]) -> bool:
    """The run starts within the lines' height (`BLANK_ROW_REACH` text heights above or below)."""
    reach = BLANK_ROW_REACH * run[0].height
    return min(line.y for line in lines) - reach <= run[0].y <= max(line.y for line in lines) + reach


def _continues(run: list[WordLine], found: list[list[WordLine]]) -> bool:
    """A run without an item number below a blank row, in the column of one of its runs: that label goes
    on."""
    first = run[0].words[0]
    return run[0].y > max(line.y for other in found for line in other) and any(
        abs(first.x0 - other[0].words[0].x0) <= CONTINUED_LABEL * (first.bottom - first.top)
        for other in found
    )


def _blank_row(runs: list[list[WordLine]], spans: Sequence[Span]) -> Row:
    """A row of the runs' label words, blank in every column: each blank boxed over its column from the
    top of the label to its bottom on the page of its first line."""
    lines = sorted((line for run in runs for line in run), key=lambda line: (line.y, line.x0))
    anchor = lines[0]
    here = [w for line in lines if line.page == anchor.page for w in line.words]
    top, bottom = min(w.top for w in here), max(w.bottom for w in here)
    blanks = tuple(Word("", span.x0, span.x1, top, bottom, blank=True) for span in spans)
    return Row(WordLine((*anchor.words, *blanks), anchor.page, anchor.y), lines[1:])


def label_runs(lines: list[WordLine]) -> list[list[WordLine]]:
    """Label words as the cells printed them: one column, lines one under the other without a gap. Two
    words are of one run when they stand in one column and the lower is at most a gap below the upper,
    directly or through other words of the run (a word is compared with its neighbours above and below,
    not with the column's first word elsewhere on the page); an item number starts a new run."""
    words = sorted(
        (WordLine((w,), line.page, line.y) for line in lines for w in _item_joined(line.words)),
        key=lambda w: w.y,
    )
    group = list(range(len(words)))

    def root(index: int) -> int:
        while group[index] != index:
            group[index] = group[group[index]]
            index = group[index]
        return index

    for upper, lower in _neighbours(words):
        group[root(lower)] = root(upper)
    columns: dict[int, list[WordLine]] = {}
    for index, word in enumerate(words):
        columns.setdefault(root(index), []).append(word)
    runs: list[list[WordLine]] = []
    for column in sorted(columns.values(), key=lambda c: (min(w.words[0].x0 for w in c), c[0].y)):
        run = [column[0]]
        for word in column[1:]:
            if _NUMBERED.match(word.words[0].text):
                runs.append(run)
                run = []
            run.append(word)
        runs.append(run)
    return runs


def _neighbours(words: list[WordLine]) -> Iterator[tuple[int, int]]:
    """(upper, lower) indexes of words (sorted by height on the page) in one column, the lower at most a
    gap below the upper."""
    for upper, word in enumerate(words):
        for lower in range(upper + 1, len(words)):
            below = words[lower]
            if below.y - word.y > RUN_GAP * below.height:
                break
            if below.y > word.y and _same_column(word.words[0], below.words[0]):
                yield upper, lower


def _item_joined(words: Sequence[Word], items: bool = True) -> list[Word]:
    """The words of a label line, an item number alone ("（二）", with `items`) joined to the word printed
    right after it ("部分公开"): one label, which must go to one row (the item's text may wrap under the
    number); and a word that starts with a mark no word starts with ("、", "，": a scan cuts "四" from
    "、结转…" at the blank the comma holds, "计这一情形" from "，不计") joined to the word before it."""
    joined: list[Word] = []
    for word in words:
        last = joined[-1] if joined else None
        if (
            last is not None
            and ((items and _ITEM.fullmatch(last.text)) or word.text[:1] in CONTINUING)
            and word.x0 - last.x1 <= ITEM_GAP * (word.bottom - word.top)
        ):
            bottom = max(last.bottom, word.bottom)
            joined[-1] = Word(last.text + word.text, last.x0, word.x1, last.top, bottom)
        else:
            joined.append(word)
    return joined


def _owners(rows: list[Row], run: list[WordLine]) -> tuple[Row | None, Row | None]:
    """The row whose values sit nearest the middle of the run (Word centres a cell's text vertically),
    and a second row when it is about as near."""
    middle = (run[0].y + run[-1].y) / 2
    reach = (run[-1].y - run[0].y) / 2 + FRAGMENT_REACH * run[0].height
    near = sorted((abs(row.line.y - middle), index) for index, row in enumerate(rows))
    near = [
        (d, index)
        for d, index in near
        if d <= reach and not _numbered_below(run, rows[index]) and not _labelled_elsewhere(run, rows[index])
    ]
    if not near:
        return None, None
    owner = rows[near[0][1]]
    close = len(near) > 1 and near[1][0] - near[0][0] <= AMBIGUOUS * run[0].height
    return owner, rows[near[1][1]] if close else None


def _numbered_below(run: list[WordLine], row: Row) -> bool:
    """The run stands above the row, over a word of the row's line that starts with an item number
    ("1.信访举报投诉类申请"): an item number starts its cell's label, so the run is not in that cell (it
    is the end of the label above, "明确" of "3.补正后申请内容仍不明确" as the last line of a page)."""
    first = run[0].words[0]
    return run[-1].y < row.line.y and any(
        _NUMBERED.match(word.text) and _same_column(first, word) for word in row.line.words
    )


LABEL_OVERLAP = 0.5
"""Share of a label word's width over a run's columns that puts it in them."""


def _labelled_elsewhere(run: list[WordLine], row: Row) -> bool:
    """The run starts with an item number and lies wholly above or below the row's line, whose own label
    starts on it with an item number, and no label word of that line stands over the run's column
    ("3.其他" above "（七）总计", printed in the columns left of it): the run is the label of another row,
    one whose values are all blank. (A label wrapped around its values has a line beside them, or a
    word on their line in its column; a row whose line holds no numbered label, an old table's row with
    its label on the lines around its value, takes a sub-heading above it as before.)"""
    first, height = run[0].words[0], run[0].height
    if not _NUMBERED.match(first.text):
        return False
    apart = (
        run[-1].y < row.line.y - BLANK_ROW_REACH * height or run[0].y > row.line.y + BLANK_ROW_REACH * height
    )
    x0 = min(line.x0 for line in run)
    x1 = max(line.x1 for line in run)
    labels = [w for w in row.line.words if not w.is_value]
    own = any(_NUMBERED.match(w.text) for w in labels)
    return (
        apart
        and own
        and not any(min(w.x1, x1) - max(w.x0, x0) > LABEL_OVERLAP * (w.x1 - w.x0) for w in labels)
    )


def _prose(line: WordLine, left: float, right: float) -> bool:
    """A line of running text that happens to end in a number ("…全年主动公开政府信息 199")."""
    words = [w for w in line.words if not w.is_value]
    return bool(words) and max(w.x1 for w in words) - line.x0 > PROSE_SHARE * (right - left)


def _value_x(row: Row) -> float:
    return min(w.x0 for w in row.line.words if w.is_value) - SAME_COLUMN


def _kind(line: WordLine, value_x: float, right: float) -> str:
    if all(w.x1 <= value_x + 2 * SAME_COLUMN for w in line.words):
        return "label"
    wide = line.x1 - line.x0 > 0.6 * (right - line.x0)
    gaps = [b.x0 - a.x1 for a, b in zip(line.words, line.words[1:], strict=False)]
    if max(gaps, default=0.0) < 2 * line.height and (wide or line.words[-1].text.endswith(("。", "；"))):
        return "paragraph"
    return "header"


def _nearest(rows: list[Row], y: float) -> Row:
    return min(rows, key=lambda row: abs(row.line.y - y))


def _group(items: list[tuple[float, Row | WordLine]]) -> tuple[list[WordLine], list[TextTable]]:
    paragraphs: list[WordLine] = []
    tables: list[TextTable] = []
    rows: list[Row] = []
    columns = value_columns(items)

    def flush() -> None:
        if any(not row.header for row in rows):
            tables.append(_table(rows, columns))
        else:
            paragraphs.extend(row.line for row in rows)
        rows.clear()

    for _, item in items:
        if isinstance(item, Row):
            rows.append(item)
        else:
            flush()
            paragraphs.append(item)
    flush()
    return paragraphs, tables


def _table(rows: list[Row], columns: dict[int, Columns | str]) -> TextTable:
    merged = _merge_headers(rows)
    notes: list[str] = []
    cells = []
    for r, row in enumerate(merged):
        named = columns.get(id(row.line))
        if isinstance(named, str):
            notes.append(_left_out(row, named))
        placed = _placed(row, named, notes) if isinstance(named, Columns) else None
        cells += row_cells(row, r, placed)
    table = Table(
        index=0,
        cells=tuple(cells),
        n_rows=len(merged),
        n_cols=max(c.col for c in cells) + 1,
        aligned=False,
        page=rows[0].line.page,
        notes=tuple(notes),
    )
    return TextTable(table, rows[0].line.page, rows[0].line.top)


def value_columns(items: list[tuple[float, Row | WordLine]]) -> dict[int, Columns | str]:
    """The template's value columns of each row of values (by its line's id), where the header above it
    names them: the words of the lines since the last row of values (header rows, and lines Word printed
    as paragraphs), for the rows of values up to the next header row; widened by the complete ones among
    them. Label lines between rows change nothing; lines over the value columns that name none end
    the columns. A short row that cannot be placed for its neighbours has the reason instead."""
    found: dict[int, Columns | str] = {}
    header: list[WordLine] = []
    collecting = False
    for index, (_, item) in enumerate(items):
        if not isinstance(item, Row) or item.header:
            header = header[-HEADER_LINES:] if collecting else []
            lines = (item.line, *item.fragments) if isinstance(item, Row) else (item,)
            header += lines
            collecting = True
        elif collecting:
            collecting = False
            run = _value_run(items, index)
            values = [[w for w in row.line.words if w.is_value] for row in run]
            words = [w for line in header[-HEADER_LINES:] for w in line.words]
            columns = header_columns(words, min(v[0].x0 for v in values if v))
            if columns is not None:
                found.update(dict.fromkeys((id(row.line) for row in run), widened(columns, values)))
                found.update(_split_rows(run, values, columns))
            elif _across(words, found.get(id(item.line))):
                for row in run:
                    found.pop(id(row.line), None)
    return found


def _across(words: list[Word], columns: Columns | str | None) -> bool:
    """Lines between rows of values that reach over the value columns (a heading, another table's
    header): the rows after them are not under the header before them."""
    return isinstance(columns, Columns) and any(w.x1 > columns.spans[0].x0 for w in words)


def _split_rows(run: list[Row], values: list[list[Word]], columns: Columns) -> dict[int, str]:
    """Short rows of values closer to the next or the last row than a line height: one printed row whose
    values were read at two heights may be two rows, or one; neither is put into columns."""
    split: dict[int, str] = {}
    for (a, a_values), (b, b_values) in itertools.pairwise(zip(run, values, strict=True)):
        if b.line.y - a.line.y >= SPLIT_ROW * a.line.height:
            continue
        why = (
            f"its values and those of the line {b.line.y - a.line.y:.1f} points from it may be one row or two"
        )
        for row, row_values in ((a, a_values), (b, b_values)):
            if len(row_values) < len(columns.spans):
                split[id(row.line)] = why
    return split


def _value_run(items: list[tuple[float, Row | WordLine]], start: int) -> list[Row]:
    """The rows of values from `start` up to the next header row (lines between them do not end it)."""
    run: list[Row] = []
    for _, item in items[start:]:
        if isinstance(item, Row):
            if item.header:
                break
            run.append(item)
    return run


def _left_out(row: Row, why: str) -> str:
    label = "".join(w.text for line in (row.line, *row.fragments) for w in line.words if not w.is_value)
    values = " ".join(w.text for w in row.line.words if w.is_value)
    return f"row {label!r} ({values}) on page {row.line.page} left out: {why}"


def _placed(row: Row, columns: Columns, notes: list[str]) -> list[Word] | None:
    """The row's values in the columns they lie in (a blank cell: an empty word over its column), for a
    row with fewer values than columns; None for a full row, or a row whose values cannot each be put in
    one column."""
    values = [w for w in row.line.words if w.is_value]
    if row.header or not values or len(values) >= len(columns.spans):
        return None
    found = place(values, columns.spans)
    if found is None:
        notes.append(_left_out(row, unplaced_reason(values, columns)))
        return None
    by_column = dict(zip(found, values, strict=True))
    top, bottom = values[0].top, values[0].bottom
    return [
        by_column.get(i) or Word("", span.x0, span.x1, top, bottom) for i, span in enumerate(columns.spans)
    ]


def _merge_headers(rows: list[Row]) -> list[Row]:
    merged: list[Row] = []
    for row in rows:
        previous = merged[-1] if merged else None
        last = (previous.fragments or [previous.line])[-1] if previous is not None else None
        if (
            previous is not None
            and last is not None
            and previous.header
            and row.header
            and row.line.y - last.y <= 1.6 * row.line.height
        ):
            previous.fragments.append(row.line)
        else:
            merged.append(Row(row.line, list(row.fragments), row.header))
    return merged


def row_cells(row: Row, r: int, placed: list[Word] | None = None) -> list[TableCell]:
    """Label words grouped into columns (joined top to bottom), then each value word in its own cell
    (`placed`: the values put into the table's columns, a blank cell as an empty word over its column,
    whose box it keeps)."""
    lines = sorted((row.line, *row.fragments), key=lambda line: line.y)
    values = [] if row.header else [w for w in row.line.words if w.is_value]
    per_line = [
        _item_joined([w for w in line.words if not any(w is v for v in values)], items=False)
        for line in lines
    ]
    order = {id(w): (i, w.x0) for i, words in enumerate(per_line) for w in words}
    labels = [w for words in per_line for w in words]
    columns: list[list[Word]] = []
    for word in sorted(labels, key=lambda w: w.x0):
        column = next((c for c in columns if _same_column(c[0], word)), None)
        if column is None:
            columns.append([word])
        else:
            column.append(word)
    ordered = [sorted(c, key=lambda w: order[id(w)]) for c in columns]
    texts = ["".join(w.text for w in c) for c in _join_hanging(ordered, order)]
    labels_cells = [TableCell(text, r, c, page=row.line.page) for c, text in enumerate(texts)]
    value_cells = [
        TableCell(w.text, r, c, page=row.line.page, box=None if w.text else (w.x0, w.top, w.x1, w.bottom))
        for c, w in enumerate(values if placed is None else placed, start=len(texts))
    ]
    return [*labels_cells, *value_cells]


def _join_hanging(columns: list[list[Word]], order: dict[int, tuple[int, float]]) -> list[list[Word]]:
    """A label whose first line is indented wraps back to the left: its later lines join the first."""
    kept: list[list[Word]] = []
    for column in reversed(columns):
        first = column[0]
        owner = next(
            (
                k
                for k in kept
                if order[id(first)][0] > order[id(k[-1])][0]
                and 0 <= k[0].x0 - first.x0 <= HANGING * (first.bottom - first.top)
            ),
            None,
        )
        if owner is None:
            kept.append(column)
        else:
            owner.extend(column)
    return list(reversed(kept))


def _same_column(a: Word, b: Word) -> bool:
    return (
        abs(a.x0 - b.x0) <= SAME_COLUMN
        or abs(a.centre - b.centre) <= SAME_COLUMN
        or _bracket_indent(a, b)
        or _bracket_indent(b, a)
    )


BRACKET_ROOM = 0.8
"""The blank an opening bracket holds on its left, as a share of the text height (a scan boxes ink)."""


def _bracket_indent(a: Word, b: Word) -> bool:
    """`a` starts with an opening bracket in the same column as `b`: a scan boxes a word from its ink,
    and the ink of "（" starts about half a character right of the column's edge ("（二）部分公开" over
    "计这一情形" of one cell)."""
    return a.text[:1] in "（(" and 0 < a.x0 - b.x0 <= BRACKET_ROOM * (a.bottom - a.top)


OLD_UNITS = frozenset({"条", "件", "次", "篇", "个", "人", "人次", "万元", "元", "项", "家"})
"""The units the old national table prints in its 单位 column (a dash there is a value-like mark)."""
ITEM_DIGITS = re.compile(r"\d{1,2}")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
"""A section heading of the old table (二、回应解读情况): a row of its own, whose cells hold no value."""
LABEL_DIGIT_GAP = 1.0
"""A number in the label column within this many text heights of a label word is part of that label."""


@dataclass(frozen=True)
class OldColumns:
    """Where the old national table (统计指标 | 单位 | 统计数) prints its units and its values."""

    unit_x0: float
    """The 单位 header's left edge: the label column ends before it."""
    value: tuple[float, float]
    """The 统计数 header's extent."""


def rebuilt_lines(lines: Sequence[WordLine]) -> list[WordLine]:
    """The lines a table is rebuilt from: the old table's layout read (`old_table_lines`), a money unit
    cut from its value joined to it (`_money_units_joined`)."""
    return [_money_units_joined(line) for line in old_table_lines(lines)]


MONEY_UNITS = frozenset({"元", "万元"})


def _money_units_joined(line: WordLine) -> WordLine:
    """A money unit printed right after a value in its cell ("75394432.52元" of table 二's 采购总金额) that
    a scan cut into a word of its own: joined to the value, as a text layer gives it, so that the line
    ends in a value (a row), not in a word."""
    words: list[Word] = []
    for word in line.words:
        last = words[-1] if words else None
        if (
            last is not None
            and word.text in MONEY_UNITS
            and last.is_value
            and not last.blank
            and parse_value(last.text).semantic == "number"
            and word.x0 - last.x1 <= ITEM_GAP * (word.bottom - word.top)
        ):
            words[-1] = Word(last.text + word.text, last.x0, word.x1, last.top, max(last.bottom, word.bottom))
        else:
            words.append(word)
    return replace(line, words=tuple(words)) if len(words) < len(line.words) else line


def old_table_lines(lines: Sequence[WordLine]) -> list[WordLine]:
    """The lines under the old national table's header (统计指标 | 单位 | 统计数) with what its layout tells:
    a number printed in the label column is part of the label (an item number cut from "．政府网站…", the
    "1" of "…计1次）"), not a value; and a line that ends in a unit in the 单位 column with nothing under
    统计数, or a numbered label line with nothing under 统计数 whose next line starts a label of its own
    (`_item_alone`), is a row whose value is printed blank (a blank word under 统计数, boxed there, so
    that the trust step looks for ink in it). Other lines, and every line before such a header, are kept."""
    staged: list[tuple[WordLine, OldColumns | None, tuple[Word, ...]]] = []
    columns: OldColumns | None = None
    for line in lines:
        header = _old_header(line)
        if header is not None:
            columns = header
            staged.append((line, None, line.words))
        elif columns is None:
            staged.append((line, None, line.words))
        else:
            staged.append((line, columns, _label_digits_joined(line.words, columns.unit_x0)))
    unit_left: float | None = None
    kept: list[WordLine] = []
    for index, (line, under, words) in enumerate(staged):
        if under is None:
            unit_left = None
            kept.append(line)
            continue
        values = [w for w in words if w.is_value]
        if len(words) >= 2 and values and words[-2].text in OLD_UNITS and not words[-2].is_value:
            unit_left = words[-2].x0 if unit_left is None else min(unit_left, words[-2].x0)
        last = words[-1]
        unit_row = unit_left is not None and last.text in OLD_UNITS and last.x0 >= unit_left - SAME_COLUMN
        following = staged[index + 1][2] if index + 1 < len(staged) and staged[index + 1][1] else None
        blank_row = unit_row or _SECTION.match(words[0].text) or _item_alone(words, following)
        if not values and blank_row and last.x1 < under.value[0]:
            x0, x1 = under.value
            words = (*words, Word("", x0, x1, last.top, last.bottom, blank=True))
        kept.append(replace(line, words=tuple(words)) if words != line.words else line)
    return kept


def _item_alone(words: Sequence[Word], following: Sequence[Word] | None) -> bool:
    """A label line that starts with an item number ("1·政府公报公开政府信息数", "其中：涉及国家秘密") and is
    followed by a line that starts another label — numbered, or indented further (the next 其中 item) — is
    a whole row: a label that wraps goes on at its own indent or further left, and a line of a unit or a
    value is the row's own. Its value is printed blank (or hidden: the seal over a dash)."""
    if not following:
        return False
    first, after = _item_joined(words, items=False)[0], _item_joined(following, items=False)[0]
    if not _NUMBERED.match(first.text.replace("·", "．", 1)) or after.is_value or after.text in OLD_UNITS:
        return False
    return bool(_NUMBERED.match(after.text.replace("·", "．", 1))) or after.x0 > first.x0 + SAME_COLUMN


def _old_header(line: WordLine) -> OldColumns | None:
    texts = [fold(w.text) for w in line.words]
    if "单位" not in texts or "统计数" not in texts or texts.index("单位") > texts.index("统计数"):
        return None
    unit, value = line.words[texts.index("单位")], line.words[texts.index("统计数")]
    height = value.bottom - value.top
    return OldColumns(unit.x0, (value.x0 - height, value.x1 + height))


def _label_digits_joined(words: Sequence[Word], label_end: float) -> tuple[Word, ...]:
    """Numbers of one or two digits printed in the label column joined to the label words they stand
    next to (within `LABEL_DIGIT_GAP` text heights on either side: "计" "1" "次）" is "计1次）")."""
    joined = list(words)
    index = 0
    while index < len(joined):
        word = joined[index]
        if not (ITEM_DIGITS.fullmatch(word.text) and word.x1 < label_end):
            index += 1
            continue
        height = word.bottom - word.top
        sides = [
            (word.x0 - joined[index - 1].x1, index - 1) if index > 0 else None,
            (joined[index + 1].x0 - word.x1, index + 1) if index + 1 < len(joined) else None,
        ]
        near = [
            (gap, other)
            for side in sides
            if side is not None
            for gap, other in [side]
            if gap <= LABEL_DIGIT_GAP * height and not joined[other].is_value and joined[other].x1 < label_end
        ]
        if not near:
            index += 1
            continue
        first = min(index, *(other for _, other in near))
        last = max(index, *(other for _, other in near))
        parts = joined[first : last + 1]
        text = "".join(w.text.replace("·", "．", 1) if w.text.startswith("·") else w.text for w in parts)
        top, bottom = min(w.top for w in parts), max(w.bottom for w in parts)
        joined[first : last + 1] = [Word(text, parts[0].x0, parts[-1].x1, top, bottom)]
        index = first + 1
    return tuple(joined)
