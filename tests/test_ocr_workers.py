"""A scan read by OCR in a worker process: its pages outlast `--timeout` without being killed (the worker
asks for the scan's allowance when OCR starts), and every page read reaches the user's progress display."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from xxgk.ingest import ingest
from xxgk.ocr_progress import pages_shown
from xxgk.parsing import ocr_allowance
from xxgk.workers import Limits

pytest.importorskip("cv2", reason="OCR needs the ocr extra: pip install 'xxgk[ocr]' (opencv, rapidocr)")
pytest.importorskip("rapidocr", reason="OCR needs the ocr extra: pip install 'xxgk[ocr]' (rapidocr)")

from xxgk.samples.scans import STYLES, write_scan  # after the skips: needs the OCR extra

V2021 = FIXTURES / "reports" / "常山县水利局_2024.pdf"
PAGES = 4
TIMEOUT = 2.0
"""Far less than the four pages take (about 3 s a page here), so the allowance is what lets it finish."""


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scan(V2021, tmp_path_factory.mktemp("scan"), {s.name: s for s in STYLES}["scan200"])


def test_the_allowance_is_per_page() -> None:
    assert ocr_allowance(1) == 240.0
    assert ocr_allowance(PAGES) == 240.0
    assert ocr_allowance(30) == 1800.0


@pytest.mark.slow
def test_a_scan_out_of_ocr_time_is_an_error_saying_so_and_is_read_again_by_the_next_ingest(
    scan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XXGK_OCR_SECONDS", "0.01")
    first = ingest([scan], tmp_path / "wh", jobs=1)
    (outcome,) = first.outcomes
    assert outcome.status == "error"
    assert outcome.reason.endswith(
        f"OCR stopped after page 1 of {PAGES}: its time budget of 0 s is spent (set XXGK_OCR_SECONDS to allow more)"
    ), outcome.reason
    lines: list[str] = []
    with pages_shown(lines.append):
        again = ingest([scan], tmp_path / "wh", jobs=1)  # read again: the budget, not the bytes, stopped it
    assert [o.reason for o in again.outcomes] == [outcome.reason]
    assert [line.split(" (")[0] for line in lines] == [
        f"{scan.name}: OCR of {PAGES} pages …",
        f"{scan.name}: OCR page 1/{PAGES}",
    ]


@pytest.mark.slow
def test_parse_of_a_scan_outlasts_the_timeout_and_shows_every_page(scan: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from xxgk.cli import main; main()", "parse", str(scan), "--timeout", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert took > TIMEOUT
    shown = [line for line in done.stderr.splitlines() if "OCR" in line]
    assert shown[0] == f"{scan.name}: OCR of {PAGES} pages …"
    assert [line.split(" (")[0] for line in shown[1:]] == [
        f"{scan.name}: OCR page {n}/{PAGES}" for n in range(1, PAGES + 1)
    ]
    assert "v2021" in done.stdout


@pytest.mark.slow
def test_ingest_of_a_scan_in_a_worker_loads_it_and_tells_its_pages(scan: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    with pages_shown(lines.append):
        summary = ingest([scan], tmp_path / "wh", limits=Limits(seconds=TIMEOUT))
    assert [o.status for o in summary.outcomes] == ["loaded"], summary.outcomes
    assert lines[0] == f"{scan.name}: OCR of {PAGES} pages …"
    assert [line.split(" (")[0] for line in lines[1:]] == [
        f"{scan.name}: OCR page {n}/{PAGES}" for n in range(1, PAGES + 1)
    ]
