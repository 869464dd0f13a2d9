"""Golden files: every cell of the real reports and of the committed fixture reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.pipeline import parse_file
from tests.conftest import FIXTURES, GOLDEN, REAL_CORPUS, real_report
from tests.golden_io import read_golden, report_to_golden, write_golden

REAL_REPORTS = [
    "龙游县招商投资促进中心_2021.txt",
    "平潭综合实验区_2016.html",
    "平潭综合实验区_2019.html",
    "平潭综合实验区_2021.html",
    "平潭综合实验区_2021_flattened.txt",
]
FIXTURE_REPORTS = sorted(p.name for p in (FIXTURES / "reports").iterdir() if not p.name.endswith(".json"))


def _compare(source: Path, golden: Path, update: bool) -> None:
    actual = report_to_golden(parse_file(source))
    if update or not golden.exists():
        write_golden(golden, actual)
        if not update:
            pytest.fail(f"{golden.name} did not exist; written for review")
    expected = read_golden(golden)
    assert actual["facts"] == expected["facts"]
    assert actual == expected


@pytest.mark.parametrize("name", REAL_REPORTS)
def test_real_report_matches_golden(name: str, update_golden: bool) -> None:
    _compare(real_report(name), GOLDEN / f"real_{Path(name).stem}.json", update_golden)


@pytest.mark.parametrize("name", FIXTURE_REPORTS)
def test_fixture_report_matches_golden(name: str, update_golden: bool) -> None:
    _compare(FIXTURES / "reports" / name, GOLDEN / f"fixture_{Path(name).stem}.json", update_golden)


def test_corpus_listing_is_complete() -> None:
    if not REAL_CORPUS.exists():
        pytest.skip("shared corpus not available")
    assert {p.name for p in REAL_CORPUS.iterdir()} == set(REAL_REPORTS)
