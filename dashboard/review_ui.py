"""The report page's workbench: review status, corrections (made, listed, withdrawn) and corrections of
an earlier version to review. Every change goes through warehouse.review.ledger as the session's user
(dashboard/editing.py); text that people or documents wrote is shown only in tables and plain text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import pandas as pd
import streamlit as st

from dashboard import components, data, editing, labels
from dashboard.i18n import column_key
from dashboard.typed_text import md
from warehouse.review import ledger
from warehouse.review.model import KINDS, STATUSES, BadValue, Correction, Status, parse_value

FLASH = "_review_flash"
SEEN = "_review_seen_active"
CELL = "correct_cell"
FACT_SELECTION = "_facts_selection_seen"
HIGHLIGHT = "background-color: #fff3c4"
OCR_COLUMNS = ("ocr_score", "ocr_confirmed", "ocr_doubt")
"""Shown when the report was read by OCR (etl/ocr): the score, whether an identity confirms the value, why
it is in doubt."""


def local_time(stamp: str | None) -> str:
    """A stored UTC time as this server's local time, to the minute."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _done(message: str) -> None:
    st.session_state[FLASH] = message
    st.rerun()


def flash() -> None:
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message)


def _change(v: components.View, action: Callable[[str], str]) -> None:
    """Run one change as this session's user; a refusal is shown, a success shown after the rerun."""
    access = editing.current()
    if not access.can_edit or access.user is None:
        st.error(v.t(access.why_not or "edit.read_only_login"))
        return
    try:
        message = action(access.user)
    except BadValue as exc:
        st.error(f"{v.t('corr.value')}: {md(exc)}")
        return
    except ledger.ReviewError as exc:
        st.error(md(exc))
        return
    _done(message)


# --- review status ----------------------------------------------------------------------------------


def status_panel(v: components.View, report_id: str, access: editing.Access, versions: pd.DataFrame) -> None:
    """`versions`: the report's versions (dashboard_queries.versions_of, the `report_versions` rows)."""
    event = data.review().status_of(report_id)
    status = event.status if event else "pending"
    icon = {"pending": ":material/pending:", "approved": ":material/task_alt:", "returned": ":material/undo:"}
    st.badge(v.t("review.current", status=v.t(f"review.status.{status}")), icon=icon[status])
    if event is not None:
        said = f" · {event.comment}" if event.comment else ""
        st.text(v.t("review.by", user=event.user, at=local_time(event.at)) + said)
    else:
        _earlier_status(v, report_id, versions)
    with st.expander(v.t("review.header"), expanded=False):
        if access.can_edit:
            _status_form(v, report_id, status)
        else:
            editing.read_only_note(access, v.lang)
        history = ledger.history(data.warehouse_dir(), report_id)
        if history:
            st.markdown(f"**{v.t('review.history')}**")
            rows = pd.DataFrame(
                [
                    (v.t(f"review.status.{e.status}"), e.comment, e.user, local_time(e.at))
                    for e in reversed(history)
                ],
                columns=["review_status", "comment", "user", "at"],
            )
            st.dataframe(rows, hide_index=True, width="stretch", column_config=_headers(v, rows))


def _earlier_status(v: components.View, report_id: str, versions: pd.DataFrame) -> None:
    """A new version starts unreviewed; say what was decided on the version it replaced."""
    snapshot = data.review()
    others = [r for r in versions["report_id"] if r != report_id]
    earlier = [e for e in (snapshot.status_of(r) for r in others) if e is not None]
    if earlier:
        last = max(earlier, key=lambda e: (e.at, e.id))
        said = f" · {last.comment}" if last.comment else ""
        status = v.t(f"review.status.{last.status}")
        st.text(v.t("review.earlier", status=status, user=last.user, at=local_time(last.at)) + said)


def _status_form(v: components.View, report_id: str, status: str) -> None:
    directory = data.warehouse_dir()
    with st.form("review_form", clear_on_submit=True):
        options: list[str] = list(STATUSES)
        chosen = st.radio(
            v.t("review.set"),
            options,
            index=options.index(status),
            format_func=lambda s: v.t(f"review.status.{s}"),
            horizontal=True,
            key="review_status_choice",
        )
        comment = st.text_area(v.t("review.comment"), key="review_comment", max_chars=2000)
        if st.form_submit_button(v.t("review.save"), icon=":material/save:"):
            _change(
                v,
                lambda user: (
                    ledger.set_status(directory, report_id, cast("Status", chosen or status), comment, user),
                    v.t("review.saved"),
                )[1],
            )


