"""The view's state in the URL: language-neutral codes only, read once per session, written every run."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import streamlit as st

T = TypeVar("T")
_SEEDED = "_url_seeded"
_CURRENT = "_url_current"
PAGE_SECONDS = "_page_seconds"  # how long the page's script took in this run; read by the benchmark
PAGE_CPU_SECONDS = "_page_cpu_seconds"  # the CPU time it took (every thread of the process: DuckDB's too)


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


def asked(key: str, parse: Callable[[str], T | None]) -> list[object]:
    """What a widget `key` seeded by `seed(key, parse)` can start from in this run, first first, without
    seeding it: the URL's value while the session has not seeded it yet, then the session's own value
    (for a page's read-ahead, which runs before the widget is drawn and away from the session)."""
    found: list[object] = []
    if key not in st.session_state.get(_SEEDED, set()):
        raw = st.query_params.get(key)
        value = parse(raw) if raw is not None else None
        if value is not None:
            found.append(value)
    if key in st.session_state:
        found.append(st.session_state[key])
    return found


def seed_open(key: str, *linked: str, default: bool = False) -> None:
    """An expander's open state (widget `key`) the first time it appears in a session: open when the URL
    has `key=1` or names one of `linked`, the parameters of what it holds (a link to that content shows
    it), closed when it has `key=0`, `default` otherwise."""
    seeded: set[str] = st.session_state.setdefault(_SEEDED, set())
    if key in seeded:
        return
    seeded.add(key)
    raw = st.query_params.get(key)
    opened = raw == "1" or any(st.query_params.get(name) is not None for name in linked)
    st.session_state[key] = opened or (default and raw != "0")


def remember(key: str, raw: str | None) -> None:
    """Put a widget's value in this run's URL; None or "" leaves it out (the default)."""
    if raw:
        st.session_state.setdefault(_CURRENT, {})[key] = raw


def write_url() -> None:
    wanted: dict[str, str] = st.session_state.get(_CURRENT, {})
    if dict(st.query_params.to_dict()) != wanted:
        st.query_params.from_dict(wanted)


# --- URL parameters: one parser per type; each returns None (use the default) for anything it does not
# read, and none of them raises, whatever the address bar holds.

_INT = re.compile(r"-?[0-9]{1,9}")
_YEARS = re.compile(r"([0-9]{4})-([0-9]{4})")
_REPORT_ID = re.compile(r"[0-9a-f]{64}")


def parse_int(raw: str) -> int | None:
    """A whole number in ASCII digits ("2021", "-3"); not "--5", "²", "1e3" or "٣"."""
    text = raw.strip()
    return int(text) if _INT.fullmatch(text) else None


def parse_year_range(raw: str, low: int, high: int) -> tuple[int, int] | None:
    """ "2019-2023" clipped to [low, high]; None when it is not two four-digit years or is empty there."""
    found = _YEARS.fullmatch(raw.strip())
    if found is None:
        return None
    first, last = max(int(found.group(1)), low), min(int(found.group(2)), high)
    return (first, last) if first <= last else None


def parse_choice(raw: str, allowed: Iterable[str]) -> str | None:
    """One of the allowed codes, exactly."""
    return raw if raw in set(allowed) else None


def parse_choices(raw: str, allowed: Iterable[str]) -> list[str] | None:
    """Comma-separated allowed codes, the others dropped; None when none is left."""
    known = set(allowed)
    return [part for part in parse_list(raw) if part in known] or None


def parse_flag(raw: str) -> bool:
    return raw == "1"


def parse_text(raw: str, limit: int) -> str:
    return raw[:limit]


def parse_report_id(raw: str) -> str | None:
    """A report id: the SHA-256 of its file, 64 lower-case hex digits."""
    return raw if _REPORT_ID.fullmatch(raw) else None


def parse_list(raw: str) -> list[str]:
    return [part for part in raw.split(",") if part]


def join_list(values: list[str] | tuple[str, ...]) -> str:
    return ",".join(values)
