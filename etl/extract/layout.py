"""What a document's 2019/2021 tables hold: the table 三 rows it prints, hence the cells to expect.

Some real tables print （六）其他处理 as one row instead of its three rows, or leave rows of （三）不予公开
out. Such a table is judged by the rows it has: the expected cells and the `missing_cells` warning count
the rows the document prints, never rows it never had. A row counts as never printed only when its
label is nowhere in the document and no row of the document went unread (an unread row might be it).
"""

from __future__ import annotations

from collections.abc import Collection, Container
from functools import cache

from etl.catalogue import metrics
from etl.extract.rows import FactCollector
from etl.normalise import fold
from etl.outcomes import OutcomeItem, outcome_groups
from etl.records import Template

TABLE3_HEAD = ("req.received", "req.carried_in")
TABLE3_TAIL = ("req.total", "req.carried_out")
TABLE4_CELLS = 15
MIN_APPLICANT_COLUMNS = 7
_QUOTE_LENGTH = 4
"""A label is looked for whole, or (when long) by its first and last four characters."""


class FoldedText:
    """A document's text as `fold` makes it, folded on the first look into it (`in`): most documents
    print every row of table 三, and then no label is looked for (folding a whole report's text is
    about 7 % of its extraction)."""

    __slots__ = ("_folded", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._folded: str | None = None

    def __contains__(self, part: object) -> bool:
        folded = self._folded
        if folded is None:
            folded = self._folded = fold(self._text)
        return part in folded  # type: ignore[operator]  # what `in` on the folded str does


def label_printed(key: str, folded_text: Container[str]) -> bool:
    """Whether a row label (its matching key) appears in the folded text of the document.

    Labels too short to look for (其他) count as printed: their absence proves nothing.
    """
    if len(key) < _QUOTE_LENGTH or key in folded_text:
        return True
    return (
        len(key) >= 2 * _QUOTE_LENGTH
        and key[:_QUOTE_LENGTH] in folded_text
        and key[-_QUOTE_LENGTH:] in folded_text
    )


def table3_rows(
    template: Template, present: Collection[str], folded_text: Container[str], unread_rows: bool
) -> tuple[str, ...]:
    """The codes of the table 三 rows this document's table has, in the template's order.

    A group printed as one row stands for its rows; an outcome row whose label the document never
    prints is left out, unless some row of the document went unread.
    """
    rows: list[str] = list(TABLE3_HEAD)
    items = _items_by_code()
    for group in outcome_groups():
        for code in group.parts(template, present):
            item = items.get((group.name, code))
            if item is None or code in present or unread_rows or label_printed(item.key, folded_text):
                rows.append(code)
    return (*rows, *TABLE3_TAIL)


@cache
def _items_by_code() -> dict[tuple[str, str], OutcomeItem]:
    """Each outcome row by (its group, its code): the first of the group's rows with that code."""
    found: dict[tuple[str, str], OutcomeItem] = {}
    for group in outcome_groups():
        for item in group.items:
            found.setdefault((group.name, item.code), item)
    return found


def _unread_rows(collector: FactCollector) -> bool:
    return any(issue.code in ("unknown_row", "short_row") for issue in collector.issues)


def applicant_columns(collector: FactCollector) -> int:
    return max(len(collector.codes().req_breakdowns), MIN_APPLICANT_COLUMNS)


def document_rows(
    template: Template, collector: FactCollector, folded_text: Container[str]
) -> tuple[str, ...]:
    """`table3_rows` of the collector's codes, made once for the expected cells, the wanted codes and
    the checks' rows: it reads only the table codes (the narrative adds text.* facts in between), the
    folded text and whether a row went unread."""
    codes = collector.codes()
    unread = _unread_rows(collector)
    kept = collector.kept_rows
    if kept is not None:
        (kept_template, kept_text, kept_codes, kept_unread), rows = kept
        if (
            kept_template == template
            and kept_text is folded_text
            and kept_unread == unread
            and kept_codes == codes.table_codes
        ):
            return rows
    rows = table3_rows(template, codes.present, folded_text, unread)
    collector.kept_rows = ((template, folded_text, codes.table_codes, unread), rows)
    return rows


@cache
def table2_codes(template: Template) -> tuple[str, ...]:
    return tuple(code for code in metrics() if code.startswith(f"{template}."))


@cache
def _table_codes_wanted(template: Template) -> tuple[tuple[str, ...], frozenset[str]]:
    """(every catalogue code in order, the codes of the template's tables other than table 三)."""
    return tuple(metrics()), frozenset(
        code
        for code, metric in metrics().items()
        if template in metric.templates and not code.startswith(("req.", "text."))
    )


def new_expected_cells(template: Template, collector: FactCollector, folded_text: Container[str]) -> int:
    """Table 二's cells, table 三's rows as printed × its applicant columns, and table 四's 15 cells."""
    rows = document_rows(template, collector, folded_text)
    return len(table2_codes(template)) + len(rows) * applicant_columns(collector) + TABLE4_CELLS


def new_wanted_codes(
    template: Template, collector: FactCollector, folded_text: Container[str]
) -> tuple[str, ...]:
    """Every code the document's tables should hold, in catalogue order."""
    order, fixed = _table_codes_wanted(template)
    wanted = fixed.union(document_rows(template, collector, folded_text))
    return tuple(code for code in order if code in wanted)
