"""A worker holding a second input queued behind the one it runs (`Pool` `depth`): the queued input's clock
starts when the worker starts on it, and when the worker dies, times out or runs out of memory on its
current input, the queued one is run once by another worker, not failed and not lost."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from xxgk.workers import PIPE_BYTES, Limits, Pool

Item = tuple[str, float, str, str]
"""(what to do, how much, the file each run of an input appends its name and worker to, padding)."""


def record(item: Item) -> str:
    kind, amount, log, _ = item
    with open(log, "a", encoding="utf-8") as runs:
        runs.write(f"{kind} {amount} {os.getpid()}\n")
    if kind == "sleep":
        time.sleep(amount)
    elif kind == "allocate":
        block = bytearray(int(amount) << 20)
        return f"allocated {len(block) >> 20} MiB"
    elif kind == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "big":  # a result many times a pipe's buffer
        return "x" * (int(amount) << 20)
    return f"{kind} {amount:g}"


def through_one_worker(
    items: list[tuple[str, float]], log: Path, depth: int = 2, **limits: float
) -> list[tuple[str | None, str]]:
    pool = Pool(record, 1, Limits(**limits), depth=depth)  # type: ignore[arg-type]
    found = pool.run([(kind, amount, str(log), "") for kind, amount in items])
    return [(result.value, result.failure) for _, result in found]


def runs(log: Path) -> list[tuple[str, int]]:
    """(input, worker) of every input a worker started on, in order."""
    lines = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    return [(f"{kind} {float(amount):g}", int(pid)) for kind, amount, pid in lines]


def test_the_input_queued_behind_a_crash_runs_once_in_another_worker(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    found = through_one_worker([("crash", 0), ("echo", 1), ("echo", 2)], log)
    assert found == [(None, "the parser process died (SIGSEGV)"), ("echo 1", ""), ("echo 2", "")]
    (crash, crashed), (first, worker), (second, same) = runs(log)
    assert (crash, first, second) == ("crash 0", "echo 1", "echo 2")
    assert worker != crashed and same == worker


def test_the_input_queued_behind_a_timeout_runs_once_in_another_worker(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    started = time.monotonic()
    found = through_one_worker([("sleep", 60), ("echo", 1)], log, seconds=1.5)
    assert found == [(None, "timed out after 1.5 s (--timeout)"), ("echo 1", "")]
    assert time.monotonic() - started < 20
    (_, slept), (echo, worker) = runs(log)
    assert echo == "echo 1" and worker != slept


def test_the_input_queued_behind_an_input_over_memory_runs_once_in_another_worker(tmp_path: Path) -> None:
    log = tmp_path / "runs"
    found = through_one_worker([("allocate", 4000), ("echo", 1)], log, memory_bytes=600 << 20)
    assert found == [(None, "over the memory limit of 600 MB (--memory-limit)"), ("echo 1", "")]
    (_, greedy), (echo, worker) = runs(log)
    assert echo == "echo 1" and worker != greedy


def test_a_queued_inputs_clock_starts_when_the_result_before_it_comes_in(tmp_path: Path) -> None:
    # each sleep is within the limit; counted from when it was sent, the second would be over it
    found = through_one_worker([("sleep", 1.2), ("sleep", 1.2), ("sleep", 1.2)], tmp_path / "runs", seconds=2)
    assert found == [("sleep 1.2", ""), ("sleep 1.2", ""), ("sleep 1.2", "")]


def test_results_come_back_in_input_order_with_inputs_queued(tmp_path: Path) -> None:
    items = [("sleep", 0.3 if n % 3 == 0 else 0.0) for n in range(9)]
    pool = Pool(record, 2, Limits(), depth=3)
    found = pool.run([(kind, amount, str(tmp_path / "runs"), "") for kind, amount in items])
    assert [result.value for _, result in found] == [f"sleep {amount:g}" for _, amount in items]
    assert len(runs(tmp_path / "runs")) == len(items)


def test_an_input_too_large_for_a_pipe_waits_until_its_worker_is_idle(tmp_path: Path) -> None:
    # queued, it would fill the worker's pipe while the worker fills the caller's with its result
    log = str(tmp_path / "runs")
    large = "江" * PIPE_BYTES * 8
    found: list[str | None] = []

    def drive() -> None:
        pool = Pool(record, 1, Limits(), depth=2)
        found.extend(result.value for _, result in pool.run([("big", 6, log, ""), ("echo", 1, log, large)]))

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    driver.join(60)
    assert not driver.is_alive(), "the caller and its worker each wait for the other to read"
    assert found == ["x" * (6 << 20), "echo 1"]


def test_a_worker_tells_its_wait_for_the_next_input_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XXGK_STAGES", "1")
    through_one_worker([("echo", 1), ("echo", 2), ("echo", 3)], tmp_path / "runs")
    line = re.search(
        r"xxgk worker \d+: (\d+) inputs, busy [\d.]+ s, waited for the next [\d.]+ s", capfd.readouterr().err
    )
    assert line is not None and line.group(1) == "3"
