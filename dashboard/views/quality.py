"""数据质量: failed checks, the coverage grid, agencies without a place and files that did not load."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components
from dashboard.findings import findings_section

GRID_LIMIT = 120

v = components.view()
st.title(v.t("quality.title"))


st.subheader(v.t("quality.summary"))
summary = v.filtered("check_summary")
components.table(v, summary, what="checks-summary", key="summary")

st.subheader(v.t("quality.failed"))
failed = v.filtered("failed_checks")
if failed.empty:
    st.success(v.t("quality.none_failed"))
else:
    total_failed = int(summary["failed"].sum())
    if total_failed > len(failed):
        st.caption(v.t("quality.failed_limited", shown=len(failed), total=total_failed))
    components.table(v, failed, what="checks-failed", key="failed")

findings_section(v)

st.subheader(v.t("quality.coverage"))
domain = v.read("domain")
year_from = v.flt.year_from or int(domain.get("year_min") or 0)
year_to = v.flt.year_to or int(domain.get("year_max") or 0)
grid = v.frame("coverage_limited", v.flt, year_from, year_to, GRID_LIMIT)
if grid.empty:
    components.no_data(v)
else:
    labels = {
        status: v.t(f"status.{status}") for status in ("published", "missing", "several_versions", "outside")
    }
    agencies = int(grid["agencies"].iloc[0])
    shown = grid.drop(columns="agencies")
    if agencies > GRID_LIMIT:
        st.caption(v.t("quality.coverage_limited", shown=GRID_LIMIT, total=agencies))
    fig = charts.coverage_grid(shown, status_labels=labels, title=v.t("quality.coverage"))
    components.chart(v, fig, shown, what="coverage", key="coverage")

st.subheader(v.t("quality.unplaced"))
unplaced = v.filtered("unplaced")
if unplaced.empty:
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
