"""总览: what is loaded, headline trends and the data-quality summary."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, documents, measures

v = components.view()
st.title(v.t("overview.title"))
counts = v.read("overview_counts", v.flt)


def _count(name: str) -> int:
    value = counts.get(name)
    return 0 if value is None or value != value else int(value)


tiles = st.columns(6)
tiles[0].metric(v.t("overview.reports"), f"{_count('reports'):,}")
tiles[1].metric(v.t("overview.agencies"), f"{_count('agencies'):,}")
tiles[2].metric(v.t("overview.places"), f"{_count('places'):,}")
span = f"{_count('year_min')}–{_count('year_max')}" if _count("reports") else "—"
tiles[3].metric(v.t("overview.years"), span.replace("–20", "–"), help=span)
tiles[4].metric(v.t("overview.failed"), f"{_count('reports_with_failures'):,}")
tiles[5].metric(v.t("overview.unplaced"), f"{_count('unplaced_reports'):,}")
components.scope_note(v)

st.subheader(v.t("overview.trends"))
codes = tuple(code for _, members in measures.HEADLINE_SERIES for code in members)
series = measures.series_totals(v.filtered("series_by_year", codes))
if series.empty:
    components.no_data(v)
else:
    series = series.assign(
        series_label=[
            f"{v.t('series.' + code)} · {v.t('group.' + group)}"
            for code, group in zip(series["series_code"], series["comparable_group"], strict=True)
        ]
    )
    left, right = st.columns(2)
    for index, (chart_code, members) in enumerate(measures.HEADLINE_SERIES):
        part = series[series["series_code"].isin(members)]
        with left if index % 2 == 0 else right:
            if part.empty:
                st.caption(f"{v.t('series.' + chart_code)}: {v.t('chart.no_data')}")
                continue
            fig = charts.year_lines(
                part,
                series="series_label",
                title=v.t("series." + chart_code),
                y_title=v.t("col.value"),
                break_note=v.t("chart.break"),
                sparse_note=v.t("chart.sparse"),
            )
            exported = part[
                ["year", "series_code", "comparable_group", "value", "reports_with_value", "reports"]
            ]
            components.chart(v, fig, exported, what=f"trend-{chart_code}", key=f"trend_{chart_code}")
    st.caption(v.t("overview.trends_note"))

st.subheader(v.t("overview.quality"))
summary = v.filtered("check_summary")
failing = summary[summary["failed"] > 0]
if failing.empty:
    st.success(v.t("quality.none_failed"))
else:
    components.table(
        v,
        failing,
        what="checks-summary",
        key="overview_checks",
    )
    st.page_link("views/quality.py", label=v.t("page.quality"), icon=":material/fact_check:")

documents.summary_section(v)
