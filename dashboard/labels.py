"""Codes in a result table turned into words of the interface language, as a person writes a table.

Queries return codes (`natural_person`, `error`, `not_assessable`, `blank`, `v2021` …) so that exports and
scripts can rely on them; a table on screen shows their labels instead, each check id gets its one-line
meaning beside it, a check's message comes in the interface language, and a missing value is a dash, not
"None". Pure functions of DataFrames: the pages call them through `components.table`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from html import escape

import numpy as np
import pandas as pd

from dashboard.i18n import translate
from etl.check_catalogue import BREAKDOWN_LABELS, breakdown_label, meaning

MISSING = "—"

CODED_COLUMNS = {
    "severity": "severity",
    "status": "check_status",
    "semantic": "semantic",
    "confidence": "confidence",
    "template": "template",
    "kind": "error_kind",
    "is_current": "yes_no",
    "scope": "scope",
    "agency_kind": "kind",
    "agency_level": "level",
    "place_status": "place_status",
}
"""Result columns holding codes, and the i18n prefix of their labels."""
HIDDEN = ("message_zh", "cells", "label_en", "label_zh")


def code_label(prefix: str, code: object, lang: str) -> object:
    """The label of one code (`translate(f"{prefix}.{code}")`); values without a label stay as they are."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return code
    key = f"{prefix}.{str(bool(code)).lower() if isinstance(code, bool | np.bool_) else code}"
    found = translate(key, lang)
    return code if found == key else found


def _mapped(series: pd.Series, label: Callable[[object], object]) -> pd.Series:
    table = {value: label(value) for value in series.dropna().unique()}
    return series.map(lambda value: table.get(value, value))


def localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table as shown: coded columns as labels, breakdowns named, the message in `lang`, each check
    id followed by its meaning; internal columns (the other language's message, cells) left out."""
    shown = frame.copy()
    if "message_zh" in shown.columns and "message" in shown.columns and lang != "en":
        chinese = shown["message_zh"].where(shown["message_zh"].notna() & (shown["message_zh"] != ""))
        shown["message"] = chinese.fillna(shown["message"])
    for column, prefix in CODED_COLUMNS.items():
        if column in shown.columns:
            shown[column] = _mapped(shown[column], partial(code_label, prefix, lang=lang))
    if "breakdown" in shown.columns:
        shown["breakdown"] = _mapped(shown["breakdown"], lambda code: breakdown_label(str(code), lang))
    if "column_label" in shown.columns:
        # a table 三 column whose header the reader could not see is stored under its breakdown code
        shown["column_label"] = _mapped(
            shown["column_label"],
            lambda text: breakdown_label(str(text), lang) if text in BREAKDOWN_LABELS else text,
        )
    if "check_id" in shown.columns:
        position = list(shown.columns).index("check_id") + 1
        shown.insert(position, "meaning", [meaning(str(c), lang) for c in shown["check_id"]])
        # a check's breakdown is where it applies: an applicant column, a row of table 三, a group of 四
        shown = shown.rename(columns={"breakdown": "check_where"})
    label = "label_en" if lang == "en" else "label_zh"
    if label in shown.columns and "metric" not in shown.columns:
        shown.insert(list(shown.columns).index(label), "metric", shown[label])
    return shown.drop(columns=[c for c in HIDDEN if c in shown.columns])


def cell_text(value: object) -> str:
    """A value as a person writes it: whole numbers without decimals, no trailing zeros, a dash for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return MISSING
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f")
    return str(value)


def with_dashes(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Missing values written as a dash: every column holding one becomes text (the browser's grid draws a
    missing number as "None" whatever a Styler says). Returns the table and the numeric columns so
    converted, which the caller aligns right."""
    converted = [str(c) for c in frame.columns if frame[c].isna().any()]
    if not converted:
        return frame, []
    text = frame.copy()
    numeric = [c for c in converted if pd.api.types.is_numeric_dtype(frame[c]) or _decimals(frame[c])]
    for column in converted:
        text[column] = text[column].map(cell_text)
    return text, numeric


def _decimals(series: pd.Series) -> bool:
    return any(isinstance(v, Decimal | int | float) for v in series.dropna().head(20))


ABOUT_FIELDS = (
    "title",
    "agency",
    "year",
    "template",
    "format",
    "province",
    "city",
    "county",
    "place_code",
    "place_status",
    "place_note",
    "agency_id",
    "agency_level",
    "agency_kind",
    "scope",
    "scope_evidence",
    "publisher",
    "published",
    "url",
    "source_url",
    "source_file",
    "encoding",
    "file_size",
    "expected_cells",
    "found_cells",
    "n_warnings",
    "checks_failed",
    "is_current",
    "ingested_at",
    "agency_source",
    "year_source",
    "report_id",
)


def about_report(meta: dict[str, object], lang: str) -> pd.DataFrame:
    """One report's metadata as two columns (field, value), each field and coded value in words."""
    rows = []
    for field in ABOUT_FIELDS:
        if field not in meta:
            continue
        value = meta[field]
        prefix = CODED_COLUMNS.get(field)
        shown = code_label(prefix, value, lang) if prefix else value
        rows.append((translate(f"meta.{field}", lang), cell_text(shown) if shown is not None else MISSING))
    return pd.DataFrame(rows, columns=["field", "value"])


def html_table(values: pd.DataFrame, reasons: pd.DataFrame, headers: dict[str, str]) -> str:
    """A table as a person writes it: numbers right-aligned, an empty cell a dash whose reason shows on
    hover (`reasons` holds it at the same row and year column). Every text is escaped."""
    columns = list(values.columns)
    head = "".join(f"<th>{escape(headers.get(str(c), str(c)))}</th>" for c in columns)
    body = []
    for index, row in enumerate(values.itertuples(index=False)):
        cells = []
        for column, value in zip(columns, row, strict=True):
            text = cell_text(value)
            if text != MISSING:
                align = ' style="text-align:right"' if isinstance(value, int | float | Decimal) else ""
                cells.append(f"<td{align}>{escape(text)}</td>")
                continue
            why = str(reasons.iloc[index][column]) if column in reasons.columns else ""
            tip = f' title="{escape(why, quote=True)}"' if why else ""
            cells.append(f'<td style="text-align:center;color:#888"{tip}>{MISSING}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="xxgk-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
