"""The global filters in the sidebar: province → city → county cascade, years, template, agency level and
kind, agency name, scope. Each is seeded from the URL once and written back as a code."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.i18n import translate
from warehouse.filters import KINDS, LEVELS, SCOPES, TEMPLATES, ReportFilter


@dataclass(frozen=True)
class Choice:
    """A place picker's options: codes and the names to show."""

    codes: tuple[str, ...]
    names: dict[str, str]


def place_choices(places: pd.DataFrame, level: str, parent_column: str | None, parent: str) -> Choice:
    """Distinct places at `level` (province, city or county) under the chosen parent."""
    rows = places if parent_column is None or not parent else places[places[parent_column] == parent]
    rows = rows.dropna(subset=[f"{level}_code"]).drop_duplicates(f"{level}_code")
    names = dict(zip(rows[f"{level}_code"], rows[level].fillna(rows[f"{level}_code"]), strict=True))
    return Choice(tuple(sorted(names)), names)


def _keep_valid(key: str, allowed: tuple[str, ...] | list[str]) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        st.session_state[key] = [v for v in value if v in allowed]
    elif value is not None and value != "" and value not in allowed:
        st.session_state[key] = ""


def _place_picker(lang: str, key: str, label_key: str, choice: Choice, disabled: bool = False) -> str:
    state.seed(key, lambda raw: state.parse_choice(raw, choice.codes))
    _keep_valid(key, ("", *choice.codes))
    options = ["", *choice.codes]
    value = st.selectbox(
        translate(label_key, lang),
        options,
        key=key,
        format_func=lambda code: translate("filter.all", lang) if not code else choice.names.get(code, code),
        disabled=disabled or not choice.codes,
    )
    state.remember(key, value or None)
    return value or ""


def _multi(lang: str, key: str, label_key: str, options: list[str], prefix: str) -> list[str]:
    state.seed(key, lambda raw: state.parse_choices(raw, options))
    _keep_valid(key, options)
    chosen = st.multiselect(
        translate(label_key, lang),
        options,
        key=key,
        format_func=lambda code: translate(f"{prefix}.{code}", lang),
        placeholder=translate("filter.all", lang),
    )
    state.remember(key, state.join_list(chosen) or None)
    return list(chosen)


def _years(lang: str, year_min: int, year_max: int) -> tuple[int, int]:
    key = "years"
    state.seed(key, lambda raw: state.parse_year_range(raw, year_min, year_max))
    current = st.session_state.get(key)
    if not (isinstance(current, tuple) and year_min <= current[0] <= current[1] <= year_max):
        st.session_state[key] = (year_min, year_max)
    if year_min == year_max:
        st.caption(f"{translate('filter.years', lang)}: {year_min}")
        return year_min, year_max
    chosen: tuple[int, int] = st.slider(  # type: ignore[assignment]
        translate("filter.years", lang), year_min, year_max, key=key, step=1
    )
    low, high = chosen
    if (low, high) != (year_min, year_max):
        state.remember(key, f"{low}-{high}")
    return int(low), int(high)


def sidebar(
    lang: str, places: pd.DataFrame, domain: dict[str, object]
) -> tuple[ReportFilter, list[tuple[str, str]], list[str]]:
    """Draw the filters; return the filter, its description for exports, and parts for file names."""
    st.sidebar.subheader(translate("filter.header", lang))
    with st.sidebar:
        provinces = place_choices(places, "province", None, "")
        province = _place_picker(lang, "province", "filter.province", provinces)
        cities = place_choices(places, "city", "province_code", province)
        city = _place_picker(lang, "city", "filter.city", cities)
        counties = place_choices(places, "county", "city_code", city) if city else Choice((), {})
        county = _place_picker(lang, "county", "filter.county", counties, disabled=not city)
        year_min = int(str(domain.get("year_min") or 0) or 0)
        year_max = int(str(domain.get("year_max") or 0) or 0)
        years = _years(lang, year_min, year_max) if year_min else (0, 0)
        templates = _multi(
            lang,
            "tpl",
            "filter.templates",
            [t for t in TEMPLATES if t in _list(domain, "templates")],
            "template",
        )
        levels = _multi(
            lang, "level", "filter.levels", [x for x in LEVELS if x in _list(domain, "levels")], "level"
        )
        kinds = _multi(
            lang, "kind", "filter.kinds", [x for x in KINDS if x in _list(domain, "kinds")], "kind"
        )
        state.seed("vertical", state.parse_flag)
        vertical = st.checkbox(translate("filter.vertical", lang), key="vertical")
        state.remember("vertical", "1" if vertical else None)
        state.seed("ocr", lambda raw: state.parse_choice(raw, ("confirmed",)) is not None)
        confirmed_only = st.checkbox(
            translate("filter.ocr_confirmed", lang), key="ocr", help=translate("filter.ocr_help", lang)
        )
        state.remember("ocr", "confirmed" if confirmed_only else None)
        state.seed("q", lambda raw: state.parse_text(raw, 60))
        text = st.text_input(translate("filter.agency_text", lang), key="q", max_chars=60)
        state.remember("q", text.strip() or None)
        state.seed("scope", lambda raw: state.parse_choice(raw, SCOPES))
        scope = st.radio(
            translate("filter.scope", lang),
            SCOPES,
            key="scope",
            format_func=lambda s: translate(f"scope.{s}", lang),
            horizontal=True,
        )
        state.remember("scope", None if scope == "own" else scope)
    flt = ReportFilter(
        province_code=province or None,
        city_code=city or None,
        county_code=county or None,
        year_from=years[0] or None,
        year_to=years[1] or None,
        templates=tuple(templates),
        levels=tuple(levels),
        kinds=tuple(kinds),
        agency_text=text.strip(),
        scope=str(scope),
        include_vertical=bool(vertical),
        hide_unconfirmed_ocr=bool(confirmed_only),
    )
    place_names = [
        choice.names.get(code, code)
        for choice, code in ((provinces, province), (cities, city), (counties, county))
        if code
    ]
    described = [
        (translate("col.place", lang), " ".join(place_names) or translate("filter.all", lang)),
        (translate("filter.years", lang), f"{years[0]}–{years[1]}"),
        (translate("filter.templates", lang), ", ".join(templates) or translate("filter.all", lang)),
        (translate("filter.levels", lang), ", ".join(levels) or translate("filter.all", lang)),
        (translate("filter.kinds", lang), ", ".join(kinds) or translate("filter.all", lang)),
        (translate("filter.vertical", lang), translate("filter.yes" if vertical else "filter.no", lang)),
        (
            translate("filter.ocr_confirmed", lang),
            translate("filter.yes" if confirmed_only else "filter.no", lang),
        ),
        (translate("filter.agency_text", lang), text.strip() or translate("filter.none", lang)),
        (translate("filter.scope", lang), translate(f"scope.{scope}", lang)),
    ]
    file_parts = [county or city or province, f"{years[0]}-{years[1]}" if years[0] else "", *templates]
    return flt, described, file_parts


def _list(domain: dict[str, object], key: str) -> list[str]:
    value = domain.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []
