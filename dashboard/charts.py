"""Pure chart builders: DataFrame in, plotly figure out. Labels arrive translated."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TEMPLATE_BREAKS = (2019, 2021)  # first report years of the v2019 and v2021 tables
STATUS_CODES = {"missing": 0, "published": 1, "several_versions": 2}
STATUS_COLOURS = ("#e45756", "#54a24b", "#f2a541")


def _style(fig: go.Figure, title: str, y_title: str = "", x_title: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT, "size": 13},
        separators=".,",
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font": {"family": FONT}},
        template="plotly_white",
    )
    fig.update_yaxes(title_text=y_title, rangemode="tozero", separatethousands=True)
    fig.update_xaxes(title_text=x_title)
    return fig


def empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title)


def year_lines(
    frame: pd.DataFrame, *, series: str, title: str, y_title: str, break_note: str = ""
) -> go.Figure:
    """One line per `series` value over `year`; dashed markers where the statistics table changed."""
    fig = go.Figure()
    for name, part in frame.groupby(series, sort=False):
        part = part.sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["value"],
                name=str(name),
                mode="lines+markers",
                customdata=part[["reports"]] if "reports" in part else None,
                hovertemplate="%{x}: %{y:,}"
                + ("<br>%{customdata[0]} 份 reports" if "reports" in part else "")
                + "<extra>%{fullData.name}</extra>",
            )
        )
    years = frame["year"].dropna()
    if break_note and not years.empty:
        for year in TEMPLATE_BREAKS:
            if years.min() < year <= years.max():
                fig.add_vline(x=year - 0.5, line_dash="dot", line_color="#888")
                fig.add_annotation(
                    x=year - 0.5, y=1, yref="paper", text=break_note, showarrow=False, font={"size": 11}
                )
    fig.update_xaxes(dtick=1)
    return _style(fig, title, y_title)


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
    fig = go.Figure()
    totals = frame.groupby(x)[y].transform("sum")
    for name, part in frame.assign(_share=frame[y] / totals.where(totals != 0)).groupby(colour, sort=False):
        values = part["_share"] * 100 if percent else part[y]
        bar = go.Bar(
            name=str(name),
            x=values if horizontal else part[x],
            y=part[x] if horizontal else values,
            orientation="h" if horizontal else "v",
            customdata=part[[y]],
            hovertemplate=("%{y:.1f}% (%{customdata[0]:,})" if percent else "%{y:,}")
            + "<extra>%{fullData.name}</extra>",
        )
        fig.add_trace(bar)
    fig.update_layout(barmode="stack")
    if not horizontal:
        fig.update_xaxes(type="category")
    return _style(fig, title, y_title)


def flow_sankey(flows: pd.DataFrame, *, title: str) -> go.Figure:
    """`flows` has source, target and value columns (labels); zero and blank flows are left out."""
    kept = flows[flows["value"].fillna(0) > 0]
    labels = list(dict.fromkeys([*kept["source"], *kept["target"]]))
    index = {label: i for i, label in enumerate(labels)}
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 14, "thickness": 16},
            link={
                "source": [index[s] for s in kept["source"]],
                "target": [index[t] for t in kept["target"]],
                "value": list(kept["value"]),
            },
            valueformat=",.0f",
        )
    )
    return _style(fig, title)


def ranking_bars(
    frame: pd.DataFrame, *, label: str, value: str, title: str, x_title: str, median_label: str
) -> go.Figure:
    """Horizontal bars, largest on top, with the median of the shown values as a line."""
    ordered = frame.dropna(subset=[value]).sort_values(value)
    fig = go.Figure(
        go.Bar(
            x=ordered[value],
            y=ordered[label],
            orientation="h",
            customdata=ordered[["report_id"]] if "report_id" in ordered else None,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    if not ordered.empty:
        median = float(ordered[value].median())
        fig.add_vline(x=median, line_dash="dash", line_color="#d62728")
        fig.add_annotation(
            x=median, y=1.02, yref="paper", text=f"{median_label} {median:,.4g}", showarrow=False
        )
    fig.update_layout(height=max(320, 26 * len(ordered) + 120))
    return _style(fig, title, "", x_title)


def coverage_grid(frame: pd.DataFrame, *, status_labels: dict[str, str], title: str) -> go.Figure:
    """Agency × year: published, missing or several versions, with the label in each cell."""
    if frame.empty:
        return empty(title, "—")
    codes = frame.assign(code=frame["status"].map(STATUS_CODES))
    z = codes.pivot_table(index="agency_name", columns="year", values="code", aggfunc="max")
    text = z.apply(lambda column: column.map(_status_text(status_labels)))
    steps = len(STATUS_COLOURS)
    scale = [
        [bound, colour] for i, colour in enumerate(STATUS_COLOURS) for bound in (i / steps, (i + 1) / steps)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=[str(c) for c in z.columns],
            y=list(z.index),
            text=text.values,
            texttemplate="%{text}",
            colorscale=scale,
            zmin=-0.5,
            zmax=steps - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(height=max(300, 24 * len(z.index) + 140))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(type="category", side="top")
    return _style(fig, title)


def _status_text(labels: dict[str, str]) -> dict[float, str]:
    return {float(code): labels.get(status, status) for status, code in STATUS_CODES.items()}


def rate_dots(frame: pd.DataFrame, *, series: str, title: str, y_title: str) -> go.Figure:
    """Rates in percent per year, numerator and denominator in the hover."""
    fig = go.Figure()
    for name, part in frame.groupby(series, sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["rate"] * 100,
                name=str(name),
                mode="markers+lines",
                marker={"size": 10},
                customdata=part[["numerator", "denominator"]],
                hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]:,} / %{customdata[1]:,})"
                "<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(ticksuffix="%")
    return _style(fig, title, y_title)
