"""Run a task on many inputs, each in a worker process with a wall-clock and a memory limit.

A worker that overruns its time is killed, one that dies (or runs out of memory) is replaced, and its
input gets a one-line failure ("timed out after 60 s", "over the memory limit of 1.5 GB"); the others go
on. Results come back in input order.

A worker is a fresh interpreter (`python -m xxgk.workers TASK …`), started with only the descriptors it
talks over (its channel's two pipes, `Connection`, and its lifeline): it holds none of the caller's
files (in particular not the warehouse's writer lock) and never imports the caller's main script, so a
script that calls `ingest()` needs no `__main__` guard.
Each worker leads its own process group (a LibreOffice conversion it started dies with it), asks the
kernel to kill it when its parent dies (PR_SET_PDEATHSIG), and kills its group when the pipe from the
caller closes: a `kill -9` of the ingest leaves no worker behind.

`fork=True` (`xxgk parse`: one file, a caller that holds no lock and runs no thread) makes the worker a
fork of the caller instead, with the same limits, process group, lifeline and descriptors: it skips
starting an interpreter and re-importing what the caller has loaded. A caller running threads gets a
fresh interpreter all the same (a fork copies locks other threads may hold).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import re
import resource
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import subprocess


T = TypeVar("T")
R = TypeVar("R")
Task = Callable[[T], R]

DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_BYTES = 1536 * (1 << 20)
MIN_MEMORY = 128 << 20
"""The smallest memory limit a command takes (--memory-limit)."""
PR_SET_PDEATHSIG = 1
READY = "ready"
NOTE = "note"
ALLOW = "allow"
MAX_ALLOWED_SECONDS = 3600.0
"""The most wall-clock time one input may take in all when its task asks for more (`allow`)."""
RESOURCE_FAILURES = ("timed out after", "over the memory limit", "the parser process died")
"""How the failures this module reports begin: they depend on the machine, so they are retried."""
GUESS = -1
"""The index an input handed to an early worker before any pool asked for it is sent under (`guess`):
no input of a pool's run has it."""


