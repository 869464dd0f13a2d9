"""`kill -9` of an ingest at 8 random moments, one in each eighth of its usual time: the published version
is always the old or the new one, the next ingest starts at once and leaves no private file behind
(`tools/crash.py --trials 50` runs more, at uniformly random moments; README, Testing)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.crash_trials import prepare, run_trial

TRIALS = 8


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_a_working_warehouse(tmp_path: Path) -> None:
    setup = prepare(tmp_path)
    rng = random.Random(20261201)
    trials = [run_trial(setup, number, rng, of=TRIALS) for number in range(TRIALS)]
    failed = [trial for trial in trials if not trial.ok]
    assert failed == [], failed
    assert {trial.published for trial in trials} <= {"old", "new"}
