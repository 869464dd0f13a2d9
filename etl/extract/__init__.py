"""Statistics tables -> facts. Rows are matched by label and columns by header; which extractor reads a
template is part of its description (etl/templates.py).

Each row is routed once: what the readers of tables 二, 四 and 三 ask of a row (its labels' keys, which
cells hold values, which header words it carries) is read per distinct cell text (`cell_info`, one memo
lookup a cell) and decided for the row in one pass (`extract_new`), instead of each reader asking its
own questions of every row in turn (`accepts`, then again in `feed`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from etl.extract import table4
from etl.extract.rows import FactCollector, key, row_locator
from etl.extract.table2 import ROWS, Table2Reader, column_key, read_header
from etl.extract.table3 import LEGAL_GROUP, Table3Reader, applicant, settle_group_rows
from etl.extract.table4 import Table4Reader
from etl.normalise import cache_short, fold, one_line, remember
from etl.records import Document, RowView, Template
from etl.values import parse_value


def table_rows(document: Document) -> list[RowView]:
    """Every row of every table of the document, in reading order."""
    return [view for table in document.tables for view in table.row_views()]


class CellInfo(NamedTuple):
    """What the table readers ask of one cell text, answered once per distinct text."""

    key: str
    """`rows.key`: the label's matching key."""
    valueish: bool
    """`rows.is_valueish`: empty, a number, zero or a not-applicable mark."""
    numeric: bool
    """`rows.is_numeric`: a number or zero."""
    row2: str | None
    """Table 二's row this label names (`table2.ROWS`), None if none."""
    header2: bool
    """A table 二 header word: 信息内容 or a column name (`table2.is_header_row`)."""
    header4: bool
    """Starts with a table 四 header word (`table4.is_header_row`)."""
    header3: bool
    """Names an applicant column or the legal-person group (`table3.is_header_row`)."""


@cache_short
def cell_info(text: str) -> CellInfo:
    label = key(text)
    semantic = parse_value(text).semantic
    folded = fold(text)
    return CellInfo(
        key=label,
        valueish=semantic in ("blank", "number", "zero", "na"),
        numeric=semantic in ("number", "zero"),
        row2=ROWS.get(label),
        header2=label == "信息内容" or column_key(text) is not None,
        header4=folded.startswith(table4.HEADER_WORDS),
        header3=bool(applicant(text)) or folded == LEGAL_GROUP,
    )


class RowInfo(NamedTuple):
    """What `extract_new` asks of a row before the cells' geometry: a pure function of its cell texts."""

    infos: tuple[CellInfo, ...]
    """`cell_info` of each cell."""
    row2: str | None
    """The first table 二 row a cell names (`CellInfo.row2`), None if none."""
    header2: bool
    """A cell is a table 二 header word."""
    numeric: bool
    """A cell is a number or zero."""
    header3: bool
    """A cell names an applicant column or the legal-person group."""


ROW_TEXT_LIMIT = 1000
"""The longest row (its cell texts together) `row_info` keeps."""
_ROW_INFO: dict[tuple[str, ...], RowInfo] = {}
"""`row_info` per row texts: the template's rows recur in report after report, values and all."""


def row_info(texts: tuple[str, ...]) -> RowInfo:
    try:
        return _ROW_INFO[texts]
    except KeyError:
        pass
    infos = tuple([cell_info(text) for text in texts])
    found = RowInfo(
        infos,
        next((i.row2 for i in infos if i.row2 is not None), None),
        any(i.header2 for i in infos),
        any(i.numeric for i in infos),
        any(i.header3 for i in infos),
    )
    return remember(_ROW_INFO, texts, found) if sum(map(len, texts)) <= ROW_TEXT_LIMIT else found


def extract_new(template: Template, views: Sequence[RowView], collector: FactCollector) -> None:
    """Tables 二, 三 and 四 of the 2019 and 2021 formats: each row goes to the reader that knows its label.

    The readers are asked in the order 二, 四, 三 (the first that takes a row reads it), each with what
    its `accepts` asks, computed once for the row."""
    table2 = Table2Reader(template, collector)
    table4_reader = Table4Reader(collector)
    table3 = Table3Reader(collector)
    for view in views:
        cells = view.cells
        row = row_info(tuple([c.text for c in cells]))
        infos = row.infos
        name = row.row2
        if name is not None:
            table2.feed_row(view, name, infos)
            continue
        if row.header2:
            table2.header = read_header(view)
            continue
        numeric = row.numeric
        here = view.row
        header4 = not numeric and any(i.header4 for c, i in zip(cells, infos, strict=True) if c.row == here)
        if header4 or (not table4_reader.done and _is_data_row4(view, infos)):
            table4_reader.feed_row(view, header4, infos)
            continue
        header3 = not numeric and row.header3
        if table3.route(view, header3, infos):
            continue
        if numeric:
            labels = [one_line(c.text) for c, i in zip(cells, infos, strict=True) if not i.valueish]
            printed = [one_line(c.text) for c, i in zip(cells, infos, strict=True) if i.valueish]
            collector.warn(
                "unknown_row",
                f"row not in the template: {' / '.join(labels)!r} with values "
                f"{printed}; kept out of the facts",
                row_locator(view),
            )
    settle_group_rows(collector)


def _is_data_row4(view: RowView, infos: Sequence[CellInfo]) -> bool:
    """`table4.is_data_row` from the row's cell infos."""
    here = view.row
    cells = 0
    values = 0
    numbers = 0
    for cell, info in zip(view.cells, infos, strict=True):
        if cell.row != here:
            continue
        cells += 1
        if info.valueish:
            values += 1
            numbers += info.numeric
    return values >= 15 and numbers >= 5 and cells - values <= 1
