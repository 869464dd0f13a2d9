"""Worker processes with time and memory limits: a hung, greedy or crashing task fails alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from xxgk.workers import Limits, Pool, allow, connected, run_isolated, tell, wait

MARK = "fresh interpreter"
"""Set by a test before it forks workers: a forked worker sees the new value, a started one this one."""


def behave(item: tuple[str, int]) -> str:
    kind, amount = item
    if kind == "sleep":
        time.sleep(amount)
    elif kind == "allocate":
        block = bytearray(amount << 20)
        return f"allocated {len(block) >> 20} MiB"
    elif kind == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "pid":
        return f"{os.getpid()} {os.getpgid(0)}"
    elif kind == "patient":
        allow(amount + 5)
        time.sleep(amount)
    elif kind in ("steady", "stalls"):
        _asks_for_time(kind, amount)
    elif kind == "chatty":
        for number in range(amount):
            tell(number)
    elif kind in ("mark", "big"):  # big: a result many times a pipe's buffer
        return MARK if kind == "mark" else "x" * (amount << 20)
    return f"{kind} {amount}"


def _asks_for_time(kind: str, amount: int) -> None:
    if kind == "steady":  # progress in steps, each asking for a little more time (as OCR's pages do)
        for _ in range(amount):
            allow(3)
            time.sleep(1)
    else:
        allow(2)
        time.sleep(amount)


def outcomes(items: list[tuple[str, int]], **limits: float) -> list[tuple[str | None, str]]:
    found = run_isolated(behave, items, jobs=2, limits=Limits(**limits))  # type: ignore[arg-type]
    return [(result.value, result.failure) for _, result in found]


def test_results_come_back_in_input_order() -> None:
    items = [("echo", n) for n in range(12)]
    assert outcomes(items) == [(f"echo {n}", "") for n in range(12)]


def test_an_input_over_time_is_killed_and_the_rest_go_on() -> None:
    started = time.monotonic()
    found = outcomes([("echo", 1), ("sleep", 60), ("echo", 2), ("echo", 3)], seconds=2)
    assert found == [
        ("echo 1", ""),
        (None, "timed out after 2 s (--timeout)"),
        ("echo 2", ""),
        ("echo 3", ""),
    ]
    assert time.monotonic() - started < 20


def test_an_input_over_memory_fails_alone() -> None:
    found = outcomes([("allocate", 50), ("allocate", 4000), ("echo", 1)], memory_bytes=600 << 20)
    assert found == [
        ("allocated 50 MiB", ""),
        (None, "over the memory limit of 600 MB (--memory-limit)"),
        ("echo 1", ""),
    ]


def test_a_crashing_worker_is_replaced() -> None:
    found = outcomes([("crash", 0), ("echo", 1), ("crash", 0), ("echo", 2)])
    assert found == [
        (None, "the parser process died (SIGSEGV)"),
        ("echo 1", ""),
        (None, "the parser process died (SIGSEGV)"),
        ("echo 2", ""),
    ]


def test_workers_lead_their_own_process_group_and_are_gone_afterwards() -> None:
    (value, failure), *_ = outcomes([("pid", 0)])
    assert value is not None and not failure
    pid, group = (int(x) for x in value.split())
    assert pid == group and pid != os.getpid()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_task_may_ask_for_more_time_for_one_input() -> None:
    found = outcomes([("patient", 3), ("sleep", 30)], seconds=1.5)
    assert found == [("patient 3", ""), (None, "timed out after 1.5 s (--timeout)")]


def test_each_request_for_time_counts_from_now_and_a_stall_is_still_cut() -> None:
    found = outcomes([("steady", 5), ("stalls", 30)], seconds=1.5)
    assert found[0] == ("steady 5", "")
    assert found[1][0] is None
    assert found[1][1].startswith("timed out after ")
    assert found[1][1].endswith(" s (more than the time it asked for beyond --timeout)")


def test_notes_from_a_task_reach_the_caller_in_order() -> None:
    heard: list[object] = []
    found = run_isolated(behave, [("chatty", 3), ("chatty", 2)], jobs=1, on_note=heard.append)
    assert [result.value for _, result in found] == ["chatty 3", "chatty 2"]
    assert heard == [0, 1, 2, 0, 1]


FORK_PROBE = """
import json, sys
from tests.test_workers import forked_here
print(json.dumps(forked_here(json.loads(sys.argv[1]), **json.loads(sys.argv[2]))))
"""


def forked(items: list[tuple[str, int]], **limits: float) -> list[tuple[str | None, str]]:
    """`items` through one worker forked from a fresh single-threaded process (as `xxgk parse` runs its
    file): this test process may run threads left by other tests, and then it would not fork."""
    done = subprocess.run(
        [sys.executable, "-c", FORK_PROBE, json.dumps(items), json.dumps(limits)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [(value, failure) for value, failure in json.loads(done.stdout)]


def forked_here(items: list[tuple[str, int]], **limits: float) -> list[tuple[str | None, str]]:
    global MARK
    assert threading.active_count() == 1, "a caller running threads gets a fresh interpreter instead"
    MARK = "forked"
    pool = Pool(behave, 1, Limits(**limits), fork=True)  # type: ignore[arg-type]
    (_, mark), *found = pool.run([("mark", 0), *((str(kind), int(n)) for kind, n in items)])
    assert mark.value == "forked"
    return [(result.value, result.failure) for _, result in found]


@pytest.mark.parametrize(
    ("items", "limits", "expected"),
    [
        (
            [("echo", 1), ("sleep", 60), ("echo", 2)],
            {"seconds": 2},
            [("echo 1", ""), (None, "timed out after 2 s (--timeout)"), ("echo 2", "")],
        ),
        (
            [("allocate", 4000), ("echo", 1)],
            {"memory_bytes": 600 << 20},
            [(None, "over the memory limit of 600 MB (--memory-limit)"), ("echo 1", "")],
        ),
        ([("crash", 0), ("echo", 1)], {}, [(None, "the parser process died (SIGSEGV)"), ("echo 1", "")]),
        ([("patient", 3)], {"seconds": 1.5}, [("patient 3", "")]),
    ],
)
def test_a_forked_worker_keeps_the_limits(
    items: list[tuple[str, int]], limits: dict[str, float], expected: list[tuple[str | None, str]]
) -> None:
    assert forked(items, **limits) == expected


def test_a_forked_worker_is_in_its_own_group_and_gone_afterwards() -> None:
    ((value, failure),) = forked([("pid", 0)])
    assert value is not None and not failure
    worker, group = (int(x) for x in value.split())
    assert worker == group
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def test_a_caller_running_threads_starts_a_fresh_interpreter_instead() -> None:
    global MARK
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    MARK = "forked"
    try:
        pool = Pool(behave, 1, Limits(), fork=True)
        ((_, mark),) = pool.run([("mark", 0)])
    finally:
        MARK = "fresh interpreter"
        stop.set()
        thread.join()
    assert mark.value == "fresh interpreter"


def test_a_result_larger_than_a_pipe_holds_comes_back_whole() -> None:
    found = [result.value for _, result in run_isolated(behave, [("big", 6), ("echo", 1)], jobs=1)]
    assert found == ["x" * (6 << 20), "echo 1"]
    assert forked([("big", 3), ("echo", 2)]) == [("x" * (3 << 20), ""), ("echo 2", "")]


def test_a_channel_carries_messages_both_ways_and_ends_in_eof() -> None:
    ours, (reading, writing) = connected()
    from xxgk.workers import Connection

    theirs = Connection(reading, writing)
    assert wait([ours], 0) == []
    message = {"rows": list(range(200_000)), "text": "江" * 100_000}
    sender = threading.Thread(target=theirs.send, args=(message,))
    sender.start()  # larger than the pipe's buffer: sent while the other side reads
    assert wait([ours], 10) == [ours]
    assert ours.recv() == message
    sender.join()
    ours.send(None)
    assert theirs.recv() is None
    theirs.close()
    assert wait([ours], 10) == [ours]
    with pytest.raises(EOFError):
        ours.recv()
    with pytest.raises(OSError):
        ours.send("anyone?")
    ours.close()


def test_a_fresh_interpreter_still_running_after_its_wait_is_still_running() -> None:
    from xxgk.workers import StillRunning, _Started

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(StillRunning):
            _Started(sleeper).wait(0.05)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert _Started(sleeper).wait(1) == -signal.SIGKILL


def test_a_worker_whose_caller_left_before_it_was_ready_ends_quietly() -> None:
    from_caller, to_worker = os.pipe()
    from_worker, to_caller = os.pipe()
    lifeline_read, lifeline = os.pipe()
    os.close(from_worker)  # the caller is gone before the worker says it is ready
    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "xxgk.workers",
            "tests.test_workers:behave",
            f"{from_caller}:{to_caller}",
            str(lifeline_read),
            "60",
            str(1 << 30),
        ],
        pass_fds=(from_caller, to_caller, lifeline_read),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    for descriptor in (from_caller, to_worker, to_caller, lifeline_read, lifeline):
        os.close(descriptor)
    assert (worker.returncode, worker.stderr) == (0, "")
