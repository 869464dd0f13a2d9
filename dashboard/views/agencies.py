"""机关: one agency's profile across years, agencies side by side, and rankings within the place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from dashboard import charts, components, documents, measures, pickers, review_panels, state
from dashboard.untrusted import markdown
from warehouse.dashboard_queries import agency_provinces, selected_reports
from warehouse.store.rollups import RANKED_SERIES

SERIES = RANKED_SERIES
RANKING = ("rank_open", "rank_year")  # the ranking's expander key and the parameter that opens it


def _ranking_ahead(v: components.View) -> Callable[[], object]:
    """The ranking's two reads as the page will make them (its years, then the year it shows), to run on
    the read-ahead thread: they depend on no agency, so they start before the pickers' read. The series and
    year asked for are taken now (the thread has no session), as the widgets below will start from them."""
    series = next(
        (s for s in state.asked("series", lambda raw: state.parse_choice(raw, SERIES)) if s in SERIES),
        SERIES[0],
    )
    wanted = state.asked("rank_year", state.parse_int)

    def read() -> None:
        years = [int(y) for y in v.filtered("ranking_years", series)["year"]]
        if years:
            v.filtered("ranking", series, next((y for y in wanted if y in years), years[0]))

    return read


v = components.view()
# The ranking (when its section is open) is read on a second thread while the page reads and draws the
# agency's profile, reports and comparison (docs/scale.md §5, issue12rk).
if components.will_open(v, *RANKING):
    v.ahead(_ranking_ahead(v))
st.title(v.t("agencies.title"))
components.scope_note(v)
state.seed("agency", lambda raw: raw)
state.seed("compare", state.parse_list)
known = pickers.known_agencies(v, [st.session_state.get("agency"), *st.session_state.get("compare", [])])
chosen = st.session_state.get("agency")
names = pickers.agency_options(v, "agency", {chosen: known[chosen]} if chosen in known else {})
if chosen and chosen not in known:
    pickers.outside_filters_notice(v, chosen)
if not names:
    st.info(v.t("agencies.none"))
else:
    ids = list(names)
    if st.session_state.get("agency") not in ids:
        st.session_state["agency"] = ids[0]
    agency = st.selectbox(v.t("agencies.pick"), ids, key="agency", format_func=lambda a: names.get(a, a))
    state.remember("agency", agency)

    one = replace(v.flt, agency_ids=(agency,))
    # One read of the agency's bucket: the reports the filter selects, the comparison's years and reports,
    # and the provinces whose pre-aggregated files hold its profile (read from those files only).
    rows = v.frame("agency_rows", one)
    # The comparison (when its section is open) is read on a second thread while the profile is read and
    # drawn.
    compared = documents.comparison_ahead(v, agency, rows)
    if compared:
        v.ahead(compared)
    provinces = agency_provinces(rows)
    st.subheader(markdown(f"{names.get(agency, agency)} · {v.t('agencies.profile')}"))
    profile_rows = v.frame("series_by_report", one, SERIES, provinces)
    profile = measures.series_totals(profile_rows)
    table = measures.profile_table(profile, lambda code: v.t("series." + code), SERIES)
    if table.empty:
        components.no_data(v)
    else:
        reasons = measures.profile_reasons(
            profile,
            v.frame("series_gaps", one, SERIES, provinces),
            lambda kind, printed: v.t(f"missing.{kind}", raw=printed),
            SERIES,
        )
        components.written_table(v, table, reasons, what=f"agency-profile-{agency}", key="profile")
    st.subheader(v.t("agencies.reports"))
    reports = review_panels.with_status_labels(
        v,
        selected_reports(rows)[
            ["year", "template", "format", "checks_failed", "review_status", "reviewed_by", "reviewed_at",
             "review_comment", "source_file", "report_id"]
        ],
    )  # fmt: skip
    components.table(
        v,
        reports,
        what=f"agency-reports-{agency}",
        key="agency_reports",
    )
    documents.compare_section(v, agency, rows)

    st.subheader(v.t("agencies.compare"))
    state.seed("series", lambda raw: state.parse_choice(raw, SERIES))
    if st.session_state.get("series") not in SERIES:
        st.session_state["series"] = SERIES[0]
    series = st.selectbox(
        v.t("agencies.series_pick"), SERIES, key="series", format_func=lambda code: v.t("series." + code)
    )
    state.remember("series", None if series == SERIES[0] else series)
    kept = [a for a in st.session_state.get("compare", [agency]) if a in known or a == agency]
    st.session_state["compare"] = kept
    choices = {a: known.get(a) or names[a] for a in kept} | names
    compare = st.multiselect(
        v.t("agencies.compare_pick"),
        list(choices),
        key="compare",
        format_func=lambda a: choices.get(a, a),
        max_selections=12,
    )
    state.remember("compare", state.join_list(compare) or None)
    if compare:
        # The agency alone (the default) is already read, for its profile.
        several = measures.series_totals(
            measures.one_series(profile_rows, series)
            if list(compare) == [agency]
            else v.frame("series_by_report", replace(v.flt, agency_ids=tuple(compare)), (series,))
        )
        if several.empty:
            components.no_data(v)
        else:
            lines = several.groupby(["agency", "year"], as_index=False)["value"].sum(min_count=1)
            fig = charts.year_lines(
                lines,
                series="agency",
                title=v.t("series." + series),
                y_title=v.t("col.value"),
                break_note=v.t("chart.break"),
            )
            components.chart(v, fig, several, what=f"agency-compare-{series}", key="compare_chart")

    st.subheader(v.t("agencies.ranking"))
    # Read and drawn only while its expander is open (the ranking is a third of a cold page's reads at
    # 100k reports; docs/scale.md §5, sixth pass); a link naming its year opens it.
    ranking_box = components.lazy_expander(v, v.t("agencies.ranking_open"), *RANKING)
    if ranking_box.open:
        with ranking_box:
            years = [int(y) for y in v.filtered("ranking_years", series)["year"]]
            if not years:
                components.no_data(v)
            else:
                state.seed("rank_year", lambda raw: year if (year := state.parse_int(raw)) in years else None)
                if st.session_state.get("rank_year") not in years:
                    st.session_state["rank_year"] = years[0]
                year = st.selectbox(v.t("agencies.ranking_year"), years, key="rank_year")
                state.remember("rank_year", None if year == years[0] else str(year))
                ranked = v.filtered("ranking", series, year)
                total = int(ranked["ranked"].iloc[0]) if not ranked.empty else 0
                if total > len(ranked):
                    st.caption(v.t("agencies.ranking_limited", shown=len(ranked), total=total))
                fig = charts.ranking_bars(
                    ranked[["agency", "report_id", "value"]],
                    label="agency",
                    value="value",
                    title=f"{v.t('series.' + series)} · {year}",
                    x_title=v.t("col.value"),
                    median_label=v.t("chart.median"),
                    median=float(ranked["median"].iloc[0]) if not ranked.empty else None,
                )
                components.chart(
                    v,
                    fig,
                    ranked[["agency", "report_id", "value"]],
                    what=f"ranking-{series}-{year}",
                    key="ranking",
                    opens_reports=True,
                )
