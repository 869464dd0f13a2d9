"""导入: upload report files or ZIP archives, or give 年报 column URLs; see the progress, then what became
of each file with a link to its report. The work is xxgk.workbench's (the same ingest as the CLI)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import components, data, editing
from dashboard.typed_text import md
from xxgk import workbench
from xxgk.uploads import UploadLimits, read_suffixes

JOB_KEY = "import_job"
LIMITS = UploadLimits()

v = components.view()
st.title(v.t("import.title"))
st.caption(v.t("import.intro"))
formats = sorted(s.lstrip(".") for s in read_suffixes())
st.caption(
    v.t(
        "import.limits",
        formats=", ".join(formats),
        file_mb=LIMITS.megabytes(LIMITS.max_file_bytes),
        upload_mb=LIMITS.megabytes(LIMITS.max_upload_bytes),
        files=LIMITS.max_files,
        total_mb=LIMITS.megabytes(LIMITS.max_total_bytes),
    )
)
access = editing.current()
editing.read_only_note(access, v.lang)


def start(files: list[Any], urls_text: str) -> None:
    """Begin an import in the background (only for a session that may edit, checked again here)."""
    who = editing.current()
    if not who.can_edit or who.user is None:
        st.error(v.t(who.why_not or "edit.read_only_login"))
        return
    urls, problems = workbench.parse_urls(urls_text)
    for problem in problems:
        st.warning(v.t("import.bad_url", problem=md(problem)))
    uploads = tuple((f.name, f.getvalue()) for f in files)
    if not uploads and not urls:
        st.warning(v.t("import.nothing"))
        return
    request = workbench.ImportRequest(uploads=uploads, urls=tuple(urls), limits=LIMITS)
    job = workbench.start_import(data.warehouse_dir(), request, who.user)
    st.session_state[JOB_KEY] = job.id


# Streamlit writes the uploader's button and limits in English (its own 200 MB, not ours): our words.
UPLOADER_WORDS = (
    "<style>"
    '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p{{font-size:0}}'
    '[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p::after'
    '{{content:"{choose}";font-size:0.875rem}}'
    '[data-testid="stFileUploaderDropzoneInstructions"] span{{font-size:0}}'
    '[data-testid="stFileUploaderDropzoneInstructions"] span::after{{content:"{drop}";font-size:0.875rem}}'
    "</style>"
)

if access.can_edit:
    st.markdown(
        UPLOADER_WORDS.format(choose=v.t("import.choose"), drop=v.t("import.drop")), unsafe_allow_html=True
    )
    with st.form("import_form", clear_on_submit=True, border=True):
        files = st.file_uploader(
            v.t("import.files"),
            type=[*formats, "zip"],
            accept_multiple_files=True,
            key="import_files",
        )
        urls_text = st.text_area(v.t("import.urls"), help=v.t("import.urls_help"), key="import_urls")
        if st.form_submit_button(v.t("import.start"), type="primary", icon=":material/upload:"):
            start(list(files or []), urls_text)


def status_label(status: str) -> str:
    return v.t(f"import.status.{status}")


def note_label(note: str) -> str:
    if note.startswith("replaces "):
        return v.t("import.note.replaces", n=note.removeprefix("replaces "))
    return v.t(f"import.note.{note}") if note else ""


def results_table(view: workbench.JobView) -> None:
    st.subheader(v.t("import.results"))
    counts = st.columns(6)
    for column, status in zip(
        counts, ("loaded", "replaced", "unchanged", "rejected", "error", "refused"), strict=True
    ):
        column.metric(status_label(status), view.count(status))  # type: ignore[arg-type]
    rows = pd.DataFrame(
        [
            {
                "file": r.shown,
                "import_status": status_label(r.status),
                "agency": r.agency,
                "year": r.year,
                "note": note_label(r.note),
                "reason": r.reason,
                "report_id": r.report_id,
            }
            for r in view.results
        ],
        columns=["file", "import_status", "agency", "year", "note", "reason", "report_id"],
    )
    components.table(v, rows, what=f"import-{view.id}", key="import_results")
    if view.ignored:
        listed = md(", ".join(f"{suffix} ×{n}" for suffix, n in view.ignored))
        st.caption(v.t("import.ignored", list=listed))
    if view.message:
        st.caption(v.t("import.version", version=md(view.message)))


def progress(view: workbench.JobView) -> None:
    st.caption(v.t("import.running", user=md(view.user), started=view.started))
    label = v.t(f"import.phase.{view.phase}")
    if view.total:
        shown = v.t("import.progress", done=view.done, total=view.total, current=view.current)
        st.progress(min(1.0, view.done / view.total), text=f"{label} {shown}")
    else:
        st.progress(0.0, text=label)
    if view.phase == "collecting":
        job = workbench.job(view.id)
        if job is not None and st.button(v.t("import.stop"), key="import_stop"):
            job.stop.set()


def show_job() -> None:
    job = workbench.job(str(st.session_state.get(JOB_KEY, "")))
    if job is None:
        return
    view = job.view()
    if not view.finished:
        progress(view)
        return
    if view.phase == "failed":
        st.error(v.t("import.phase.failed", message=md(view.message)))
    else:
        st.success(v.t("import.phase.done"))
        results_table(view)
    if st.button(v.t("import.clear"), key="import_clear"):
        st.session_state.pop(JOB_KEY, None)
        st.rerun()


def watched() -> None:
    """Redrawn every second while the import runs; a full rerun when it ends shows the new version."""
    job = workbench.job(str(st.session_state.get(JOB_KEY, "")))
    if job is not None and job.view().finished:
        st.rerun()
    show_job()


current_job = workbench.job(str(st.session_state.get(JOB_KEY, "")))
if current_job is not None and not current_job.view().finished:
    st.fragment(watched, run_every=1.0)()
else:
    show_job()
others = [j for j in workbench.running_jobs() if j.id != st.session_state.get(JOB_KEY)]
if others:
    st.caption(v.t("import.others", n=len(others)))
