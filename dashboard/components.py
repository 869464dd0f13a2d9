"""What every page shares: the current view (version, filters, language), labels, tables and downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.elements.lib.mutable_expander_container import ExpanderContainer

from dashboard import data, exports, labels, state
from dashboard.i18n import column_key, translate
from warehouse.filters import ReportFilter

VIEW_KEY = "_view"
AHEAD_KEY = "_ahead"
"""The read-ahead started in this run (`View.ahead`), which the router waits for before the run ends."""
WIDE_COLUMNS: dict[str, Any] = {"meaning": "medium", "message": "large"}


def link_markdown(label: str, url: object) -> str:
    """A Markdown link to an http(s) URL with every character that could break out of it escaped
    ('' for anything else: a blank, a relative path, javascript:…)."""
    from urllib.parse import quote, urlsplit

    text = str(url or "").strip()
    if urlsplit(text).scheme not in ("http", "https"):
        return ""
    safe = quote(text, safe=":/?#@!$&'*+,;=%~-._")
    safe = safe.replace("(", "%28").replace(")", "%29").replace("'", "%27")
    shown = label.replace("[", "\\[").replace("]", "\\]")
    return f"[{shown}]({safe})"


@dataclass(frozen=True)
class View:
    """What the router decided for this run; pages read it, never the widgets."""

    version: str
    flt: ReportFilter
    lang: str = "zh"
    described: tuple[tuple[str, str], ...] = field(default=())
    file_parts: tuple[str, ...] = field(default=())

    def t(self, key: str, **values: object) -> str:
        text = translate(key, self.lang)
        return text.format(**values) if values else text

    def frame(self, name: str, *args: object) -> pd.DataFrame:
        return data.frame(self.version, name, *args)

    def read(self, name: str, *args: object) -> Any:
        return data.read(self.version, name, *args)

    def filtered(self, name: str, *args: object) -> pd.DataFrame:
        return data.frame(self.version, name, self.flt, *args)

    def ahead(self, *reads: data.Ahead) -> None:
        """Start reads this run will make on a read-ahead thread (`data.ahead`: `(name, *args)` as `read`
        takes them, or a callable making reads); the router waits for them before the run ends."""
        if reads:
            st.session_state.setdefault(AHEAD_KEY, []).append(data.ahead(self.version, reads))

    def metric_label(self, code: str) -> str:
        return self._metric_labels.get(code, code)

    @cached_property
    def _metric_labels(self) -> dict[str, str]:
        """The metric labels of the version in the view's language, asked of the cache once per run: each
        `st.cache_data` hit hashes its arguments and unpickles a fresh copy of every label (≈ 1–3 ms),
        and a page labels a metric at a time."""
        return metric_labels(self.version, self.lang)

    def version_name(self) -> str:
        return self.version.rsplit("/", 1)[-1]


def view() -> View:
    found = st.session_state.get(VIEW_KEY)
    if not isinstance(found, View):
        st.error("open the dashboard through dashboard/app.py")
        st.stop()
    return found


@st.cache_data(ttl=3600, max_entries=8, show_spinner=False)
def metric_labels(version: str, lang: str) -> dict[str, str]:
    frame = data.frame(version, "metrics")
    column = "label_en" if lang == "en" else "label_zh"
    return dict(zip(frame["code"], frame[column], strict=True))


def report_link(report_id: str, lang: str) -> str:
    suffix = "&lang=en" if lang == "en" else ""
    return f"./report?report={report_id}{suffix}"


def with_report_links(frame: pd.DataFrame, lang: str, column: str = "report_id") -> pd.DataFrame:
    if column not in frame or frame.empty:
        return frame
    return frame.assign(link=[report_link(str(r), lang) for r in frame[column]])


def table(
    v: View,
    frame: pd.DataFrame,
    *,
    what: str,
    key: str,
    height: int | None = None,
) -> None:
    """A table in the interface language (headers, coded values, check meanings and messages; a dash for
    a missing value), a link to each row's report, and its downloads (the table as shown)."""
    words = labels.localised(frame, v.lang)
    shown = with_report_links(words, v.lang)
    config: dict[str, Any] = {
        "report_id": None,
        "link": st.column_config.LinkColumn(v.t("table.report"), display_text=v.t("table.open")),
    }
    written, numeric = labels.with_dashes(shown)
    for column in shown.columns:
        header = column_key(str(column))
        label = v.t(header) if header else str(column)
        if column in numeric:
            config[column] = st.column_config.TextColumn(label, alignment="right")
        elif column in WIDE_COLUMNS:
            config[column] = st.column_config.TextColumn(label, width=WIDE_COLUMNS[column])
        elif header and column not in config:
            config[column] = label
    st.dataframe(
        written,
        hide_index=True,
        column_config=config,
        width="stretch",
        height=height if height is not None else "auto",
        key=f"{key}_table",
    )
    downloads(v, words, what=what, key=key)