class Connection:
    """One end of a worker's channel: pickled messages, each after its length, over two pipes (one each
    way). What the pool used of `multiprocessing.connection.Connection`, without importing multiprocessing
    (with tempfile, shutil, bz2, lzma, random and socket: about 8 ms of `xxgk parse`'s start-up)."""

    HEADER = 8

    def __init__(self, reading: int, writing: int) -> None:
        self.reading, self.writing = reading, writing

    def fileno(self) -> int:
        return self.reading

    def send(self, message: object) -> None:
        self.write(self.encoded(message))

    @classmethod
    def encoded(cls, message: object) -> bytes:
        """`message` as `send` writes it."""
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        return len(data).to_bytes(cls.HEADER, "big") + data

    def write(self, encoded: bytes) -> None:
        view = memoryview(encoded)
        while view:
            view = view[os.write(self.writing, view) :]

    def recv(self) -> Any:
        """The next message; EOFError when the other end closed its side."""
        size = int.from_bytes(self._read(self.HEADER), "big")
        return pickle.loads(self._read(size))

    def _read(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = os.read(self.reading, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        for descriptor in {self.reading, self.writing}:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self.reading = self.writing = -1


def connected() -> tuple[Connection, tuple[int, int]]:
    """A caller's end of a new channel, and the two descriptors (reading, writing) of the worker's end."""
    from_worker, to_caller = os.pipe()
    from_caller, to_worker = os.pipe()
    return Connection(from_worker, to_worker), (from_caller, to_caller)


def wait(connections: list[Connection], timeout: float | None) -> list[Connection]:
    """The connections with a message (or an end: EOF) to read, after at most `timeout` seconds."""
    poller = select.poll()
    for connection in connections:
        poller.register(connection.reading, select.POLLIN)
    ready = {fd for fd, _ in poller.poll(None if timeout is None else max(0, int(timeout * 1000 + 0.999)))}
    return [connection for connection in connections if connection.reading in ready]


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

    def allowance_out(self, seconds: float) -> str:
        """An input whose task asked for more time (`allow`) overran what it asked for."""
        return f"timed out after {seconds:.0f} s (more than the time it asked for beyond --timeout)"

    def over_memory(self) -> str:
        return f"over the memory limit of {self.memory_text()} (--memory-limit)"


def parse_size(text: str) -> int:
    """Bytes from "1.5G", "800M", "2GB" or a plain number of bytes; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if match is None:
        raise ValueError(text)
    scale = 1 << (10 * " KMGT".index(match.group(2) or " "))
    return int(float(match.group(1)) * scale)


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

_caller: Connection | None = None
"""The connection to the caller, in a worker process; None anywhere else."""


def in_worker() -> bool:
    return _caller is not None


def tell(note: object) -> None:
    """From a task running in a worker: hand `note` to the caller's `on_note` (nothing elsewhere)."""
    if _caller is not None:
        _caller.send((NOTE, note))


def allow(seconds: float) -> None:
    """From a task running in a worker: the current input may run `seconds` more from now, even beyond
    `--timeout` (a scan read by OCR asks at each page), but never more than MAX_ALLOWED_SECONDS in all."""
    if _caller is not None:
        _caller.send((ALLOW, float(seconds)))


def _die_with_parent(lifeline: int) -> None:
    # The interpreter's own symbols include libc's prctl: no `ctypes.util.find_library`, which runs
    # `ldconfig -p` in a subprocess on every worker start.
    import ctypes  # in the worker only

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    threading.Thread(target=_watch, args=(lifeline,), name="xxgk-lifeline", daemon=True).start()


def _watch(lifeline: int) -> None:
    """Block until the caller closes the pipe or dies, then end this worker and its children."""
    with contextlib.suppress(OSError):
        while os.read(lifeline, 1):
            pass
    os.killpg(0, signal.SIGKILL)


def _limit_memory(extra: int) -> None:
    """Private writable memory (heap, anonymous maps: RLIMIT_DATA) capped at `extra` bytes beyond what
    the worker holds now. Address space (RLIMIT_AS) would be the wrong measure: ONNX Runtime and the
    malloc arenas of threads reserve far more than they touch, and OCR failed under it."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        data = int(statm.read().split()[5]) * resource.getpagesize()
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = data + extra
    soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@dataclass
class _Idle:
    """A worker's time between sending a result and reading its next input (`XXGK_STAGES`: printed on
    standard error when it ends): what the worker waits for the caller, the time a queued input saves."""

    inputs: int = 0
    busy: float = 0.0
    waited: float = 0.0
    sent: float = 0.0
    """`time.perf_counter()` when the last result was sent; 0 before the first."""

    def line(self) -> str:
        share = self.waited / (self.busy + self.waited) if self.busy + self.waited else 0.0
        return (
            f"xxgk worker {os.getpid()}: {self.inputs} inputs, busy {self.busy:.3f} s, "
            f"waited for the next {self.waited:.3f} s ({100 * share:.1f} %)"
        )


def _serve(conn: Connection, task: Task[Any, Any], limits: Limits) -> None:
    global _caller
    _caller = conn
    _limit_memory(limits.memory_bytes)
    if not _told(conn, READY):  # the clock of an input starts when the worker has started, not before
        return
    idle = _Idle() if os.environ.get("XXGK_STAGES", "") not in ("", "0") else None
    try:
        _served(conn, task, limits, idle)
    finally:
        if idle is not None and idle.inputs:
            print(idle.line(), file=sys.stderr, flush=True)


def _served(conn: Connection, task: Task[Any, Any], limits: Limits, idle: _Idle | None) -> None:
    while True:
        try:
            message = conn.recv()
        except (EOFError, ConnectionResetError):  # the caller is gone (reset: it left READY unread)
            return
        if message is None:
            return
        index, item = message
        started = time.perf_counter()
        try:
            value, failure = task(item), ""
        except MemoryError:
            value, failure = None, limits.over_memory()
        if not _told(conn, (index, Result(value, failure, time.perf_counter() - started, _peak_bytes()))):
            return
        if idle is not None:
            idle.waited += started - idle.sent if idle.sent else 0.0
            idle.sent = time.perf_counter()
            idle.busy += idle.sent - started
            idle.inputs += 1
        if failure:
            return  # a heap that hit the limit is not reused


def _told(conn: Connection, message: object) -> bool:
    """Whether `message` reached the caller's pipe; False when the caller has closed its end (it is gone,
    or it stopped the pool meanwhile): the worker then ends quietly, as when its next read finds the end."""
    try:
        conn.send(message)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def _resolved(name: str) -> Any:
    """The attribute `module:attribute` names, its module imported."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _task(name: str) -> Task[Any, Any]:
    found: Task[Any, Any] = _resolved(name)
    return found


