"""The router: language, global filters and navigation. Pages live in dashboard/views/."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard import data, editing, filters, state  # noqa: E402
from dashboard.components import AHEAD_KEY, VIEW_KEY, View  # noqa: E402
from dashboard.i18n import LANGS, translate  # noqa: E402
from dashboard.untrusted import markdown  # noqa: E402
from warehouse.errors import WarehouseError  # noqa: E402
from warehouse.filters import ReportFilter  # noqa: E402

# The page icon is served by the dashboard itself: a Material icon would be fetched from a font server.
ICON = Path(__file__).resolve().parent / "icon.png"
WAREHOUSE_ERRORS = (WarehouseError, duckdb.Error, OSError)

PAGES = (
    ("overview", "views/overview.py", ":material/dashboard:"),
    ("proactive", "views/proactive.py", ":material/campaign:"),
    ("requests", "views/requests.py", ":material/move_to_inbox:"),
    ("appeals", "views/appeals.py", ":material/gavel:"),
    ("staffing", "views/staffing.py", ":material/groups:"),
    ("agencies", "views/agencies.py", ":material/account_balance:"),
    ("quality", "views/quality.py", ":material/fact_check:"),
    ("report", "views/report.py", ":material/description:"),
    ("import", "views/import.py", ":material/upload_file:"),
)


def _language() -> str:
    state.seed("lang", lambda raw: state.parse_choice(raw, LANGS))
    if "lang" not in st.session_state:
        locale = (st.context.locale or "zh").lower()
        st.session_state["lang"] = "en" if locale.startswith("en") else "zh"
    chosen = st.sidebar.segmented_control(
        "语言 · Language", LANGS, key="lang", format_func=lambda code: "中文" if code == "zh" else "English"
    )
    lang = chosen if chosen in LANGS else "zh"
    state.remember("lang", None if lang == "zh" else lang)
    return lang


def main() -> None:
    st.set_page_config(page_title="xxgk", page_icon=str(ICON), layout="wide")
    state.begin_run()
    lang = _language()
    pages = [
        st.Page(
            str(Path(__file__).parent / path),
            title=translate(f"page.{name}", lang),
            icon=icon,
            url_path=name,
            default=name == "overview",
        )
        for name, path, icon in PAGES
    ]
    navigation = st.navigation(pages)
    try:
        _show(navigation, lang)
    except WAREHOUSE_ERRORS as exc:
        _broken(lang, exc)
    finally:
        state.write_url()


def _show(navigation: Any, lang: str) -> None:
    """The sidebar filters and the chosen page over the current version; every read of the warehouse
    happens in here, under the one guard of `main`."""
    version = data.version()
    if version is None:
        _empty(navigation, lang)
        return
    path = str(version)
    places = data.frame(path, "places")
    domain = data.read(path, "domain")
    flt, described, file_parts = filters.sidebar(lang, places, domain)
    st.sidebar.caption(f"{translate('app.version', lang)}: {markdown(version.name)}")
    editing.sidebar(lang)
    st.session_state[VIEW_KEY] = View(path, flt, lang, tuple(described), tuple(p for p in file_parts if p))
    started, cpu = time.perf_counter(), time.process_time()
    st.session_state[AHEAD_KEY] = []
    try:
        navigation.run()
    finally:
        data.settle(st.session_state.pop(AHEAD_KEY, []))
        st.session_state[state.PAGE_SECONDS] = time.perf_counter() - started
        st.session_state[state.PAGE_CPU_SECONDS] = time.process_time() - cpu


def _broken(lang: str, exc: BaseException) -> None:
    """A warehouse that is missing a file, damaged or written by another version: one clear message."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    st.title(translate("app.title", lang))
    st.error(markdown(translate("app.broken", lang).format(reason=reason)))


def _empty(navigation: Any, lang: str) -> None:
    """No version yet: the import page works (a new office starts there); other pages say what to do."""
    editing.sidebar(lang)
    if navigation.url_path == "import":
        st.session_state[VIEW_KEY] = View("", ReportFilter(), lang)
        navigation.run()
        return
    st.title(translate("app.title", lang))
    st.info(translate("app.no_warehouse", lang))
    st.code(translate("app.ingest_command", lang).format(dir=data.warehouse_dir()), language=None)


main()