TABLE_STYLE = (
    "<style>.xxgk-table{border-collapse:collapse;width:100%;font-size:0.9rem}"
    ".xxgk-table th,.xxgk-table td{border:1px solid rgba(128,128,128,0.3);padding:4px 8px}"
    ".xxgk-table th{background:rgba(128,128,128,0.08);text-align:center;font-weight:600}</style>"
)


def written_table(v: View, values: pd.DataFrame, reasons: pd.DataFrame, *, what: str, key: str) -> None:
    """A small table as a person writes it (an empty cell a dash, its reason on hover), and its
    downloads (empty cells blank)."""
    headers = {column: v.t(header) for column in values.columns if (header := column_key(str(column)))}
    st.markdown(TABLE_STYLE + labels.html_table(values, reasons, headers), unsafe_allow_html=True)
    downloads(v, values, what=what, key=key)


def selected_report(event: Any) -> str | None:
    """The report behind the clicked point, when the chart carries report ids in its customdata."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, list) and custom and isinstance(custom[0], str) and len(custom[0]) == 64:
            return custom[0]
    return None


def chart(
    v: View, fig: go.Figure, frame: pd.DataFrame, *, what: str, key: str, opens_reports: bool = False
) -> None:
    """A chart with a PNG button in its toolbar and its data as downloads underneath. With
    `opens_reports`, clicking a bar opens that report's page."""
    stem = exports.file_stem(what, list(v.file_parts))
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": stem}}
    if opens_reports:
        event = st.plotly_chart(
            fig,
            key=f"{key}_chart",
            width="stretch",
            config=config,
            on_select="rerun",
            selection_mode="points",
        )
        st.caption(v.t("chart.click_opens"))
        report_id = selected_report(event)
        if report_id:
            st.session_state["report"] = report_id
            st.switch_page("views/report.py")
    else:
        st.plotly_chart(fig, key=f"{key}_chart", width="stretch", config=config)
    downloads(v, frame, what=what, key=key)


def downloads(v: View, frame: pd.DataFrame, *, what: str, key: str) -> None:
    stem = exports.file_stem(what, list(v.file_parts))
    about = exports.about_rows(what, list(v.described), v.version_name(), len(frame))
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        v.t("download.csv"),
        data=lambda: exports.csv_bytes(frame),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        help=v.t("download.help"),
        icon=":material/download:",
    )
    row.download_button(
        v.t("download.xlsx"),
        data=lambda: exports.xlsx_bytes(frame, what, about),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
    row.download_button(
        v.t("download.parquet"),
        data=lambda: exports.parquet_bytes(frame),
        file_name=f"{stem}.parquet",
        mime="application/vnd.apache.parquet",
        key=f"{key}_parquet",
        on_click="ignore",
        icon=":material/download:",
    )


def scope_note(v: View) -> None:
    st.caption(v.t(f"scope.note.{v.flt.scope}"))


def no_data(v: View) -> None:
    st.info(v.t("chart.no_data"))


OPEN_UP_TO = 5000
"""In a warehouse of at most this many current reports the lazy expanders start open (what they hold is
cheap to read there); beyond it they start closed and are read once opened (docs/scale.md §5)."""


def will_open(v: View, key: str, *linked: str) -> bool:
    """Whether `lazy_expander(v, …, key, *linked)` is open in this run (its state seeded as it seeds it), so
    that a page can read ahead what it holds before it is drawn."""
    state.seed_open(key, *linked, default=_starts_open(v))
    return bool(st.session_state.get(key))


def _starts_open(v: View) -> bool:
    return int(v.read("domain").get("reports") or 0) <= OPEN_UP_TO


def lazy_expander(v: View, label: str, key: str, *linked: str) -> ExpanderContainer:
    """An expander whose content the page computes only while it is open (Streamlit's lazy expander:
    opening or closing it reruns the page). It starts open in a warehouse of at most `OPEN_UP_TO` current
    reports, when the URL has `key=1` or names one of `linked`, the parameters of what it holds, and
    closed when the URL has `key=0`; a state other than the start goes into the URL. Use `.open` to decide
    whether to compute what goes in it."""
    small = _starts_open(v)
    state.seed_open(key, *linked, default=small)
    box = st.expander(label, key=key, on_change="rerun")
    state.remember(key, None if box.open == small else ("1" if box.open else "0"))
    return box
