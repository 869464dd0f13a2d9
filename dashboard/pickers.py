"""Agency pickers that stay small however many agencies the filters select: a search box above a list of
the first matches by name (warehouse.dashboard_queries.agency_choices), the agencies already chosen kept
in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import streamlit as st

from dashboard import components
from dashboard.untrusted import markdown
from warehouse.dashboard_queries import PICK_LIMIT
from warehouse.filters import ReportFilter


def known_agencies(v: components.View, ids: Iterable[str | None]) -> dict[str, str]:
    """The names of those of `ids` that the filters select (the others are left out), in the order given."""
    wanted = tuple(dict.fromkeys(i for i in ids if i))
    if not wanted:
        return {}
    found = v.read("agency_choices", replace(v.flt, agency_ids=wanted), "", len(wanted))
    names = dict(zip(found["agency_id"], found["agency"], strict=True))
    return {i: str(names[i]) for i in wanted if i in names}


def agency_options(v: components.View, key: str, chosen: dict[str, str]) -> dict[str, str]:
    """The search box of picker `key` and the agencies to list: the `chosen` ones first, then the first
    matches by name; a caption says when more agencies match than are listed, or none does."""
    text = st.text_input(v.t("agencies.search"), key=f"{key}_search", placeholder=v.t("agencies.search_hint"))
    found = v.read("agency_choices", v.flt, text, PICK_LIMIT)
    total = int(found["matching"].iloc[0]) if not found.empty else 0
    if total > len(found):
        st.caption(v.t("agencies.search_limited", shown=len(found), total=total))
    elif text.strip() and not total:
        st.caption(v.t("agencies.search_none"))
    return {**chosen, **{str(a): str(n) for a, n in zip(found["agency_id"], found["agency"], strict=True)}}


def outside_filters_notice(v: components.View, agency_id: str) -> None:
    """Say so when the agency a link or the last run chose is one the filters leave out, rather than
    showing another agency silently in its place."""
    anywhere = ReportFilter(agency_ids=(agency_id,), include_vertical=True)
    found = v.read("agency_choices", anywhere, "", 1)
    if found.empty:
        st.warning(v.t("agencies.unknown", agency=markdown(agency_id)))
    else:
        st.warning(v.t("agencies.outside_filters", agency=markdown(found["agency"].iloc[0])))
