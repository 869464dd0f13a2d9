"""`kill -9` an ingest at random moments and check what it leaves (see tests/crash_trials.py).

    .venv/bin/python tools/crash.py --trials 50

Prints one line per trial (delay, which version is published, whether the next ingest had to wait,
processes left over, private files left) and a summary; exit status 1 when any trial failed.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crash_trials import prepare, run_trial  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="xxgk-crash-") as base:
        setup = prepare(Path(base))
        print(f"an undisturbed ingest of the second batch takes {setup.seconds:.1f} s; killing within that")
        trials = []
        for number in range(args.trials):
            trial = run_trial(setup, number, rng)
            trials.append(trial)
            print(
                f"trial {number + 1:3d}: kill -9 after {trial.delay:5.2f} s ({trial.processes} processes) -> "
                f"published {trial.published}; left behind {len(trial.left_behind)} private files; "
                f"next ingest waited: {trial.waited}; processes left: {trial.survivors}; "
                f"private files after it: {list(trial.stale)}; {'ok' if trial.ok else 'FAILED'}",
                flush=True,
            )
    published = Counter(t.published for t in trials)
    failed = sum(not t.ok for t in trials)
    print(
        f"\n{len(trials)} trials in {time.monotonic() - started:.0f} s: published old {published['old']}, "
        f"new {published['new']}, other {len(trials) - published['old'] - published['new']}; "
        f"next ingest waited {sum(t.waited for t in trials)}; "
        f"processes left {sum(t.survivors for t in trials)}; "
        f"killed while workers ran {sum(t.processes > 1 for t in trials)}; "
        f"private files left by the killed ingest in {sum(bool(t.left_behind) for t in trials)} trials, "
        f"after the next ingest in {sum(bool(t.stale) for t in trials)}; failed {failed}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
