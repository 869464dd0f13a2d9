"""`xxgk ingest FILE` hands its first file to the worker forked early, before it knows what it will parse
(xxgk/launch.py `first_path`, xxgk/parsing.py `guess_first`, xxgk/workers.py `guess`): the pool that
takes the worker uses that result only for an equal first input, and a wrong guess changes no outcome.
The process then ends without closing its DuckDB instance (warehouse/store/session.py `leave_to_exit`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from warehouse.load import WarehouseState
from xxgk import parsing, workers
from xxgk.ingest import _hashes, _plan, discover
from xxgk.launch import first_path

REPORT = FIXTURES / "reports" / "江山市交通运输局_2021.txt"


def stamp(item: tuple[str, int]) -> str:
    """The task of the probes: when the input was run (`time.monotonic()`, the same clock in every
    process), or a crash."""
    kind, amount = item
    if kind == "crash":
        os._exit(3)
    if kind == "sleep":
        time.sleep(amount)
    return f"{kind} {amount} {time.monotonic()}"


PROBE = """
import json, sys, time
from tests.test_guess import stamp
from xxgk import workers
guessed, items, seconds = json.loads(sys.argv[1])
workers.fork_early(stamp, workers.Limits(), ())
workers.guess(tuple(guessed))
time.sleep(0.5)  # the worker has run the guess by now
started = time.monotonic()
pool = workers.Pool(stamp, 1, workers.Limits(seconds=seconds))
found = [(r.value, r.failure) for _, r in pool.run([tuple(i) for i in items])]
print(json.dumps({"started": started, "found": found}))
"""


def _probe(
    guessed: tuple[str, int], items: list[tuple[str, int]], seconds: float = 60.0
) -> tuple[float, list]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([guessed, items, seconds])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return found["started"], found["found"]


def _ran_at(value: str) -> float:
    return float(value.split()[-1])


def test_a_guess_equal_to_the_first_input_is_its_result() -> None:
    started, found = _probe(("echo", 1), [("echo", 1), ("echo", 2)])
    (first, failure), (second, _) = found
    assert not failure and first.startswith("echo 1 ") and _ran_at(first) < started  # run before the pool
    assert second.startswith("echo 2 ") and _ran_at(second) > started


def test_a_wrong_guess_is_dropped_and_changes_no_outcome() -> None:
    started, found = _probe(("echo", 9), [("echo", 1), ("echo", 9)])
    assert [value.rsplit(" ", 1)[0] for value, _ in found] == ["echo 1", "echo 9"]
    assert all(not failure and _ran_at(value) > started for value, failure in found)


def test_a_wrong_guess_that_kills_its_worker_fails_no_input() -> None:
    _, found = _probe(("crash", 0), [("echo", 1), ("echo", 2)])
    assert [(value.rsplit(" ", 1)[0], failure) for value, failure in found] == [
        ("echo 1", ""),
        ("echo 2", ""),
    ]


def test_a_claimed_guess_fails_as_its_input_would() -> None:
    _, found = _probe(("crash", 0), [("crash", 0), ("echo", 2)])
    (first, failure), (second, _) = found
    assert first is None and failure == "the parser process died (exit status 3)"
    assert second.startswith("echo 2 ")


def test_a_claimed_guess_keeps_the_pools_time_limit() -> None:
    _, found = _probe(("sleep", 30), [("sleep", 30), ("echo", 2)], seconds=1.0)
    (first, failure), (second, _) = found
    assert first is None and failure == "timed out after 1 s (--timeout)"
    assert second.startswith("echo 2 ")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["a.txt"], "a.txt"),
        (["--warehouse", "w", "a.txt", "b.txt"], "a.txt"),
        (["-j", "2", "--timeout", "5", "--memory-limit", "1G", "a.txt"], "a.txt"),
        (["--places-overrides", "o.csv", "--aliases", "a.csv", "x.html"], "x.html"),
        (["--warehouse=w", "-j2", "-v", "a.txt"], "a.txt"),
        (["--", "a.txt"], None),
        (["--warehouse", "w"], None),
        (["-"], "-"),
    ],
)
def test_the_first_path_of_an_ingest_command_line(arguments: list[str], expected: str | None) -> None:
    assert first_path(arguments) == expected


@pytest.mark.parametrize("how", ["relative", "symbolic link", "dot-dot"])
def test_the_guess_is_the_job_the_ingest_gives_its_first_file(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / REPORT.name).write_bytes(REPORT.read_bytes())
    (tmp_path / "link").symlink_to(inbox)
    monkeypatch.chdir(tmp_path)
    argument = {
        "relative": f"inbox/{REPORT.name}",
        "symbolic link": f"link/{REPORT.name}",
        "dot-dot": f"link/../inbox/./{REPORT.name}",
    }[how]
    guessed: list[object] = []
    monkeypatch.setattr(parsing, "guess", guessed.append)
    parsing.guess_first(argument)
    plan = _plan(_hashes(discover([Path(argument)]).files), WarehouseState({}, frozenset(), {}))
    assert guessed == plan.to_parse[:1] and len(plan.to_parse) == 1


def test_nothing_is_guessed_for_a_file_read_by_ocr_a_large_one_or_one_that_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guessed: list[object] = []
    monkeypatch.setattr(parsing, "guess", guessed.append)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    os.mkfifo(tmp_path / "fifo.txt")
    with (tmp_path / "large.html").open("wb") as large:
        large.truncate(parsing.GUESSED_BYTES + 1)
    for name in ("scan.pdf", "fifo.txt", "missing.html", "large.html"):
        parsing.guess_first(str(tmp_path / name))
    assert guessed == []
    assert workers._early == []  # nothing forked here: a guess without an early worker does nothing
    workers.guess(("echo", 1))


LEFT_OPEN = """
import sys
from warehouse.store import session
if sys.argv[1] == "leave":
    session.leave_to_exit()
session.begin()
cursor = session.cursor()
session.end()
try:
    print(cursor.execute("SELECT 42").fetchall()[0][0])
except Exception as exc:
    print(type(exc).__name__)
"""


@pytest.mark.parametrize("leave", [True, False])
def test_a_process_left_to_exit_does_not_close_its_instance(leave: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LEFT_OPEN, "leave" if leave else "close"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert (done.stdout.strip() == "42") is leave, done.stdout