def _preload(names: Sequence[str]) -> None:
    """Import each module named (`module`), or call a function (`module:function`), before the worker
    says it is ready."""
    for name in names:
        if ":" in name:
            _resolved(name)()
        elif name:
            importlib.import_module(name)


def worker_main(argv: list[str]) -> None:
    """`python -m xxgk.workers MODULE:FUNCTION READ_FD:WRITE_FD LIFELINE_FD SECONDS MEMORY_BYTES [MODULE,…]`:
    the modules listed last are imported (or, as `module:function`, called) before the worker says it is
    ready (no input's clock pays for them)."""
    task, conn_fds, lifeline_fd, seconds, memory, *preload = argv
    reading, writing = (int(fd) for fd in conn_fds.split(":"))
    _die_with_parent(int(lifeline_fd))
    _preload(",".join(preload).split(","))
    _serve(Connection(reading, writing), _task(task), Limits(float(seconds), int(memory)))


# --- in the caller ----------------------------------------------------------------------------------


class StillRunning(Exception):
    """A worker's process had not ended when the time waited for it was up."""


class _Process(Protocol):
    """What the pool needs of a worker's process: `_Started` (a fresh interpreter) or `_Forked`; `wait`
    raises StillRunning when the process outlives its timeout."""

    pid: int

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...


class _Started:
    """A worker started as a fresh interpreter: its `subprocess.Popen`, waited for as `_Forked` is."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen, self.pid = popen, popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.returncode

    def poll(self) -> int | None:
        return self.popen.poll()

    def wait(self, timeout: float | None = None) -> int:
        import subprocess  # already loaded: the caller started this process with it

        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise StillRunning(self.pid) from None


class _Forked:
    """A forked worker as `subprocess.Popen` shows one: its exit status, negative for a signal."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None and self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        deadline, delay = time.monotonic() + (timeout or 0.0), 0.0005
        while self.poll() is None:  # as `Popen.wait` does it
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StillRunning(self.pid)
            delay = min(delay * 2, remaining, 0.05)
            time.sleep(delay)
        assert self.returncode is not None
        return self.returncode


PIPE_BYTES = 4096
"""What a pipe holds at least (one page: Linux gives a new pipe that little once a user's pipes hold
`pipe-user-pages-soft`). The inputs queued behind a worker's current one (`Pool` `depth`) are sent only
while they fit in it together: the caller then never blocks writing to a worker that is itself blocked
writing a result the caller has not read yet."""


@dataclass
class _Worker:
    process: _Process
    conn: Connection
    lifeline: int
    ready: bool = False
    jobs: deque[tuple[int, Any]] = field(default_factory=deque)
    """The inputs sent to the worker and not yet answered, in the order it takes them: the first is the
    one it runs (`job`), the others wait in its pipe."""
    queued_bytes: deque[int] = field(default_factory=deque)
    """The size of the message of each input in `jobs` but the first."""
    started: float = 0.0
    deadline: float = 0.0
    extended: bool = False
    """Whether the task asked for more time for the current input (`allow`)."""
    guess: Any = None
    """The input `guess` handed to this early worker, until the pool that takes the worker has seen its
    first input (`Pool._claim`)."""

    @property
    def job(self) -> tuple[int, Any] | None:
        """The input the worker runs (or reads next); None when it has none."""
        return self.jobs[0] if self.jobs else None

    def give(self, index: int, item: Any, limits: Limits) -> None:
        self.send(index, item, Connection.encoded((index, item)), limits)

    def send(self, index: int, item: Any, encoded: bytes, limits: Limits) -> None:
        self.conn.write(encoded)
        if self.jobs:
            self.queued_bytes.append(len(encoded))
        self.jobs.append((index, item))
        if len(self.jobs) == 1:
            self.clock(limits)

    def takes(self, encoded: bytes, depth: int) -> bool:
        """Whether an input whose message is `encoded` may be sent now: the worker is ready and idle, or
        holds fewer than `depth` inputs and the queued ones, this one too, fit in a pipe (PIPE_BYTES)."""
        if not self.ready or len(self.jobs) >= max(1, depth):
            return False
        return not self.jobs or sum(self.queued_bytes) + len(encoded) <= PIPE_BYTES

    def answered(self, limits: Limits) -> None:
        """The current input's result (or failure) is in: the next queued input's clock starts now."""
        self.jobs.popleft()
        if self.queued_bytes:
            self.queued_bytes.popleft()
        if self.jobs:
            self.clock(limits)

    def clock(self, limits: Limits) -> None:
        self.started = time.monotonic()
        self.deadline, self.extended = self.started + limits.seconds, False

    def allow(self, seconds: float) -> None:
        wanted = min(time.monotonic() + seconds, self.started + MAX_ALLOWED_SECONDS)
        if wanted > self.deadline:
            self.deadline, self.extended = wanted, True

    def timed_out(self, limits: Limits) -> str:
        if self.extended:
            return limits.allowance_out(time.monotonic() - self.started)
        return limits.timed_out()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        with contextlib.suppress(StillRunning):
            self.process.wait(2)
        self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(StillRunning):
                self.process.wait(5)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.close(self.lifeline)

    def death(self) -> str:
        with contextlib.suppress(StillRunning):
            self.process.wait(2)
        code = self.process.returncode
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"the parser process died ({signal.Signals(-code).name})"
        return f"the parser process died (exit status {code})"


