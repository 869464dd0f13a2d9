"""依申请公开: requests received by applicant and channel, how they were handled, grant rate, carried over."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, components, measures
from etl.catalogue import APPLICANT_BREAKDOWNS

OLD_CHANNELS = (
    "old.requests.received.in_person",
    "old.requests.received.fax",
    "old.requests.received.online",
    "old.requests.received.letter",
)
OLD_ANSWERS = (
    "old.requests.answered.already_public",
    "old.requests.answered.granted",
    "old.requests.answered.partial",
    "old.requests.answered.denied",
    "old.requests.answered.not_this_agency",
    "old.requests.answered.not_exist",
    "old.requests.answered.amend",
    "old.requests.answered.redirected",
)
APPLICANTS = tuple(b for b in APPLICANT_BREAKDOWNS if b not in ("total", "legal_subtotal"))
APPLICANT_NAMES = {
    "natural_person": ("自然人", "Natural persons"),
    "commercial": ("商业企业", "Businesses"),
    "research": ("科研机构", "Research institutions"),
    "social_org": ("社会公益组织", "Public-interest organisations"),
    "legal_service": ("法律服务机构", "Legal service providers"),
    "other_org": ("其他", "Other organisations"),
}

v = components.view()
st.title(v.t("requests.title"))
components.scope_note(v)


def applicant_name(code: str) -> str:
    names = APPLICANT_NAMES.get(code, (code, code))
    return names[1] if v.lang == "en" else names[0]


# One scan of the facts for the whole page; each section takes its rows.
page_rows = v.filtered(
    "metric_by_year",
    tuple(dict.fromkeys((*measures.FLOW_CODES, *OLD_CHANNELS, *OLD_ANSWERS))),
    (*APPLICANTS, "total", ""),
)


def rows_of(wanted: tuple[str, ...], breakdowns: tuple[str, ...]) -> pd.DataFrame:
    return page_rows[page_rows["metric_code"].isin(wanted) & page_rows["breakdown"].isin(breakdowns)]


st.subheader(v.t("requests.applicants"))
received = rows_of(("req.received",), APPLICANTS)
if received.empty:
    components.no_data(v)
else:
    received = measures.label_column(received, "breakdown", applicant_name, "applicant")
    fig = charts.stacked_bars(
        received,
        x="year",
        y="value",
        colour="applicant",
        title=v.t("requests.applicants"),
        y_title=v.t("chart.requests"),
    )
    components.chart(v, fig, received, what="requests-received-by-applicant", key="applicants")

st.subheader(v.t("requests.flow"))
handled = rows_of(measures.FLOW_CODES, ("total",))
if handled.empty:
    components.no_data(v)
else:
    names = {
        key: v.t(f"outcome.{key}")
        for key in ("received", "carried_in", "handled", "carried_out", *measures.OUTCOME_GROUPS)
    }
    links = measures.flows(handled, names)
    fig = charts.flow_sankey(links, title=v.t("requests.flow"))
    components.chart(v, fig, links, what="requests-flow", key="flow")

    left, right = st.columns(2)
    with left:
        outcomes = measures.with_shares(measures.outcome_by_year(handled), "year")
        outcomes = outcomes.assign(label=[v.t(f"outcome.{o}") for o in outcomes["outcome"]])
        fig = charts.stacked_bars(
            outcomes,
            x="year",
            y="value",
            colour="label",
            title=v.t("requests.shares"),
            y_title=v.t("chart.share"),
            percent=True,
        )
        components.chart(v, fig, outcomes, what="requests-outcome-shares", key="shares")
    with right:
        rates = measures.grant_rate(handled).assign(series=v.t("requests.grant_rate"))
        if rates.empty:
            components.no_data(v)
        else:
            fig = charts.rate_dots(
                rates, series="series", title=v.t("requests.grant_rate"), y_title=v.t("col.rate")
            )
            components.chart(
                v, fig, rates.drop(columns="series"), what="requests-grant-rate", key="grant_rate"
            )
    carried = handled[handled["metric_code"] == "req.carried_out"]
    carried = measures.label_column(carried, "metric_code", v.metric_label, "metric")
    if not carried.empty:
        fig = charts.stacked_bars(
            carried,
            x="year",
            y="value",
            colour="metric",
            title=v.t("requests.carried"),
            y_title=v.t("chart.requests"),
        )
        components.chart(v, fig, carried, what="requests-carried-over", key="carried")

st.subheader(v.t("requests.channels"))
channels = rows_of(OLD_CHANNELS, ("",))
if channels.empty:
    components.no_data(v)
else:
    channels = measures.label_column(channels, "metric_code", v.metric_label, "metric")
    fig = charts.stacked_bars(
        channels,
        x="year",
        y="value",
        colour="metric",
        title=v.t("requests.channels"),
        y_title=v.t("chart.requests"),
    )
    components.chart(v, fig, channels, what="requests-old-channels", key="old_channels")

st.subheader(v.t("requests.old_answers"))
answers = rows_of(OLD_ANSWERS, ("",))
if answers.empty:
    components.no_data(v)
else:
    answers = measures.label_column(answers, "metric_code", v.metric_label, "metric")
    fig = charts.stacked_bars(
        answers,
        x="year",
        y="value",
        colour="metric",
        title=v.t("requests.old_answers"),
        y_title=v.t("chart.requests"),
    )
    components.chart(v, fig, answers, what="requests-old-answers", key="old_answers")
