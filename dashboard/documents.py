"""The document downloads: the summary (汇总) of the filtered place and a year on the overview page, and an
agency's year-over-year comparison on the agencies page. Thin over warehouse/documents/: the bytes are
built only when a button is clicked, on the download thread, from the version the page shows.

Strings that come from documents (agency names, sentences) are shown with st.dataframe / st.text only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import components, data, state
from dashboard.components import View
from warehouse.dashboard_queries import compare_rows, years_of
from warehouse.documents.compare import Comparison
from warehouse.documents.compare_tables import cell_rows, section_rows, shown
from warehouse.documents.make import (
    COMPARE_FORMATS,
    COMPARE_WRITERS,
    MIME,
    SUMMARY_FORMATS,
    comparison_file_name,
    safe_name,
    summary_bytes,
)
from warehouse.documents.reads import SummaryPlan
from warehouse.documents.summary import SummaryRequest


def _summary_data(version: Path, request: SummaryRequest, fmt: str) -> Callable[[], bytes]:
    """Built on click, on the download thread, with its own read-only connection."""
    return lambda: summary_bytes(version, request, fmt)[1]


def _comparison_data(made: Callable[[], Comparison], fmt: str) -> Callable[[], bytes]:
    """Written on click, on the download thread, from the whole comparison `made()` reads then (the page
    shows a comparison without the checks and series: `comparison_shown`)."""
    return lambda: COMPARE_WRITERS[fmt](made())


def _place(v: View) -> str | None:
    return v.flt.county_code or v.flt.city_code or v.flt.province_code


def _year(v: View, key: str) -> int | None:
    low, high = v.flt.year_from, v.flt.year_to
    if low is None or high is None:
        return None
    years = list(range(high, low - 1, -1))
    state.seed(key, lambda raw: state.parse_int(raw) if state.parse_int(raw) in years else None)
    if st.session_state.get(key) not in years:
        st.session_state[key] = years[0]
    chosen = int(st.selectbox(v.t("documents.year"), years, key=key))
    state.remember(key, None if chosen == years[0] else str(chosen))
    return chosen


def _template(v: View, plan: SummaryPlan) -> str | None:
    """The template to sum: the only one, the sidebar's single choice, or the user's pick."""
    found = [template for template, _ in plan.templates]
    if len(found) == 1:
        return found[0]
    wanted = [t for t in v.flt.templates if t in found]
    if len(wanted) == 1:
        return wanted[0]
    st.warning(v.t("documents.mixed"))
    st.dataframe(
        pd.DataFrame(
            [(t, len(units), "、".join(units)) for t, units in plan.templates],
            columns=[v.t("col.template"), v.t("documents.units"), v.t("col.agency")],
        ),
        hide_index=True,
    )
    if st.session_state.get("summary_tpl") not in found:
        st.session_state["summary_tpl"] = found[-1]
    chosen = st.radio(v.t("documents.template"), found, key="summary_tpl", horizontal=True)
    return str(chosen)


def summary_section(v: View) -> None:
    st.subheader(v.t("documents.summary"))
    place = _place(v)
    if not place:
        st.info(v.t("documents.pick_place"))
        return
    year = _year(v, "summary_year")
    if year is None:
        return
    base = SummaryRequest(place, year, v.flt.scope, v.flt.kinds, v.flt.include_vertical)
    plan: SummaryPlan = v.read("summary_plan", base)
    if plan.error:
        st.text(plan.error)
        return
    template = _template(v, plan)
    request = SummaryRequest(place, year, v.flt.scope, v.flt.kinds, v.flt.include_vertical, template)
    units = dict(plan.templates).get(template or "", ())
    st.caption(v.t("documents.summary_note", units=len(units), excluded=plan.excluded))
    version = Path(v.version)
    stem = safe_name(f"{plan.place_name}{year}年政府信息公开工作年度报告汇总_{template}")
    row = st.container(horizontal=True, gap="small")
    for fmt in SUMMARY_FORMATS:
        row.download_button(
            v.t(f"documents.summary_{fmt}"),
            data=_summary_data(version, request, fmt),
            file_name=f"{stem}.{fmt}",
            mime=MIME[fmt],
            key=f"summary_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )


def _years(v: View, years: list[int]) -> tuple[int, int]:
    state.seed("cmp_to", lambda raw: state.parse_int(raw) if state.parse_int(raw) in years[1:] else None)
    if st.session_state.get("cmp_to") not in years[1:]:
        st.session_state["cmp_to"] = years[-1]
    left, right = st.columns(2)
    later = int(right.selectbox(v.t("documents.later"), years[1:][::-1], key="cmp_to"))
    earlier_options = [y for y in years if y < later][::-1]
    if st.session_state.get("cmp_from") not in earlier_options:
        st.session_state["cmp_from"] = earlier_options[0]
    earlier = int(left.selectbox(v.t("documents.earlier"), earlier_options, key="cmp_from"))
    state.remember("cmp_to", None if later == years[-1] else str(later))
    return earlier, later


COMPARE = ("cmp_open", "cmp_to")  # the comparison's expander key and the parameter that opens it


def comparison_ahead(v: View, agency_id: str, rows: pd.DataFrame) -> data.Ahead | None:
    """The comparison's read as `compare_section` will make it (the years its pickers start from), for the
    page's read-ahead thread; None when the section will not read (closed, fewer than two years)."""
    if not components.will_open(v, *COMPARE):
        return None
    years = years_of(rows)
    if len(years) < 2:
        return None
    later = next((y for y in state.asked("cmp_to", state.parse_int) if y in years[1:]), years[-1])
    earlier_options = [y for y in years if y < later][::-1]
    earlier = st.session_state.get("cmp_from")
    chosen = (earlier if earlier in earlier_options else earlier_options[0], later)
    return ("comparison_shown", agency_id, chosen, v.version_name(), compare_rows(rows, chosen))