def _task_name(task: Task[Any, Any]) -> str:
    return f"{task.__module__}:{task.__qualname__}"


_early: list[tuple[str, Limits, tuple[str, ...], _Worker]] = []
"""Workers forked by `fork_early` before the caller knew it would want them, until a pool takes one."""


def fork_early(task: Task[Any, Any], limits: Limits, preload: tuple[str, ...]) -> None:
    """Fork a worker for `task` now, before the caller has imported what it needs to decide: `xxgk
    parse` and `xxgk ingest` fork their worker first thing, so that the worker imports the parsers while the
    command imports click. The next pool with the same task, memory limit and preloads takes it
    (`Pool.start`), also a pool of fresh interpreters (the worker was forked before any lock or thread);
    any other is killed then, and one never taken dies with this process."""
    if threading.active_count() == 1:
        _early.append((_task_name(task), limits, preload, _fork(task, limits, preload)))


def guess(item: Any) -> None:
    """Hand `item` to the worker `fork_early` just forked, before any pool asks for it: `xxgk ingest FILE`
    has its file parsed while the command starts up, hashes it and reads the warehouse (docs/scale.md §5,
    one file, eleventh pass). The pool that takes the worker claims the result for its first input when
    that input equals `item`; otherwise the result is dropped (a worker busy with it finishes it first).
    The input's clock starts when the worker is ready, as for any input."""
    if not _early:
        return
    _, limits, _, worker = _early[-1]
    try:
        worker.give(GUESS, item, limits)
    except OSError:  # the worker died: the pool will find out
        return
    worker.guess = item


def _take_early(task: Task[Any, Any], limits: Limits, preload: tuple[str, ...]) -> _Worker | None:
    """An early worker that fits this pool, or None; the early workers that do not fit are killed."""
    taken = None
    while _early:
        name, early_limits, early_preload, worker = _early.pop()
        wanted = (_task_name(task), limits.memory_bytes, preload)
        fits = (name, early_limits.memory_bytes, early_preload) == wanted
        if fits and taken is None:
            taken = worker
        else:
            worker.kill()
    return taken


def _start(
    task: Task[Any, Any], limits: Limits, preload: tuple[str, ...] = (), fork: bool = False
) -> _Worker:
    if fork or _early:  # an early worker was forked before any lock or thread: any pool may take it
        early = _take_early(task, limits, preload)
        if early is not None:
            return early
    if fork and threading.active_count() == 1:
        return _fork(task, limits, preload)
    import subprocess

    ours, theirs = connected()
    lifeline_read, lifeline = os.pipe()
    name = _task_name(task)
    command = [sys.executable, "-m", "xxgk.workers", name, f"{theirs[0]}:{theirs[1]}", str(lifeline_read)]
    command += [repr(limits.seconds), str(limits.memory_bytes), ",".join(preload)]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        process = subprocess.Popen(
            command,
            pass_fds=(*theirs, lifeline_read),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env=environment,
            process_group=0,
        )
    except BaseException:
        ours.close()
        os.close(lifeline)
        raise
    finally:
        for descriptor in (*theirs, lifeline_read):
            os.close(descriptor)
    return _Worker(_Started(process), ours, lifeline)


def _fork(task: Task[Any, Any], limits: Limits, preload: tuple[str, ...]) -> _Worker:
    """A worker forked from this process: what `_start`'s command line does, without a new interpreter."""
    ours, theirs = connected()
    lifeline_read, lifeline = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: it never returns into the caller's code
        os._exit(_forked_main(task, theirs, lifeline_read, limits, preload))
    with contextlib.suppress(OSError):  # as the worker does: a kill right after the fork finds its group
        os.setpgid(pid, pid)
    for descriptor in (*theirs, lifeline_read):
        os.close(descriptor)
    return _Worker(_Forked(pid), ours, lifeline)


