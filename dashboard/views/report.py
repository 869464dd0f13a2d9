"""报告: one report's values beside the text of its source document."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import components, editing, labels, pickers, review_ui, state
from dashboard.ocr_crops import ocr_crops
from dashboard.untrusted import markdown
from warehouse.dashboard_queries import listed_reports, report_key, report_row, versions_of

v = components.view()
st.title(v.t("report.title"))
state.seed("report", state.parse_report_id)
wanted = st.session_state.get("report")
wanted_meta = v.read("report", wanted) if wanted else None
if wanted and wanted_meta is None:
    st.warning(v.t("report.not_found", id=wanted))
    st.session_state["report"] = None
if wanted_meta is not None and wanted_meta.get("agency_id"):
    # A report chosen by link or click decides the agency, even outside the filters.
    owner = str(wanted_meta["agency_id"])
    chosen = pickers.known_agencies(v, [owner]) or {owner: str(wanted_meta.get("agency"))}
    st.session_state["report_agency"] = owner
else:
    chosen = pickers.known_agencies(v, [st.session_state.get("report_agency")])
names = pickers.agency_options(v, "report_agency", chosen)
if not names:
    st.info(v.t("report.none"))
else:
    agency_ids = list(names)
    if st.session_state.get("report_agency") not in names:
        st.session_state["report_agency"] = agency_ids[0]
    agency = st.selectbox(
        v.t("agencies.pick"),
        agency_ids,
        key="report_agency",
        format_func=lambda a: names.get(a, a),
        on_change=lambda: st.session_state.update(report=None),
    )
    # One read of the agency's bucket: its reports listed, the chosen one's row and its versions.
    agency_rows = v.frame("agency_report_rows", agency)
    versions_listed = listed_reports(agency_rows)
    ids = list(versions_listed["report_id"])
    choices = {
        row.report_id: f"{row.year or '?'} · {v.t(f'template.{row.template}')} · {Path(row.source_file).name}"
        + ("" if row.is_current else f" · {v.t('report.superseded')}")
        for row in versions_listed.itertuples()
    }
    if st.session_state.get("report") not in ids:
        st.session_state["report"] = ids[0]
    chosen = st.selectbox(v.t("report.pick"), ids, key="report", format_func=lambda r: choices.get(r, r))
    state.remember("report", chosen)
    # The chosen report is one of the agency's: its row is among the agency's rows.
    meta = (wanted_meta if chosen == wanted and wanted_meta else report_row(agency_rows, chosen)) or {}
    key = report_key(meta) if meta else None
    current = v.t("report.current") if meta.get("is_current") else v.t("report.superseded")
    template = v.t(f"template.{meta.get('template')}")
    st.subheader(markdown(f"{meta.get('agency') or '?'} · {meta.get('year') or '?'}"))
    st.caption(
        markdown(
            f"{meta.get('title') or ''} · {template} · {meta.get('format')} · {current} · "
            f"{meta.get('source_file')}"
        )
    )
    original = components.link_markdown(v.t("report.original"), meta.get("source_url") or meta.get("url"))
    if original:
        published = (
            f" · {v.t('report.published')} {markdown(meta['published'])}" if meta.get("published") else ""
        )
        st.markdown(original + published)
    access = editing.current()
    review_ui.flash()
    review_ui.carried_panel(v, chosen, access)
    versions = versions_of(agency_rows, chosen)
    review_ui.status_panel(v, chosen, access, versions)
    values_column, source_column = st.columns([3, 2])
    with values_column:
        st.markdown(f"**{v.t('report.values')}**")
        facts = v.frame("report_facts", chosen)
        review_ui.values_table(v, facts, chosen)
        review_ui.corrections_panel(v, chosen, facts, access)
        st.markdown(f"**{v.t('report.checks')}**")
        checks = v.frame("report_checks", chosen, key)
        components.table(
            v,
            checks,
            what=f"report-checks-{chosen[:12]}",
            key="checks",
        )
        ocr_crops(v, chosen, facts)
    with source_column:
        st.markdown(f"**{v.t('report.source')}**")
        st.code(v.read("report_text", chosen), language=None, wrap_lines=True, height=700)
    if len(versions) > 1:
        st.markdown(f"**{v.t('report.versions')}**")
        components.table(v, versions, what=f"report-versions-{chosen[:12]}", key="versions")
    with st.expander(v.t("report.meta")):
        about = labels.about_report(meta, v.lang)
        st.dataframe(
            about,
            hide_index=True,
            width="stretch",
            column_config={"field": v.t("col.field"), "value": v.t("col.value")},
            key="about_table",
        )
