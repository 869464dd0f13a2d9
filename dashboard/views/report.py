"""报告: one report's values beside the text of its source document."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import components, state

v = components.view()
st.title(v.t("report.title"))
listed = v.filtered("reports")
ids = list(listed["report_id"])
labels = {
    row.report_id: f"{row.agency or '?'} · {row.year or '?'} · {row.template} · {Path(row.source_file).name}"
    for row in listed.itertuples()
}
state.seed("report", lambda raw: raw if len(raw) == 64 and raw.isalnum() else None)
wanted = st.session_state.get("report")
if wanted and wanted not in ids:
    meta = v.read("report", wanted)
    if meta is not None:  # linked from elsewhere but outside the filters, or a superseded version
        ids.insert(0, wanted)
        labels[wanted] = f"{meta.get('agency') or '?'} · {meta.get('year') or '?'} · {meta.get('template')}"
    else:
        st.warning(v.t("report.not_found", id=wanted))
        st.session_state["report"] = None
if not ids:
    st.info(v.t("report.none"))
else:
    if st.session_state.get("report") not in ids:
        st.session_state["report"] = ids[0]
    chosen = st.selectbox(v.t("report.pick"), ids, key="report", format_func=lambda r: labels.get(r, r))
    state.remember("report", chosen)
    meta = v.read("report", chosen) or {}
    current = v.t("report.current") if meta.get("is_current") else v.t("report.superseded")
    st.subheader(f"{meta.get('agency') or '?'} · {meta.get('year') or '?'}")
    st.caption(
        f"{meta.get('title') or ''} · {meta.get('template')} · {meta.get('format')} · {current} · "
        f"`{meta.get('source_file')}`"
    )
    values_column, source_column = st.columns([3, 2])
    with values_column:
        st.markdown(f"**{v.t('report.values')}**")
        facts = v.frame("report_facts", chosen)
        facts = facts.drop(columns="label_zh" if v.lang == "en" else "label_en")
        components.table(
            v,
            facts,
            what=f"report-values-{chosen[:12]}",
            key="facts",
            height=520,
            labels={
                "value": v.t("col.value"),
                "value_raw": v.t("col.raw"),
                "semantic": v.t("col.semantic"),
                "confidence": v.t("col.confidence"),
                "unit": v.t("col.unit"),
                "locator": v.t("col.where"),
            },
        )
        st.markdown(f"**{v.t('report.checks')}**")
        checks = v.frame("report_checks", chosen)
        components.table(
            v,
            checks,
            what=f"report-checks-{chosen[:12]}",
            key="checks",
            labels={
                "check_id": v.t("col.check_id"),
                "severity": v.t("col.severity"),
                "status": v.t("col.status"),
                "expected": v.t("col.expected"),
                "actual": v.t("col.actual"),
                "message": v.t("col.message"),
            },
        )
    with source_column:
        st.markdown(f"**{v.t('report.source')}**")
        st.code(v.read("report_text", chosen), language=None, wrap_lines=True, height=700)
    versions = v.frame("report_versions", chosen)
    if len(versions) > 1:
        st.markdown(f"**{v.t('report.versions')}**")
        components.table(v, versions, what=f"report-versions-{chosen[:12]}", key="versions")
    with st.expander(v.t("report.meta")):
        st.json({k: (None if val != val else val) for k, val in meta.items()}, expanded=True)
