"""Who may change things in this dashboard, decided on the server for every change.

Served on a loopback address (`xxgk serve`, 127.0.0.1), everyone at the machine may edit and names
themselves once (the OS user name by default). Served on any other address, the dashboard is read-only
unless editors are configured (`xxgk users add NAME`), and then only after an editor logs in. Changes
are made only by widgets (forms, buttons) of a logged-in session — never by a URL.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import time
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import data
from dashboard.i18n import translate
from dashboard.typed_text import md
from warehouse.review.users import has_editors, verify

EDITOR_KEY = "_editor"
REVIEWER_KEY = "reviewer_name"
REQUIRE_LOGIN = "XXGK_REQUIRE_LOGIN"
"""Set by `xxgk serve --require-login` (xxgk/serve.py): ask for an editor's password even on a loopback
address (for a server behind a reverse proxy, where every visitor seems to come from the machine)."""


@dataclass(frozen=True)
class Access:
    user: str | None
    """Who changes are recorded as; None when this session may not change anything."""
    why_not: str = ""
    """The text key that says why the session is read-only."""

    @property
    def can_edit(self) -> bool:
        return self.user is not None


def is_loopback(address: str | None) -> bool:
    """Whether the server listens only on this machine (an unset address means every interface)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[] ")).is_loopback
    except ValueError:
        return False


def served_on_loopback() -> bool:
    address = st.get_option("server.address")
    return is_loopback(str(address) if address else None) and not os.environ.get(REQUIRE_LOGIN)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reviewer"


def current() -> Access:
    """This session's access, as the sidebar left it (pages call this before every change)."""
    if served_on_loopback():
        name = " ".join(str(st.session_state.get(REVIEWER_KEY) or os_user()).split())
        return Access(name or os_user())
    editor = st.session_state.get(EDITOR_KEY)
    if isinstance(editor, str) and editor:
        return Access(editor)
    if not has_editors(data.warehouse_dir()):
        return Access(None, "edit.read_only_no_editors")
    return Access(None, "edit.read_only_login")


def sidebar(lang: str) -> Access:
    """The reviewer's name (loopback) or the editor's login (elsewhere), at the foot of the sidebar."""
    box = st.sidebar.expander(translate("edit.header", lang), expanded=False)
    if served_on_loopback():
        st.session_state.setdefault(REVIEWER_KEY, os_user())
        box.text_input(translate("edit.reviewer", lang), key=REVIEWER_KEY, max_chars=40)
        return current()
    access = current()
    if access.can_edit:
        box.caption(translate("edit.logged_in", lang).format(user=md(access.user)))
        if box.button(translate("edit.logout", lang), key="editor_logout"):
            st.session_state.pop(EDITOR_KEY, None)
            st.rerun()
        return access
    if access.why_not == "edit.read_only_no_editors":
        box.caption(translate(access.why_not, lang))
        return access
    _login_form(box, lang)
    return current()


def _login_form(box: DeltaGenerator, lang: str) -> None:
    form = box.form("editor_login", clear_on_submit=True)
    name = form.text_input(translate("edit.name", lang), key="login_name")
    password = form.text_input(translate("edit.password", lang), type="password", key="login_password")
    if form.form_submit_button(translate("edit.login", lang)):
        if verify(data.warehouse_dir(), name.strip(), password):
            st.session_state[EDITOR_KEY] = name.strip()
            st.rerun()
        time.sleep(1.0)  # a wrong guess costs a second of this session's time
        form.error(translate("edit.login_failed", lang))


def read_only_note(access: Access, lang: str) -> None:
    """Say on a page why it cannot change anything here."""
    if not access.can_edit:
        st.info(translate(access.why_not or "edit.read_only_login", lang), icon=":material/lock:")