def compare_section(v: View, agency_id: str, rows: pd.DataFrame) -> None:
    """The comparison is read and built only while its expander is open (≈ 35 ms of CPU at 100k reports
    since it is shown without its checks and series, `comparison_shown`; ≈ 75–95 whole, read for its
    documents when a button is clicked); a link naming its years opens it. `rows`: the agency's
    `agency_rows`, which give its years and the two reports compared."""
    st.subheader(v.t("documents.compare"))
    box = components.lazy_expander(v, v.t("documents.compare_open"), *COMPARE)
    if box.open:
        with box:
            _comparison(v, agency_id, rows)


def _comparison(v: View, agency_id: str, rows: pd.DataFrame) -> None:
    years = years_of(rows)
    if len(years) < 2:
        st.info(v.t("documents.one_year"))
        return
    chosen = _years(v, years)
    sides = compare_rows(rows, chosen)
    comparison: Comparison = v.read("comparison_shown", agency_id, chosen, v.version_name(), sides)
    share = comparison.copied_share
    tiles = st.columns(4)
    tiles[0].metric(v.t("documents.changed"), comparison.count("changed"))
    tiles[1].metric(v.t("documents.not_comparable"), comparison.count("not_comparable"))
    tiles[2].metric(v.t("documents.copied"), "—" if share is None else f"{share}%")
    tiles[3].metric(
        v.t("documents.failed"), f"{comparison.before.n_failed()} / {comparison.after.n_failed()}"
    )
    cells = cell_rows(comparison)
    frame = pd.DataFrame([[shown(x) for x in row] for row in cells.rows], columns=list(cells.header))
    changed = frame[[kind in ("changed", "not_comparable") for kind in cells.kinds]]
    st.dataframe(changed, hide_index=True, height=260)
    sections = section_rows(comparison)
    st.dataframe(pd.DataFrame(sections.rows, columns=list(sections.header)), hide_index=True)
    row = st.container(horizontal=True, gap="small")
    for fmt in COMPARE_FORMATS:
        row.download_button(
            v.t(f"documents.compare_{fmt}"),
            data=_comparison_data(lambda: v.read("comparison", agency_id, chosen, v.version_name()), fmt),
            file_name=comparison_file_name(comparison, fmt),
            mime=MIME[fmt],
            key=f"compare_{fmt}",
            on_click="ignore",
            icon=":material/download:",
        )
