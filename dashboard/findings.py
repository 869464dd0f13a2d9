"""The review findings (审核意见) download on the data quality page: for the place the sidebar chose and a
year of its range, one Word document per unit (in a ZIP) and one workbook for all, with the review
statuses, comments and corrections of the review store. Thin over
warehouse/documents/findings*.py; the files are written only when a button is clicked."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import components, data, state
from dashboard.components import View
from warehouse.documents.findings import Findings, FindingsRequest, with_reviews
from warehouse.documents.findings_make import FINDINGS_FORMATS, download_bytes, download_name
from warehouse.documents.make import MIME


def _data(findings: Findings, fmt: str) -> Callable[[], bytes]:
    return lambda: download_bytes(findings, fmt)


FINDINGS = ("findings_open", "findings_year")  # the expander's key and the parameter that opens it


def _years(v: View) -> list[int]:
    low, high = v.flt.year_from, v.flt.year_to
    if low is None or high is None:
        return []
    return list(range(high, low - 1, -1))


def _place(v: View) -> str | None:
    return v.flt.county_code or v.flt.city_code or v.flt.province_code


def _request(v: View, place: str, year: int) -> FindingsRequest:
    return FindingsRequest(place, year, v.flt.kinds, v.flt.include_vertical)


def findings_ahead(v: View) -> data.Ahead | None:
    """The findings' read as `findings_section` will make it, for the page's read-ahead thread (its
    place's units, checks and missing cells are the quality page's largest read for a county: ≈ 200 ms
    of CPU at 1M reports); None when the section will not read (no place, closed, no years)."""
    place, years = _place(v), _years(v)
    if not place or not years or not components.will_open(v, *FINDINGS):
        return None
    asked = state.asked("findings_year", state.parse_int)
    year = next((y for y in asked if y in years), years[0])
    return ("findings", _request(v, place, year), v.version_name())


def _year(v: View) -> int | None:
    years = _years(v)
    if not years:
        return None
    state.seed("findings_year", lambda raw: state.parse_int(raw) if state.parse_int(raw) in years else None)
    if st.session_state.get("findings_year") not in years:
        st.session_state["findings_year"] = years[0]
    chosen = int(st.selectbox(v.t("findings.year"), years, key="findings_year"))
    state.remember("findings_year", None if chosen == years[0] else str(chosen))
    return chosen


def findings_section(v: View) -> None:
    st.subheader(v.t("findings.title"))
    place = _place(v)
    if not place:
        st.info(v.t("findings.pick_place"))
        return
    # Read and built only while the expander is open (about 450 ms of CPU for a county at 100k reports);
    # a link naming the year opens it.
    box = components.lazy_expander(v, v.t("findings.open"), *FINDINGS)
    if box.open:
        with box:
            _findings(v, place)


def _findings(v: View, place: str) -> None:
    year = _year(v)
    if year is None:
        return
    request = _request(v, place, year)
    findings: Findings = v.read("findings", request, v.version_name())
    findings = with_reviews(findings, data.review_notes(tuple(u.report_id for u in findings.units)))
    if not findings.units:
        st.info(v.t("findings.none"))
        return
    st.caption(
        v.t(
            "findings.note",
            units=len(findings.units),
            errors=sum(u.count("error") for u in findings.units),
            warnings=sum(u.count("warning") for u in findings.units),
            incomplete=sum(1 for u in findings.units if u.missing_cells),
            missing=len(findings.missing),
        )
    )
    statuses = [u.review.status for u in findings.units]
    st.caption(
        v.t(
            "findings.reviewed",
            approved=statuses.count("approved"),
            returned=statuses.count("returned"),
            pending=statuses.count("pending"),
            corrections=sum(len(u.review.corrections) for u in findings.units),
        )
    )
    row = st.container(horizontal=True, gap="small")
    for fmt in FINDINGS_FORMATS:
        row.download_button(
            v.t(f"findings.{fmt}"),
            data=_data(findings, fmt),
            file_name=download_name(findings, fmt),
            mime=MIME["xlsx"] if fmt == "xlsx" else "application/zip",
            key=f"findings_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )
