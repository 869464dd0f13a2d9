"""Statistics tables -> facts, by template. Rows are matched by label and columns by header."""

from __future__ import annotations

from etl.extract.fujian import extract_fujian
from etl.extract.old import extract_old
from etl.extract.rows import FactCollector, is_numeric, is_valueish, row_locator
from etl.extract.table2 import Table2Reader
from etl.extract.table3 import Table3Reader
from etl.extract.table4 import Table4Reader
from etl.normalise import one_line
from etl.records import Document, RowView, Template


def extract_tables(document: Document, template: Template) -> FactCollector:
    collector = FactCollector()
    views = [view for table in document.tables for view in table.row_views()]
    if template == "old":
        extract_old(views, collector)
    elif template == "old_fujian":
        extract_fujian(views, collector)
    else:
        _extract_new(views, template, collector)
    return collector


def _extract_new(views: list[RowView], template: Template, collector: FactCollector) -> None:
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
