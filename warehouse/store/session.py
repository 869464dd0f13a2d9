"""One DuckDB instance for everything an ingest run opens: the current version (its lookups), the part
writer and the derivation, the new version being patched, the oldest kept version (garbage collection).

Opening a DuckDB instance costs about 18–29 ms of CPU and closing it 3–9 ms (its catalogue of built-in
functions is set up per instance), while attaching a version file to an open instance costs about 3 ms
and a cursor (a connection of its own to the same instance: its own default database, search path and
temporary tables) next to nothing. A one-file ingest opened four instances; within `begin()`…`end()` it
opens one (docs/scale.md §5, one file). Outside a session every caller opens its own instance as before.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.db import connect, quoted
from warehouse.engine import duckdb

_DEPTH: list[int] = [0]
_INSTANCE: list[duckdb.DuckDBPyConnection] = []
_ALIASES = itertools.count()
_READ_ONLY: dict[str, str] = {}
"""Version files attached read-only in this session, by resolved path: attached once (DuckDB refuses
the same file twice), left attached until `end`."""
DEFAULT = "memory"
"""The in-memory database of the instance: the part writer's and the derivation's tables."""
_AT_EXIT: list[duckdb.DuckDBPyConnection] = []
"""Instances `end` left open for the process's end (`leave_to_exit`)."""
_LEAVE = [False]


@dataclass
class _Ahead:
    """What `open_ahead`'s thread makes: the instance, then what `prepare` made of a cursor of it."""

    opened: threading.Event = field(default_factory=threading.Event)
    attached: threading.Event = field(default_factory=threading.Event)
    """Set when the session has attached its first version file (or asks for what is prepared, or ends):
    `prepare` waits for it, so that its statements do not hold up the ATTACH (DuckDB's locks)."""
    instance: list[duckdb.DuckDBPyConnection] = field(default_factory=list)
    """The instance, once opened (nothing when opening it failed)."""
    prepared: Future[duckdb.DuckDBPyConnection] | None = None


_AHEAD: list[_Ahead] = []
"""The instance `open_ahead` is opening."""
_TAKEN: list[_Ahead] = []
"""The session's instance as `open_ahead` made it, while what its `prepare` makes is not handed over
(`prepared`) or closed (`end`)."""


def begin() -> None:
    """Start a session: the instance is opened on first use and closed by the matching `end`."""
    _DEPTH[0] += 1


def end() -> None:
    _DEPTH[0] -= 1
    if _DEPTH[0] <= 0:
        _DEPTH[0] = 0
        _READ_ONLY.clear()
        _start_prepared()
        while _TAKEN:  # not handed over: its cursor closed before the instance
            left = _TAKEN.pop().prepared
            with contextlib.suppress(Exception):
                if left is not None:
                    left.result().close()
        while _INSTANCE:
            instance = _INSTANCE.pop()
            if _LEAVE[0]:
                _AT_EXIT.append(instance)
            else:
                instance.close()


def leave_to_exit() -> None:
    """This process ends (`os._exit`) soon after its sessions, without tearing anything down
    (`xxgk ingest`: xxgk/launch.py): `end` leaves the instance open instead of closing it (15–20 ms of
    CPU after a one-file run: the derivation's ~50 tables freed), and the exit takes it. Safe because an
    ended session has nothing left to write: the version file it wrote was detached (checkpointed and
    closed) before it was published, and what stays attached is read-only or in memory."""
    _LEAVE[0] = True


def open_ahead(
    prepare: Callable[[duckdb.DuckDBPyConnection], duckdb.DuckDBPyConnection] | None = None,
) -> None:
    """Open the next session's instance in a thread (`xxgk ingest`: xxgk/launch.py, after the worker is
    forked): DuckDB sets it up (≈ 25 ms of CPU, without the GIL) while the command imports the rest, and
    the session's first `cursor` takes it instead of opening one. Should it fail, `cursor` opens one.
    `prepare` is then run in the same thread on a cursor of it, once the session has attached its first
    version file (its DDL made at the same moment held the ATTACH up ≈ 10 ms: DuckDB's locks) or asks for it
    (`prepared`), which hands what it returns over (`xxgk ingest`: the part writer's work tables,
    `staging.create_staging`; docs/scale.md §5, one file, eighteenth pass)."""
    if _AHEAD or _INSTANCE:
        return
    ahead = _Ahead(prepared=Future() if prepare is not None else None)

    def work() -> None:
        try:
            with contextlib.suppress(Exception):  # `cursor` opens one, and raises what that raises
                ahead.instance.append(connect(None))
        finally:
            ahead.opened.set()
        if ahead.prepared is None or not ahead.instance or prepare is None:
            return
        ahead.attached.wait()
        if ahead.prepared.set_running_or_notify_cancel():
            try:
                ahead.prepared.set_result(prepare(ahead.instance[0].cursor()))
            except BaseException as exc:  # raised where it is taken (`prepared`)
                ahead.prepared.set_exception(exc)

    threading.Thread(target=work, name="xxgk-duckdb", daemon=True).start()
    _AHEAD.append(ahead)


def _instance() -> duckdb.DuckDBPyConnection:
    """The instance `open_ahead` opened (waited for, not what it prepares after), else a new one."""
    while _AHEAD:
        ahead = _AHEAD.pop()
        ahead.opened.wait()
        if ahead.instance:
            if ahead.prepared is not None:
                _TAKEN.append(ahead)
            return ahead.instance[0]
        ahead.attached.set()
    return connect(None)


def _start_prepared() -> None:
    """Let `open_ahead`'s `prepare` run."""
    for ahead in _TAKEN:
        ahead.attached.set()


def prepared() -> Future[duckdb.DuckDBPyConnection] | None:
    """What `open_ahead`'s `prepare` makes of a cursor of the session's instance (taken once: the caller
    closes the cursor), or None when there is nothing of the kind."""
    _start_prepared()
    return _TAKEN.pop().prepared if _TAKEN else None


def active() -> bool:
    return _DEPTH[0] > 0


def cursor() -> duckdb.DuckDBPyConnection | None:
    """A new connection to the session's instance (its default database the in-memory one), or None
    outside a session. The caller closes it; what it created in the in-memory database stays until `end`
    (temporary tables go with the cursor)."""
    if not active():
        return None
    if not _INSTANCE:
        _INSTANCE.append(_instance())
    return _INSTANCE[0].cursor()


def attach(path: Path, *, read_only: bool) -> tuple[duckdb.DuckDBPyConnection, str] | None:
    """A cursor whose default database is the version file at `path`, attached to the session's
    instance, and the alias to `detach` it by: "" for a file attached read-only, which stays attached
    (and is attached once) until `end`. None outside a session."""
    con = cursor()
    if con is None:
        return None
    key = str(path.resolve())
    try:
        if read_only and key in _READ_ONLY:
            con.execute(f"USE {_READ_ONLY[key]}")
            return con, ""
        alias = f"version_{next(_ALIASES)}"
        con.execute(f"ATTACH {quoted(path)} AS {alias} ({'READ_ONLY' if read_only else 'READ_WRITE'})")
        con.execute(f"USE {alias}")
    except BaseException:
        con.close()
        raise
    _start_prepared()  # the run's first ATTACH is done
    if read_only:
        _READ_ONLY[key] = alias
        return con, ""
    return con, alias


def detach(con: duckdb.DuckDBPyConnection, alias: str) -> None:
    """Close a cursor of `attach`; with an alias, detach its database first (a database written through
    it is closed, so checkpointed)."""
    try:
        if alias:
            con.execute(f"USE {DEFAULT}")
            con.execute(f"DETACH {alias}")
    finally:
        con.close()