def _forked_main(
    task: Task[Any, Any], conn: tuple[int, int], lifeline: int, limits: Limits, preload: tuple[str, ...]
) -> int:
    try:
        _become_worker(*conn, lifeline)
        _die_with_parent(lifeline)
        _preload(preload)
        _serve(Connection(*conn), task, limits)
    except BaseException:  # what an interpreter would print before it exits
        import traceback

        traceback.print_exc()
        return 1
    return 0


def _become_worker(*kept: int) -> None:
    """In a forked worker: its own process group, no standard input or output, and of the caller's
    descriptors only `kept` (and standard error), as a worker started by `_start` has."""
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    low = 3
    for descriptor in sorted(kept):
        os.closerange(low, descriptor)
        low = descriptor + 1
    os.closerange(low, _max_descriptor())


def _max_descriptor() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 65536


MAX_FAILED_STARTS = 3
"""Workers that die before they are ready, one after the other, before the pool gives up."""


class WorkersCannotStart(RuntimeError):
    """Worker processes die before they can take an input (the machine, not an input, is at fault)."""


DEPTH = 2
"""The inputs a pool's worker holds at a time (`Pool` `depth`): the one it runs and one queued in its pipe,
which it starts on as soon as it has sent the result before, not when the caller (whose thread may be
waiting for the GIL) gets round to handing it the next (docs/scale.md §5, issue12id)."""


