"""Pure reshaping of query results into what the pages chart: labels, flows, shares and rates."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from etl.outcomes import outcome_groups

# (chart, series codes shown together); the breakdown of each series is its total ("" or "total").
HEADLINE_SERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("proactive.items", ("proactive.items", "proactive.items_stated")),
    ("requests.received", ("requests.received",)),
    ("reconsideration", ("reconsideration",)),
    ("litigation", ("litigation",)),
)
TOTAL_BREAKDOWNS = ("", "total")


def series_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Only the total row of each series (its breakdowns, such as outcomes, are charted elsewhere)."""
    return frame[frame["breakdown"].isin(TOTAL_BREAKDOWNS)]


def one_series(rows: pd.DataFrame, series: str) -> pd.DataFrame:
    """The rows of `series` among `series_by_report` rows of several series: the rows (and order) that
    `series_by_report` gives for that series alone, without reading them again."""
    return rows[rows["series_code"] == series].reset_index(drop=True)


# Table 三 outcome rows grouped the way the template groups them (etl/outcome_groups.csv and the
# catalogue's req.<group>.* rows): a group's single-row code first, then its rows.
OUTCOME_GROUPS: dict[str, tuple[str, ...]] = {group.name: group.all_codes() for group in outcome_groups()}
OUTCOME_CODES = tuple(code for codes in OUTCOME_GROUPS.values() for code in codes)
FLOW_CODES = ("req.received", "req.carried_in", "req.total", "req.carried_out", *OUTCOME_CODES)
APPEAL_KINDS = ("review", "suit_direct", "suit_after_review")
APPEAL_OUTCOMES = ("upheld", "corrected", "other", "pending")
APPEAL_CODES = tuple(f"{kind}.{outcome}" for kind in APPEAL_KINDS for outcome in (*APPEAL_OUTCOMES, "total"))
OLD_APPEAL_CODES = tuple(
    f"old.{kind}.{outcome}"
    for kind in ("reconsideration", "litigation")
    for outcome in ("total", "upheld", "corrected", "other")
)


def label_column(frame: pd.DataFrame, column: str, label: Callable[[str], str], into: str) -> pd.DataFrame:
    """`frame` with `into` holding `label` of each row's `column` (asked once per distinct code)."""
    codes = [str(code) for code in frame[column]]
    names = {code: label(code) for code in dict.fromkeys(codes)}
    return frame.assign(**{into: [names[code] for code in codes]})


def outcome_by_year(by_year: pd.DataFrame) -> pd.DataFrame:
    """Sum table 三's outcome rows into their groups per year (the total column only)."""
    rows = by_year[(by_year["breakdown"] == "total") & by_year["metric_code"].isin(OUTCOME_CODES)]
    group_of = {code: group for group, codes in OUTCOME_GROUPS.items() for code in codes}
    grouped = rows.assign(outcome=rows["metric_code"].map(group_of))
    summed = grouped.groupby(["year", "outcome"], as_index=False)["value"].sum(min_count=1)
    order = {group: i for i, group in enumerate(OUTCOME_GROUPS)}
    return summed.sort_values(["year", "outcome"], key=lambda s: s.map(order) if s.name == "outcome" else s)


