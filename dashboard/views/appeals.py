"""复议诉讼: reconsideration and litigation outcomes, correction rate, pending cases."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, components, measures

v = components.view()
st.title(v.t("appeals.title"))
components.scope_note(v)

rows = v.filtered("metric_by_year", measures.APPEAL_CODES + measures.OLD_APPEAL_CODES)
if rows.empty:
    components.no_data(v)
else:
    outcomes = measures.appeal_outcomes(rows)
    outcomes = outcomes.assign(
        kind_label=[
            v.t("appeals.kind.review")
            if k in ("review", "reconsideration")
            else v.t("appeals.suit_series")
            if k == "litigation"
            else v.t(f"appeals.kind.{k}")
            for k in outcomes["kind"]
        ],
        outcome_label=[v.t(f"appeals.{o}") for o in outcomes["outcome"]],
    )
    review = outcomes[outcomes["kind"].isin(("review", "reconsideration"))]
    suits = outcomes[~outcomes["kind"].isin(("review", "reconsideration"))]
    left, right = st.columns(2)
    with left:
        if review.empty:
            components.no_data(v)
        else:
            fig = charts.stacked_bars(
                review,
                x="year",
                y="value",
                colour="outcome_label",
                title=v.t("appeals.review"),
                y_title=v.t("chart.cases"),
            )
            components.chart(v, fig, review, what="reconsideration-outcomes", key="review")
    with right:
        if suits.empty:
            components.no_data(v)
        else:
            suits_by_outcome = suits.groupby(["year", "outcome_label"], as_index=False)["value"].sum()
            fig = charts.stacked_bars(
                suits_by_outcome,
                x="year",
                y="value",
                colour="outcome_label",
                title=v.t("appeals.suits"),
                y_title=v.t("chart.cases"),
            )
            components.chart(v, fig, suits_by_outcome, what="litigation-outcomes", key="suits")
    rates = measures.correction_rate(outcomes)
    st.subheader(v.t("appeals.correction"))
    if rates.empty:
        components.no_data(v)
    else:
        rates = rates.assign(
            series=[
                v.t("appeals.review_series")
                if k in ("review", "reconsideration")
                else v.t("appeals.suit_series")
                for k in rates["kind"]
            ]
        )
        merged = rates.groupby(["year", "series"], as_index=False)[["numerator", "denominator"]].sum()
        merged["rate"] = merged["numerator"] / merged["denominator"]
        merged = measures.with_percent(merged)
        fig = charts.rate_dots(
            merged, series="series", title=v.t("appeals.correction"), y_title=v.t("col.rate")
        )
        components.chart(v, fig, merged, what="correction-rate", key="correction")
    st.caption(v.t("appeals.pending_note"))