# --- the values table ------------------------------------------------------------------------------


def _headers(v: components.View, frame: pd.DataFrame) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for column in frame.columns:
        key = column_key(str(column))
        if key:
            config[column] = v.t(key)
    return config


def _right(v: components.View, column: str, width: int | None = None) -> Any:
    """A text column of numbers (or dashes), aligned right as figures are."""
    key = column_key(column)
    return st.column_config.TextColumn(v.t(key) if key else column, alignment="right", width=width)


def number_text(value: object) -> str:
    """A value as a person writes it: no trailing zeros, blank when there is none."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def cell_name(v: components.View, metric_code: str, breakdown: str) -> str:
    """`metric label · applicant column`, in the page's language."""
    column = f" · {v.t('corr.breakdown.' + breakdown)}" if breakdown else ""
    return f"{v.metric_label(metric_code)}{column}"


def cell_key(metric_code: str, breakdown: str) -> str:
    return f"{metric_code}|{breakdown}"


def value_columns(facts: pd.DataFrame, lang: str) -> list[str]:
    """The values table's columns (the label in `lang`; the OCR columns when a value was read by OCR)."""
    label = "label_en" if lang == "en" else "label_zh"
    return ["corrected", label, "breakdown", "value", "original_value", "value_raw", "semantic", "confidence",
            "unit", "table_no", "row_label", "column_label", "page", "locator", "metric_code",
            *(OCR_COLUMNS if facts["ocr_score"].notna().any() else ())]  # fmt: skip