def flows(by_year: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Sankey links: new + carried-in → handled → outcome groups, and carried over, over all shown years."""
    total = by_year[by_year["breakdown"] == "total"]

    def amount(codes: tuple[str, ...]) -> float:
        return float(total[total["metric_code"].isin(codes)]["value"].sum(min_count=1) or 0)

    links = [
        (names["received"], names["handled"], amount(("req.received",))),
        (names["carried_in"], names["handled"], amount(("req.carried_in",))),
    ]
    links += [(names["handled"], names[group], amount(codes)) for group, codes in OUTCOME_GROUPS.items()]
    links.append((names["handled"], names["carried_out"], amount(("req.carried_out",))))
    return pd.DataFrame(links, columns=["source", "target", "value"])


def grant_rate(by_year: pd.DataFrame) -> pd.DataFrame:
    """(granted + partial) ÷ handled total per year; years with no handled requests have no rate."""
    total = by_year[by_year["breakdown"] == "total"]
    pivot = total.pivot_table(index="year", columns="metric_code", values="value", aggfunc="sum")
    numerator = pivot.get("req.granted", 0) + pivot.get("req.partial", 0)
    denominator = pivot.get("req.total")
    if denominator is None:
        return pd.DataFrame(columns=["year", "numerator", "denominator", "rate"])
    result = pd.DataFrame({"numerator": numerator, "denominator": denominator}).reset_index()
    result["rate"] = result["numerator"] / result["denominator"].where(result["denominator"] > 0)
    return with_percent(result.dropna(subset=["rate"]))


def with_percent(rates: pd.DataFrame) -> pd.DataFrame:
    """The rate in percent with one decimal, as the charts print it."""
    return rates.assign(percent=(rates["rate"] * 100).round(1))


def with_shares(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each row's share of its `by` group's total in percent with one decimal, as the charts print it."""
    totals = frame.groupby(by)["value"].transform("sum")
    return frame.assign(share_percent=(frame["value"] / totals.where(totals != 0) * 100).round(1))


def appeal_outcomes(by_year: pd.DataFrame) -> pd.DataFrame:
    """Per year and kind (review, suit_direct, suit_after_review, old kinds): outcome sums."""
    rows = by_year.copy()
    parts = rows["metric_code"].str.rsplit(".", n=1)
    rows["kind"] = parts.str[0].str.removeprefix("old.")
    rows["outcome"] = parts.str[1]
    return (
        rows[rows["outcome"] != "total"]
        .groupby(["year", "kind", "outcome"], as_index=False)["value"]
        .sum(min_count=1)
    )


def correction_rate(outcomes: pd.DataFrame) -> pd.DataFrame:
    """corrected ÷ (upheld + corrected + other) per year and kind: pending cases are not concluded."""
    concluded = outcomes[outcomes["outcome"].isin(("upheld", "corrected", "other"))]
    denominator = concluded.groupby(["year", "kind"])["value"].sum()
    numerator = concluded[concluded["outcome"] == "corrected"].groupby(["year", "kind"])["value"].sum()
    result = pd.DataFrame({"numerator": numerator, "denominator": denominator}).fillna({"numerator": 0})
    result = result.reset_index()
    result["rate"] = result["numerator"] / result["denominator"].where(result["denominator"] > 0)
    return with_percent(result.dropna(subset=["rate"]))


def _profile_order(codes: list[str], order: tuple[str, ...]) -> list[str]:
    rank = {code: i for i, code in enumerate(order)}
    return sorted(codes, key=lambda code: (rank.get(code, len(rank)), code))


def profile_table(
    by_report: pd.DataFrame, label: Callable[[str], str], order: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Series as rows (in `order`), years as columns, for one agency; a year without the value stays empty."""
    if by_report.empty:
        return pd.DataFrame()
    # The pivot of pivot_table(aggfunc=lambda v: v.sum(min_count=1), dropna=False), without calling a
    # Python function per cell (a quarter of the time).
    summed = by_report.groupby(["series_code", "year"], dropna=False)["value"].sum(min_count=1)
    table = summed.unstack("year")
    table = table.loc[_profile_order(list(table.index), order)]
    table.columns = [str(c) for c in table.columns]
    table.insert(0, "series", [label(str(code)) for code in table.index])
    return table.reset_index(drop=True)


def profile_reasons(
    by_report: pd.DataFrame,
    gaps: pd.DataFrame,
    reason: Callable[[str, str], str],
    order: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Beside `profile_table`: for each empty cell, why it is empty — `reason(kind, printed)` with kind
    blank / na / invalid (the cells behind it, as printed) or not_printed (the year's table has no such
    row); '' where there is a value."""
    if by_report.empty:
        return pd.DataFrame()
    years = sorted({int(y) for y in by_report["year"].dropna()})
    codes = _profile_order(sorted(set(by_report["series_code"])), order)
    present = {
        (str(row.series_code), int(row.year))
        for row in by_report.itertuples()
        if not pd.isna(row.value) and not pd.isna(row.year)
    }
    totals = gaps[gaps["breakdown"].isin(TOTAL_BREAKDOWNS)] if not gaps.empty else gaps
    behind: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for row in totals.itertuples():
        behind.setdefault((str(row.series_code), int(row.year)), []).append(
            (str(row.semantic), str(row.value_raw))
        )
    rows = []
    for code in codes:
        cells = []
        for year in years:
            if (code, year) in present:
                cells.append("")
                continue
            found = behind.get((code, year), [])
            kinds = [kind for kind, _ in found]
            kind = "not_printed" if not found else next((k for k in ("invalid", "na") if k in kinds), "blank")
            printed = next((raw for k, raw in found if k == kind), "")
            cells.append(reason(kind, printed))
        rows.append(cells)
    return pd.DataFrame(rows, columns=[str(y) for y in years])


def coverage_subset(grid: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    """At most `limit` agencies for the grid, those with gaps or several versions first, then by name;
    returns the rows kept and how many agencies there were."""
    flagged = grid["status"].isin(("missing", "several_versions"))
    order = (
        grid.assign(flagged=flagged)
        .groupby(["agency_id", "agency_name"], as_index=False)["flagged"]
        .any()
        .sort_values(["flagged", "agency_name"], ascending=[False, True])
    )
    kept = set(order["agency_id"].head(limit))
    return grid[grid["agency_id"].isin(kept)], len(order)
