"""主动公开: the old table's totals and channels, v2019 and v2021 table 二 apart, narrative totals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, components, measures

OLD_CODES = (
    "old.proactive.channel.gazette",
    "old.proactive.channel.website",
    "old.proactive.channel.weibo",
    "old.proactive.channel.wechat",
    "old.proactive.channel.other",
)
OLD_TOTALS = ("old.proactive.total", "fj.proactive.total", "old.proactive.normative_docs")
TABLE_TWO = {
    "v2019": (
        "v2019.regulations.",
        "v2019.normative_docs.",
        "v2019.licensing.",
        "v2019.other_services.",
        "v2019.penalty.",
        "v2019.coercion.",
        "v2019.admin_fees.",
        "v2019.procurement.",
    ),
    "v2021": (
        "v2021.regulations.",
        "v2021.normative_docs.",
        "v2021.licensing.",
        "v2021.penalty.",
        "v2021.coercion.",
        "v2021.admin_fees.",
    ),
}

v = components.view()
st.title(v.t("proactive.title"))
components.scope_note(v)
codes = v.frame("metrics")["code"]
TABLE_TWO_CODES = {
    template: tuple(c for c in codes if c.startswith(prefixes)) for template, prefixes in TABLE_TWO.items()
}
NARRATIVE = ("text.proactive.total",)
# One scan of the facts for the whole page; each section takes its rows.
page_rows = v.filtered(
    "metric_by_year", (*OLD_TOTALS, *OLD_CODES, *[c for t in TABLE_TWO_CODES.values() for c in t], *NARRATIVE)
)


def rows_of(wanted: tuple[str, ...]) -> pd.DataFrame:
    return page_rows[page_rows["metric_code"].isin(wanted)]


st.subheader(v.t("proactive.old"))
old = rows_of(OLD_TOTALS + OLD_CODES)
if old.empty:
    components.no_data(v)
else:
    old = measures.label_column(old, "metric_code", v.metric_label, "metric")
    totals = old[old["metric_code"].isin(OLD_TOTALS)]
    channels = old[old["metric_code"].isin(OLD_CODES)]
    left, right = st.columns(2)
    with left:
        fig = charts.year_lines(
            totals,
            series="metric",
            title=v.t("proactive.old"),
            y_title=v.t("chart.items"),
            sparse_note=v.t("chart.sparse"),
        )
        components.chart(v, fig, totals, what="proactive-old-totals", key="old_totals")
    with right:
        if channels.empty:
            components.no_data(v)
        else:
            fig = charts.stacked_bars(
                channels,
                x="year",
                y="value",
                colour="metric",
                title=v.t("proactive.old"),
                y_title=v.t("chart.items"),
            )
            components.chart(v, fig, channels, what="proactive-old-channels", key="old_channels")

for template in TABLE_TWO:
    st.subheader(v.t(f"proactive.{template}"))
    rows = rows_of(TABLE_TWO_CODES[template])
    if rows.empty:
        components.no_data(v)
        continue
    rows = measures.label_column(rows, "metric_code", v.metric_label, "metric")
    wide = rows.pivot_table(index="metric", columns="year", values="value", aggfunc="sum").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    components.table(v, wide, what=f"proactive-{template}-table2", key=f"table2_{template}")
    decisions = rows[rows["metric_code"].str.endswith(".decisions")]
    if not decisions.empty:
        fig = charts.stacked_bars(
            decisions,
            x="year",
            y="value",
            colour="metric",
            title=v.t(f"proactive.{template}"),
            y_title=v.t("chart.cases"),
        )
        components.chart(
            v, fig, decisions, what=f"proactive-{template}-decisions", key=f"decisions_{template}"
        )
st.caption(v.t("proactive.never_merged"))

st.subheader(v.t("proactive.narrative"))
narrative = rows_of(NARRATIVE)
if narrative.empty:
    components.no_data(v)
else:
    narrative = measures.label_column(narrative, "metric_code", v.metric_label, "metric")
    fig = charts.year_lines(
        narrative,
        series="metric",
        title=v.t("proactive.narrative"),
        y_title=v.t("chart.items"),
        sparse_note=v.t("chart.sparse"),
    )
    components.chart(v, fig, narrative, what="proactive-narrative", key="narrative")
