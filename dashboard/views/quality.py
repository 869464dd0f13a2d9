"""数据质量: failed checks, the coverage grid, agencies without a place and files that did not load."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import charts, components, review_panels, state
from dashboard.findings import findings_ahead, findings_section
from warehouse.dashboard_queries import FAILED_PAGE
from warehouse.review.model import STATUSES

GRID_LIMIT = 120


def _grid_years(v: components.View) -> tuple[int, int]:
    """The coverage grid's years: the filter's, else the warehouse's."""
    domain = v.read("domain")
    return v.flt.year_from or int(domain.get("year_min") or 0), v.flt.year_to or int(
        domain.get("year_max") or 0
    )


v = components.view()
# The review findings of the chosen place and the coverage grid (when their sections are open) are read on
# a second thread while the page reads and draws what comes before them (docs/scale.md §5, issue12rk).
findings_read = findings_ahead(v)
grid_read = ("coverage_limited", v.flt, *_grid_years(v), GRID_LIMIT)
v.ahead(
    *([findings_read] if findings_read else []),
    *([grid_read] if components.will_open(v, "coverage_open") else []),
)
st.title(v.t("quality.title"))

state.seed("review", lambda raw: [s for s in state.parse_list(raw) if s in STATUSES] or None)
review = st.pills(
    v.t("review.filter"),
    STATUSES,
    selection_mode="multi",
    format_func=lambda s: v.t(f"review.status.{s}"),
    key="review",
)
state.remember("review", state.join_list(list(review)) or None)
flt = replace(v.flt, review=tuple(review))
any_unplaced = review_panels.review_overview(v, flt)

st.subheader(v.t("quality.summary"))
summary = v.frame("check_summary", flt)
if summary.empty:
    components.no_data(v)
else:
    components.table(v, summary, what="checks-summary", key="summary")

st.subheader(v.t("quality.failed"))
# A page of FAILED_PAGE at a time with a page number (before: the 2,000 most severe in one table, a third
# of a cold page's CPU at 100k reports; docs/scale.md §5, sixth pass).
total_failed = int(summary["failed"].sum()) if not summary.empty else 0
failed_pages = max(-(-total_failed // FAILED_PAGE), 1)
failed_page = 1
if failed_pages > 1:
    if not 1 <= int(st.session_state.get("failed_page", 1)) <= failed_pages:
        st.session_state["failed_page"] = 1  # the filters changed under a later page
    failed_page = int(
        st.number_input(v.t("review.page"), min_value=1, max_value=failed_pages, key="failed_page")
    )
failed = v.frame("failed_checks", flt, FAILED_PAGE, failed_page)
if failed.empty and failed_page == 1:
    st.success(v.t("quality.none_failed"))
else:
    if failed_pages > 1:
        first = (failed_page - 1) * FAILED_PAGE + 1
        last = min(failed_page * FAILED_PAGE, total_failed)
        st.caption(
            v.t("quality.failed_page_rows", first=first, last=last, total=total_failed, size=FAILED_PAGE)
        )
    components.table(v, failed, what="checks-failed", key="failed")

review_panels.corrections_queue(v)
findings_section(v)

st.subheader(v.t("quality.coverage"))
# Read and drawn only while its expander is open: below the failed checks, the grid was ~40 % of a cold
# page's reads at 100k reports (docs/scale.md §5, sixth pass).
coverage_box = components.lazy_expander(v, v.t("quality.coverage_open"), "coverage_open")
if coverage_box.open:
    with coverage_box:
        year_from, year_to = _grid_years(v)
        grid = v.frame("coverage_limited", v.flt, year_from, year_to, GRID_LIMIT)
        if grid.empty:
            components.no_data(v)
        else:
            labels = {
                status: v.t(f"status.{status}")
                for status in ("published", "missing", "several_versions", "outside")
            }
            agencies = int(grid["agencies"].iloc[0])
            shown = grid.drop(columns="agencies")
            if agencies > GRID_LIMIT:
                st.caption(v.t("quality.coverage_limited", shown=GRID_LIMIT, total=agencies))
            fig = charts.coverage_grid(shown, status_labels=labels, title=v.t("quality.coverage"))
            components.chart(v, fig, shown, what="coverage", key="coverage")

st.subheader(v.t("quality.unplaced"))
# The counts above tell whether any report of the page's filter is unplaced (the usual answer: none), so
# the listing is read only when there is one; a review status chosen narrows those counts to its reports.
unplaced = v.filtered("unplaced") if any_unplaced or flt != v.flt else None
if unplaced is None or unplaced.empty:
    st.success("✓")
else:
    components.table(
        v,
        unplaced,
        what="unplaced-agencies",
        key="unplaced",
    )

st.subheader(v.t("quality.errors"))
errors = v.frame("ingest_errors")
if errors.empty:
    st.success("✓")
else:
    components.table(
        v,
        errors,
        what="ingest-errors",
        key="errors",
    )
