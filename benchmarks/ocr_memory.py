"""Peak memory of reading scans: each file parsed in a fresh process, its peak resident set printed.

    python benchmarks/ocr_memory.py FILE [FILE ...]

A parse worker may take 1.5 GB beyond its start (xxgk/workers.py); the OCR of an A4 page is meant to
stay under 700 MB in all (etl/ocr/engine.py: recognition calls of at most BATCH_PIXELS, the detector
without its float64 copies, ONNX Runtime without NCHWc; freed heap returned between pages). Prints per
file: peak RSS, CPU seconds (user + system) and the outcome.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

CHILD = """
import resource, sys
from etl.errors import XxgkError
from etl.pipeline import parse_bytes
path = sys.argv[1]
try:
    report = parse_bytes(path, open(path, "rb").read())
    print(f"{len(report.facts)} facts, {len(report.warnings)} warnings")
except XxgkError as exc:
    print(f"refused: {exc.reason}")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(path: Path) -> str:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or len(lines) < 2:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return f"{path.name}: failed ({tail[0]}), CPU {cpu:.1f} s"
    return f"{path.name}: peak {int(lines[-1]) / 1024:.0f} MB, CPU {cpu:.1f} s, {lines[-2]}"


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]]
    if not files:
        sys.exit(__doc__)
    for path in files:
        print(measure(path), flush=True)


if __name__ == "__main__":
    main()
