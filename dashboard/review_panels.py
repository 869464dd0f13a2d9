"""Review status and corrections where pages list many reports: the 数据质量 page's overview and queue,
the 机关 page's per-year statuses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import components
from dashboard.review_ui import cell_name, local_time
from warehouse.dashboard_queries import REVIEW_PAGE, ReviewSummary, listing_floor
from warehouse.filters import ReportFilter
from warehouse.review.model import STATUSES


def with_status_labels(v: components.View, frame: pd.DataFrame) -> pd.DataFrame:
    """Review statuses in words and review times in local time."""
    shown = frame.copy()
    if "review_status" in shown:
        shown["review_status"] = [v.t(f"review.status.{s}") for s in shown["review_status"]]
    if "reviewed_at" in shown:
        shown["reviewed_at"] = [local_time(t) if isinstance(t, str) else "" for t in shown["reviewed_at"]]
    return shown


def review_overview(v: components.View, flt: ReportFilter) -> bool:
    """How many of the filtered reports are to review, approved or returned; and which they are, a page
    of them at a time. Returns whether one of the filtered reports could not be placed (read with the
    counts: `review_summary`)."""
    st.subheader(v.t("review.header"))
    summary: ReviewSummary = v.read("review_summary", flt)
    counts = summary.counts
    columns = st.columns(len(STATUSES))
    for column, status in zip(columns, STATUSES, strict=True):
        column.metric(v.t(f"review.status.{status}"), int(counts.get(status, 0)))
    total = sum(counts.values())
    # The listing is read only while its expander is open (40–60 ms of CPU at 100k reports); a review
    # status chosen in the URL opens it. Its label stays the same whatever the filters, as Streamlit
    # names an expander by its label and would close it when the label changed.
    box = components.lazy_expander(v, v.t("review.list_open"), "review_open", "review")
    if not box.open:
        return summary.unplaced
    with box:
        pages = max(-(-total // REVIEW_PAGE), 1)
        page = 1
        if pages > 1:
            if not 1 <= int(st.session_state.get("review_page", 1)) <= pages:
                st.session_state["review_page"] = 1  # the filters changed under a later page
            page = int(st.number_input(v.t("review.page"), min_value=1, max_value=pages, key="review_page"))
            first = (page - 1) * REVIEW_PAGE + 1
            last = min(page * REVIEW_PAGE, total)
            st.caption(v.t("review.page_rows", first=first, last=last, total=total, size=REVIEW_PAGE))
        else:
            st.caption(v.t("review.all_rows", total=total))
        # Only the newest years that hold the page's reports are sorted (the counts give them).
        floor = listing_floor(summary.years, page * REVIEW_PAGE)
        listed = v.frame("review_listing", flt, page, REVIEW_PAGE, floor)
        components.table(
            v, with_status_labels(v, listed), what="review-status", key="review_reports", height=360
        )
    return summary.unplaced


def corrections_queue(v: components.View) -> None:
    """Corrections that are not applied until someone reviews them (their report was replaced, is gone,
    or now reads differently), each linked to the report to review it on."""
    states = v.read("correction_states")
    waiting = states[states["state"] == "needs_review"]
    if waiting.empty:
        return
    st.subheader(v.t("corr.queue"))
    rows = pd.DataFrame(
        {
            "id": waiting["id"],
            "agency": waiting["agency"],
            "year": waiting["year"],
            "metric": [
                cell_name(v, c, b) for c, b in zip(waiting["metric_code"], waiting["breakdown"], strict=True)
            ],
            "original_value": waiting["original_value"],
            "value": waiting["value"],
            "why": [v.t(f"corr.why.{w}") for w in waiting["why"]],
            "created_by": waiting["created_by"],
            "report_id": waiting["current_report_id"].fillna(waiting["report_id"]),
        }
    )
    components.table(v, rows, what="corrections-needing-review", key="corrections_queue")
