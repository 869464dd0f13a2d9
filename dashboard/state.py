"""The view's state in the URL: language-neutral codes only, read once per session, written every run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")
_SEEDED = "_url_seeded"
_CURRENT = "_url_current"
PAGE_SECONDS = "_page_seconds"  # how long the page's script took in this run; read by the benchmark


def begin_run() -> None:
    """Forget which parameters the previous run wrote; call once at the top of the router."""
    st.session_state[_CURRENT] = {}


def seed(key: str, parse: Callable[[str], T | None]) -> None:
    """The first time a widget appears in a session, take its value from the URL when it parses."""
    seeded: set[str] = st.session_state.setdefault(_SEEDED, set())
    if key in seeded:
        return
    seeded.add(key)
    raw = st.query_params.get(key)
    if raw is None:
        return
    value = parse(raw)
    if value is not None:
        st.session_state[key] = value


def remember(key: str, raw: str | None) -> None:
    """Put a widget's value in this run's URL; None or "" leaves it out (the default)."""
    if raw:
        st.session_state.setdefault(_CURRENT, {})[key] = raw


def write_url() -> None:
    wanted: dict[str, str] = st.session_state.get(_CURRENT, {})
    if dict(st.query_params.to_dict()) != wanted:
        st.query_params.from_dict(wanted)


def parse_int(raw: str) -> int | None:
    return int(raw) if raw.strip().lstrip("-").isdigit() else None


def parse_list(raw: str) -> list[str]:
    return [part for part in raw.split(",") if part]


def join_list(values: list[str] | tuple[str, ...]) -> str:
    return ",".join(values)
