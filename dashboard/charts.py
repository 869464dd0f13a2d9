"""Pure chart builders: DataFrame in, plotly figure out. Labels arrive translated; every text that goes
into a figure (titles, names, categories) passes `untrusted.plotly`, so an agency name is never markup.

Figures are written as one dict and given to `go.Figure(...)` whole, without validation (`_figure`):
plotly's incremental `add_trace`/`update_layout` calls cost several times more on every rerun."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.untrusted import plotly as text

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TEMPLATE_BREAKS = (2019, 2021)  # first report years of the v2019 and v2021 tables
STATUS_CODES = {"outside": 0, "missing": 1, "published": 2, "several_versions": 3}
STATUS_COLOURS = ("#e6e6e6", "#e45756", "#54a24b", "#f2a541")
COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#bab0ac")

Trace = dict[str, Any]


def _layout(title: str, *, y_title: str = "", x_title: str = "", **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": text(title), "x": 0, "xanchor": "left"},
        "font": {"family": FONT, "size": 13},
        "separators": ".,",
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "colorway": list(COLOURS),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        "hoverlabel": {"font": {"family": FONT}},
        "yaxis": {"title": {"text": text(y_title)}, "rangemode": "tozero", "separatethousands": True},
        "xaxis": {"title": {"text": text(x_title)}},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _figure(data: list[Trace], layout: dict[str, Any], *, validate: bool = False) -> go.Figure:
    """The figure of `data` and `layout`, not validated by default: the builders give traces of plain
    lists, strings and numbers only, which validation leaves as they are, and a page's five to seven
    figures cost ≈ 10 ms of validation at every draw (`st.plotly_chart` draws a Figure's dict as it is).
    tests/test_dashboard_pages.py draws every page's figures validated and not: the same charts."""
    # validation leaves out an empty list of shapes or annotations; so does the figure built without it
    kept = {key: value for key, value in layout.items() if not (key in ARRAYS and value == [])}
    return go.Figure({"data": data, "layout": kept}, _validate=validate)


ARRAYS = ("shapes", "annotations")
"""Layout lists of objects that plotly's validation drops when empty."""


def _values(series: pd.Series) -> list[Any]:
    return [None if pd.isna(v) else v for v in series.tolist()]


def _labels(series: pd.Series) -> list[Any]:
    """Category values as plotly shows them: text escaped, numbers (years) as they are."""
    return [text(v) if isinstance(v, str) else v for v in _values(series)]


def empty(title: str, message: str) -> go.Figure:
    annotation = {
        "text": text(message),
        "showarrow": False,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
    }
    return _figure(
        [],
        _layout(title, annotations=[annotation], xaxis={"visible": False}, yaxis={"visible": False}),
    )


def _breaks(years: pd.Series, note: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Dotted lines (and their labels) where the statistics table changed inside the shown years."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    years = years.dropna()
    if not note or years.empty:
        return shapes, notes
    for index, year in enumerate(TEMPLATE_BREAKS):
        if years.min() < year <= years.max():
            x = year - 0.5
            shapes.append(
                {
                    "type": "line",
                    "x0": x,
                    "x1": x,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "paper",
                    "line": {"dash": "dot", "color": "#888"},
                }
            )
            notes.append(
                {
                    "x": x,
                    "y": 1.0 - 0.07 * index,
                    "yref": "paper",
                    "text": text(note),
                    "showarrow": False,
                    "font": {"size": 11},
                    "bgcolor": "rgba(255,255,255,0.8)",
                }
            )
    return shapes, notes


SPARSE_SHARE = 0.25
"""A year whose series rests on fewer reports than this share of its best-covered year's is drawn as an
open point off the line: a sum over a handful of reports (the old table's few reports after 2019) is
not a fall."""


def sparse_points(counts: list[Any]) -> list[bool]:
    """For each year's report count of one series, whether it is under `SPARSE_SHARE` of the largest."""
    known = [count for count in counts if count is not None]
    most = max(known, default=0)
    return [count is not None and count < SPARSE_SHARE * most for count in counts]


def year_lines(
    frame: pd.DataFrame,
    *,
    series: str,
    title: str,
    y_title: str,
    break_note: str = "",
    sparse_note: str = "",
) -> go.Figure:
    """One line per `series` value over `year`; dotted markers where the statistics table changed. With a
    count of reports per year (`reports_with_value`, else `reports`), the years a series rests on few
    reports of (`sparse_points`) are open points off its line, `sparse_note` in their hover."""
    data: list[Trace] = []
    has_reports = "reports" in frame
    counted = "reports_with_value" if "reports_with_value" in frame else "reports" if has_reports else ""
    hover = "%{x}: %{y:,}" + ("<br>%{customdata[0]} 份 reports" if has_reports else "")
    for index, (name, part) in enumerate(frame.groupby(series, sort=False)):
        part = part.sort_values("year")
        colour = COLOURS[index % len(COLOURS)]
        years, values = _values(part["year"]), _values(part["value"])
        sparse = sparse_points(_values(part[counted])) if counted else [False] * len(values)
        trace: Trace = {
            "type": "scatter",
            "x": years,
            "y": [None if few else value for value, few in zip(values, sparse, strict=True)],
            "name": text(name),
            "mode": "lines+markers",
            "line": {"color": colour},
            "marker": {"color": colour},
            "legendgroup": text(name),
            "hovertemplate": hover + "<extra>%{fullData.name}</extra>",
        }
        if has_reports:
            trace["customdata"] = [[r] for r in _values(part["reports"])]
        data.append(trace)
        if any(sparse):
            kept = [i for i, few in enumerate(sparse) if few]
            few_points: Trace = {
                "type": "scatter",
                "x": [years[i] for i in kept],
                "y": [values[i] for i in kept],
                "name": text(name),
                "mode": "markers",
                "marker": {"color": colour, "symbol": "circle-open", "size": 9},
                "legendgroup": text(name),
                "showlegend": False,
                "hovertemplate": hover
                + (f"<br>{text(sparse_note)}" if sparse_note else "")
                + "<extra>%{fullData.name}</extra>",
            }
            if has_reports:
                few_points["customdata"] = [trace["customdata"][i] for i in kept]
            data.append(few_points)
    shapes, notes = _breaks(frame["year"], break_note)
    return _figure(
        data, _layout(title, y_title=y_title, xaxis={"dtick": 1}, shapes=shapes, annotations=notes)
    )


def stacked_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    title: str,
    y_title: str,
    percent: bool = False,
    horizontal: bool = False,
) -> go.Figure:
    """Bars stacked by `colour`; with `percent` each bar shows shares of its own total."""
    totals = frame.groupby(x)[y].transform("sum")
    shares = frame.assign(_share=frame[y] / totals.where(totals != 0))
    data: list[Trace] = []
    for name, part in shares.groupby(colour, sort=False):
        values = _values(part["_share"] * 100 if percent else part[y])
        categories = _labels(part[x])
        data.append(
            {
                "type": "bar",
                "name": text(name),
                "x": values if horizontal else categories,
                "y": categories if horizontal else values,
                "orientation": "h" if horizontal else "v",
                "customdata": [[v] for v in _values(part[y])],
                "hovertemplate": ("%{y:.1f}% (%{customdata[0]:,})" if percent else "%{y:,}")
                + "<extra>%{fullData.name}</extra>",
            }
        )
    axis = {} if horizontal else {"type": "category"}
    return _figure(data, _layout(title, y_title=y_title, barmode="stack", xaxis=axis))


def flow_sankey(flows: pd.DataFrame, *, title: str) -> go.Figure:
    """`flows` has source, target and value columns (labels); zero and blank flows are left out."""
    kept = flows[flows["value"].fillna(0) > 0]
    labels = list(dict.fromkeys([*kept["source"], *kept["target"]]))
    index = {label: i for i, label in enumerate(labels)}
    sankey: Trace = {
        "type": "sankey",
        "node": {"label": [text(label) for label in labels], "pad": 14, "thickness": 16},
        "link": {
            "source": [index[s] for s in kept["source"]],
            "target": [index[t] for t in kept["target"]],
            "value": _values(kept["value"]),
        },
        "valueformat": ",.0f",
    }
    return _figure([sankey], _layout(title))


def ranking_bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    x_title: str,
    median_label: str,
    median: float | None = None,
) -> go.Figure:
    """Horizontal bars, largest on top, with the median as a line (of the shown values, unless `median`
    gives that of more than are shown); report ids ride in customdata so a click can open the report."""
    ordered = frame.dropna(subset=[value]).sort_values(value)
    bar: Trace = {
        "type": "bar",
        "x": _values(ordered[value]),
        "y": _labels(ordered[label]),
        "orientation": "h",
        "hovertemplate": "%{y}: %{x:,}<extra></extra>",
    }
    if "report_id" in ordered:
        bar["customdata"] = [[r] for r in ordered["report_id"]]
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if not ordered.empty:
        median = float(ordered[value].median()) if median is None else median
        shapes.append(
            {
                "type": "line",
                "x0": median,
                "x1": median,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"dash": "dash", "color": "#d62728"},
            }
        )
        notes.append(
            {
                "x": median,
                "y": 1.02,
                "yref": "paper",
                "text": text(f"{median_label} {median:,.4g}"),
                "showarrow": False,
            }
        )
    layout = _layout(
        title, x_title=x_title, height=max(320, 26 * len(ordered) + 120), shapes=shapes, annotations=notes
    )
    return _figure([bar], layout)


