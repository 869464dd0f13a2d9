"""One bad file never stops a batch: hostile files, special files and folder loops among good reports;
publishing under the lock (stale files of dead writers removed, state read after taking the lock)."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from warehouse.db import connect
from warehouse.publish import LOCK, current_version, remove_stale, writer_lock
from xxgk.ingest import ingest
from xxgk.parsing import Failure, Job, parse_one
from xxgk.report import print_summary
from xxgk.samples.hostile import hostile_files
from xxgk.workers import Limits

REPORTS = FIXTURES / "reports"
GOOD = sorted(p for p in REPORTS.iterdir() if not p.name.endswith(".json"))


def _count(directory: Path, sql: str) -> list[tuple[object, ...]]:
    version = current_version(directory)
    assert version is not None
    con = connect(version, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_a_batch_with_hostile_files_loads_every_good_file(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in GOOD:
        shutil.copy(path, inbox / path.name)
    for found in hostile_files(bomb=1024 << 20):
        (inbox / found.name).write_bytes(found.data)
    os.mkfifo(inbox / "pipe.html")
    (inbox / "loop").symlink_to(inbox)
    (inbox / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    started = time.monotonic()
    summary = ingest([inbox, Path("/dev/zero")], tmp_path / "wh", jobs=2, limits=Limits(seconds=60))
    assert time.monotonic() - started < 300
    statuses = {Path(o.path).name: (o.status, o.reason) for o in summary.outcomes}
    good = [p.name for p in GOOD]
    assert all(statuses[name][0] == "loaded" for name in good), {n: statuses[n] for n in good}
    for found in hostile_files(bomb=1024 << 20):
        status, reason = statuses[found.name]
        assert status == "error" and reason.startswith(found.name), (found.name, reason)
    assert statuses["zero"] == ("error", "zero is a character device, not a regular file: not read")
    skipped = {Path(path).name: reason for path, reason in summary.skipped}
    assert skipped == {
        "pipe.html": "a named pipe (FIFO): not read",
        "loop": "symbolic link loop: a folder already walked",
        "gone.txt": "broken symbolic link",
    }
    ((reports,),) = _count(tmp_path / "wh", "SELECT count(*) FROM reports")
    assert reports == len(good)
    ((errors,),) = _count(tmp_path / "wh", "SELECT count(*) FROM ingest_errors")
    assert errors == len(hostile_files(bomb=1 << 20)) + 1


def test_stale_files_of_a_dead_writer_are_removed_when_the_lock_is_taken(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    ingest([REPORTS / "柯城区卫生健康局_2022_gbk.html"], wh)
    published = current_version(wh)
    assert published is not None
    stale = [
        wh / "warehouse-20000101T000000000000-1.duckdb.tmp",
        wh / "warehouse-20000101T000000000000-1.duckdb.tmp.wal",
        wh / "CURRENT.tmp",
        wh / "warehouse-29991231T000000000000-1.duckdb",
    ]
    for path in stale:
        path.write_bytes(b"left by a killed ingest")
    with writer_lock(wh):
        assert not any(path.exists() for path in stale)
    assert published.exists() and current_version(wh) == published
    assert remove_stale(wh) == []


@pytest.mark.slow
def test_a_second_ingest_waits_and_then_parses_nothing_already_loaded(tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    wh.mkdir()
    waited = threading.Event()
    results = {}
    with open(wh / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        ingest([REPORTS / "柯城区卫生健康局_2022_gbk.html"], tmp_path / "other")  # another directory: no wait

        def second() -> None:
            results["second"] = ingest([REPORTS / "柯城区卫生健康局_2022_gbk.html"], wh, waiting=waited.set)

        thread = threading.Thread(target=second)
        thread.start()
        assert waited.wait(30)
        time.sleep(0.5)
        assert "second" not in results
        fcntl.flock(handle, fcntl.LOCK_UN)
    thread.join(120)
    assert results["second"].count("loaded") == 1
    third = ingest([REPORTS / "柯城区卫生健康局_2022_gbk.html"], wh)
    assert third.count("unchanged") == 1 and not third.published


def test_an_internal_error_keeps_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug\nsecond line")

    monkeypatch.setattr("etl.pipeline.parse_bytes", broken)  # parse_one imports it when it runs
    source = tmp_path / "r.html"
    source.write_text("x", encoding="utf-8")
    parsed = parse_one(Job(str(source)))
    assert isinstance(parsed.result, Failure)
    assert parsed.result.reason == "internal error while parsing (RuntimeError: a bug)"
    assert "Traceback (most recent call last)" in parsed.result.detail and "a bug" in parsed.result.detail


def test_verbose_prints_tracebacks_and_the_log_keeps_them(tmp_path: Path) -> None:
    from rich.console import Console

    from xxgk.ingest import IngestSummary, Outcome, write_tracebacks

    summary = IngestSummary()
    summary.add(
        Outcome(
            "a.html", "error", "internal error while parsing (KeyError: 'x')", detail="Traceback …\nKeyError"
        )
    )
    summary.log = write_tracebacks(tmp_path, summary, __import__("datetime").datetime(2026, 1, 1))
    assert summary.log is not None and "KeyError" in summary.log.read_text(encoding="utf-8")
    quiet, loud = Console(record=True, width=200), Console(record=True, width=200)
    print_summary(summary, tmp_path, quiet)
    print_summary(summary, tmp_path, loud, verbose=True)
    assert "ingest.log; --verbose prints them" in quiet.export_text()
    assert "Traceback …" not in quiet.export_text() and "Traceback …" in loud.export_text()


def test_a_failure_of_the_machine_is_tried_again_a_failure_of_the_file_is_not(tmp_path: Path) -> None:
    from xxgk.ingest import _known_failure

    assert _known_failure(("abc", "error", "empty file"), "abc")
    assert not _known_failure(("abc", "error", "timed out after 60 s (--timeout)"), "abc")
    assert not _known_failure(("abc", "error", "over the memory limit of 1.5 GB (--memory-limit)"), "abc")
    assert not _known_failure(("abc", "error", "empty file"), "changed")


def test_a_file_refused_for_want_of_ocr_is_read_again_once_ocr_can_read_it() -> None:
    """A scan refused by an xxgk without OCR ("needs OCR"), with the OCR extra missing, or with its OCR time
    budget spent on a busy machine may be read by this installation: the next ingest reads it again."""
    from xxgk.ingest import _known_failure

    older = "scan.pdf has no text layer (a scanned or image-only PDF): needs OCR"
    missing = f"{older}; OCR is not installed: pip install 'xxgk[ocr]' (rapidocr, onnxruntime, opencv)"
    engine = "OCR needs the rapidocr package: pip install 'xxgk[ocr]' (its models ship in the wheel)"
    budget = "scan.pdf: OCR stopped after page 3 of 7: its time budget of 120 s is spent (set XXGK_OCR_SECONDS to allow more)"
    for reason in (older, missing, engine, budget):
        assert not _known_failure(("abc", "error", reason), "abc"), reason
    assert _known_failure(("abc", "error", "scan.pdf: OCR found no text on its 2 page(s)"), "abc")