class Pool(Generic[T, R]):
    """`jobs` workers running `task`; `run` yields (item, outcome) in input order. Each worker holds up to
    `depth` inputs (1: it is handed the next when its result is in): an input's clock starts when its
    worker starts on it (for a queued one, when the result before it came in); a worker that dies, times
    out or runs out of memory fails its current input alone, and the inputs queued behind it go back to
    the front of the line, for the next worker free."""

    def __init__(
        self,
        task: Task[T, R],
        jobs: int,
        limits: Limits,
        window: int = 64,
        on_note: Callable[[Any], None] = lambda _: None,
        preload: tuple[str, ...] = (),
        fork: bool = False,
        depth: int = DEPTH,
    ) -> None:
        self.task, self.jobs, self.limits, self.on_note = task, max(1, jobs), limits, on_note
        self.preload, self.fork, self.depth = preload, fork, max(1, depth)
        self.window = max(window, 2 * self.depth * self.jobs)
        self.workers: list[_Worker] = []
        self.done: dict[int, tuple[T, Result[R]]] = {}
        self.failed_starts = 0

    def start(self) -> None:
        """Start the workers now rather than at the first input: they import what they preload while
        the caller does other work. `run` (or `close`) must follow."""
        while len(self.workers) < self.jobs:
            self.workers.append(_start(self.task, self.limits, self.preload, self.fork))

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
                self._collect(todo)
                while following in self.done:
                    yield self.done.pop(following)
                    following += 1
        finally:
            self.close()

    def _fill(self, todo: deque[tuple[int, T]], source: Iterator[tuple[int, T]]) -> None:
        """Take inputs while fewer than `window` are queued, running or waiting for an earlier one."""
        held = sum(len(w.jobs) for w in self.workers)
        while len(todo) + held + len(self.done) < self.window:
            found = next(source, None)
            if found is None:
                return
            todo.append(found)

    def _assign(self, todo: deque[tuple[int, T]]) -> None:
        for worker in self.workers:
            if worker.guess is not None:
                self._claim(worker, todo)
        while todo and len(self.workers) < self.jobs:
            self.workers.append(_start(self.task, self.limits, self.preload, self.fork))
        for held in range(self.depth):  # every idle worker gets an input before any gets a second
            for worker in list(self.workers):
                if todo and worker.ready and len(worker.jobs) == held:
                    self._give(worker, todo)

    def _give(self, worker: _Worker, todo: deque[tuple[int, T]]) -> None:
        index, item = todo[0]
        encoded = Connection.encoded((index, item))
        if not worker.takes(encoded, self.depth):
            return
        todo.popleft()
        try:
            worker.send(index, item, encoded, self.limits)
        except OSError:
            todo.appendleft((index, item))
            if worker.job is None:  # the worker died while idle: not this input's doing
                self._replace(worker, todo)
            # else it died on its current input, which `_collect` finds (its pipe's end) and fails

    def _claim(self, worker: _Worker, todo: deque[tuple[int, T]]) -> None:
        """A worker taken with a guessed input in hand (`guess`): when this run's first input is the
        same, that input is the worker's job from now on (its result, when it comes, is the input's);
        otherwise the guess stays the worker's job under GUESS, and its result is dropped."""
        guessed, worker.guess = worker.guess, None
        if not todo or todo[0][1] != guessed or worker.job is None or worker.job[0] != GUESS:
            return
        worker.jobs[0] = todo.popleft()
        worker.deadline = max(worker.deadline, worker.started + self.limits.seconds)

    def _collect(self, todo: deque[tuple[int, T]]) -> None:
        """Wait for a result, a worker that became ready or died, or the first deadline."""
        busy = [w for w in self.workers if w.job]
        starting = [w for w in self.workers if not w.ready]
        deadlines = [w.deadline for w in busy]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = set(wait([w.conn for w in busy + starting], timeout))
        for worker in starting:
            if worker.conn in ready:
                self._start_up(worker, todo)
        for worker in busy:
            if worker not in self.workers or worker.job is None:  # replaced, or failed to start
                continue
            index, item = worker.job
            if worker in starting and worker.conn in ready:  # it said it is ready: read its result next
                continue
            if worker.conn in ready:
                self._receive(worker, index, item, todo)
            elif time.monotonic() >= worker.deadline:
                self._fail(worker, index, item, worker.timed_out(self.limits), todo)

    def _start_up(self, worker: _Worker, todo: deque[tuple[int, T]]) -> None:
        try:
            worker.ready = worker.conn.recv() == READY
            self.failed_starts = 0
            if worker.job is not None:  # a guess (`guess`): its clock starts now, as an input's does
                worker.clock(self.limits)
            return
        except (EOFError, OSError):
            pass
        reason = worker.death()
        if worker.job is not None and worker.job[0] != GUESS:  # a claimed guess: not its input's doing
            todo.appendleft(worker.job)
        worker.jobs.clear()
        self._replace(worker, todo)
        self.failed_starts += 1
        if self.failed_starts >= MAX_FAILED_STARTS:
            raise WorkersCannotStart(f"parser workers died before starting ({reason})")

    def _receive(self, worker: _Worker, index: int, item: T, todo: deque[tuple[int, T]]) -> None:
        try:
            got, outcome = worker.conn.recv()
        except (EOFError, OSError):
            self._fail(worker, index, item, worker.death(), todo)
            return
        if got == NOTE:
            self.on_note(outcome)
            return
        if got == ALLOW:
            worker.allow(float(outcome))
            return
        if index != GUESS:  # a guess no input claimed is dropped
            self.done[index] = (item, outcome)
        worker.answered(self.limits)
        if outcome.failure:
            self._replace(worker, todo)

    def _fail(self, worker: _Worker, index: int, item: T, reason: str, todo: deque[tuple[int, T]]) -> None:
        seconds = time.monotonic() - worker.started
        if index != GUESS:
            self.done[index] = (item, Result(None, reason, seconds, 0))
        worker.answered(self.limits)
        self._replace(worker, todo)

    def _replace(self, worker: _Worker, todo: deque[tuple[int, T]]) -> None:
        """End `worker`; the inputs it held and had not started go back to the front of `todo`."""
        todo.extendleft(reversed(list(worker.jobs)))
        worker.jobs.clear()
        worker.queued_bytes.clear()
        worker.kill()
        self.workers.remove(worker)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []


def run_isolated(
    task: Task[T, R],
    items: Iterable[T],
    *,
    jobs: int = 1,
    limits: Limits | None = None,
    on_note: Callable[[Any], None] = lambda _: None,
    preload: tuple[str, ...] = (),
) -> Iterator[tuple[T, Result[R]]]:
    """Each item through `task` in a worker process, within `limits`; (item, outcome) in input order.
    `task` must be a module-level function (the worker imports it by name); what it `tell`s arrives at
    `on_note`, in this process; each worker imports the modules `preload` names before its first input."""
    yield from Pool(task, jobs, limits or Limits(), on_note=on_note, preload=preload).run(items)


if __name__ == "__main__":
    # Run from the module under its own name, so that what the worker sends back (Result) unpickles.
    from xxgk import workers

    workers.worker_main(sys.argv[1:])
