"""The report page's section for values read by OCR: each value beside the crop of the page it came from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.components import View
from dashboard.untrusted import markdown

GALLERY = 8
"""Doubtful or unconfirmed values shown at once, beside the one picked."""


def ocr_crops(v: View, report_id: str, facts: pd.DataFrame | None = None) -> None:
    """`facts`: the report's values as the page shows them (`report_facts`), when read already: without
    an OCR cell among them (`ocr_confirmed`, never NULL for one) the report has no crop to show."""
    if facts is not None and not has_ocr_cells(facts):
        return
    crops = v.frame("report_ocr", report_id)
    if crops.empty:
        return
    doubtful = int((crops["doubt"] != "").sum())
    unconfirmed = int((~crops["confirmed"].astype(bool)).sum())
    st.markdown(f"**{v.t('report.ocr')}**")
    st.caption(v.t("report.ocr_note", doubtful=doubtful, unconfirmed=unconfirmed))
    label = "label_en" if v.lang == "en" else "label_zh"
    names = [
        f"{row[label] or row['metric_code']}"
        + (f" [{row.breakdown}]" if row.breakdown else "")
        + f" = {row.value_raw}"
        for _, row in crops.iterrows()
    ]
    picked = st.selectbox(
        v.t("report.ocr_pick"), range(len(crops)), format_func=lambda i: names[i], key="ocr_pick"
    )
    _crop(v, crops.iloc[int(picked)])
    others = [i for i in range(min(len(crops), GALLERY)) if i != picked and _in_doubt(crops.iloc[i])]
    columns = st.columns(2)
    for n, i in enumerate(others):
        with columns[n % 2]:
            st.markdown(markdown(names[i]))
            _crop(v, crops.iloc[i])


def has_ocr_cells(facts: pd.DataFrame) -> bool:
    """Whether a report's `report_facts` join an OCR cell: `report_ocr` reads the same cells joined to the
    same facts (the corrected facts keep every fact), so it is empty when none of them does."""
    return "ocr_confirmed" not in facts or bool(facts["ocr_confirmed"].notna().any())


def _in_doubt(row: object) -> bool:
    return bool(getattr(row, "doubt", "")) or not bool(getattr(row, "confirmed", True))


def _crop(v: View, row: object) -> None:
    status = v.t("report.ocr_confirmed" if getattr(row, "confirmed", False) else "report.ocr_unconfirmed")
    doubt = str(getattr(row, "doubt", "") or "")
    caption = markdown(
        v.t(
            "report.ocr_caption",
            raw=getattr(row, "value_raw", ""),
            score=f"{float(getattr(row, 'score', 0.0)):.2f}",
            page=getattr(row, "page", "?"),
            status=status + (f" · {doubt}" if doubt else ""),
        )
    )
    image = getattr(row, "crop_png", None)
    if image:
        st.image(bytes(image), caption=caption)
    else:
        st.caption(caption)