def coverage_grid(frame: pd.DataFrame, *, status_labels: dict[str, str], title: str) -> go.Figure:
    """Agency × year: published, missing or several versions, with the label in each cell."""
    if frame.empty:
        return empty(title, "—")
    z = _status_grid(frame)
    names = {float(code): status_labels.get(status, status) for status, code in STATUS_CODES.items()}
    cells = [[text(names.get(v, "")) if not pd.isna(v) else "" for v in row] for row in z.to_numpy().tolist()]
    steps = len(STATUS_COLOURS)
    scale = [
        [bound, colour] for i, colour in enumerate(STATUS_COLOURS) for bound in (i / steps, (i + 1) / steps)
    ]
    heat: Trace = {
        "type": "heatmap",
        "z": [[None if pd.isna(v) else v for v in row] for row in z.to_numpy().tolist()],
        "x": [str(c) for c in z.columns],
        "y": [text(agency) for agency in z.index],
        "text": cells,
        "texttemplate": "%{text}",
        "colorscale": scale,
        "zmin": -0.5,
        "zmax": steps - 0.5,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "hovertemplate": "%{y} · %{x}: %{text}<extra></extra>",
    }
    layout = _layout(
        title,
        height=max(300, 24 * len(z.index) + 140),
        yaxis={"autorange": "reversed", "rangemode": "normal"},
        xaxis={"type": "category", "side": "top"},
    )
    return _figure([heat], layout)  # 120 × 12 cells of lists: validation took half


