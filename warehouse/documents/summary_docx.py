"""The summary as a Word file in the official layout: title, the sentence saying how it was compiled, the
section headings and tables 二, 三 and 四 of the template (or the old table) with the sums, then a note
listing the units, the units without a report, the identities on the sums, the data version and the
filters. `xxgk parse` reads the file back to exactly the summed cells (tests/test_documents_summary.py)."""

from __future__ import annotations

from warehouse.documents import word
from warehouse.documents.layout import Slot, official_tables
from warehouse.documents.numbers import printed
from warehouse.documents.summary import Summary
from warehouse.documents.summary_notes import notes


def summary_docx(summary: Summary) -> bytes:
    doc = word.document(summary.title)
    word.text(doc, summary.statement())
    cells = summary.by_cell()

    def shown(slot: Slot) -> str:
        return printed(slot.code, cells[(slot.code, slot.breakdown)].value)

    for table in official_tables(summary.template):
        word.heading(doc, table.heading)
        word.official_table(doc, table, shown)
    word.heading(doc, "附：汇总说明")
    for title, lines in notes(summary):
        word.heading(doc, title, size=11)
        for line in lines:
            word.text(doc, line, size=9.5)
    word.footer_note(doc, f"xxgk 汇总 · 数据版本 {summary.version}")
    return word.to_bytes(doc, summary.generated_at)