def values_words(facts: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The values table's rows (corrected first, the value as read only beside a corrected one), the same
    in the interface's words, and every column of `facts` in words (the download): the words localised
    once (`labels.localised` maps each column by its own values, so the table's are the download's rows
    and columns), not once for the table and again for the download."""
    columns = value_columns(facts, lang)
    shown = facts[columns].sort_values("corrected", ascending=False, kind="stable").reset_index(drop=True)
    shown["original_value"] = shown["original_value"].where(shown["corrected"])
    every = labels.localised(facts.drop(columns=["correction_id"]), lang)
    order = facts["corrected"].sort_values(ascending=False, kind="stable").index
    picked = ["metric" if c in ("label_en", "label_zh") else c for c in columns]
    words = every.loc[order, picked].reset_index(drop=True)
    words["original_value"] = words["original_value"].where(shown["corrected"])
    return shown, words, every


def values_table(v: components.View, facts: pd.DataFrame, report_id: str) -> None:
    """The report's values with corrections applied; corrected rows highlighted, with the value as read
    beside them. Clicking a row picks it for correction."""
    shown, words, every = values_words(facts, v.lang)
    if bool(shown["corrected"].any()):
        st.caption(v.t("corr.marked"))
    for column in ("value", "original_value"):
        words[column] = words[column].map(number_text)
    words["corrected"] = words["corrected"].map(lambda corrected: "✓" if corrected else "")
    written, numeric = labels.with_dashes(words)
    marked = list(shown["corrected"])
    styled = (  # a Styler of 60 rows costs ~0.5 s; without corrections it would colour nothing
        written.style.apply(lambda row: [HIGHLIGHT if marked[row.name] else "" for _ in row], axis=1)
        if any(marked)
        else written
    )
    config = _headers(v, written) | {column: _right(v, column) for column in numeric}
    config |= {column: _right(v, column, width=100) for column in ("value", "original_value")}
    config["corrected"] = st.column_config.TextColumn(v.t("col.corrected"), width=50)
    # narrow enough that the values and the values as read show beside the metric without scrolling
    config["metric"] = st.column_config.TextColumn(v.t("col.metric"), width=170)
    config["breakdown"] = st.column_config.TextColumn(v.t("col.breakdown"), width=80)
    event = st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=520,
        column_config=config,
        key="facts_table",
        on_select="rerun",
        selection_mode="single-row",
    )
    _pick_from_selection(event, shown)
    components.downloads(v, every, what=f"report-values-{report_id[:12]}", key="facts")


def _pick_from_selection(event: Any, shown: pd.DataFrame) -> None:
    try:
        rows = list(event["selection"]["rows"])
    except (KeyError, TypeError):
        rows = []
    if rows == st.session_state.get(FACT_SELECTION):
        return
    st.session_state[FACT_SELECTION] = rows
    if rows and 0 <= rows[0] < len(shown):
        row = shown.iloc[rows[0]]
        st.session_state[CELL] = cell_key(str(row["metric_code"]), str(row["breakdown"]))


# --- corrections ------------------------------------------------------------------------------------


def _fact_label(v: components.View, row: Any) -> str:
    """`metric label · applicant column = value as now shown` (the value with any correction applied)."""
    label = row["label_en"] if v.lang == "en" else row["label_zh"]
    breakdown = f" · {v.t('corr.breakdown.' + row['breakdown'])}" if row["breakdown"] else ""
    value = number_text(row["value"]) or "—"
    return f"{label or row['metric_code']}{breakdown} = {value}"


def corrections_panel(
    v: components.View, report_id: str, facts: pd.DataFrame, access: editing.Access
) -> None:
    snapshot = data.review()
    mine = snapshot.of_report(report_id)
    active = {cell_key(c.metric_code, c.breakdown): c.id for c in mine if c.active}
    seen: dict[str, int] = st.session_state.get(SEEN, {}).get(report_id, {})
    if access.can_edit and not facts.empty:
        with st.expander(v.t("corr.header"), expanded=bool(st.session_state.get(FACT_SELECTION))):
            st.caption(v.t("corr.intro"))
            _correction_form(v, report_id, facts, seen)
    st.session_state[SEEN] = {report_id: active}
    _corrections_list(v, report_id, facts, mine, access)


def _correction_form(v: components.View, report_id: str, facts: pd.DataFrame, seen: dict[str, int]) -> None:
    labels = {cell_key(r["metric_code"], r["breakdown"]): _fact_label(v, r) for _, r in facts.iterrows()}
    if st.session_state.get(CELL) not in labels:
        st.session_state[CELL] = next(iter(labels))
    directory = data.warehouse_dir()
    with st.form("correction_form", clear_on_submit=True):
        cell = st.selectbox(v.t("corr.pick"), list(labels), format_func=lambda k: labels.get(k, k), key=CELL)
        kind = st.radio(
            v.t("corr.kind"), KINDS, format_func=lambda k: v.t(f"corr.kind.{k}"), key="correct_kind"
        )
        value = st.text_input(v.t("corr.value"), key="correct_value", max_chars=40)
        reason = st.text_area(v.t("corr.reason"), key="correct_reason", max_chars=2000)
        if st.form_submit_button(v.t("corr.save"), type="primary", icon=":material/edit:"):
            code, breakdown = str(cell).split("|", 1)
            key = ledger.FactKey(report_id, code, breakdown)

            def correct(user: str) -> str:
                outcome, made = ledger.add_correction(
                    directory, key, parse_value(value), kind=kind, reason=reason, user=user,
                    expected_active=seen.get(str(cell)),
                )  # fmt: skip
                return v.t("corr.unchanged") if outcome == "unchanged" else v.t("corr.saved", id=made.id)

            _change(v, correct)


def _states(v: components.View) -> pd.DataFrame:
    return v.frame("correction_states")


def _corrections_list(
    v: components.View,
    report_id: str,
    facts: pd.DataFrame,
    mine: tuple[Correction, ...],
    access: editing.Access,
) -> None:
    st.markdown(f"**{v.t('corr.list')}**")
    if not mine:
        st.caption(v.t("corr.none"))
        return
    states = _states(v)
    judged = {int(r.id): (r.state, r.why) for r in states.itertuples()}
    rows = pd.DataFrame(
        [
            {
                "id": c.id,
                "metric": cell_name(v, c.metric_code, c.breakdown),
                "original_value": c.original_value,
                "value": c.value,
                "kind": v.t(f"corr.kind.{c.kind}").split("：")[0].split(":")[0],
                "correction_reason": c.reason,
                "created_by": c.created_by,
                "created_at": local_time(c.created_at),
                "state": v.t(
                    "corr.state." + (judged.get(c.id, ("withdrawn", ""))[0] if c.active else "withdrawn")
                ),
                "withdrawn_by": c.withdrawn_by,
                "withdrawn_at": local_time(c.withdrawn_at),
                "withdraw_reason": c.withdraw_reason,
            }
            for c in reversed(mine)
        ]
    )
    st.dataframe(
        rows, hide_index=True, width="stretch", column_config=_headers(v, rows), key="corrections_table"
    )
    components.downloads(v, rows, what=f"report-corrections-{report_id[:12]}", key="corrections")
    active = [c for c in mine if c.active]
    if access.can_edit and active:
        _withdraw_form(v, active)


def _withdraw_form(v: components.View, active: list[Correction]) -> None:
    directory = data.warehouse_dir()
    names = {c.id: f"#{c.id} {cell_name(v, c.metric_code, c.breakdown)} → {c.value}" for c in active}
    with st.expander(v.t("corr.withdraw")), st.form("withdraw_form", clear_on_submit=True):
        chosen = st.selectbox(
            v.t("corr.withdraw_pick"), list(names), format_func=lambda i: names[i], key="withdraw_id"
        )
        reason = st.text_input(v.t("corr.withdraw_reason"), key="withdraw_reason", max_chars=500)
        if st.form_submit_button(v.t("corr.withdraw"), icon=":material/undo:"):
            _change(
                v,
                lambda user: v.t(
                    "corr.withdrawn", id=ledger.withdraw(directory, int(chosen), user=user, reason=reason).id
                ),
            )


# --- corrections of an earlier version ------------------------------------------------------------


def carried_panel(v: components.View, report_id: str, access: editing.Access) -> None:
    """Corrections made on an earlier version of this unit and year that nobody has reviewed for this
    version: shown, never applied, until a reviewer applies or dismisses each."""
    states = _states(v)
    waiting = states[(states["state"] == "needs_review") & (states["current_report_id"] == report_id)]
    if waiting.empty:
        return
    st.warning(v.t("corr.needs_review", n=len(waiting)), icon=":material/rule:")
    rows = pd.DataFrame(
        {
            "id": waiting["id"],
            "metric": [
                cell_name(v, c, b) for c, b in zip(waiting["metric_code"], waiting["breakdown"], strict=True)
            ],
            "original_value": waiting["original_value"],
            "value": waiting["value"],
            "current_value": [number_text(x) for x in waiting["current_value"]],
            "correction_reason": waiting["reason"],
            "created_by": waiting["created_by"],
            "created_at": [local_time(t) for t in waiting["created_at"]],
            "why": [v.t(f"corr.why.{w}") for w in waiting["why"]],
        }
    )
    st.dataframe(rows, hide_index=True, width="stretch", column_config=_headers(v, rows), key="carried_table")
    if access.can_edit:
        _carried_form(v, report_id, [int(i) for i in waiting["id"]])


def _carried_form(v: components.View, report_id: str, ids: list[int]) -> None:
    directory = data.warehouse_dir()
    with st.form("carried_form", clear_on_submit=True):
        chosen = int(
            st.selectbox(v.t("corr.carry_pick"), ids, format_func=lambda i: f"#{i}", key="carried_id")
        )
        note = st.text_input(v.t("corr.reason"), key="carried_note", max_chars=500)
        left, right = st.columns(2)
        carry = left.form_submit_button(v.t("corr.carry"), icon=":material/done_all:")
        dismiss = right.form_submit_button(v.t("corr.dismiss"), icon=":material/block:")
    if carry:
        _change(
            v,
            lambda user: v.t(
                "corr.carried", id=ledger.carry_over(directory, chosen, report_id, user=user).carried_from
            ),
        )
    elif dismiss:

        def dismissed(user: str) -> str:
            ledger.dismiss(directory, chosen, report_id, user=user, note=note)
            return v.t("corr.dismissed", id=chosen)

        _change(v, dismissed)