def _status_grid(frame: pd.DataFrame) -> pd.DataFrame:
    """Agency name × year, the largest status code of the cell (NaN where none): what
    `pivot_table(index="agency_name", columns="year", values="code", aggfunc="max")` gives, in a quarter
    of its time."""
    codes = frame["status"].map(STATUS_CODES)
    grid = codes.groupby([frame["agency_name"], frame["year"]]).max().unstack("year")
    return grid.dropna(how="all").dropna(axis=1, how="all")


def rate_dots(frame: pd.DataFrame, *, series: str, title: str, y_title: str) -> go.Figure:
    """Rates in percent per year, numerator and denominator in the hover."""
    data: list[Trace] = []
    for name, part in frame.groupby(series, sort=False):
        data.append(
            {
                "type": "scatter",
                "x": _values(part["year"]),
                "y": _values(part["rate"] * 100),
                "name": text(name),
                "mode": "markers+lines",
                "marker": {"size": 10},
                "customdata": part[["numerator", "denominator"]].to_numpy().tolist(),
                "hovertemplate": "%{x}: %{y:.1f}% (%{customdata[0]:,} / %{customdata[1]:,})"
                "<extra>%{fullData.name}</extra>",
            }
        )
    return _figure(data, _layout(title, y_title=y_title, xaxis={"dtick": 1}, yaxis={"ticksuffix": "%"}))
