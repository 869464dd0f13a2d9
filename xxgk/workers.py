"""Run a task on many inputs, each in a worker process with a wall-clock and a memory limit.

A worker that overruns its time is killed, one that dies (or runs out of memory) is replaced, and its
input gets a one-line failure ("timed out after 60 s", "over the memory limit of 1.5 GB"); the others go
on. Results come back in input order.

Workers start from a fork server (a fresh interpreter that imported the parsers once), never by forking
the caller: they hold none of its files, in particular not the warehouse's writer lock. Each worker is the
leader of its own process group (so a LibreOffice conversion it started dies with it), asks the kernel
to kill it when its parent dies (PR_SET_PDEATHSIG), and watches a pipe from the caller, killing its group
when that pipe closes: a `kill -9` of the ingest leaves no worker behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Task = Callable[[T], R]

DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_BYTES = 1536 * (1 << 20)
PRELOAD = ["xxgk.workers", "etl.pipeline", "pdfplumber", "openpyxl"]
PR_SET_PDEATHSIG = 1
RESOURCE_FAILURES = ("timed out after", "over the memory limit", "the parser process died")
"""How the failures this module reports begin: they depend on the machine, so they are retried."""


@dataclass(frozen=True)
class Limits:
    """What one input may take: wall-clock seconds, and bytes of memory beyond the worker's start."""

    seconds: float = DEFAULT_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES

    def memory_text(self) -> str:
        gib = self.memory_bytes / (1 << 30)
        return f"{gib:g} GB" if gib >= 1 else f"{self.memory_bytes / (1 << 20):g} MB"

    def timed_out(self) -> str:
        return f"timed out after {self.seconds:g} s (--timeout)"

    def over_memory(self) -> str:
        return f"over the memory limit of {self.memory_text()} (--memory-limit)"


def is_resource_failure(reason: str) -> bool:
    return reason.startswith(RESOURCE_FAILURES)


@dataclass(frozen=True)
class Result(Generic[R]):
    """One input's result, or the reason it has none; with the time it took and the worker's peak memory."""

    value: R | None
    failure: str
    seconds: float
    peak_bytes: int


# --- in the worker ----------------------------------------------------------------------------------


def _die_with_parent(lifeline: Connection) -> None:
    os.setpgid(0, 0)
    libc_name = ctypes.util.find_library("c")
    if libc_name is not None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch, args=(lifeline,), name="xxgk-lifeline", daemon=True).start()


