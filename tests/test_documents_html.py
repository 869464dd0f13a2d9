"""The comparison's HTML page escapes every string that comes from a document or the warehouse."""

from __future__ import annotations

from decimal import Decimal

from warehouse.documents.compare import CellPair, CheckRow, Comparison, Printed, Side
from warehouse.documents.compare_html import comparison_html
from warehouse.documents.textdiff import SectionDiff, Sentence

EVIL = "<script>alert('x')</script>"


def hostile() -> Comparison:
    check = CheckRow("N1", "error", "fail", "total", Decimal(5), Decimal(4), f"N1 {EVIL}")
    before = Side("a" * 64, 2023, "v2021", f"某局{EVIL}", f"/in/{EVIL}_2023.html", EVIL, (check,))
    after = Side("b" * 64, 2024, "v2021", f"某局{EVIL}", f"/in/{EVIL}_2024.html", EVIL)
    printed = Printed(None, EVIL, "invalid")
    cell = CellPair("req.received", "total", printed, Printed(Decimal(3), "3", "number"), "blank", EVIL)
    section = SectionDiff(
        f"一、{EVIL}", f"一、{EVIL}", (Sentence(f"{EVIL}。", "added"), Sentence("旧句。", "removed"))
    )
    return Comparison(f"某局{EVIL}", f"某局{EVIL}", before, after, (cell,), (), (section,), f"v{EVIL}")


def test_html_escapes_all_document_text() -> None:
    page = comparison_html(hostile()).decode("utf-8")
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") >= 8
    assert page.startswith("<!DOCTYPE html>") and '<tr class="added">' in page
