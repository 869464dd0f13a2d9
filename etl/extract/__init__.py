"""Statistics tables -> facts. Rows are matched by label and columns by header; which extractor reads a
template is part of its description (etl/templates.py)."""

from __future__ import annotations

from collections.abc import Sequence

from etl.extract.rows import FactCollector, is_numeric, is_valueish, row_locator
from etl.extract.table2 import Table2Reader
from etl.extract.table3 import Table3Reader, settle_group_rows
from etl.extract.table4 import Table4Reader
from etl.normalise import one_line
from etl.records import Document, RowView, Template


def table_rows(document: Document) -> list[RowView]:
    """Every row of every table of the document, in reading order."""
    return [view for table in document.tables for view in table.row_views()]


def extract_new(template: Template, views: Sequence[RowView], collector: FactCollector) -> None:
    """Tables 二, 三 and 四 of the 2019 and 2021 formats: each row goes to the reader that knows its label."""
    readers = (Table2Reader(template, collector), Table4Reader(collector), Table3Reader(collector))
    for view in views:
        reader = next((r for r in readers if r.accepts(view)), None)
        if reader is not None:
            reader.feed(view)
        elif any(is_numeric(c) for c in view.cells):
            labels = [one_line(c.text) for c in view.cells if not is_valueish(c)]
            printed = [one_line(c.text) for c in view.cells if is_valueish(c)]
            collector.warn(
                "unknown_row",
                f"row not in the template: {' / '.join(labels)!r} with values "
                f"{printed}; kept out of the facts",
                row_locator(view),
            )
    settle_group_rows(collector)