def _watch(lifeline: Connection) -> None:
    """Block until the caller closes the pipe or dies, then end this worker and its children."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os.killpg(0, signal.SIGKILL)


def _limit_memory(extra: int) -> None:
    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = size + extra
    resource.setrlimit(
        resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
    )


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


READY = "ready"


def _serve(conn: Connection, lifeline: Connection, task: Task[Any, Any], limits: Limits) -> None:
    _die_with_parent(lifeline)
    _limit_memory(limits.memory_bytes)
    conn.send(READY)  # the clock of an input starts when the worker has started, not before
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        index, item = message
        started = time.perf_counter()
        try:
            value, failure = task(item), ""
        except MemoryError:
            value, failure = None, limits.over_memory()
        conn.send((index, Result(value, failure, time.perf_counter() - started, _peak_bytes())))
        if failure:
            return  # a heap that hit the limit is not reused


# --- in the caller ----------------------------------------------------------------------------------


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    lifeline: Connection
    ready: bool = False
    job: tuple[int, Any] | None = None
    started: float = 0.0

    def give(self, index: int, item: Any) -> None:
        self.conn.send((index, item))
        self.job, self.started = (index, item), time.monotonic()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(2)
        self.kill()

    def kill(self) -> None:
        pid = self.process.pid
        if pid is not None and self.process.exitcode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            self.process.join(5)
        for end in (self.conn, self.lifeline):
            end.close()


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _start(task: Task[Any, Any], limits: Limits) -> _Worker:
    context = _context()
    conn, child_conn = context.Pipe()
    lifeline_read, lifeline = context.Pipe(duplex=False)
    process = context.Process(
        target=_serve, args=(child_conn, lifeline_read, task, limits), name="xxgk-parser", daemon=True
    )
    process.start()
    child_conn.close()
    lifeline_read.close()
    return _Worker(process, conn, lifeline)


def _death(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"the parser process died ({signal.Signals(-code).name})"
    return f"the parser process died (exit status {code})"


MAX_FAILED_STARTS = 3
"""Workers that die before they are ready, one after the other, before the pool gives up."""


class WorkersCannotStart(RuntimeError):
    """Worker processes die before they can take an input (the machine, not an input, is at fault)."""


class Pool(Generic[T, R]):
    """`jobs` workers running `task`; `run` yields (item, outcome) in input order."""

    def __init__(self, task: Task[T, R], jobs: int, limits: Limits, window: int = 64) -> None:
        self.task, self.jobs, self.limits = task, max(1, jobs), limits
        self.window = max(window, 2 * self.jobs)
        self.workers: list[_Worker] = []
        self.done: dict[int, tuple[T, Result[R]]] = {}
        self.failed_starts = 0

    def run(self, items: Iterable[T]) -> Iterator[tuple[T, Result[R]]]:
        todo: deque[tuple[int, T]] = deque()
        source = enumerate(items)
        following = 0
        try:
            while True:
                self._fill(todo, source)
                self._assign(todo)
                if not any(w.job for w in self.workers) and not todo:
                    break
                self._collect()
                while following in self.done:
                    yield self.done.pop(following)
                    following += 1
        finally:
            self.close()

    def _fill(self, todo: deque[tuple[int, T]], source: Iterator[tuple[int, T]]) -> None:
        """Take inputs while fewer than `window` are queued, running or waiting for an earlier one."""
        busy = sum(1 for w in self.workers if w.job)
        while len(todo) + busy + len(self.done) < self.window:
            found = next(source, None)
            if found is None:
                return
            todo.append(found)

    def _assign(self, todo: deque[tuple[int, T]]) -> None:
        while todo and len(self.workers) < self.jobs:
            self.workers.append(_start(self.task, self.limits))
        for worker in self.workers:
            if worker.ready and worker.job is None and todo:
                index, item = todo.popleft()
                try:
                    worker.give(index, item)
                except OSError:
                    self._fail(worker, index, item, _death(worker.process))

    def _collect(self) -> None:
        """Wait for a result, a worker that became ready or died, or the first deadline."""
        busy = [w for w in self.workers if w.job]
        starting = [w for w in self.workers if not w.ready]
        deadlines = [w.started + self.limits.seconds for w in busy]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        watched = busy + starting
        ready = set(wait([w.conn for w in watched] + [w.process.sentinel for w in watched], timeout))
        for worker in starting:
            self._start_up(worker, ready)
        for worker in busy:
            assert worker.job is not None
            index, item = worker.job
            if worker.conn in ready:
                self._receive(worker, index, item)
            elif worker.process.sentinel in ready:
                self._fail(worker, index, item, _death(worker.process))
            elif time.monotonic() >= worker.started + self.limits.seconds:
                self._fail(worker, index, item, self.limits.timed_out())

    def _start_up(self, worker: _Worker, ready: set[Any]) -> None:
        if worker.conn in ready:
            try:
                worker.ready = worker.conn.recv() == READY
                self.failed_starts = 0
                return
            except (EOFError, OSError):
                pass
        elif worker.process.sentinel not in ready:
            return
        self._replace(worker)
        self.failed_starts += 1
        if self.failed_starts >= MAX_FAILED_STARTS:
            raise WorkersCannotStart(f"parser workers died before starting ({_death(worker.process)})")

    def _receive(self, worker: _Worker, index: int, item: T) -> None:
        try:
            got, outcome = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(1)
            self._fail(worker, index, item, _death(worker.process))
            return
        self.done[got] = (item, outcome)
        worker.job = None
        if outcome.failure:
            self._replace(worker)

    def _fail(self, worker: _Worker, index: int, item: T, reason: str) -> None:
        seconds = time.monotonic() - worker.started
        self.done[index] = (item, Result(None, reason, seconds, 0))
        worker.job = None
        self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers.remove(worker)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []


def run_isolated(
    task: Task[T, R], items: Iterable[T], *, jobs: int = 1, limits: Limits | None = None
) -> Iterator[tuple[T, Result[R]]]:
    """Each item through `task` in a worker process, within `limits`; (item, outcome) in input order."""
    yield from Pool(task, jobs, limits or Limits()).run(items)
