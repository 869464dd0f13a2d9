"""`kill -9` of an ingest at a random moment, then what must hold: the published version is the old or
the new one, the next ingest starts at once (no process keeps the lock), no private file is left.

Used by tests/test_crash.py (8 trials, one in each eighth of an ingest's time, marked slow) and
tools/crash.py (as many as asked, at uniformly random moments).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.conftest import FIXTURES, ROOT
from warehouse.db import open_version
from warehouse.publish import current_version
from warehouse.store.catalog import read_catalog
from xxgk.ingest import ingest

FIRST = ("柯城区卫生健康局_2022_gbk.html", "江山市交通运输局_2021.txt")
SECOND = (
    "常山县天马街道办事处_2021.htm",
    "开化县发展和改革局_2020.html",
    "柯城区财政局_2017.html",
    "衢州市财政局_2019.shtml",
    "常山县司法局_2020.txt",
    "开化县华埠镇人民政府_2023.docx",
)
"""No PDF: its parse would only lengthen the phase in which the workers parse, which every trial already
covers with these files, and each trial runs the batch twice."""
PRIVATE = ("*.tmp", "*.tmp.wal", "*.duckdb.wal")


@dataclass(frozen=True)
class Setup:
    base: Path
    first: Path
    second: Path
    warehouse: Path
    old_reports: int
    new_reports: int
    seconds: float
    """How long an undisturbed ingest of the second batch takes (a subprocess, start to exit)."""


@dataclass(frozen=True)
class Trial:
    delay: float
    processes: int
    """Processes of the ingest (itself and its workers) alive when it was killed."""
    left_behind: tuple[str, ...]
    """Private files the killed ingest left, for the next one to remove."""
    published: str
    """"old", "new", or what else was found (a failure)."""
    waited: bool
    survivors: int
    stale: tuple[str, ...]
    ok: bool


def _copy(names: tuple[str, ...], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(FIXTURES / "reports" / name, folder / name)
    return folder


def _command(setup: Setup, warehouse: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "xxgk",
        "ingest",
        str(setup.second),
        "--warehouse",
        str(warehouse),
        "-j",
        "2",
    ]


def prepare(base: Path) -> Setup:
    first, second = _copy(FIRST, base / "first"), _copy(SECOND, base / "second")
    warehouse = base / "warehouse"
    old = ingest([first], warehouse).count("loaded")
    calibration = base / "calibration"
    shutil.copytree(warehouse, calibration)
    partial = Setup(base, first, second, warehouse, old, old + len(SECOND), 0.0)
    started = time.monotonic()
    subprocess.run(_command(partial, calibration), cwd=ROOT, capture_output=True, check=True, env=_env())
    return Setup(base, first, second, warehouse, old, old + len(SECOND), time.monotonic() - started)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _session(sid: int) -> list[int]:
    """Live (not zombie) processes of a session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _reports(warehouse: Path) -> int:
    version = current_version(warehouse)
    if version is None:
        return -1
    con = open_version(version)
    try:
        ((count,),) = con.execute("SELECT count(*) FROM reports").fetchall()
        con.execute("SELECT count(*), sum(value) FROM facts").fetchall()
    finally:
        con.close()
    return int(count)


def run_trial(setup: Setup, number: int, rng: random.Random, of: int = 1) -> Trial:
    """Kill an ingest of the second batch after a random part of its usual time, then check. With `of`
    trials in all, trial `number` kills within the `number`-th of `of` equal stretches of that time (a
    few trials still reach every phase: start-up, parsing in the workers, loading, publishing)."""
    warehouse = setup.base / f"trial{number:03d}"
    shutil.copytree(setup.warehouse, warehouse)
    stretch = setup.seconds / of
    delay = (number % of) * stretch + rng.uniform(0.0, stretch)
    process = subprocess.Popen(
        _command(setup, warehouse),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    time.sleep(delay)
    processes = len(_session(process.pid))
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while _session(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = _session(process.pid)
    for pid in survivors:  # a failed trial must not leave processes behind
        os.kill(pid, signal.SIGKILL)
    left_behind = _private(warehouse)
    count = _reports(warehouse)
    published = {setup.old_reports: "old", setup.new_reports: "new"}.get(count, f"{count} reports")
    waited: list[bool] = []
    summary = ingest([setup.first, setup.second], warehouse, jobs=2, waiting=lambda: waited.append(True))
    stale = _private(warehouse)
    ok = (
        published in ("old", "new")
        and not waited
        and not survivors
        and not stale
        and not summary.failed
        and _reports(warehouse) == setup.new_reports
    )
    shutil.rmtree(warehouse)
    return Trial(round(delay, 2), processes, left_behind, published, bool(waited), len(survivors), stale, ok)


def _private(warehouse: Path) -> tuple[str, ...]:
    """Files only a writer in progress has: versions being built, their WAL, a pointer being written,
    versions newer than the published one, and Parquet parts or buckets that no version file lists."""
    found = {p.name for pattern in PRIVATE for p in warehouse.glob(pattern)}
    found |= {p.name for p in warehouse.glob("CURRENT.tmp")}
    published = current_version(warehouse)
    if published is not None:
        found |= {p.name for p in warehouse.glob("warehouse-*.duckdb") if p.name > published.name}
    return tuple(sorted(found | _unlisted_parts(warehouse)))


def _unlisted_parts(warehouse: Path) -> set[str]:
    listed: set[str] = set()
    for version in warehouse.glob("warehouse-*.duckdb"):
        con = duckdb.connect(str(version), read_only=True)
        try:
            listed |= read_catalog(con).referenced()
        finally:
            con.close()
    on_disk = {p.relative_to(warehouse).as_posix() for p in warehouse.rglob("*.parquet")}
    return on_disk - listed
