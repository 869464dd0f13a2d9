"""机构人员: bodies, staff, budget, fees, meetings and training — old-table years only."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, measures

GROUPS = {
    "staffing.staff": (("old.staff.full_time", "old.staff.part_time"), "chart.people"),
    "staffing.org": (("old.org.bodies", "old.org.reading_points"), "chart.items"),
    "staffing.budget": (("old.org.budget", "old.fees"), "chart.yuan"),
    "staffing.training": (
        ("old.training.meetings", "old.training.classes", "old.training.trainees"),
        "col.value",
    ),
}

v = components.view()
st.title(v.t("staffing.title"))
st.info(v.t("staffing.old_only"))
components.scope_note(v)
EXTRA = ("old.staff.total", "text.staff.total")
every = tuple(code for codes, _ in GROUPS.values() for code in codes)
rows = v.filtered("metric_by_year", (*every, *EXTRA))
if rows.empty:
    components.no_data(v)
else:
    rows = measures.label_column(rows, "metric_code", v.metric_label, "metric")
    columns = st.columns(2)
    for index, (title_key, (codes, unit_key)) in enumerate(GROUPS.items()):
        part = rows[rows["metric_code"].isin(codes)]
        with columns[index % 2]:
            if part.empty:
                st.caption(f"{v.t(title_key)}: {v.t('chart.no_data')}")
                continue
            if title_key == "staffing.staff":
                fig = charts.stacked_bars(
                    part, x="year", y="value", colour="metric", title=v.t(title_key), y_title=v.t(unit_key)
                )
            else:
                fig = charts.year_lines(
                    part,
                    series="metric",
                    title=v.t(title_key),
                    y_title=v.t(unit_key),
                    sparse_note=v.t("chart.sparse"),
                )
            components.chart(v, fig, part, what=title_key.replace(".", "-"), key=title_key.replace(".", "_"))
