"""Names of the quirks a sample document can carry, and detection of those visible in its content."""

from __future__ import annotations

import re

from xxgk.samples.model import Document, Fact
from xxgk.samples.tables import EXTRA_ROW
from xxgk.samples.values import NA_MARKS

HTML_QUIRKS = (
    "ext_htm",
    "ext_shtml",
    "site_chrome",
    "related_links",
    "title_site_suffix",
    "publish_meta",
    "container_zoom",
    "container_trs_editor",
    "container_article_content",
    "container_xxgk_content",
    "container_pages_content",
    "word_table",
    "first_row_class",
    "br_in_header",
    "nbsp_cells",
    "result_group_split",
    "misaligned_header",
    "word_conditional_comments",
    "html_entities",
    "meta_gb2312",
    "meta_gbk",
    "utf8_bom",
)
TEXT_QUIRKS = (
    "text_shape_a",
    "text_shape_b",
    "text_shape_c",
    "wrapped_labels",
    "spacer_rows",
    "no_title",
    "crawler_header",
    "crlf",
    "gb18030_text",
)
CONTENT_QUIRKS = (
    "blank_cells",
    "blank_under_zero_parent",
    *NA_MARKS,
    "fullwidth_digits",
    "thousands_separator",
    "ideographic_space_padding",
    "nbsp_padding",
    "unit_in_cell",
    "long_decimal",
    "negative_change",
    "mixed_brackets",
    "straight_quotes",
    "curly_quotes",
    "annotated_labels",
    "extra_row",
    "section_row_number",
)
PLAN_QUIRKS = (
    "legal_subtotal_column",
    "omitted_row",
    "numbering_fullwidth_dot",
    "numbering_ascii_dot",
    "numbering_dunhao",
    "title_niandu",
    "stat_period_sentence",
    "compile_sentence",
    "heading_variant",
    "table_title_year_missing",
    "laggard_template",
    "corrected_version",
)
OFFICE_QUIRKS = ("page_footer", "vertical_rowspan_label", "header_broken_mid_word")
ALL_QUIRKS = (*HTML_QUIRKS, *TEXT_QUIRKS, *CONTENT_QUIRKS, *PLAN_QUIRKS, *OFFICE_QUIRKS)
BAD_QUIRKS = (
    "bad_empty",
    "bad_binary",
    "bad_undecodable",
    "bad_unsupported_extension",
    "bad_not_a_report",
    "bad_truncated",
)

_VALUE_PATTERNS = {
    "fullwidth_digits": re.compile("[０-９]"),
    "thousands_separator": re.compile(","),
    "unit_in_cell": re.compile("元$", re.M),
    "long_decimal": re.compile(r"\.\d{4,}"),
    "negative_change": re.compile(r"^-\d", re.M),
}
_LABEL_PATTERNS = {
    "mixed_brackets": re.compile("^[^\n]*\\([^\n]*）$", re.M),
    "straight_quotes": re.compile('"三安全一稳定"'),
    "curly_quotes": re.compile("“三安全一稳定”"),
    "annotated_labels": re.compile("\\(指|一般情况下属于"),
    "extra_row": re.compile(f"^{re.escape(EXTRA_ROW)}$", re.M),
}
_NA_QUIRKS = {mark: quirk for quirk, mark in NA_MARKS.items()}


def value_quirks(facts: list[Fact]) -> set[str]:
    raw = "\n".join(fact.value_raw for fact in facts)
    found = {name for name, pattern in _VALUE_PATTERNS.items() if pattern.search(raw)}
    semantics = {fact.semantic for fact in facts}
    found.update(_NA_QUIRKS[fact.value_raw] for fact in facts if fact.semantic == "na")
    if "blank" in semantics:
        found.add("blank_cells")
    if any(fact.metric_code.startswith("old.section.") for fact in facts):
        found.add("section_row_number")
    return found


def cell_quirks(doc: Document, values: set[str]) -> set[str]:
    cells = [cell for table in doc.tables() for row in table.rows for cell in row]
    printed = "".join(cell.text for cell in cells if cell.fact is not None)
    labels = "\n".join(cell.text for cell in cells if cell.fact is None)
    found = {name for name, pattern in _LABEL_PATTERNS.items() if pattern.search(labels)}
    if "\u3000" in printed:
        found.add("ideographic_space_padding")
    if "\u00a0" in printed:
        found.add("nbsp_padding")
    if "blank_cells" in values and not doc.plan.new:
        found.add("blank_under_zero_parent")
    return found


def content_quirks(doc: Document) -> set[str]:
    flags = {flag for flag in doc.plan.flags if flag in PLAN_QUIRKS}
    if doc.title is None:
        flags.discard("title_niandu")
    values = value_quirks(doc.facts())
    return flags | values | cell_quirks(doc, values)
